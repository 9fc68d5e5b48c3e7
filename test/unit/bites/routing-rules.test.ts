import { describe, expect, it } from 'vitest';
import type { Agent, FixtureInput } from '../../../emulator/index.ts';
import { startEmulator, type TestEmulator } from '../../support/emulators.ts';

/**
 * ACD routing rules at their edges (platform-architect.md §2.3-§2.6, platform-extra.md §6.1), where a
 * flipped comparison, a dropped condition or a swapped `some`/`every` would otherwise go unnoticed:
 * ties between equally idle agents, a waiting conversation one agent cannot take, the routing status
 * an agent returns to, fixture capacity per media type, the estimated wait time's every term, and
 * routing state carried through a repro pack. test/integration/acd-routing.test.ts and
 * queue-observations-ewt.test.ts tell the main stories; this file pins what they leave open.
 *
 * One org: Sales (10 s alerting timeout) with Ann (2 messages at once), Bob, Cy and Dee (1 chat at
 * once), all at the platform defaults otherwise (1 message, 4 chats); Support (20 s) with Eve.
 */
const SALES = 'q-sales';
const SUPPORT = 'q-support';

function org(): FixtureInput {
  const users = [
    { id: 'u-ann', name: 'Ann', queues: ['Sales'], capacity: { message: 2 } },
    { id: 'u-bob', name: 'Bob', queues: ['Sales'] },
    { id: 'u-cy', name: 'Cy', queues: ['Sales'] },
    { id: 'u-dee', name: 'Dee', queues: ['Sales'], capacity: { chat: 1 } },
    { id: 'u-eve', name: 'Eve', queues: ['Support'] },
  ];
  return {
    org: { id: 'org-routing-rules', name: 'Routing rules org' },
    clients: users.map((u) => ({ id: `client-${u.id}`, secret: 'agent-secret', name: u.name, user: u.id })),
    users: users.map((u) => ({ ...u, email: `${u.name.toLowerCase()}@example.com` })),
    queues: [
      { id: SALES, name: 'Sales', alertingTimeoutSeconds: 10 },
      { id: SUPPORT, name: 'Support', alertingTimeoutSeconds: 20 },
    ],
  } as FixtureInput;
}

/** The org's agents and a scripted customer; works on the emulator given (one opened from a pack too). */
function people(emu: TestEmulator) {
  const agents = {
    ann: emu.agent('Ann'),
    bob: emu.agent('Bob'),
    cy: emu.agent('Cy'),
    dee: emu.agent('Dee'),
    eve: emu.agent('Eve'),
  };
  /** A customer waiting in a queue (a message unless `chat`); returns the conversation id. */
  const arrive = (queueName = 'Sales', options: { chat?: boolean } = {}) =>
    emu.customers.start({
      queueName,
      ...(options.chat ? { mediaType: 'chat', channel: 'webchat' } : {}),
    }).id;
  return { emu, ...agents, arrive };
}

async function routing() {
  return people(await startEmulator({ fixture: org() }));
}

/** Who is alerted (an alerting agent leg) in a conversation, by name. */
function alerted(emu: TestEmulator, conversationId: string): string[] {
  return emu.conversations
    .get(conversationId)!
    .participants.filter((p) => p.purpose === 'agent' && p.state === 'alerting')
    .map((p) => p.name);
}

function lastDecision(emu: TestEmulator, conversationId: string) {
  return emu.events.ofType('routing.decision', { conversationId }).at(-1)!.data;
}

describe('routing: who is alerted', () => {
  it('of members idle since the same instant, only the first is alerted, not the last', async () => {
    const { emu, ann, bob, arrive } = await routing();
    // The same instant: neither has been idle longer. Genesys's available agents form a FIFO; the
    // emulator takes the first member the org lists. Ann is first both ways, so this holds for either.
    await ann.goOnQueue();
    await bob.goOnQueue();
    const idleSince = emu.clock.now();
    const id = arrive();
    expect(alerted(emu, id)).toEqual(['Ann']);
    expect(lastDecision(emu, id)).toMatchObject({
      outcome: 'alerted',
      chosenUserId: 'u-ann',
      candidates: [
        { userId: 'u-ann', idleSince },
        { userId: 'u-bob', idleSince },
        { userId: 'u-cy', skipped: 'OFF_QUEUE' },
        { userId: 'u-dee', skipped: 'OFF_QUEUE' },
      ],
    });
  });

  it('an agent who comes on queue skips a waiting conversation they cannot take and takes the next they can', async () => {
    const { emu, bob, arrive } = await routing();
    // No messages for Bob at all; chats at the org level (4).
    await bob.call('PUT', '/api/v2/routing/users/u-bob/utilization', {
      utilization: { message: { maximumCapacity: 0 } },
    });
    const message = arrive();
    const chat = arrive('Sales', { chat: true });
    expect(emu.waiting('Sales')).toEqual([message, chat]);
    await bob.goOnQueue();
    expect(alerted(emu, chat)).toEqual(['Bob']);
    expect(alerted(emu, message)).toEqual([]);
    expect(emu.waiting('Sales')).toEqual([message]);
  });

  it('the timeline says why each member was passed over: off queue, not responding, busy with another media, at capacity', async () => {
    const { emu, bob, cy, dee, arrive } = await routing();
    await bob.goOnQueue();
    const missed = arrive();
    await emu.clock.advance(10_000); // Bob lets it ring out
    expect(await bob.routingStatus()).toBe('NOT_RESPONDING');
    await dee.goOnQueue(); // takes the missed message: 1 of 1
    expect(alerted(emu, missed)).toEqual(['Dee']);
    await cy.goOnQueue();
    const chat = arrive('Sales', { chat: true }); // Dee's message work blocks chats: Cy
    expect(alerted(emu, chat)).toEqual(['Cy']);
    const id = arrive();
    expect(lastDecision(emu, id)).toEqual({
      conversationId: id,
      queueId: SALES,
      queueName: 'Sales',
      mediaType: 'message',
      outcome: 'waiting',
      candidates: [
        { userId: 'u-ann', name: 'Ann', skipped: 'OFF_QUEUE' },
        { userId: 'u-bob', name: 'Bob', skipped: 'NOT_RESPONDING' },
        { userId: 'u-cy', name: 'Cy', skipped: 'busy with chat, which message may not interrupt' },
        { userId: 'u-dee', name: 'Dee', skipped: 'at capacity for message (1/1)' },
      ],
    });
  });
});

describe('routing: alert timers', () => {
  it('starting over while an alert rings leaves no alert timer behind on the clock', async () => {
    const { emu, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    expect(emu.clock.nextDue()).toBe(emu.clock.now() + 10_000); // Sales's alerting timeout
    // A timer the emulator does not clear when it drops its state would make startOver refuse.
    await emu.startOver({ seed: 42 });
    expect(emu.clock.nextDue()).toBeUndefined();
  });
});

describe('routing: the status an agent is in', () => {
  it('an agent who goes back on queue while still holding a conversation is INTERACTING, not IDLE', async () => {
    const { emu, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    await bob.nextAlert();
    await bob.answer();
    await bob.goOffQueue();
    await bob.goOnQueue();
    expect(await bob.routingStatus()).toBe('INTERACTING');
    expect(emu.events.ofType('agent.routingStatus.changed').map((e) => [e.data.from, e.data.to])).toEqual([
      ['OFF_QUEUE', 'IDLE'],
      ['IDLE', 'INTERACTING'],
      ['INTERACTING', 'OFF_QUEUE'],
      ['OFF_QUEUE', 'INTERACTING'],
    ]);
  });

  it('an off-queue agent who finishes a conversation transferred to them stays OFF_QUEUE and is offered nothing', async () => {
    const { emu, ann, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    await bob.nextAlert();
    await bob.answer();
    await bob.transferToAgent(ann); // Ann has never been on queue
    await ann.nextAlert();
    await ann.answer();
    const forBob = arrive(); // Bob is free again
    const waiting = arrive(); // and now at capacity
    expect([alerted(emu, forBob), alerted(emu, waiting)]).toEqual([['Bob'], []]);
    await ann.disconnect();
    expect(await ann.routingStatus()).toBe('OFF_QUEUE');
    expect(alerted(emu, waiting)).toEqual([]);
    expect(emu.waiting('Sales')).toEqual([waiting]);
  });

  it('an off-queue agent who lets a transfer to them ring out stays OFF_QUEUE; an on-queue one is NOT_RESPONDING', async () => {
    const { emu, ann, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    await bob.nextAlert();
    await bob.answer();
    await bob.transferToAgent(ann); // Ann has never been on queue
    await ann.nextAlert();
    await emu.clock.advance(10_000);
    expect(emu.events.ofType('agent.noanswer').map((e) => e.data.userId)).toEqual(['u-ann']);
    expect(await ann.routingStatus()).toBe('OFF_QUEUE');
    const presence = (await ann.call('GET', '/api/v2/users/u-ann/presences/purecloud')) as {
      presenceDefinition: { systemPresence: string };
    };
    expect(presence.presenceDefinition.systemPresence).not.toBe('On Queue');

    await ann.goOnQueue();
    await ann.nextAlert(); // the conversation, back in Sales, is offered to Ann now
    await emu.clock.advance(10_000);
    expect(await ann.routingStatus()).toBe('NOT_RESPONDING');
  });

  it("the routing status's startTime is when the status last changed, not when it was last set", async () => {
    const { emu, bob } = await routing();
    const startTime = async () =>
      ((await bob.call('GET', '/api/v2/users/u-bob/routingstatus')) as { startTime: string }).startTime;
    const onQueueAt = new Date(emu.clock.now()).toISOString();
    await bob.goOnQueue();
    await emu.clock.advance(5_000);
    await bob.goOnQueue(); // already IDLE: no change
    expect(await startTime()).toBe(onQueueAt);
    await emu.clock.advance(5_000);
    await bob.goOffQueue();
    expect(await startTime()).toBe(new Date(emu.clock.now()).toISOString());
  });
});

describe('routing: utilization', () => {
  it("an agent's fixture chat capacity limits chats at once; their other media follow the org level", async () => {
    const { emu, dee, arrive } = await routing();
    expect(await dee.call('GET', '/api/v2/routing/users/u-dee/utilization')).toMatchObject({
      level: 'Agent',
      utilization: { chat: { maximumCapacity: 1 }, message: { maximumCapacity: 1 } },
    });
    await dee.goOnQueue();
    const first = arrive('Sales', { chat: true });
    const second = arrive('Sales', { chat: true });
    expect([alerted(emu, first), alerted(emu, second)]).toEqual([['Dee'], []]);
    expect(lastDecision(emu, second).candidates).toContainEqual({
      userId: 'u-dee',
      name: 'Dee',
      skipped: 'at capacity for chat (1/1)',
    });
  });
});

/** The estimated wait time of a queue (a path under /routing/queues/{id}/), as an agent reads it. */
async function estimate(agent: Agent, path: string) {
  const body = (await agent.call('GET', `/api/v2/routing/queues/${path}`)) as {
    results: { intent: string; formula: string; estimatedWaitTimeSeconds: number }[];
  };
  expect(body.results).toHaveLength(1);
  const [result] = body.results;
  return { intent: result!.intent, seconds: result!.estimatedWaitTimeSeconds };
}

/** An agent answers the conversation they are alerted for, works it `ms`, then the customer leaves. */
async function handle(emu: TestEmulator, agent: Agent, ms: number) {
  const leg = await agent.nextAlert();
  await agent.answer();
  await emu.clock.advance(ms);
  emu.customers.leave(leg.conversationId); // no wrap-up: the leg counts until it ended
}

describe('estimated wait time: the formula, term by term', () => {
  it('per media type and for all media: handle times of the queue only, counting only finished answered legs', async () => {
    const { emu, bob, eve, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    await emu.clock.advance(10_000); // an alert nobody answers is no handled interaction
    await bob.goOnQueue();
    await handle(emu, bob, 60_000); // Sales, message: 60 s
    arrive('Sales', { chat: true });
    await handle(emu, bob, 120_000); // Sales, chat: 120 s
    await eve.goOnQueue();
    arrive('Support');
    await handle(emu, eve, 600_000); // another queue's 600 s counts for that queue only
    arrive();
    await bob.nextAlert();
    await bob.answer(); // still going: no handle time yet
    await bob.goOffQueue();
    await eve.goOffQueue();
    // Nobody on queue; a message and then a chat wait.
    const message = arrive();
    const chat = arrive('Sales', { chat: true });
    expect(emu.waiting('Sales')).toEqual([message, chat]);

    // All media: average handle time (60 + 120) / 2 = 90 s, two waiting ahead of a newcomer.
    expect(await estimate(bob, `${SALES}/estimatedwaittime`)).toEqual({ intent: 'ALL', seconds: 270 });
    expect(await estimate(bob, `${SALES}/mediatypes/all/estimatedwaittime`)).toEqual({
      intent: 'ALL',
      seconds: 270,
    });
    // One media type: its own handle times and its own waiting conversations.
    expect(await estimate(bob, `${SALES}/mediatypes/message/estimatedwaittime`)).toEqual({
      intent: 'MESSAGE',
      seconds: 120,
    });
    expect(await estimate(bob, `${SALES}/mediatypes/chat/estimatedwaittime`)).toEqual({
      intent: 'CHAT',
      seconds: 240,
    });
    // A waiting conversation: only those of its media type ahead of it count.
    expect(await estimate(bob, `${SALES}/estimatedwaittime?conversationId=${message}`)).toEqual({
      intent: 'MESSAGE',
      seconds: 60,
    });
    expect(await estimate(bob, `${SALES}/estimatedwaittime?conversationId=${chat}`)).toEqual({
      intent: 'CHAT',
      seconds: 120,
    });
  });

  it('the average is over the latest 20 handled interactions only', async () => {
    const { emu, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive();
    await handle(emu, bob, 1_000_000); // the oldest: left out once 20 newer ones are handled
    for (let i = 0; i < 20; i++) {
      arrive();
      await handle(emu, bob, 10_000);
    }
    await bob.goOffQueue();
    expect(await estimate(bob, `${SALES}/mediatypes/message/estimatedwaittime`)).toEqual({
      intent: 'MESSAGE',
      seconds: 10,
    });
  });

  it('is 0 while any member on queue has room for the media asked, whoever else is at capacity', async () => {
    const { ann, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive(); // Bob: 1 of 1 message
    await ann.goOnQueue(); // Ann: room for 2 messages, or chats
    for (const path of ['estimatedwaittime', 'mediatypes/message/estimatedwaittime']) {
      expect((await estimate(bob, `${SALES}/${path}`)).seconds).toBe(0);
    }
    expect((await estimate(bob, `${SALES}/mediatypes/chat/estimatedwaittime`)).seconds).toBe(0);
    arrive(); // Ann: 1 of 2 messages; her message work blocks chats, as Bob's does
    expect((await estimate(bob, `${SALES}/mediatypes/message/estimatedwaittime`)).seconds).toBe(0);
    // No history yet: 300 s, shared by the two members on queue.
    expect((await estimate(bob, `${SALES}/mediatypes/chat/estimatedwaittime`)).seconds).toBe(150);
  });

  it('room for another media type only does not make the media asked 0; for all media it does, when nothing waits', async () => {
    const { emu, bob, arrive } = await routing();
    await bob.goOnQueue();
    arrive('Sales', { chat: true }); // Bob holds a chat: room for 3 more, none for a message
    expect(await estimate(bob, `${SALES}/mediatypes/message/estimatedwaittime`)).toEqual({
      intent: 'MESSAGE',
      seconds: 300,
    });
    expect((await estimate(bob, `${SALES}/mediatypes/chat/estimatedwaittime`)).seconds).toBe(0);
    expect((await estimate(bob, `${SALES}/estimatedwaittime`)).seconds).toBe(0);
    // A message waits for Bob: for all media, a newcomer waits behind it although Bob has chat room.
    const message = arrive();
    expect(emu.waiting('Sales')).toEqual([message]);
    expect((await estimate(bob, `${SALES}/estimatedwaittime`)).seconds).toBe(600);
    expect((await estimate(bob, `${SALES}/estimatedwaittime?conversationId=${message}`)).seconds).toBe(300);
  });
});

describe('routing state carried through a repro pack', () => {
  it('an alert rings out at its original deadline, and the queues keep their order and numbering', async () => {
    const { emu, bob, arrive } = await routing();
    await bob.goOnQueue();
    const ringing = arrive();
    await emu.clock.advance(4_000);
    const second = arrive(); // Bob is at capacity: these two wait
    const third = arrive();
    const opened = people(
      await startEmulator({ fromPack: emu.reproPack(), clock: undefined, seed: undefined }),
    );
    // The ringing conversation left the queue when Bob was alerted; it does not come back with the pack.
    expect(opened.emu.waiting('Sales')).toEqual([second, third]);
    const newcomer = opened.arrive(); // the same instant: behind the two that arrived before it
    expect(opened.emu.waiting('Sales')).toEqual([second, third, newcomer]);
    await opened.emu.clock.advance(5_999);
    expect(alerted(opened.emu, ringing)).toEqual(['Bob']);
    await opened.emu.clock.advance(1); // 10 s after the alert began, as it would have without the pack
    expect(alerted(opened.emu, ringing)).toEqual([]);
    expect(await opened.bob.routingStatus()).toBe('NOT_RESPONDING');
    expect(opened.emu.waiting('Sales')).toEqual([ringing, second, third, newcomer]);
    await opened.ann.goOnQueue();
    expect([ringing, second, third, newcomer].map((id) => alerted(opened.emu, id))).toEqual([
      ['Ann'],
      ['Ann'],
      [],
      [],
    ]);
  });
});
