import { describe, expect, it } from 'vitest';
import type { FixtureInput } from '../../emulator/index.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';

/**
 * ACD routing as a user of the emulator sees it (README "Routing, as Genesys does it"): who is alerted,
 * in which order waiting conversations are taken, what an unanswered alert does, how utilization limits
 * offers, and what the timeline says about each decision. One small org: Sales (10 s alerting timeout)
 * and Support (20 s); Ann (Sales and Support, 2 messages at once), Bob (Sales) and Cy (Support) at the
 * platform defaults (1 message, 4 chats).
 */
const SALES = 'q-sales';
const SUPPORT = 'q-support';
const ANN = 'u-ann';
const BOB = 'u-bob';
const CY = 'u-cy';

function org(): FixtureInput {
  const users = [
    { id: ANN, name: 'Ann', queues: ['Sales', 'Support'], capacity: { message: 2 } },
    { id: BOB, name: 'Bob', queues: ['Sales'] },
    { id: CY, name: 'Cy', queues: ['Support'] },
  ];
  return {
    org: { id: 'org-acd', name: 'ACD test org' },
    clients: [
      { id: 'client-org', secret: 'org-secret', name: 'Org' },
      ...users.map((u) => ({ id: `client-${u.id}`, secret: 'agent-secret', name: u.name, user: u.id })),
    ],
    users: users.map((u) => ({ ...u, email: `${u.name.toLowerCase()}@example.com` })),
    queues: [
      { id: SALES, name: 'Sales', alertingTimeoutSeconds: 10 },
      { id: SUPPORT, name: 'Support', alertingTimeoutSeconds: 20 },
    ],
  } as FixtureInput;
}

async function acd() {
  const emu = await startEmulator({ fixture: org() });
  const agents = { ann: emu.agent('Ann'), bob: emu.agent('Bob'), cy: emu.agent('Cy') };
  /** A scripted customer waiting in a queue; returns the conversation id. */
  const arrive = (queueName: string, options: { priority?: number; chat?: boolean } = {}) =>
    emu.customers.start({
      queueName,
      priority: options.priority ?? 0,
      ...(options.chat ? { mediaType: 'chat', channel: 'webchat' } : {}),
    }).id;
  return { emu, ...agents, arrive };
}

/** The agents alerted (their participant is alerting) in a conversation, by user id. */
function alerted(emu: TestEmulator, conversationId: string): string[] {
  return emu.conversations
    .get(conversationId)!
    .participants.filter((p) => p.purpose === 'agent' && p.state === 'alerting')
    .map((p) => p.userId!);
}

/** Conversations in the order their alerts went out, with the agent each went to. */
function alertOrder(emu: TestEmulator): [string, string][] {
  return emu.events.ofType('agent.alerted').map((e) => [e.conversationId!, e.data.userId]);
}

function agentLeg(emu: TestEmulator, conversationId: string, userId: string) {
  return emu.conversations.get(conversationId)!.participants.findLast((p) => p.userId === userId)!;
}

function decisionsFor(emu: TestEmulator, conversationId: string) {
  return emu.events.ofType('routing.decision', { conversationId }).map((e) => e.data);
}

describe('ACD: the order waiting conversations are taken in', () => {
  it('is higher priority first, then earlier arrival, then the order of arrival within the same instant', async () => {
    const { emu, ann, arrive } = await acd();
    const early = arrive('Sales');
    await emu.clock.advance(1_000);
    const later = arrive('Sales');
    const urgent = arrive('Sales', { priority: 5 });
    const sameInstant = arrive('Sales');
    expect(emu.waiting('Sales')).toEqual([urgent, early, later, sameInstant]);
    // With nobody to take them, each arrival tries the best waiting conversation once and stops there.
    expect(emu.events.ofType('routing.decision').map((e) => [e.conversationId, e.data.outcome])).toEqual([
      [early, 'waiting'],
      [early, 'waiting'],
      [urgent, 'waiting'],
      [urgent, 'waiting'],
    ]);

    // Ann takes two messages at once: the best two, in that order, in one go.
    await ann.goOnQueue();
    expect(alertOrder(emu)).toEqual([
      [urgent, ANN],
      [early, ANN],
    ]);
    expect(emu.waiting('Sales')).toEqual([later, sameInstant]);
  });

  it('an agent who comes on queue takes the best conversation across all of their queues', async () => {
    const { emu, ann, arrive } = await acd();
    const support = arrive('Support');
    await emu.clock.advance(1_000);
    const sales = arrive('Sales');
    const urgentSales = arrive('Sales', { priority: 3 });
    await ann.goOnQueue();
    // Priority 3 in Sales first, then Support's conversation, which has waited longer than Sales's other.
    expect(alertOrder(emu)).toEqual([
      [urgentSales, ANN],
      [support, ANN],
    ]);
    expect(emu.waiting('Sales')).toEqual([sales]);
    expect(emu.waiting('Support')).toEqual([]);
  });

  it('a conversation whose customer leaves while waiting leaves the queue and is offered to nobody', async () => {
    const { emu, bob, arrive } = await acd();
    const gone = arrive('Sales');
    const staying = arrive('Sales');
    emu.customers.leave(gone);
    expect(emu.waiting('Sales')).toEqual([staying]);
    await bob.goOnQueue();
    expect(alertOrder(emu)).toEqual([[staying, BOB]]);
  });

  it('a reset empties every queue', async () => {
    const { emu, arrive } = await acd();
    arrive('Sales');
    await emu.reset();
    expect(emu.waiting('Sales')).toEqual([]);
  });

  it('a chat is offered even while a message nobody can take waits ahead of it in the same queue', async () => {
    const { emu, bob, arrive } = await acd();
    await bob.goOnQueue();
    const first = arrive('Sales');
    const blocked = arrive('Sales'); // Bob holds his one message: this one waits
    // Chats may interrupt Bob's message work, so a chat can still reach him.
    await bob.call('PUT', `/api/v2/routing/users/${BOB}/utilization`, {
      utilization: {
        message: { maximumCapacity: 1, interruptableMediaTypes: ['chat'] },
        chat: { maximumCapacity: 4 },
      },
    });
    const chat = arrive('Sales', { chat: true });
    expect(alerted(emu, first)).toEqual([BOB]);
    expect(alerted(emu, blocked)).toEqual([]);
    expect(alerted(emu, chat)).toEqual([BOB]);
    expect(emu.waiting('Sales')).toEqual([blocked]);
  });
});

describe('ACD: who is alerted', () => {
  it('the longest idle member, and the timeline names every candidate with why the others were passed over', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const bobOnQueue = emu.clock.now();
    await emu.clock.advance(1_000);
    await ann.goOnQueue();
    const first = arrive('Sales');
    expect(alerted(emu, first)).toEqual([BOB]);
    expect(decisionsFor(emu, first)).toEqual([
      {
        conversationId: first,
        queueId: SALES,
        queueName: 'Sales',
        mediaType: 'message',
        outcome: 'alerted',
        chosenUserId: BOB,
        candidates: [
          { userId: ANN, name: 'Ann', idleSince: bobOnQueue + 1_000 },
          { userId: BOB, name: 'Bob', idleSince: bobOnQueue },
        ],
      },
    ]);
    // The timeline also says where it queued and whom it alerted, for how long.
    expect(emu.events.ofType('conversation.queued', { conversationId: first }).map((e) => e.data)).toEqual([
      { queueId: SALES, queueName: 'Sales', priority: 0, reason: 'routing target' },
    ]);
    const bobLeg = agentLeg(emu, first, BOB);
    expect(emu.events.ofType('agent.alerted', { conversationId: first }).map((e) => e.data)).toEqual([
      { participantId: bobLeg.id, userId: BOB, queueId: SALES, alertingTimeoutMs: 10_000 },
    ]);
    expect(bobLeg).toMatchObject({ queueId: SALES, alertingTimeoutMs: 10_000 });

    // Bob is at capacity now; Ann has room for two.
    const second = arrive('Sales');
    expect(alerted(emu, second)).toEqual([ANN]);
    await ann.goOffQueue();
    const third = arrive('Sales');
    expect(decisionsFor(emu, third)).toEqual([
      expect.objectContaining({
        outcome: 'waiting',
        candidates: [
          { userId: ANN, name: 'Ann', skipped: 'OFF_QUEUE' },
          { userId: BOB, name: 'Bob', skipped: 'at capacity for message (1/1)' },
        ],
      }),
    ]);
    expect(decisionsFor(emu, third)[0]).not.toHaveProperty('chosenUserId');
  });

  it('going on queue again does not reset the idle clock; finishing a conversation does', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    await emu.clock.advance(1_000);
    await ann.goOnQueue();
    await emu.clock.advance(1_000);
    await bob.goOffQueue();
    await bob.goOnQueue(); // a toggle: Bob is still the longest idle
    const first = arrive('Sales');
    expect(alerted(emu, first)).toEqual([BOB]);
    await bob.nextAlert();
    await bob.answer();
    await emu.clock.advance(1_000);
    await bob.disconnect(); // Bob's idle clock restarts now: Ann has been idle longer
    const second = arrive('Sales');
    expect(alerted(emu, second)).toEqual([ANN]);
  });

  it('an alert that is never answered does not restart the idle clock', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    await emu.clock.advance(1_000);
    await ann.goOnQueue();
    const first = arrive('Sales');
    expect(alerted(emu, first)).toEqual([BOB]);
    await bob.nextAlert();
    await bob.transferToQueue('Support'); // from the alert, without answering: Cy's queue
    const second = arrive('Sales');
    expect(alerted(emu, second)).toEqual([BOB]);
  });
});

describe('ACD: capacity and routing status', () => {
  it('answering makes the agent INTERACTING; they are IDLE again only once they hold nothing', async () => {
    const { emu, ann, arrive } = await acd();
    await ann.goOnQueue();
    const first = arrive('Sales');
    const second = arrive('Sales');
    const third = arrive('Sales');
    expect(alertOrder(emu)).toEqual([
      [first, ANN],
      [second, ANN],
    ]);
    expect(await ann.routingStatus()).toBe('IDLE');
    await ann.nextAlert();
    await ann.answer();
    await ann.nextAlert();
    await ann.answer();
    expect(await ann.routingStatus()).toBe('INTERACTING');
    // The queue's acd leg ends as a transfer when the agent answers.
    const acdLegs = emu.conversations.get(second)!.participants.filter((p) => p.purpose === 'acd');
    expect(acdLegs.map((p) => [p.state, p.disconnectType])).toEqual([['disconnected', 'transfer']]);

    await ann.disconnect(); // the second conversation: one of two ends, the third is offered at once
    expect(alerted(emu, third)).toEqual([ANN]);
    expect(emu.waiting('Sales')).toEqual([]);
    expect(await ann.routingStatus()).toBe('INTERACTING');
    // Exactly two held now: a fourth conversation waits.
    const fourth = arrive('Sales');
    expect(alerted(emu, fourth)).toEqual([]);
    await ann.nextAlert();
    await ann.answer();
    await ann.disconnect();
    expect(alerted(emu, fourth)).toEqual([ANN]);
    await ann.nextAlert();
    await ann.answer();
    await ann.disconnect();
    ann.legs = ann.legs.filter((l) => l.conversationId === first);
    await ann.disconnect();
    expect(await ann.routingStatus()).toBe('IDLE');
  });

  it('a routing status change is recorded once; setting the same status again changes nothing', async () => {
    const { emu, bob } = await acd();
    await bob.goOnQueue();
    await bob.goOnQueue();
    await bob.goOffQueue();
    await bob.goOffQueue();
    const changes = emu.events.ofType('agent.routingStatus.changed').map((e) => e.data);
    expect(changes).toEqual([
      { userId: BOB, from: 'OFF_QUEUE', to: 'IDLE' },
      { userId: BOB, from: 'IDLE', to: 'OFF_QUEUE' },
    ]);
  });

  it('only IDLE and OFF_QUEUE can be set; anything else is refused and changes nothing', async () => {
    const { bob } = await acd();
    await bob.goOnQueue();
    for (const status of ['INTERACTING', 'NOT_RESPONDING', 'COMMUNICATING']) {
      const refused = await bob
        .call('PUT', `/api/v2/users/${BOB}/routingstatus`, { status })
        .catch((e: unknown) => e);
      expect(refused).toMatchObject({ status: 400 });
    }
    expect(await bob.routingStatus()).toBe('IDLE');
  });
});

describe('ACD: alerts nobody answers', () => {
  it("time out after the queue's alerting timeout: NOT_RESPONDING, and the conversation keeps its place for the next agent", async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const first = arrive('Sales');
    const second = arrive('Sales'); // the same instant: first arrived first
    const bobLeg = agentLeg(emu, first, BOB);
    await emu.clock.advance(9_999);
    expect(alerted(emu, first)).toEqual([BOB]);
    await emu.clock.advance(1);
    expect(alerted(emu, first)).toEqual([]);
    expect(agentLeg(emu, first, BOB)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer.noanswer',
    });
    expect(emu.events.ofType('agent.noanswer').map((e) => e.data)).toEqual([
      { participantId: bobLeg.id, userId: BOB },
    ]);
    expect(await bob.routingStatus()).toBe('NOT_RESPONDING');
    // Back in Sales ahead of the conversation that arrived with it, still with one queue leg.
    expect(emu.waiting('Sales')).toEqual([first, second]);
    const queueLegs = emu.conversations.get(first)!.participants.filter((p) => p.purpose === 'acd');
    expect(queueLegs.map((p) => [p.name, p.state])).toEqual([['Sales', 'connected']]);

    await ann.goOnQueue();
    expect(alertOrder(emu).slice(1)).toEqual([
      [first, ANN],
      [second, ANN],
    ]);
    // Going on queue again is how an agent recovers from NOT_RESPONDING.
    await bob.goOnQueue();
    expect(await bob.routingStatus()).toBe('IDLE');
  });

  it('a declined alert is a missed offer: NOT_RESPONDING, and the conversation keeps its place for the next agent', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const first = arrive('Sales');
    const second = arrive('Sales');
    await bob.nextAlert();
    await bob.disconnect(); // PATCH {state: disconnected} on the alerting leg: a decline
    expect(agentLeg(emu, first, BOB)).toMatchObject({ state: 'disconnected', disconnectType: 'client' });
    expect(emu.conversations.get(first)!.endTime).toBeUndefined();
    expect(await bob.routingStatus()).toBe('NOT_RESPONDING');
    // Back in Sales ahead of the one that arrived with it, its queue leg still the only one.
    expect(emu.waiting('Sales')).toEqual([first, second]);
    const queueLegs = emu.conversations.get(first)!.participants.filter((p) => p.purpose === 'acd');
    expect(queueLegs.map((p) => [p.name, p.state])).toEqual([['Sales', 'connected']]);
    // Not the ring-out's event: nobody let it ring out.
    expect(emu.events.ofType('agent.noanswer')).toEqual([]);
    await ann.goOnQueue();
    expect(alerted(emu, first)).toEqual([ANN]);
    // The alert timer went with the declined leg: nothing happens to Bob when it would have fired.
    await emu.clock.advance(10_000);
    expect(agentLeg(emu, first, BOB)).toMatchObject({ disconnectType: 'client' });
  });

  it('a declined blind transfer goes back to the queue, as one that rang out (the customer stays)', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const id = arrive('Sales');
    await bob.nextAlert();
    await bob.answer();
    await bob.transferToAgent(ann);
    await ann.nextAlert();
    await ann.disconnect();
    expect(emu.conversations.get(id)!.endTime).toBeUndefined();
    expect(emu.conversations.get(id)!.participants[0]).toMatchObject({
      purpose: 'customer',
      state: 'connected',
    });
    // Ann was off queue: she stays off queue. Bob is free again and is alerted.
    expect(await ann.routingStatus()).toBe('OFF_QUEUE');
    expect(alerted(emu, id)).toEqual([BOB]);
  });

  it('an agent alerted by a blind transfer has the queue timeout too; unanswered, the conversation goes back to its queue', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const id = arrive('Sales');
    await bob.nextAlert();
    await bob.answer();
    await bob.transferToAgent(ann); // Ann is off queue: a transfer to her alerts her anyway
    const annLeg = agentLeg(emu, id, ANN);
    expect(annLeg).toMatchObject({ state: 'alerting', alertingTimeoutMs: 10_000, queueId: SALES });
    expect(agentLeg(emu, id, BOB)).toMatchObject({ state: 'disconnected', disconnectType: 'transfer' });
    expect(emu.conversations.get(id)!.participants[0]).toMatchObject({
      purpose: 'customer',
      state: 'connected',
    });
    await emu.clock.advance(10_000);
    expect(agentLeg(emu, id, ANN)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer.noanswer',
    });
    // A new queue leg for Sales, and Bob (free again) is alerted.
    const queueLegs = emu.conversations.get(id)!.participants.filter((p) => p.purpose === 'acd');
    expect(queueLegs.map((p) => [p.name, p.state, p.queueId])).toEqual([
      ['Sales', 'disconnected', SALES],
      ['Sales', 'connected', SALES],
    ]);
    expect(alerted(emu, id)).toEqual([BOB]);
  });

  it('an off-queue agent who answers a transfer to them stays off queue', async () => {
    const { emu, ann, bob, arrive } = await acd();
    await bob.goOnQueue();
    const id = arrive('Sales');
    await bob.nextAlert();
    await bob.answer();
    await bob.transferToAgent(ann);
    await ann.nextAlert();
    await ann.answer();
    expect(agentLeg(emu, id, ANN).state).toBe('connected');
    expect(await ann.routingStatus()).toBe('OFF_QUEUE');
    expect(await bob.routingStatus()).toBe('IDLE');
  });
});

describe('ACD: blind transfers', () => {
  it('a transfer to a queue keeps the customer connected, ends the agent leg and queues it with a new queue leg', async () => {
    const { emu, bob, cy, arrive } = await acd();
    await bob.goOnQueue();
    await cy.goOnQueue();
    const id = arrive('Sales', { priority: 2 });
    await bob.nextAlert();
    // Transferred straight from the alert: Sales's queue leg is still connected and ends as a transfer.
    await bob.transferToQueue('Support');
    const conversation = emu.conversations.get(id)!;
    expect(conversation.participants.map((p) => [p.purpose, p.name, p.state, p.disconnectType])).toEqual([
      ['customer', 'Test Customer', 'connected', undefined],
      ['acd', 'Sales', 'disconnected', 'transfer'],
      ['agent', 'Bob', 'disconnected', 'transfer'],
      ['acd', 'Support', 'connected', undefined],
      ['agent', 'Cy', 'alerting', undefined],
    ]);
    expect(emu.events.ofType('conversation.queued', { conversationId: id }).map((e) => e.data)).toEqual([
      { queueId: SALES, queueName: 'Sales', priority: 2, reason: 'routing target' },
      { queueId: SUPPORT, queueName: 'Support', priority: 2, reason: 'transfer from Bob' },
    ]);
    expect(await bob.routingStatus()).toBe('IDLE');
  });
});

describe('ACD: utilization', () => {
  it('the org level: platform defaults, a PUT customises the media types it lists, a DELETE restores the defaults', async () => {
    const { emu, bob, arrive } = await acd();
    const org = await bob.call('GET', '/api/v2/routing/utilization');
    expect(org).toMatchObject({
      utilization: {
        message: { maximumCapacity: 1, interruptableMediaTypes: [], includeNonAcd: false },
        chat: { maximumCapacity: 4, interruptableMediaTypes: [] },
        email: { maximumCapacity: 1, interruptableMediaTypes: ['call', 'callback', 'chat', 'message'] },
      },
    });
    const put = await bob.call('PUT', '/api/v2/routing/utilization', {
      utilization: { message: { maximumCapacity: 2 } },
    });
    expect(put).toMatchObject({
      utilization: { message: { maximumCapacity: 2 }, chat: { maximumCapacity: 4 } },
    });
    // Bob has no agent-level settings: he follows the org level, and now takes two messages.
    expect(await bob.call('GET', `/api/v2/routing/users/${BOB}/utilization`)).toMatchObject({
      level: 'Organization',
      utilization: { message: { maximumCapacity: 2 } },
    });
    await bob.goOnQueue();
    const first = arrive('Sales');
    const second = arrive('Sales');
    expect([alerted(emu, first), alerted(emu, second)]).toEqual([[BOB], [BOB]]);

    await bob.call('DELETE', '/api/v2/routing/utilization');
    expect(await bob.call('GET', `/api/v2/routing/users/${BOB}/utilization`)).toMatchObject({
      level: 'Organization',
      utilization: { message: { maximumCapacity: 1 } },
    });
  });

  it("an agent's fixture capacity, then the agent-level API, override the org level; a DELETE makes the agent follow the org", async () => {
    const { ann, bob } = await acd();
    // Ann's fixture gives 2 messages; chats follow the org level.
    expect(await ann.call('GET', `/api/v2/routing/users/${ANN}/utilization`)).toMatchObject({
      level: 'Agent',
      utilization: { message: { maximumCapacity: 2 }, chat: { maximumCapacity: 4 } },
    });
    const put = await ann.call('PUT', `/api/v2/routing/users/${ANN}/utilization`, {
      utilization: { message: { maximumCapacity: 3 } },
    });
    expect(put).toMatchObject({ level: 'Agent', utilization: { message: { maximumCapacity: 3 } } });
    expect(await ann.call('GET', `/api/v2/routing/users/${ANN}/utilization`)).toMatchObject({
      level: 'Agent',
      utilization: { message: { maximumCapacity: 3 } },
    });
    await ann.call('DELETE', `/api/v2/routing/users/${ANN}/utilization`);
    expect(await ann.call('GET', `/api/v2/routing/users/${ANN}/utilization`)).toMatchObject({
      level: 'Organization',
      utilization: { message: { maximumCapacity: 1 } },
    });
    // Changing the org level reaches every agent who follows it.
    await bob.call('PUT', '/api/v2/routing/utilization', {
      utilization: { message: { maximumCapacity: 5 } },
    });
    expect(await ann.call('GET', `/api/v2/routing/users/${ANN}/utilization`)).toMatchObject({
      utilization: { message: { maximumCapacity: 5 } },
    });
  });

  it('work in progress blocks another media type unless that type may interrupt it', async () => {
    const { emu, bob, arrive } = await acd();
    await bob.goOnQueue();
    const chat = arrive('Sales', { chat: true });
    await bob.nextAlert();
    await bob.answer();
    const message = arrive('Sales');
    expect(alerted(emu, message)).toEqual([]);
    expect(decisionsFor(emu, message)[0]!.candidates).toContainEqual({
      userId: BOB,
      name: 'Bob',
      skipped: 'busy with chat, which message may not interrupt',
    });
    await bob.call('PUT', `/api/v2/routing/users/${BOB}/utilization`, {
      utilization: { chat: { maximumCapacity: 4, interruptableMediaTypes: ['message'] } },
    });
    await bob.goOnQueue(); // already on queue: routing looks at his queues again
    expect(alerted(emu, message)).toEqual([BOB]);
    expect(agentLeg(emu, chat, BOB).state).toBe('connected');
  });
});
