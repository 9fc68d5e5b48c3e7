import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../../index.ts';
import { ServiceError } from '../errors.ts';
import type { Lifecycle } from '../lifecycle.ts';

/**
 * Liveness and readiness for orchestrators and load balancers, without an API key (they carry none).
 * `/healthz` is "the process answers" (restart it when it does not). `/readyz` is "send it work": the
 * configuration was valid at start, so only shutting down, or a session store (Redis) it cannot reach,
 * makes it unready; the body says which store and whether it is reachable.
 */
export function healthRoutes(app: FastifyInstance, bridge: Bridge, lifecycle: Lifecycle): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    if (lifecycle.closing) throw new ServiceError('SERVICE_CLOSING', 'the service is shutting down');
    const health = bridge.health();
    if (!health.store.available) {
      throw new ServiceError(
        'STORE_UNAVAILABLE',
        `the session store (${health.store.label}) is unreachable`,
        {
          retryable: true,
          retryAfterMs: 1000,
        },
      );
    }
    return {
      status: 'ready',
      channel: bridge.configs.default.channel,
      store: health.store,
      sessions: health.sessions,
    };
  });
}
