import { describe, expect, it } from 'vitest';
import { startCustomer } from '../support/agents.ts';
import { bearerFor, clients } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';

/**
 * One agent operation (an answer, a blind transfer) changes several participants at once, but a
 * notification subscriber sees it as ONE conversation frame per topic, carrying the final state: never
 * a frame for an intermediate state Genesys does not show (the agent connected while the acd leg is still
 * up, the old agent gone before the new one is alerted).
 *
 * "Nothing else follows" is checked without sleeping: after the operation's HTTP answer the test pings
 * the channel, and the pong comes back on the same socket after every frame sent before it.
 */

interface Participant {
  id: string;
  purpose: string;
  userId?: string;
  /** The media views (conversations.messages topics) name the user this way. */
  user?: { id: string };
  queueId?: string;
  state?: string;
  messages?: { id: string; state: string; disconnectType?: string }[];
}
interface Frame {
  topicName: string;
  eventBody: { id?: string; message?: string; participants?: Participant[] };
}

/** The leg's state as the generic view (participant.state) or a media view (messages[0].state) shows it. */
const legState = (p: Participant) => p.messages?.[0]?.state ?? p.state;
const userOf = (p: Participant) => p.userId ?? p.user?.id;

function ids(emulator: TestEmulator) {
  const fx = emulator.fixture;
  const user = (name: string) => fx.users.find((u) => u.name === name)!;
  const queue = (name: string) => fx.queues.find((q) => q.name === name)!;
  return {
    alda: user('Alda Moore'), // Grocery, Sports, General
    mia: user('Mia Welch'), // Sports, Shoes, General
    sports: queue('Sports Support'),
    shoes: queue('Shoes Support'),
  };
}

/** An agent's platform API, with inject and the agent's own OAuth client. */
async function agentApi(emulator: TestEmulator, userId: string) {
  const client = clients(emulator).agents.find((c) => c.user === userId)!;
  const auth = await bearerFor(emulator, client);
  return async (method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) => {
    const res = await emulator.inject({
      method,
      url,
      headers: {
        authorization: auth,
        'content-type': 'application/json',
        host: `127.0.0.1:${emulator.port}`,
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body ? JSON.parse(res.body) : undefined;
  };
}

/** A notification channel subscribed to `topics`, and a way to take the frames one operation caused. */
async function subscriber(emulator: TestEmulator, topics: string[]) {
  const api = await agentApi(emulator, ids(emulator).alda.id);
  const channel = (await api('POST', '/api/v2/notifications/channels')) as { id: string; connectUri: string };
  await api(
    'PUT',
    `/api/v2/notifications/channels/${channel.id}/subscriptions`,
    topics.map((id) => ({ id })),
  );
  const socket = await openSocket(channel.connectUri);
  const frames = new FrameCollector<Frame>(socket);
  let taken = 0;
  /** Runs the operation, then returns every conversation frame it caused, grouped by topic. */
  const framesOf = async (operation: () => Promise<unknown>) => {
    await operation();
    socket.send(JSON.stringify({ message: 'ping' }));
    // next() only looks past the frame it returned last time, so this is the pong to this ping.
    await frames.next((f) => f.eventBody.message === 'pong', 'the pong');
    const caused = frames.frames.slice(taken).filter((f) => f.topicName !== 'channel.metadata');
    taken = frames.frames.length;
    const byTopic = new Map<string, Frame[]>();
    for (const f of caused) byTopic.set(f.topicName, [...(byTopic.get(f.topicName) ?? []), f]);
    return byTopic;
  };
  return { framesOf, close: () => closeSocket(socket) };
}

const topicsOf = (kind: 'users' | 'routing.queues', id: string) => [
  `v2.${kind}.${id}.conversations`,
  `v2.${kind}.${id}.conversations.messages`,
];

describe('notifications: one operation, one frame per topic, with the final state', () => {
  it('an answer and a blind transfer to a queue each publish exactly one frame per topic', async () => {
    const emulator = await startEmulator();
    const { alda, mia, sports, shoes } = ids(emulator);
    const aldaApi = await agentApi(emulator, alda.id);
    const miaApi = await agentApi(emulator, mia.id);
    const aldaTopics = topicsOf('users', alda.id);
    const miaTopics = topicsOf('users', mia.id);
    const sportsTopics = topicsOf('routing.queues', sports.id);
    const shoesTopics = topicsOf('routing.queues', shoes.id);
    const sub = await subscriber(emulator, [...aldaTopics, ...miaTopics, ...sportsTopics, ...shoesTopics]);

    // Alda alone is on queue: the customer waiting in Sports Support is offered to her.
    await aldaApi('PUT', `/api/v2/users/${alda.id}/routingstatus`, { status: 'IDLE' });
    let conversationId = '';
    const offered = await sub.framesOf(async () => {
      conversationId = await startCustomer(emulator, { queueName: 'Sports Support', text: 'hello' });
    });
    const aldaLeg = offered
      .get(aldaTopics[0]!)
      ?.at(-1)
      ?.eventBody.participants?.find((p) => p.userId === alda.id);
    expect(aldaLeg && legState(aldaLeg)).toBe('alerting');

    // The answer: Alda connected and the acd leg ended, in one frame per topic.
    const answered = await sub.framesOf(() =>
      aldaApi('PATCH', `/api/v2/conversations/messages/${conversationId}/participants/${aldaLeg!.id}`, {
        state: 'connected',
      }),
    );
    expect([...answered.keys()].sort()).toEqual([...aldaTopics, ...sportsTopics].sort());
    for (const [topic, list] of answered) {
      expect(list, topic).toHaveLength(1);
      const participants = list[0]!.eventBody.participants!;
      expect(list[0]!.eventBody.id).toBe(conversationId);
      expect(legState(participants.find((p) => p.id === aldaLeg!.id)!), topic).toBe('connected');
      const acd = participants.filter((p) => p.purpose === 'acd');
      expect(acd.length, topic).toBeGreaterThan(0);
      for (const leg of acd) expect(legState(leg), topic).toBe('disconnected');
    }

    // A blind transfer to Shoes Support, where Mia is on queue: Alda's leg ends as a transfer and Mia is
    // alerted, and every topic involved (both agents, both queues) gets one frame showing both.
    await miaApi('PUT', `/api/v2/users/${mia.id}/routingstatus`, { status: 'IDLE' });
    const transferred = await sub.framesOf(() =>
      aldaApi(
        'POST',
        `/api/v2/conversations/messages/${conversationId}/participants/${aldaLeg!.id}/replace`,
        {
          queueId: shoes.id,
        },
      ),
    );
    expect([...transferred.keys()].sort()).toEqual(
      [...aldaTopics, ...miaTopics, ...sportsTopics, ...shoesTopics].sort(),
    );
    for (const [topic, list] of transferred) {
      expect(list, topic).toHaveLength(1);
      const participants = list[0]!.eventBody.participants!;
      const old = participants.find((p) => p.id === aldaLeg!.id)!;
      expect(legState(old), topic).toBe('disconnected');
      const miaLeg = participants.find((p) => userOf(p) === mia.id);
      expect(miaLeg && legState(miaLeg), topic).toBe('alerting');
    }
    await sub.close();
  });
});
