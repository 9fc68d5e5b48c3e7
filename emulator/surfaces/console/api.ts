import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { EmulatorControl } from '../../control/operations.ts';
import { effectiveUtilization } from '../../domain/routing/utilization.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';

const TimelineQuery = z.object({
  conversationId: z.string().min(1).optional(),
  afterSeq: z.coerce.number().int().min(0).optional(),
  limit: z.coerce.number().int().min(1).max(100_000).default(10_000),
});
const SequenceQuery = z.object({ conversationId: z.string().min(1) });

/**
 * The few read-only things the console pages need that Genesys's public API does not offer: who the
 * fixture's agents are and which client logs in as each (an offline developer tool; the start-up
 * summary prints the same secrets), the Messenger deployments a test customer can pick, the emulator's
 * clock (alert countdowns under a manual clock) and the timeline. Registered with the console, so
 * they exist without the control plane; they never change state.
 */
export const consoleApi: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const control = new EmulatorControl(runtime);
  app.get('/console/api/agents', async () => {
    const org = runtime.org();
    return {
      entities: org.users.map((user) => {
        const client = org.fixture.clients.find((c) => c.user === user.id);
        return {
          id: user.id,
          name: user.name,
          email: user.email,
          queues: org.queues.filter((q) => org.membersOf(q.id).includes(user)).map((q) => q.name),
          // What routing uses: the agent's own setting, else the org level, else Genesys's default.
          capacity: effectiveCapacity(runtime, user.id),
          client: client ? { id: client.id, secret: client.secret, name: client.name } : null,
        };
      }),
    };
  });

  app.get('/console/api/deployments', async () => ({
    messenger: runtime.fixture.deployments.messenger.map((d) => ({
      id: d.id,
      name: d.name ?? d.id,
      flow: d.flow,
      conversationDisconnect: d.conversationDisconnect,
    })),
  }));

  app.get('/console/api/clock', async () => ({
    kind: runtime.clock.kind,
    now: new Date(runtime.clock.now()).toISOString(),
  }));

  app.get('/console/api/timeline', async (request) => {
    const q = parseInput(TimelineQuery, request.query, 'query');
    return {
      entities: runtime.events.list({
        limit: q.limit,
        ...(q.conversationId === undefined ? {} : { conversationId: q.conversationId }),
        ...(q.afterSeq === undefined ? {} : { afterSeq: q.afterSeq }),
      }),
      lastSeq: runtime.events.lastSeq,
    };
  });

  // One conversation's sequence diagram, as the model the timeline page draws (and the Mermaid text).
  app.get('/console/api/sequence', async (request) => {
    const { conversationId } = parseInput(SequenceQuery, request.query, 'query');
    return control.sequence(conversationId);
  });
};

function effectiveCapacity(runtime: EmulatorRuntime, userId: string) {
  const { utilization } = effectiveUtilization(runtime, userId);
  return { message: utilization.message.maximumCapacity, chat: utilization.chat.maximumCapacity };
}
