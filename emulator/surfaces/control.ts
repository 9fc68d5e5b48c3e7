import type { FastifyPluginAsync } from 'fastify';
import { FixtureError } from '../config/load-fixture.ts';
import { EmulatorControl } from '../control/operations.ts';
import type { EventsFilter } from '../control/schemas.ts';
import { ApiError, errors } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';

/**
 * Emulator-only endpoints under /__emulator/, registered only when the control plane is enabled
 * (tests, scenarios, `--control-plane`): a thin HTTP face of the handle's control operations. Errors use
 * the same Genesys body as everything else.
 */
export const controlSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const control = new EmulatorControl(runtime);

  app.get('/__emulator/fixture', async () => control.fixture());

  app.post('/__emulator/fixture', async (request) => {
    const body = request.body;
    if (body === undefined) throw errors.badRequest('A fixture (JSON object or YAML text) is required.');
    // Flows are loaded with the fixture; one that does not load is a bad fixture too.
    const fixture = fixtureProblemsAs400(() => control.load(body, 'request body'));
    return { loaded: true, orgId: fixture.org.id };
  });

  app.post('/__emulator/reset', async () => {
    control.reset();
    return { reset: true };
  });

  app.get('/__emulator/clock', async () => control.clock());

  app.post('/__emulator/clock/advance', async (request) => control.advance(request.body as { ms: number }));

  app.get('/__emulator/events', async (request) => control.events(request.query as EventsFilter));

  // A repro pack (inspect/repro-pack.ts): the whole state, or ?conversationId= one conversation and
  // what it touched. Served as a file to save; `genesys-emulator start --from-pack FILE` opens it.
  app.get('/__emulator/repro-pack', async (request, reply) => {
    const pack = control.reproPack(request.query as { conversationId?: string });
    const name = `repro-pack-${pack.conversationId ?? 'run'}.json`;
    return reply.header('content-disposition', `attachment; filename="${name}"`).send(pack);
  });
};

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
