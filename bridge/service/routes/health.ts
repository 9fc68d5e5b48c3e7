import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../../index.ts';
import { ServiceError } from '../errors.ts';
import type { Lifecycle } from '../lifecycle.ts';

/**
 * Liveness and readiness for orchestrators, without an API key (they carry none). Readiness is "accepting
 * work": the configuration was valid at start, so only shutting down makes the service unready.
 */
export function healthRoutes(app: FastifyInstance, bridge: Bridge, lifecycle: Lifecycle): void {
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async () => {
    if (lifecycle.closing) throw new ServiceError('SERVICE_CLOSING', 'the service is shutting down');
    return { status: 'ready', channel: bridge.configs.default.channel };
  });
}
