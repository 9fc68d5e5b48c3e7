import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { FixtureError, parseFixture, parseFixtureText } from '../config/load-fixture.ts';
import { ManualClock } from '../domain/clock.ts';
import { ApiError, errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { parseInput } from './validate.ts';

const AdvanceBody = z.strictObject({
  ms: z
    .number()
    .int()
    .min(0)
    .max(366 * 24 * 3600 * 1000),
});
const EventsQuery = z.object({
  conversationId: z.string().min(1).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  type: z.union([z.string(), z.array(z.string())]).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).optional(),
});

/**
 * Emulator-only endpoints under /__emulator/, registered only when the control plane is enabled
 * (tests, scenarios, `--control-plane`). Errors use the same Genesys body as everything else.
 */
export const controlSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  app.get('/__emulator/fixture', async () => runtime.fixture);

  app.post('/__emulator/fixture', async (request) => {
    const fixture = fixtureProblemsAs400(() => toFixture(request.body));
    // Flows are loaded with the fixture; one that does not load is a bad fixture too.
    fixtureProblemsAs400(() => runtime.loadFixture(fixture));
    return { loaded: true, orgId: fixture.org.id };
  });

  app.post('/__emulator/reset', async () => {
    runtime.reset();
    return { reset: true };
  });

  app.get('/__emulator/clock', async () => ({
    kind: runtime.clock.kind,
    now: new Date(runtime.clock.now()).toISOString(),
  }));

  app.post('/__emulator/clock/advance', async (request) => {
    const { ms } = parseInput(AdvanceBody, request.body, 'body');
    const clock = runtime.clock;
    if (!(clock instanceof ManualClock)) {
      throw errors.conflict(
        'The emulator runs on the system clock; start it with a manual clock to advance time.',
      );
    }
    clock.advance(ms);
    const now = new Date(clock.now()).toISOString();
    runtime.events.emit('clock.advanced', { ms, now });
    return { now };
  });

  app.get('/__emulator/events', async (request) => {
    const q = parseInput(EventsQuery, request.query, 'query');
    const types = q.type === undefined ? undefined : Array.isArray(q.type) ? q.type : q.type.split(',');
    return {
      entities: runtime.events.list({
        ...(q.conversationId === undefined ? {} : { conversationId: q.conversationId }),
        ...(q.afterSeq === undefined ? {} : { afterSeq: q.afterSeq }),
        ...(types === undefined ? {} : { types }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      }),
      lastSeq: runtime.events.lastSeq,
    };
  });
};

/** A fixture arrives as JSON (an object) or YAML text. */
function toFixture(body: unknown) {
  if (typeof body === 'string') return parseFixtureText(body, 'request body');
  if (body === undefined) throw errors.badRequest('A fixture (JSON object or YAML text) is required.');
  return parseFixture(body, 'request body');
}

/** A fixture's problems become a 400 whose details name each bad field. */
function fixtureProblemsAs400<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    throw new ApiError(400, 'bad.request', e.message, {
      details: e.problems.map((p) => ({ errorCode: 'invalid.fixture', fieldName: p.path })),
    });
  }
}
