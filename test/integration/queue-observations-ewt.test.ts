import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator } from '../support/emulators.ts';
import type { Wire } from '../support/webmessaging.ts';

async function setup() {
  const emulator = await startEmulator();
  const auth = await bearerFor(emulator, clients(emulator).org);
  const queue = (name: string) => emulator.fixture.queues.find((q) => q.name === name)!.id;
  const observe = async (body: Wire) =>
    emulator.inject({
      method: 'POST',
      url: '/api/v2/analytics/queues/observations/query',
      headers: { authorization: auth },
      payload: body,
    });
  const ewt = (path: string) =>
    emulator.inject({
      method: 'GET',
      url: `/api/v2/routing/queues/${path}`,
      headers: { authorization: auth },
    });
  return { emulator, queue, observe, ewt };
}

const byQueue = (queueId: string) => ({ type: 'or', predicates: [{ dimension: 'queueId', value: queueId }] });

describe('queue observations: what is happening in a queue now', () => {
  it('counts waiting, alerting and interacting conversations per media type, and members by status and presence', async () => {
    const { emulator, queue, observe } = await setup();
    const general = queue('General'); // Alda, Mia, Dena
    const first = emulator.customers.start({ queueName: 'General', text: 'one' });
    const second = emulator.customers.start({ queueName: 'General', text: 'two' });
    emulator.customers.start({ queueName: 'General', text: 'three', mediaType: 'chat', channel: 'webchat' });
    const alda = emulator.agent('Alda Moore'); // message capacity 3
    await alda.goOnQueue(); // alerted for the first two messages (FIFO), and the chat
    await alda.nextAlert();
    await alda.answer();
    await emulator.clock.advance(1_000);
    const res = await observe({
      filter: byQueue(general),
      metrics: [
        'oWaiting',
        'oAlerting',
        'oInteracting',
        'oMemberUsers',
        'oActiveUsers',
        'oOnQueueUsers',
        'oOffQueueUsers',
        'oUserRoutingStatuses',
        'oUserPresences',
      ],
      detailMetrics: ['oInteracting'],
    });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.systemToOrganizationMappings.ON_QUEUE).toEqual(['e08eaf1b-ee47-4fa9-a231-1200e284798f']);
    const group = (mediaType?: string) =>
      body.results.find((r: Wire) => r.group.queueId === general && r.group.mediaType === mediaType).data;
    expect(body.results.map((r: Wire) => r.group.mediaType)).toEqual([
      undefined,
      'voice',
      'chat',
      'callback',
      'email',
      'message',
    ]);
    const counts = (data: Wire[]) =>
      Object.fromEntries(
        data.map((d) => [`${d.metric}${d.qualifier ? `:${d.qualifier}` : ''}`, d.stats.count]),
      );
    const message = group('message');
    expect(counts(message)).toEqual({ oWaiting: 0, oAlerting: 1, oInteracting: 1 });
    const interacting = message.find((d: Wire) => d.metric === 'oInteracting');
    expect(interacting.observations).toEqual([
      expect.objectContaining({
        conversationId: [first, second].find((c) =>
          emulator.conversations
            .get(c.id)!
            .participants.some((p) => p.state === 'connected' && p.purpose === 'agent'),
        )!.id,
        userId: alda.userId,
        direction: 'inbound',
        observationDate: expect.any(String),
      }),
    ]);
    // Message work in progress blocks chats (not interruptible), so the chat waits.
    expect(counts(group('chat'))).toEqual({ oWaiting: 1, oAlerting: 0, oInteracting: 0 });
    expect(counts(group('voice'))).toEqual({ oWaiting: 0, oAlerting: 0, oInteracting: 0 });
    expect(counts(group(undefined))).toEqual({
      oMemberUsers: 3,
      oActiveUsers: 3,
      'oOnQueueUsers:INTERACTING': 1,
      oOffQueueUsers: 2,
      'oUserRoutingStatuses:OFF_QUEUE': 2,
      'oUserRoutingStatuses:INTERACTING': 1,
      'oUserPresences:6a3af858-942f-489d-9700-5f9bcdcdae9b': 2,
      'oUserPresences:e08eaf1b-ee47-4fa9-a231-1200e284798f': 1,
    });
    // Waiting: a queue nobody is on.
    emulator.customers.start({ queueName: 'Shoes Support', text: 'waiting' });
    const shoes = (
      await observe({
        filter: {
          type: 'and',
          predicates: [
            { dimension: 'queueId', value: queue('Shoes Support') },
            { dimension: 'mediaType', value: 'message' },
          ],
        },
        metrics: ['oWaiting', 'oOnQueueUsers'],
        detailMetrics: ['oWaiting'],
      })
    ).json();
    expect(shoes.systemToOrganizationMappings).toBeUndefined();
    expect(shoes.results).toEqual([
      {
        group: { queueId: queue('Shoes Support') },
        data: [{ metric: 'oOnQueueUsers', stats: { count: 0 } }],
      },
      {
        group: { queueId: queue('Shoes Support'), mediaType: 'message' },
        data: [
          {
            metric: 'oWaiting',
            stats: { count: 1 },
            observations: [expect.objectContaining({ participantName: 'Test Customer', routingPriority: 0 })],
          },
        ],
      },
    ]);
  });

  it('an or filter spans queues; bad queries are refused', async () => {
    const { queue, observe } = await setup();
    const two = await observe({
      filter: {
        type: 'or',
        predicates: [
          { dimension: 'queueId', value: queue('General') },
          { dimension: 'queueId', value: queue('Shoes Support') },
        ],
      },
      metrics: ['oMemberUsers'],
    });
    expect(two.json().results.map((r: Wire) => r.data[0].stats.count)).toEqual([3, 3]);
    expectApiError(
      await observe({ filter: byQueue(queue('General')), metrics: ['oSomething'] }),
      400,
      'bad.request',
    );
    expectApiError(await observe({ filter: byQueue(queue('General')), metrics: [] }), 400, 'bad.request');
    expectApiError(await observe({ metrics: ['oWaiting'] }), 400, 'bad.request');
    expectApiError(
      await observe({
        filter: { type: 'and', predicates: [{ dimension: 'userId', value: 'x' }] },
        metrics: ['oWaiting'],
      }),
      400,
      'bad.request',
    );
    expectApiError(
      await observe({
        filter: byQueue(queue('General')),
        metrics: ['oWaiting'],
        detailMetrics: ['oMemberUsers'],
      }),
      400,
      'bad.request',
    );
  });
});

describe('estimated wait time: from the queue recent handle times', () => {
  it('is 0 with an idle member; otherwise AHT x (ahead + 1) / members on queue, 300 s AHT before any history', async () => {
    const { emulator, queue, ewt } = await setup();
    const shoes = queue('Shoes Support'); // Maida, Mia, Dena
    const estimate = async (path: string) => {
      const res = await ewt(path);
      expect(res.statusCode, res.body).toBe(200);
      return res.json().results[0];
    };
    const dena = emulator.agent('Dena Lakin'); // message capacity 1
    await dena.goOnQueue();
    expect(await estimate(`${shoes}/estimatedwaittime`)).toEqual({
      intent: 'ALL',
      formula: 'SIMPLE',
      estimatedWaitTimeSeconds: 0,
    });
    // Dena handles one conversation in 40 s (answer to wrap-up): the queue's AHT becomes 40 s.
    emulator.customers.start({ queueName: 'Shoes Support', text: 'first' });
    await dena.nextAlert();
    await dena.answer();
    await emulator.clock.advance(30_000);
    await dena.disconnect();
    await emulator.clock.advance(10_000);
    await dena.wrapUp();
    // She takes the next one; two more wait behind it.
    emulator.customers.start({ queueName: 'Shoes Support', text: 'second' });
    const third = emulator.customers.start({ queueName: 'Shoes Support', text: 'third' });
    const fourth = emulator.customers.start({ queueName: 'Shoes Support', text: 'fourth' });
    expect(await estimate(`${shoes}/estimatedwaittime?conversationId=${third.id}`)).toEqual({
      intent: 'MESSAGE',
      formula: 'SIMPLE',
      estimatedWaitTimeSeconds: 40,
    });
    expect(
      (await estimate(`${shoes}/estimatedwaittime?conversationId=${fourth.id}`)).estimatedWaitTimeSeconds,
    ).toBe(80);
    expect((await estimate(`${shoes}/mediatypes/message/estimatedwaittime`)).estimatedWaitTimeSeconds).toBe(
      120,
    );
    expect(await estimate(`${shoes}/mediatypes/chat/estimatedwaittime`)).toEqual({
      intent: 'CHAT',
      formula: 'SIMPLE',
      estimatedWaitTimeSeconds: 300,
    });
    // A second member on queue takes both waiting ones (message capacity 2) and shares the work: the
    // next arrival waits for one of two members at capacity, 40 x 1 / 2.
    await emulator.agent('Maida Moen').goOnQueue();
    expect(emulator.waiting('Shoes Support')).toEqual([]);
    expect((await estimate(`${shoes}/mediatypes/message/estimatedwaittime`)).estimatedWaitTimeSeconds).toBe(
      20,
    );
  });

  it('refuses unknown queues, conversations not waiting there and unknown media types', async () => {
    const { emulator, queue, ewt } = await setup();
    expectApiError(await ewt('nope/estimatedwaittime'), 404, 'not.found');
    expectApiError(await ewt(`${queue('General')}/estimatedwaittime?conversationId=nope`), 404, 'not.found');
    const waiting = emulator.customers.start({ queueName: 'Shoes Support', text: 'hi' });
    expectApiError(
      await ewt(`${queue('General')}/estimatedwaittime?conversationId=${waiting.id}`),
      400,
      'bad.request',
    );
    expectApiError(await ewt(`${queue('General')}/mediatypes/fax/estimatedwaittime`), 400, 'bad.request');
  });
});
