import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { sendApiError } from './error-handler.ts';
import { parseInput } from './validate.ts';

/**
 * Fault injection for resilience tests (control plane only): the next N requests whose path matches
 * are either answered 429 `too.many.requests` or 503 `service.unavailable` with a Retry-After header,
 * exactly as Genesys answers them, without reaching the route (so nothing changes), or held for
 * `delayMs` of emulator time before they are handled (a slow Genesys). Faults are consumed in order.
 */
interface HttpFault {
  id: number;
  method?: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  /** Answer with this status; absent for a delay. */
  status?: 429 | 503;
  /** Hold the request this long (emulator clock) and then handle it normally. */
  delayMs?: number;
  remaining: number;
  retryAfterSeconds: number;
}

const FaultBody = z
  .strictObject({
    method: z
      .string()
      .transform((m) => m.toUpperCase())
      .pipe(z.enum(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']))
      .optional(),
    path: z.string().min(1).max(1024).startsWith('/'),
    status: z.union([z.literal(429), z.literal(503)]).optional(),
    delayMs: z.number().int().min(1).max(3_600_000).optional(),
    count: z.number().int().min(1).max(10_000).default(1),
    retryAfterSeconds: z.number().int().min(0).max(3600).default(1),
  })
  .refine((f) => (f.status === undefined) !== (f.delayMs === undefined), {
    message: 'give exactly one of status (429 or 503) or delayMs',
  });

const FAULTS = 'faults.http';

/** Root-level hook (every route, before routing-specific hooks) that answers pending faults. */
export function installFaultInjection(app: FastifyInstance, runtime: EmulatorRuntime): void {
  app.addHook('onRequest', async (request, reply) => {
    const path = request.url.split('?')[0] ?? request.url;
    if (path.startsWith('/__emulator/')) return;
    const table = runtime.store.table<HttpFault>(FAULTS);
    if (table.size === 0) return;
    const fault = [...table.values()]
      .sort((a, b) => a.id - b.id)
      .find((f) => (f.method === undefined || f.method === request.method) && matches(f.path, path));
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) table.delete(String(fault.id));
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

function matches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}

declare module '../domain/events.ts' {
  interface EmulatorEventData {
    'fault.injected': { method: string; path: string; status?: number; delayMs?: number };
  }
}

/** POST /__emulator/faults/http adds a fault; GET lists the pending ones; DELETE clears them. */
export const faultRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  let next = 0;
  const table = () => runtime.store.table<HttpFault>(FAULTS);
  app.post('/__emulator/faults/http', async (request) => {
    const body = parseInput(FaultBody, request.body, 'body');
    const fault: HttpFault = {
      id: ++next,
      ...(body.method === undefined ? {} : { method: body.method }),
      path: body.path,
      ...(body.status === undefined ? {} : { status: body.status }),
      ...(body.delayMs === undefined ? {} : { delayMs: body.delayMs }),
      remaining: body.count,
      retryAfterSeconds: body.retryAfterSeconds,
    };
    table().set(String(fault.id), fault);
    return fault;
  });
  app.get('/__emulator/faults/http', async () => ({ entities: [...table().values()] }));
  app.delete('/__emulator/faults/http', async (_request, reply) => {
    for (const f of [...table().values()]) table().delete(String(f.id));
    return reply.status(204).send();
  });
};
