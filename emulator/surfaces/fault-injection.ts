import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { EmulatorControl } from '../control/operations.ts';
import type { HttpFaultSpec } from '../control/schemas.ts';
import { errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { sendApiError } from './error-handler.ts';

/**
 * Root-level hook (every route, before routing-specific hooks) that answers pending injected faults
 * (domain/faults.ts): a 429 or 503 exactly as Genesys answers them, without reaching the route, so
 * nothing changes; or the request held for `delayMs` of emulator time. Installed on every emulator (the
 * handle injects faults without the control plane); one size check per request when none is pending.
 */
export function installFaultInjection(app: FastifyInstance, runtime: EmulatorRuntime): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (path.startsWith('/__emulator/')) return;
    const fault = runtime.faults.take(request.method, path);
    if (!fault) return;
    if (fault.delayMs !== undefined) {
      runtime.events.emit('fault.injected', { method: request.method, path, delayMs: fault.delayMs });
      await new Promise<void>((resolve) => runtime.clock.setTimeout(resolve, fault.delayMs!));
      return;
    }
    runtime.events.emit('fault.injected', { method: request.method, path, status: fault.status });
    const error =
      fault.status === 429
        ? errors.tooManyRequests(300, 60, fault.retryAfterSeconds)
        : errors.serviceUnavailable(fault.retryAfterSeconds);
    return sendApiError(request, reply, error);
  });
}

declare module '../domain/events.ts' {
  interface EmulatorEventData {
    'fault.injected': { method: string; path: string; status?: number; delayMs?: number };
  }
}

/** POST /__emulator/faults/http adds a fault; GET lists the pending ones; DELETE clears them. */
export const faultRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const control = new EmulatorControl(runtime);
  app.post('/__emulator/faults/http', async (request) => control.addHttpFault(request.body as HttpFaultSpec));
  app.get('/__emulator/faults/http', async () => ({ entities: control.httpFaults() }));
  app.delete('/__emulator/faults/http', async (_request, reply) => {
    control.clearHttpFaults();
    return reply.status(204).send();
  });
};
