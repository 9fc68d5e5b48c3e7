import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultFixture, type StartEmulatorOptions } from '../../emulator/index.ts';
import { expectApiError } from '../support/api.ts';
import { type Api, conversationWorld, MSG } from '../support/conversation-world.ts';
import { webhookReceiver } from '../support/openmessaging-receiver.ts';
import { Guest, type Wire } from '../support/webmessaging.ts';

/**
 * The conversation core's rules at their edges (emulator/domain/conversations/), as agents and customers
 * see them through the platform API, the control plane's scripted customer, Open Messaging receipts and
 * the timeline: the exact participant fields each answer, disconnect, transfer and wrap-up leaves, what
 * each refusal says (status, code, message, entityId) and that it changes nothing, the message cap's
 * error body, Participant Data merging, message statuses that move once and never back, message details
 * by any id form, and the events one operation puts on the timeline, in order. The story tests
 * (agent-sdk-lifecycle, acd-routing, wrapup-codes, chat-messages-paging-and-message-cap,
 * flows-and-message-details) tell the main paths; this file pins what they leave open.
 *
 * The default org: Dena Lakin (Shoes Support, General; one message at a time), Mia Welch (Sports, Shoes,
 * General), Alda Moore (Grocery, Sports, General). Every agent starts off queue; queues ring for 30 s.
 */

/** The events the conversation core emits (routing and token events are left out). */
const CORE_EVENTS = [
  'conversation.created',
  'conversation.ended',
  'conversation.transferred',
  'conversation.queued',
  'participant.added',
  'participant.state.changed',
  'participant.attributes.updated',
  'participant.wrapup',
  'message.sent',
  'message.delivered',
  'message.failed',
  'typing.sent',
];

async function world(options: StartEmulatorOptions = {}) {
  const base = await conversationWorld(options);
  const { emulator, fx, org, conversation } = base;
  const customerOf = (cid: string) => conversation(cid).participants.find((p) => p.purpose === 'customer')!;
  const acdLegs = (cid: string) => conversation(cid).participants.filter((p) => p.purpose === 'acd');
  const generic = async (cid: string): Promise<Wire> =>
    (await org('GET', `/api/v2/conversations/${cid}`)).json();
  /** The core's events on this conversation after `afterSeq`, as [type, data]. */
  const story = (cid: string, afterSeq: number) =>
    emulator.events
      .list({ conversationId: cid, afterSeq })
      .filter((e) => CORE_EVENTS.includes(e.type))
      .map((e) => [e.type, e.data]);
  const now = () => new Date(emulator.clock.now()).toISOString();
  const code = (name: string) => fx.wrapupCodes.find((c) => c.name === name)!.id!;
  return { ...base, customerOf, acdLegs, generic, story, now, code };
}

type World = Awaited<ReturnType<typeof world>>;

/** A customer in `queueName` alerting `agent` (who goes on queue first); the agent's API and leg. */
async function alerting(w: World, agent = 'Dena Lakin', queueName = 'Shoes Support', priority = 0) {
  await w.emulator.agent(agent).goOnQueue();
  const cid = w.emulator.customers.start({ queueName, text: 'hello', priority }).id;
  const api = await w.as(agent);
  const leg = w.legOf(cid, agent);
  expect(leg.state).toBe('alerting');
  return {
    cid,
    api,
    pid: leg.id,
    communicationId: leg.communicationId,
    path: `${MSG}/${cid}/participants/${leg.id}`,
  };
}

async function answered(w: World, agent = 'Dena Lakin', queueName = 'Shoes Support', priority = 0) {
  const a = await alerting(w, agent, queueName, priority);
  const res = await a.api('PATCH', a.path, { state: 'connected' });
  expect(res.statusCode, res.body).toBe(202);
  return a;
}

/**
 * A refusal as a Genesys ErrorBody with this status and code (and entityId, when given). `why` is what the
 * message says; its wording is free (errors.ts: tests assert on `code`, never on the message text), so only
 * that it names the entity is checked.
 */
function refused(
  res: Awaited<ReturnType<Api>>,
  status: number,
  code: string,
  why: string,
  entityId?: string,
): Wire {
  const body = expectApiError(res, status, code);
  expect(typeof body.message === 'string' && body.message.length > 0, why).toBe(true);
  if (entityId !== undefined) expect(body.message, why).toContain(entityId);
  if (entityId !== undefined) expect(body.entityId).toBe(entityId);
  return body;
}

describe('answering an alert', () => {
  it('connects the leg at that instant and ends the queue leg as a transfer; answering again changes nothing', async () => {
    const w = await world();
    const { cid, pid, api, path } = await alerting(w);
    const alertedAt = w.now();
    const [acd] = w.acdLegs(cid);
    await w.emulator.clock.advance(4_000);
    const answeredAt = w.now();
    const before = w.emulator.events.lastSeq;
    expect((await api('PATCH', path, { state: 'connected' })).statusCode).toBe(202);

    const agent = await w.wire(cid, pid);
    expect(agent).toMatchObject({
      state: 'connected',
      direction: 'outbound',
      startTime: alertedAt,
      startAlertingTime: alertedAt,
      connectedTime: answeredAt,
      wrapupRequired: false,
      alertingTimeoutMs: 30_000,
    });
    expect(agent.endTime).toBeUndefined();
    expect(agent.disconnectType).toBeUndefined();
    const queueLeg = await w.wire(cid, acd!.id);
    expect(queueLeg).toMatchObject({
      state: 'disconnected',
      direction: 'inbound',
      connectedTime: alertedAt,
      endTime: answeredAt,
      disconnectType: 'transfer',
    });
    expect(queueLeg.wrapupRequired).toBeUndefined();
    expect(await w.wire(cid, w.customerOf(cid).id)).toMatchObject({
      state: 'connected',
      direction: 'inbound',
    });
    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'alerting',
          to: 'connected',
          userId: w.userId('Dena Lakin'),
        },
      ],
      [
        'participant.state.changed',
        {
          participantId: acd!.id,
          purpose: 'acd',
          from: 'connected',
          to: 'disconnected',
          disconnectType: 'transfer',
        },
      ],
    ]);

    // A second answer (a retried request) is accepted and changes nothing.
    const again = w.emulator.events.lastSeq;
    await w.emulator.clock.advance(1_000);
    expect((await api('PATCH', path, { state: 'connected' })).statusCode).toBe(202);
    expect(w.story(cid, again)).toStrictEqual([]);
    expect((await w.wire(cid, pid)).connectedTime).toBe(answeredAt);
  });

  it('a leg that rang out, a customer leg, an unknown participant or conversation, another agent’s leg and an ended conversation are refused, each saying why and changing nothing', async () => {
    const w = await world();
    const { cid, pid, api: dena, path } = await alerting(w);
    await w.emulator.clock.advance(30_000); // the queue's alerting timeout
    expect(w.legOf(cid, 'Dena Lakin')).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer.noanswer',
    });
    const mark = w.emulator.events.lastSeq;

    refused(
      await dena('PATCH', path, { state: 'connected' }),
      400,
      'bad.request',
      `Cannot answer: participant ${pid} is disconnected.`,
      pid,
    );
    const customer = w.customerOf(cid).id;
    refused(
      await w.org('PATCH', `${MSG}/${cid}/participants/${customer}`, { state: 'connected' }),
      400,
      'bad.request',
      `Participant ${customer} is a customer participant, not an agent.`,
    );
    refused(
      await dena('PATCH', `${MSG}/${cid}/participants/no-such-participant`, { state: 'connected' }),
      404,
      'not.found',
      `The requested resource was not found: participant no-such-participant in conversation ${cid}`,
      'no-such-participant',
    );
    refused(
      await dena('PATCH', `${MSG}/no-such-conversation/participants/${pid}`, { state: 'connected' }),
      404,
      'not.found',
      'The requested resource was not found: conversation no-such-conversation',
      'no-such-conversation',
    );
    expect(w.story(cid, mark)).toStrictEqual([]);
    expect(w.legOf(cid, 'Dena Lakin').state).toBe('disconnected');

    // Mia is offered it next: Dena's token cannot answer Mia's leg; the org-level client may.
    await w.emulator.agent('Mia Welch').goOnQueue();
    const mia = w.legOf(cid, 'Mia Welch');
    const miaPath = `${MSG}/${cid}/participants/${mia.id}`;
    refused(
      await dena('PATCH', miaPath, { state: 'connected' }),
      403,
      'not.authorized',
      `You are not authorized to perform the requested action. Participant ${mia.id} belongs to another user.`,
    );
    expect(w.legOf(cid, 'Mia Welch').state).toBe('alerting');
    expect((await w.org('PATCH', miaPath, { state: 'connected' })).statusCode).toBe(202);
    expect(w.legOf(cid, 'Mia Welch').state).toBe('connected');

    // Once the conversation has ended, nothing on it can be answered.
    expect((await w.org('PATCH', miaPath, { state: 'disconnected' })).statusCode).toBe(202);
    const ended = w.emulator.events.lastSeq;
    refused(
      await w.org('PATCH', miaPath, { state: 'connected' }),
      400,
      'bad.request',
      `Conversation ${cid} has ended.`,
      cid,
    );
    expect(w.story(cid, ended)).toStrictEqual([]);
  });
});

describe('leaving', () => {
  it('the last agent leaving ends the conversation at that instant: agent client, customer peer, endTime on each and on the conversation', async () => {
    const w = await world();
    const { cid, pid, api, path } = await answered(w);
    const answeredAt = w.now();
    await w.emulator.clock.advance(7_000);
    const leftAt = w.now();
    const before = w.emulator.events.lastSeq;
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);

    const customer = w.customerOf(cid).id;
    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'connected',
          to: 'disconnected',
          userId: w.userId('Dena Lakin'),
          disconnectType: 'client',
        },
      ],
      [
        'participant.state.changed',
        {
          participantId: customer,
          purpose: 'customer',
          from: 'connected',
          to: 'disconnected',
          disconnectType: 'peer',
        },
      ],
      ['conversation.ended', { reason: 'agent disconnected' }],
    ]);
    expect(await w.wire(cid, pid)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
      connectedTime: answeredAt,
      endTime: leftAt,
    });
    expect(await w.wire(cid, customer)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'peer',
      endTime: leftAt,
    });
    expect(await w.generic(cid)).toMatchObject({ state: 'disconnected', endTime: leftAt });
    // The agent no longer lists it among their conversations.
    expect((await api('GET', '/api/v2/conversations')).json().entities).toEqual([]);
    // Their capacity is free again: they are IDLE and take the next conversation.
    expect(await w.emulator.agent('Dena Lakin').routingStatus()).toBe('IDLE');
    const next = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'next' }).id;
    expect(w.legOf(next, 'Dena Lakin').state).toBe('alerting');
  });

  it('a wrapped-up leg keeps the endTime and disconnectType of its disconnect; disconnecting it again changes nothing', async () => {
    const w = await world();
    const { cid, pid, api, path } = await answered(w);
    await w.emulator.clock.advance(1_000);
    const leftAt = w.now();
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    await w.emulator.clock.advance(60_000);
    const wrappedAt = w.now();
    const before = w.emulator.events.lastSeq;
    const resolved = w.code('Resolved');
    expect((await api('PATCH', path, { wrapup: { code: resolved, notes: 'sorted' } })).statusCode).toBe(202);

    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.wrapup',
        {
          participantId: pid,
          code: resolved,
          name: 'Resolved',
          notes: 'sorted',
          userId: w.userId('Dena Lakin'),
        },
      ],
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'disconnected',
          to: 'terminated',
          userId: w.userId('Dena Lakin'),
        },
      ],
    ]);
    const leg = await w.wire(cid, pid);
    expect(leg).toMatchObject({
      state: 'terminated',
      endTime: leftAt,
      disconnectType: 'client',
      wrapup: { code: resolved, name: 'Resolved', notes: 'sorted', endTime: wrappedAt },
    });

    const again = w.emulator.events.lastSeq;
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    expect(w.story(cid, again)).toStrictEqual([]);
    expect(await w.wire(cid, pid)).toEqual(leg);

    // A second wrap-up (a correction) is no change of state: the leg stays terminated as it was.
    const corrected = w.emulator.events.lastSeq;
    await api('PATCH', path, { wrapup: { code: w.code('Not resolved') } });
    expect(w.story(cid, corrected).map(([type]) => type)).not.toContain('participant.state.changed');
    expect(await w.wire(cid, pid)).toMatchObject({
      state: 'terminated',
      endTime: leftAt,
      disconnectType: 'client',
    });
  });

  it('wrap-up is refused while the leg is active and on a customer leg; without notes the event carries none', async () => {
    const w = await world();
    const { cid, pid, api, path } = await answered(w);
    const resolved = w.code('Resolved');
    const mark = w.emulator.events.lastSeq;
    refused(
      await api('PATCH', path, { wrapup: { code: resolved } }),
      400,
      'bad.request',
      'Wrap-up can be set only after the participant has disconnected.',
    );
    const customer = w.customerOf(cid).id;
    refused(
      await w.org('PATCH', `${MSG}/${cid}/participants/${customer}`, { wrapup: { code: resolved } }),
      400,
      'bad.request',
      `Participant ${customer} is a customer participant, not an agent.`,
    );
    expect(w.story(cid, mark)).toStrictEqual([]);
    expect(w.legOf(cid, 'Dena Lakin').state).toBe('connected');
    expect(w.legOf(cid, 'Dena Lakin').wrapup).toBeUndefined();

    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    expect((await api('PATCH', path, { wrapup: { code: resolved } })).statusCode).toBe(202);
    expect(w.emulator.events.ofType('participant.wrapup').map((e) => e.data)).toStrictEqual([
      { participantId: pid, code: resolved, name: 'Resolved', userId: w.userId('Dena Lakin') },
    ]);
  });

  it('an agent declining an alert while the conversation waits in its queue does not end it', async () => {
    const w = await world();
    const { cid, pid, api, path } = await alerting(w);
    const before = w.emulator.events.lastSeq;
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);

    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'alerting',
          to: 'disconnected',
          userId: w.userId('Dena Lakin'),
          disconnectType: 'client',
        },
      ],
    ]);
    expect(w.conversation(cid).endTime).toBeUndefined();
    expect(w.customerOf(cid).state).toBe('connected');
    expect(w.acdLegs(cid).map((p) => p.state)).toEqual(['connected']);
    expect((await w.generic(cid)).state).toBe('connected');
  });

  it('the customer’s leg disconnected through the agent API is the customer leaving: customer client, agent peer', async () => {
    const w = await world();
    const { cid, pid } = await answered(w);
    const customer = w.customerOf(cid).id;
    const before = w.emulator.events.lastSeq;
    expect(
      (await w.org('PATCH', `${MSG}/${cid}/participants/${customer}`, { state: 'disconnected' })).statusCode,
    ).toBe(202);
    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: customer,
          purpose: 'customer',
          from: 'connected',
          to: 'disconnected',
          disconnectType: 'client',
        },
      ],
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'connected',
          to: 'disconnected',
          userId: w.userId('Dena Lakin'),
          disconnectType: 'peer',
        },
      ],
      ['conversation.ended', { reason: 'customer left' }],
    ]);
    expect(w.conversation(cid).endTime).toBe(w.emulator.clock.now());
  });

  it('PATCH on the conversation ends every leg: customer client, a connected agent peer, a waiting queue leg endpoint; a customer leaving ends a ringing alert too', async () => {
    const w = await world();
    // Waiting: nobody is on queue for Grocery Support.
    const waiting = w.emulator.customers.start({ queueName: 'Grocery Support', text: 'anyone?' }).id;
    const grocery = w.fx.queues.find((q) => q.name === 'Grocery Support')!.id;
    expect(w.emulator.waiting(grocery)).toEqual([waiting]);
    await w.emulator.clock.advance(2_000);
    const before = w.emulator.events.lastSeq;
    expect((await w.org('PATCH', `${MSG}/${waiting}`, { state: 'disconnected' })).statusCode).toBe(202);
    expect(
      w.story(waiting, before).map(([type, data]) => [type, (data as Wire).disconnectType ?? data]),
    ).toEqual([
      ['participant.state.changed', 'client'],
      ['participant.state.changed', 'endpoint'],
      ['conversation.ended', { reason: 'disconnected by API' }],
    ]);
    expect(w.conversation(waiting).participants.map((p) => [p.purpose, p.state, p.disconnectType])).toEqual([
      ['customer', 'disconnected', 'client'],
      ['acd', 'disconnected', 'endpoint'],
    ]);
    expect(w.emulator.waiting(grocery)).toEqual([]);
    expect((await w.generic(waiting)).endTime).toBe(w.now());

    const { cid, pid } = await answered(w);
    expect(
      (await w.org('PATCH', `/api/v2/conversations/chats/${cid}`, { state: 'disconnected' })).statusCode,
    ).toBe(202);
    expect(await w.wire(cid, pid)).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    expect(await w.wire(cid, w.customerOf(cid).id)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
    });
    expect(await w.emulator.agent('Dena Lakin').routingStatus()).toBe('IDLE');
    refused(
      await w.org('PATCH', `${MSG}/no-such-conversation`, { state: 'disconnected' }),
      404,
      'not.found',
      'The requested resource was not found: conversation no-such-conversation',
      'no-such-conversation',
    );

    // A customer who leaves while an agent is still being alerted takes the alert with them.
    const third = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'bye soon' }).id;
    expect(w.legOf(third, 'Dena Lakin').state).toBe('alerting');
    w.emulator.customers.leave(third);
    expect(w.conversation(third).participants.map((p) => [p.purpose, p.state, p.disconnectType])).toEqual([
      ['customer', 'disconnected', 'client'],
      ['acd', 'disconnected', 'endpoint'],
      ['agent', 'disconnected', 'peer'],
    ]);
    expect(
      w.emulator.events.ofType('conversation.ended', { conversationId: third }).map((e) => e.data),
    ).toEqual([{ reason: 'customer left' }]);
  });
});

describe('blind transfers', () => {
  it('to a queue: the leg ends as a transfer, the timeline names the queue, and the conversation waits there at its priority', async () => {
    const w = await world();
    const { cid, pid, api } = await answered(w, 'Dena Lakin', 'Shoes Support', 4);
    await w.emulator.agent('Dena Lakin').goOffQueue(); // so nobody in General takes it
    await w.emulator.clock.advance(2_000);
    const transferredAt = w.now();
    const general = w.fx.queues.find((q) => q.name === 'General')!.id;
    const before = w.emulator.events.lastSeq;
    const res = await api('POST', `/api/v2/conversations/${cid}/participants/${pid}/replace/queue`, {
      queueName: 'general', // queue names match regardless of case by default
    });
    expect(res.statusCode, res.body).toBe(202);

    const newAcd = w.acdLegs(cid).at(-1)!;
    expect(w.story(cid, before)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'connected',
          to: 'disconnected',
          userId: w.userId('Dena Lakin'),
          disconnectType: 'transfer',
        },
      ],
      ['conversation.transferred', { fromParticipantId: pid, target: { type: 'queue', queueId: general } }],
      [
        'participant.added',
        { participantId: newAcd.id, purpose: 'acd', state: 'connected', queueId: general },
      ],
      [
        'conversation.queued',
        { queueId: general, queueName: 'General', priority: 4, reason: 'transfer from Dena Lakin' },
      ],
    ]);
    expect(await w.wire(cid, pid)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'transfer',
      endTime: transferredAt,
    });
    expect(w.customerOf(cid).state).toBe('connected');
    expect(w.conversation(cid).endTime).toBeUndefined();
    expect(w.emulator.waiting(general)).toEqual([cid]);
  });

  it('to a queue by name: with the exact queueNameMatch switch the case must match', async () => {
    const w = await world({ fidelity: { queueNameMatch: 'exact' } });
    const { cid, pid, api } = await answered(w);
    const mark = w.emulator.events.lastSeq;
    const url = `/api/v2/conversations/${cid}/participants/${pid}/replace/queue`;
    refused(
      await api('POST', url, { queueName: 'general' }),
      404,
      'not.found',
      'The requested resource was not found: queue general',
      'general',
    );
    expect(w.story(cid, mark)).toStrictEqual([]);
    expect((await api('POST', url, { queueName: 'General' })).statusCode).toBe(202);
  });

  it('to a user: the leg ends as a transfer and the user is alerted; an unknown user or queue, or a leg no longer active, is refused and changes nothing', async () => {
    const w = await world();
    const { cid, pid, api, communicationId } = await answered(w);
    const mark = w.emulator.events.lastSeq;
    refused(
      await api('POST', `/api/v2/conversations/${cid}/participants/${pid}/replace/agent`, {
        userId: 'no-such-user',
      }),
      404,
      'not.found',
      'The requested resource was not found: user no-such-user',
      'no-such-user',
    );
    refused(
      await api('POST', `${MSG}/${cid}/participants/${pid}/replace`, { queueId: 'no-such-queue' }),
      404,
      'not.found',
      'The requested resource was not found: queue no-such-queue',
      'no-such-queue',
    );
    refused(
      await api('POST', `/api/v2/conversations/${cid}/participants/${pid}/replace/queue`, {
        queueName: 'Nowhere',
      }),
      404,
      'not.found',
      'The requested resource was not found: queue Nowhere',
      'Nowhere',
    );
    expect(w.story(cid, mark)).toStrictEqual([]);
    expect(w.legOf(cid, 'Dena Lakin').state).toBe('connected');

    const mia = w.userId('Mia Welch');
    const shoes = w.fx.queues.find((q) => q.name === 'Shoes Support')!.id;
    expect((await api('POST', `${MSG}/${cid}/participants/${pid}/replace`, { userId: mia })).statusCode).toBe(
      202,
    );
    const miaLeg = w.legOf(cid, 'Mia Welch');
    expect(w.story(cid, mark)).toStrictEqual([
      [
        'participant.state.changed',
        {
          participantId: pid,
          purpose: 'agent',
          from: 'connected',
          to: 'disconnected',
          userId: w.userId('Dena Lakin'),
          disconnectType: 'transfer',
        },
      ],
      ['conversation.transferred', { fromParticipantId: pid, target: { type: 'user', userId: mia } }],
      [
        'participant.added',
        { participantId: miaLeg.id, purpose: 'agent', state: 'alerting', userId: mia, queueId: shoes },
      ],
    ]);

    // Dena's leg has ended: she can neither transfer it again nor send on it.
    const after = w.emulator.events.lastSeq;
    refused(
      await api('POST', `${MSG}/${cid}/participants/${pid}/replace`, { userId: w.userId('Alda Moore') }),
      400,
      'bad.request',
      `Cannot transfer: participant ${pid} is disconnected.`,
      pid,
    );
    refused(
      await api('POST', `${MSG}/${cid}/communications/${communicationId}/messages`, {
        textBody: 'still here?',
      }),
      400,
      'bad.request',
      `Cannot send a message: participant ${pid} is disconnected.`,
      pid,
    );
    refused(
      await api('POST', `${MSG}/${cid}/communications/${communicationId}/typing`, { typing: { type: 'On' } }),
      400,
      'bad.request',
      `Cannot send typing: participant ${pid} is disconnected.`,
      pid,
    );
    expect(w.story(cid, after)).toStrictEqual([]);
  });
});

describe('sending and typing', () => {
  it('an agent sends only on their own connected communication; each refusal names the state, the communication or the end', async () => {
    const w = await world();
    const { cid, pid, api, path, communicationId } = await alerting(w);
    const send = (who: Api, comm: string, text: string) =>
      who('POST', `${MSG}/${cid}/communications/${comm}/messages`, { textBody: text });
    const typing = (who: Api, comm: string) =>
      who('POST', `${MSG}/${cid}/communications/${comm}/typing`, { typing: { type: 'On' } });

    refused(
      await send(api, communicationId, 'too soon'),
      400,
      'bad.request',
      `Cannot send a message: participant ${pid} is alerting.`,
      pid,
    );
    refused(
      await typing(api, communicationId),
      400,
      'bad.request',
      `Cannot send typing: participant ${pid} is alerting.`,
      pid,
    );
    expect((await api('PATCH', path, { state: 'connected' })).statusCode).toBe(202);

    const before = w.emulator.events.lastSeq;
    const sent = await send(api, communicationId, 'Hi, Dena here');
    expect(sent.statusCode, sent.body).toBe(200);
    expect(sent.json()).toMatchObject({
      textBody: 'Hi, Dena here',
      direction: 'outbound',
      status: 'sent',
      conversationId: cid,
    });
    expect((await typing(api, communicationId)).statusCode).toBe(202);
    const customer = w.customerOf(cid);
    expect(
      (await w.emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` }))
        .statusCode,
    ).toBe(202);
    expect(w.story(cid, before)).toStrictEqual([
      [
        'message.sent',
        {
          message: {
            id: sent.json().id,
            participantId: pid,
            purpose: 'agent',
            text: 'Hi, Dena here',
            time: w.emulator.clock.now(),
            direction: 'outbound',
          },
        },
      ],
      ['typing.sent', { participantId: pid, purpose: 'agent' }],
      ['typing.sent', { participantId: customer.id, purpose: 'customer' }],
    ]);

    const refusedOnly = w.emulator.events.lastSeq;
    refused(
      await send(api, customer.communicationId, 'as the customer'),
      400,
      'bad.request',
      `Cannot send a message: participant ${customer.id} is connected.`,
      customer.id,
    );
    refused(
      await typing(api, customer.communicationId),
      400,
      'bad.request',
      `Cannot send typing: participant ${customer.id} is connected.`,
      customer.id,
    );
    refused(
      await send(api, 'no-such-communication', 'lost'),
      404,
      'not.found',
      `The requested resource was not found: communication no-such-communication in conversation ${cid}`,
      'no-such-communication',
    );
    const mia = await w.as('Mia Welch');
    refused(
      await send(mia, communicationId, 'not mine'),
      403,
      'not.authorized',
      `You are not authorized to perform the requested action. Participant ${pid} belongs to another user.`,
    );
    refused(
      await typing(mia, communicationId),
      403,
      'not.authorized',
      `You are not authorized to perform the requested action. Participant ${pid} belongs to another user.`,
    );
    expect(w.story(cid, refusedOnly)).toStrictEqual([]);

    // After the end, neither side can add anything.
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    const ended = w.emulator.events.lastSeq;
    const hasEnded = `Conversation ${cid} has ended.`;
    refused(await send(api, communicationId, 'one more'), 400, 'bad.request', hasEnded, cid);
    refused(await typing(api, communicationId), 400, 'bad.request', hasEnded, cid);
    refused(
      await w.emulator.inject({
        method: 'POST',
        url: `/__emulator/conversations/${cid}/messages`,
        payload: { text: 'wait!' },
      }),
      400,
      'bad.request',
      hasEnded,
      cid,
    );
    refused(
      await w.emulator.inject({ method: 'POST', url: `/__emulator/conversations/${cid}/typing` }),
      400,
      'bad.request',
      hasEnded,
      cid,
    );
    expect(w.story(cid, ended)).toStrictEqual([]);
    expect(w.conversation(cid).messages.map((m) => m.text)).toEqual(['hello', 'Hi, Dena here']);
  });

  it('past fidelity.maxMessagesPerConversation either side is refused with an error naming the conversation and the bound, adding nothing; typing still goes', async () => {
    const w = await world({ fidelity: { maxMessagesPerConversation: 2 } });
    const { cid, api, communicationId } = await answered(w); // the customer's 'hello' is the first
    const send = (text: string) =>
      api('POST', `${MSG}/${cid}/communications/${communicationId}/messages`, { textBody: text });
    expect((await send('two')).statusCode).toBe(200);
    const full = w.emulator.events.lastSeq;
    const expected = {
      status: 400,
      code: 'bad.request',
      message: expect.stringContaining(cid),
      entityId: cid,
      messageParams: { max: '2' },
      limit: { key: 'max.messages.per.conversation', namespace: 'conversations', value: 2 },
    };
    expect(expectApiError(await send('three'), 400, 'bad.request')).toMatchObject(expected);
    const customerSide = await w.emulator.inject({
      method: 'POST',
      url: `/__emulator/conversations/${cid}/messages`,
      payload: { text: 'three' },
    });
    expect(expectApiError(customerSide, 400, 'bad.request')).toMatchObject(expected);
    expect(
      (
        await api('POST', `${MSG}/${cid}/communications/${communicationId}/typing`, {
          typing: { type: 'On' },
        })
      ).statusCode,
    ).toBe(202);
    expect(w.story(cid, full).map(([type]) => type)).toEqual(['typing.sent']);
    expect(w.conversation(cid).messages.map((m) => m.text)).toEqual(['hello', 'two']);
  });
  it('a Web Messaging guest at the cap is refused before the message counts: the same refusal again at once, not a rate limit', async () => {
    const w = await world({ fidelity: { maxMessagesPerConversation: 1 } });
    const guest = await Guest.connect(w.emulator, randomUUID());
    try {
      await guest.configure();
      expect((await guest.say('only one')).class).toBe('StructuredMessage');
      const refusal = {
        type: 'response',
        class: 'string',
        code: 400,
        body: 'Request failed. The conversation already holds the maximum of 1 messages.',
      };
      // Two more in the same instant: the guest's rate (2 a second) would refuse the second with 4029
      // had the refused one counted.
      expect(await guest.say('two')).toMatchObject(refusal);
      expect(await guest.say('three')).toMatchObject(refusal);
      const [conversation] = w.emulator.conversations.list();
      expect(conversation!.messages.map((m) => m.text)).toEqual(['only one']);
    } finally {
      await guest.close();
    }
  });
});

describe('Participant Data', () => {
  it('PATCH attributes merges: other keys kept, the same key overwritten, an empty string kept; the timeline records only what was sent', async () => {
    const w = await world();
    await w.emulator.agent('Dena Lakin').goOnQueue();
    const cid = w.emulator.customers.start({
      queueName: 'Shoes Support',
      text: 'hello',
      attributes: { orderId: 'A-1', size: '42' },
    }).id;
    const customer = w.customerOf(cid).id;
    const dena = await w.as('Dena Lakin');
    const before = w.emulator.events.lastSeq;

    const res = await dena('PATCH', `${MSG}/${cid}/participants/${customer}/attributes`, {
      attributes: { size: '43', note: '' },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ attributes: { orderId: 'A-1', size: '43', note: '' } });
    expect(
      (
        await dena('PATCH', `/api/v2/conversations/${cid}/participants/${customer}/attributes`, {
          attributes: { orderId: '' },
        })
      ).statusCode,
    ).toBe(202);
    expect(w.story(cid, before)).toStrictEqual([
      ['participant.attributes.updated', { participantId: customer, attributes: { size: '43', note: '' } }],
      ['participant.attributes.updated', { participantId: customer, attributes: { orderId: '' } }],
    ]);
    const seen = await w.generic(cid);
    expect(seen.participants.find((p: Wire) => p.id === customer).attributes).toEqual({
      orderId: '',
      size: '43',
      note: '',
    });

    // The agent's own leg has its own attributes; the customer's stay as they were.
    const agent = w.legOf(cid, 'Dena Lakin').id;
    expect(
      (
        await dena('PATCH', `${MSG}/${cid}/participants/${agent}/attributes`, { attributes: { desk: 'B' } })
      ).json(),
    ).toEqual({ attributes: { desk: 'B' } });
    expect(w.customerOf(cid).attributes).toEqual({ orderId: '', size: '43', note: '' });
    refused(
      await dena('PATCH', `${MSG}/${cid}/participants/nobody/attributes`, { attributes: { a: 'b' } }),
      404,
      'not.found',
      `The requested resource was not found: participant nobody in conversation ${cid}`,
      'nobody',
    );
  });
});

describe('a new conversation', () => {
  it('starts with its customer connected at that instant; the timeline names its media, channel and deployment only when it has one', async () => {
    const w = await world();
    await w.emulator.clock.advance(1_500);
    const startedAt = w.now();
    const messenger = w.fx.deployments.messenger[0]!.id;
    const res = await w.emulator.inject({
      method: 'POST',
      url: '/__emulator/conversations',
      payload: { deploymentId: messenger, text: 'hi', attributes: { QueueName: 'Shoes Support' } },
    });
    expect(res.statusCode, res.body).toBe(200);
    const cid = res.json().id as string;
    const customer = w.customerOf(cid);
    const events = w.story(cid, 0);
    expect(events.slice(0, 2)).toEqual([
      [
        'conversation.created',
        {
          mediaType: 'message',
          channel: 'webmessaging',
          deploymentId: messenger,
          customerParticipantId: customer.id,
        },
      ],
      [
        'message.sent',
        {
          message: {
            id: w.conversation(cid).messages[0]!.id,
            participantId: customer.id,
            purpose: 'customer',
            text: 'hi',
            time: w.emulator.clock.now(),
            direction: 'inbound',
          },
        },
      ],
    ]);
    const shoes = w.fx.queues.find((q) => q.name === 'Shoes Support')!.id;
    const acd = w.acdLegs(cid)[0]!;
    expect(events).toContainEqual([
      'participant.added',
      { participantId: acd.id, purpose: 'acd', state: 'connected', queueId: shoes },
    ]);
    const view = await w.generic(cid);
    expect(view).toMatchObject({ startTime: startedAt, state: 'connected' });
    expect(view.endTime).toBeUndefined();
    expect(view.participants.find((p: Wire) => p.id === customer.id)).toMatchObject({
      purpose: 'customer',
      startTime: startedAt,
      connectedTime: startedAt,
      attributes: { QueueName: 'Shoes Support' },
      messages: [{ direction: 'inbound', state: 'connected' }],
    });

    const chat = w.emulator.customers.start({ queueName: 'General', mediaType: 'chat', channel: 'webchat' });
    expect(w.story(chat.id, 0)[0]).toStrictEqual([
      'conversation.created',
      { mediaType: 'chat', channel: 'webchat', customerParticipantId: w.customerOf(chat.id).id },
    ]);
  });

  it('an agent lists exactly the conversations where they have an alerting or connected leg', async () => {
    const w = await world();
    const { cid, api, path } = await alerting(w);
    const mia = await w.as('Mia Welch');
    await w.emulator.agent('Mia Welch').goOnQueue();
    const other = w.emulator.customers.start({ queueName: 'Sports Support', text: 'hi' }).id;
    const ids = async (who: Api, url = '/api/v2/conversations') =>
      (await who('GET', url)).json().entities.map((c: Wire) => c.id);
    expect(await ids(api)).toEqual([cid]);
    expect(await ids(mia)).toEqual([other]);
    expect((await api('PATCH', path, { state: 'connected' })).statusCode).toBe(202);
    expect(await ids(api, `${MSG}`)).toEqual([cid]);
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    expect(await ids(api)).toEqual([]);
    expect(await ids(mia)).toEqual([other]);
  });
});

describe('message statuses and message details', () => {
  const SECRET = 'conversation-core-rules-secret';

  /** The default org with its Open Messaging integration posting to a receiver of this test. */
  async function openMessaging() {
    const receiver = await webhookReceiver(SECRET);
    const fixture = structuredClone(defaultFixture());
    fixture.openMessaging[0] = { ...fixture.openMessaging[0]!, webhookUrl: receiver.url, secret: SECRET };
    const w = await world({ fixture });
    const integration = fixture.openMessaging[0]!.id;
    const inbound = (kind: string) => `${MSG}/${integration}/inbound/open/${kind}`;
    await w.emulator.agent('Dena Lakin').goOnQueue();
    const cid = await w.openMessagingCustomer(integration);
    const dena = await w.as('Dena Lakin');
    const leg = w.legOf(cid, 'Dena Lakin');
    expect(
      (await dena('PATCH', `${MSG}/${cid}/participants/${leg.id}`, { state: 'connected' })).statusCode,
    ).toBe(202);
    const reply = async (text: string): Promise<string> => {
      const res = await dena('POST', `${MSG}/${cid}/communications/${leg.communicationId}/messages`, {
        textBody: text,
      });
      expect(res.statusCode, res.body).toBe(200);
      return res.json().id;
    };
    const receipt = async (id: string, status: 'Delivered' | 'Failed') => {
      const res = await w.org('POST', inbound('receipt'), {
        id,
        channel: { to: { id: 'pat-1', idType: 'Opaque' }, time: '2026-01-01T09:00:05.000Z' },
        status,
        ...(status === 'Failed' ? { reasons: [{ code: 'GeneralError', message: 'bounced' }] } : {}),
        isFinalReceipt: true,
      });
      expect(res.statusCode, res.body).toBe(200);
    };
    const status = async (id: string) => (await dena('GET', `${MSG}/${cid}/messages/${id}`)).json().status;
    /** Every delivery and failure the timeline holds for this message. */
    const outcomes = (id: string) =>
      w.emulator.events
        .list({ conversationId: cid, type: ['message.delivered', 'message.failed'] })
        .filter((e) => (e.data as { messageId: string }).messageId === id)
        .map((e) => [e.type, e.data]);
    /** The webhook has taken both replies (so no delivery is still in flight when the test ends). */
    const delivered = (n: number) =>
      w.emulator.waitUntil(() => (receiver.deliveries.length >= n ? true : undefined), {
        what: `${n} deliveries`,
      });
    return { w, cid, dena, reply, receipt, status, outcomes, delivered };
  }

  it('a Delivered receipt makes an agent’s message delivery-success once; a later Failed or Delivered receipt changes nothing', async () => {
    const { w, cid, reply, receipt, status, outcomes, delivered } = await openMessaging();
    const id = await reply('Your order shipped');
    await delivered(1);
    expect(await status(id)).toBe('sent');
    await receipt(id, 'Delivered');
    expect(await status(id)).toBe('delivery-success');
    await receipt(id, 'Failed');
    await receipt(id, 'Delivered');
    expect(await status(id)).toBe('delivery-success');
    expect(outcomes(id)).toEqual([['message.delivered', { messageId: id }]]);
    // The timeline keeps the message as it was sent: its later delivery is not written back into it.
    const sent = w.emulator.events
      .ofType('message.sent', { conversationId: cid })
      .find((e) => e.data.message.id === id);
    expect(sent!.data.message).toEqual({
      id,
      participantId: w.legOf(cid, 'Dena Lakin').id,
      purpose: 'agent',
      text: 'Your order shipped',
      time: expect.any(Number),
      direction: 'outbound',
    });
  });

  it('a Failed receipt makes it delivery-failed once, with its reason; a later Delivered receipt does not make it delivered', async () => {
    const { reply, receipt, status, outcomes, delivered } = await openMessaging();
    const first = await reply('first');
    const second = await reply('second');
    await delivered(2);
    await receipt(first, 'Failed');
    expect(await status(first)).toBe('delivery-failed');
    expect(await status(second)).toBe('sent');
    await receipt(first, 'Delivered');
    await receipt(first, 'Failed');
    expect(await status(first)).toBe('delivery-failed');
    expect(outcomes(first)).toEqual([
      ['message.failed', { messageId: first, reason: 'GeneralError: bounced' }],
    ]);
    expect(outcomes(second)).toEqual([]);
  });

  it('message details find a message by its id in upper case, with or without dashes, inbound and outbound, with its current status', async () => {
    const { w, cid, reply, receipt, delivered } = await openMessaging();
    const answer = await reply('On its way');
    await delivered(1);
    await receipt(answer, 'Delivered');
    const inbound = w.conversation(cid).messages[0]!;
    const details = async (id: string) => {
      const res = await w.org('GET', `${MSG}/${id}/details`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };
    expect(await details(answer.toUpperCase())).toMatchObject({
      id: answer,
      conversationId: cid,
      direction: 'outbound',
      messengerType: 'open',
      textBody: 'On its way',
      status: 'delivery-success',
    });
    expect(await details(inbound.id.replaceAll('-', '').toUpperCase())).toMatchObject({
      id: inbound.id,
      conversationId: cid,
      direction: 'inbound',
      textBody: 'hello',
      status: 'received',
    });
  });
});
