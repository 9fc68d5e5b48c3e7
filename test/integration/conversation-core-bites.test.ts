import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { defaultFixture, type StartEmulatorOptions } from '../../emulator/index.ts';
import { expectApiError } from '../support/api.ts';
import { conversationWorld, type Method, MSG } from '../support/conversation-world.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import { buildFlowYaml } from '../support/flow-yaml.ts';
import { webhookReceiver } from '../support/openmessaging-receiver.ts';
import { Guest, type Wire } from '../support/webmessaging.ts';

/**
 * The conversation core (emulator/domain/conversations/) where conversation-core-rules.test.ts leaves
 * it open: how a conversation is routed (a flow that transfers or disconnects, an unknown flow, a queue
 * named in another case with and without the `queueNameMatch: 'exact'` switch), how it ends when the
 * guest's session expires, a declined alert offered to the next agent, what each refusal names, the
 * shape of a conversation and its legs as the handle copies them (no keys for what a leg does not
 * have), an Open Messaging customer's address, a wrapped-up leg that stays wrapped up when the
 * conversation ends later, and message details for an id the emulator never held.
 *
 * The default org: Dena Lakin (Shoes Support, General), Mia Welch (Sports, Shoes, General). Every agent
 * starts off queue; queues ring for 30 s. The default Messenger deployment's flow routes by the
 * QueueName attribute, else to General.
 */

const FLOW = 'Bot Handoff Message Flow';

async function world(options: StartEmulatorOptions = {}) {
  const base = await conversationWorld(options);
  const { emulator, conversation } = base;
  const legs = (cid: string, purpose: string) =>
    conversation(cid).participants.filter((p) => p.purpose === purpose);
  const ofType = (type: string, cid: string) =>
    emulator.events.list({ conversationId: cid, type: [type] }).map((e) => e.data as Wire);
  return { ...base, legs, ofType };
}

type World = Awaited<ReturnType<typeof world>>;

/** A scripted customer in Shoes Support alerting Dena (who goes on queue first). */
async function alerting(w: World) {
  await w.emulator.agent('Dena Lakin').goOnQueue();
  const cid = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'hello' }).id;
  const dena = await w.as('Dena Lakin');
  const leg = w.legOf(cid, 'Dena Lakin');
  expect(leg.state).toBe('alerting');
  return { cid, dena, leg, path: `${MSG}/${cid}/participants/${leg.id}` };
}

async function answered(w: World) {
  const a = await alerting(w);
  const res = await a.dena('PATCH', a.path, { state: 'connected' });
  expect(res.statusCode, res.body).toBe(202);
  return a;
}

describe('routing a new conversation', () => {
  it('through a flow that transfers: the conversation waits in the flow’s queue, the timeline naming the flow as the reason', async () => {
    const w = await world();
    const c = w.emulator.customers.start({
      flow: FLOW,
      text: 'hi',
      attributes: { QueueName: 'Sports Support' },
    });
    expect(w.ofType('conversation.queued', c.id)).toStrictEqual([
      {
        queueId: w.fx.queues.find((q) => q.name === 'Sports Support')!.id,
        queueName: 'Sports Support',
        priority: 0,
        reason: `flow ${FLOW}`,
      },
    ]);
    expect(w.conversation(c.id).endTime).toBeUndefined();
  });

  it('through a flow that disconnects: the conversation ends at once, the customer’s leg as endpoint, the timeline saying the flow disconnected', async () => {
    const flowName = 'Disconnecting Flow';
    const fixture = withMessengerFlow(buildFlowYaml({ actions: [{ disconnect: { name: 'Bye' } }] }), {
      flowName,
      deploymentId: randomUUID(),
    });
    const w = await world({ fixture });
    const c = w.emulator.customers.start({ flow: flowName, text: 'hi' });
    const conversation = w.conversation(c.id);
    expect(conversation.endTime).toBe(w.emulator.clock.now());
    const [customer] = w.legs(c.id, 'customer');
    expect(customer).toMatchObject({ state: 'disconnected', disconnectType: 'endpoint' });
    const [workflow] = w.legs(c.id, 'workflow');
    expect(workflow).toMatchObject({ state: 'disconnected', disconnectType: 'endpoint' });
    expect(w.ofType('conversation.ended', c.id)).toStrictEqual([{ reason: 'flow disconnected: action' }]);
    expect(w.ofType('conversation.queued', c.id)).toStrictEqual([]);
    // The generic view says so too.
    const view = await w.org('GET', `/api/v2/conversations/${c.id}`);
    expect(view.json()).toMatchObject({ state: 'disconnected' });
  });

  it('through a flow the org does not have: 404 naming the flow', async () => {
    const w = await world();
    const res = await w.emulator.inject({
      method: 'POST',
      url: '/__emulator/conversations',
      payload: { flow: 'No Such Flow', text: 'hi' },
    });
    const body = expectApiError(res, 404, 'not.found');
    expect(body.message).toContain('No Such Flow');
    // Refused means nothing was created: no conversation left behind, never routed and never ended.
    expect(w.emulator.conversations.list()).toEqual([]);
    expect(w.emulator.events.ofType('conversation.created')).toEqual([]);
  });

  it('to a queue named in another case: found by default, the timeline naming the routing target as the reason', async () => {
    const w = await world();
    const shoes = w.fx.queues.find((q) => q.name === 'Shoes Support')!;
    const c = w.emulator.customers.start({ queueName: 'shoes SUPPORT', text: 'hi', priority: 3 });
    expect(w.ofType('conversation.queued', c.id)).toStrictEqual([
      { queueId: shoes.id, queueName: 'Shoes Support', priority: 3, reason: 'routing target' },
    ]);
    expect(w.emulator.waiting('Shoes Support')).toEqual([c.id]);
  });

  it('to a queue named in another case with queueNameMatch exact: 404 naming the queue; the exact name routes', async () => {
    const w = await world({ fidelity: { queueNameMatch: 'exact' } });
    const res = await w.emulator.inject({
      method: 'POST',
      url: '/__emulator/conversations',
      payload: { queueName: 'shoes support', text: 'hi' },
    });
    const body = expectApiError(res, 404, 'not.found');
    expect(body.message).toContain('shoes support');
    expect(body.entityName).toBe('shoes support');
    expect(w.emulator.conversations.list()).toEqual([]);
    const c = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'hi' });
    expect(w.emulator.waiting('Shoes Support')).toEqual([c.id]);
  });
});

describe('the guest’s session expires', () => {
  it('ends the conversation: the customer’s leg session.expired, the connected agent’s peer, the timeline saying the session expired', async () => {
    const fixture = structuredClone(defaultFixture());
    fixture.deployments.messenger[0] = { ...fixture.deployments.messenger[0]!, sessionDurationSeconds: 600 };
    const w = await world({ fixture });
    await w.emulator.agent('Dena Lakin').goOnQueue();
    const guest = await Guest.connect(w.emulator, randomUUID());
    expect((await guest.configure()).body.durationSeconds).toBe(600);
    await guest.say('hi', { QueueName: 'Shoes Support' });
    const cid = w.emulator.events.ofType('conversation.created')[0]!.conversationId!;
    const dena = await w.as('Dena Lakin');
    const leg = w.legOf(cid, 'Dena Lakin');
    expect(
      (await dena('PATCH', `${MSG}/${cid}/participants/${leg.id}`, { state: 'connected' })).statusCode,
    ).toBe(202);

    await w.emulator.clock.advance(600_000);
    await guest.next((f) => f.class === 'SessionExpiredEvent', 'SessionExpiredEvent');
    await guest.closed;
    expect(await w.wire(cid, w.legs(cid, 'customer')[0]!.id)).toMatchObject({
      state: 'disconnected',
      disconnectType: 'session.expired',
    });
    expect(await w.wire(cid, leg.id)).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    expect(w.ofType('conversation.ended', cid)).toStrictEqual([{ reason: 'session expired' }]);
  });

  it('whereas a customer who leaves ends it as client, the timeline saying the customer left', async () => {
    const w = await world();
    const { cid, leg } = await answered(w);
    w.emulator.customers.leave(cid);
    expect(w.legs(cid, 'customer')[0]).toMatchObject({ disconnectType: 'client' });
    expect(w.legOf(cid, 'Dena Lakin')).toMatchObject({ id: leg.id, disconnectType: 'peer' });
    expect(w.ofType('conversation.ended', cid)).toStrictEqual([{ reason: 'customer left' }]);
  });
});

describe('a declined alert', () => {
  it('is offered to the next agent of the queue; the decliner is not responding and the conversation goes on', async () => {
    const w = await world();
    await w.emulator.agent('Dena Lakin').goOnQueue();
    await w.emulator.clock.advance(1_000);
    await w.emulator.agent('Mia Welch').goOnQueue(); // Dena has been idle longer: she is offered it first
    const cid = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'hello' }).id;
    const denaLeg = w.legOf(cid, 'Dena Lakin');
    expect(denaLeg.state).toBe('alerting');
    expect(w.legOf(cid, 'Mia Welch')).toBeUndefined();

    const dena = await w.as('Dena Lakin');
    const res = await dena('PATCH', `${MSG}/${cid}/participants/${denaLeg.id}`, { state: 'disconnected' });
    expect(res.statusCode, res.body).toBe(202);
    expect(w.legOf(cid, 'Dena Lakin')).toMatchObject({ state: 'disconnected', disconnectType: 'client' });
    expect(w.legOf(cid, 'Mia Welch')).toMatchObject({ state: 'alerting' });
    expect(await w.emulator.agent('Dena Lakin').routingStatus()).toBe('NOT_RESPONDING');
    expect(w.conversation(cid).endTime).toBeUndefined();
    expect(w.legs(cid, 'customer')[0]!.state).toBe('connected');
  });
});

describe('what a refusal names', () => {
  it('answering, sending, typing or transferring on a leg that has ended names the action refused', async () => {
    const w = await world();
    const { cid, dena, leg, path } = await answered(w);
    // Dena transfers to General: her leg ends as transfer, the conversation goes on.
    expect(
      (
        await dena('POST', `${MSG}/${cid}/participants/${leg.id}/replace`, {
          queueId: w.fx.queues.find((q) => q.name === 'General')!.id,
        })
      ).statusCode,
    ).toBe(202);
    const refusal = async (method: Method, url: string, payload: unknown, action: string) => {
      const body = expectApiError(await dena(method, url, payload), 400, 'bad.request');
      expect(body.message).toContain(action);
      expect(body.message).toContain(leg.id);
      expect(body.entityId).toBe(leg.id);
    };
    await refusal('PATCH', path, { state: 'connected' }, 'answer');
    await refusal(
      'POST',
      `${MSG}/${cid}/communications/${leg.communicationId}/messages`,
      { textBody: 'still here?' },
      'send a message',
    );
    await refusal(
      'POST',
      `${MSG}/${cid}/communications/${leg.communicationId}/typing`,
      { typing: { type: 'On' } },
      'send typing',
    );
    await refusal(
      'POST',
      `${MSG}/${cid}/participants/${leg.id}/replace`,
      { queueId: w.fx.queues[0]!.id },
      'transfer',
    );
  });

  it('acting on another agent’s leg is 403 naming that leg', async () => {
    const w = await world();
    const { cid, leg, path } = await alerting(w);
    const mia = await w.as('Mia Welch');
    const body = expectApiError(await mia('PATCH', path, { state: 'connected' }), 403, 'not.authorized');
    expect(body.message).toContain(leg.id);
    expect(w.legOf(cid, 'Dena Lakin').state).toBe('alerting');
  });
});

describe('a conversation as the handle copies it', () => {
  it('has keys only for what it and each leg have: no deployment or address without one, no user, queue or timeout on legs without them', async () => {
    const w = await world();
    const { cid } = await alerting(w);
    const c = w.conversation(cid);
    expect(Object.keys(c).sort()).toEqual(
      [
        'channel',
        'enqueuedAt',
        'id',
        'mediaType',
        'messages',
        'participants',
        'priority',
        'queueId',
        'startTime',
      ].sort(),
    );
    const [customer] = w.legs(cid, 'customer');
    expect(Object.keys(customer!).sort()).toEqual(
      [
        'attributes',
        'communicationId',
        'connectedTime',
        'direction',
        'id',
        'name',
        'purpose',
        'startTime',
        'state',
      ].sort(),
    );
    const [acd] = w.legs(cid, 'acd');
    expect(Object.keys(acd!).sort()).toEqual(
      [
        'attributes',
        'communicationId',
        'connectedTime',
        'direction',
        'id',
        'name',
        'purpose',
        'queueId',
        'startTime',
        'state',
      ].sort(),
    );
    // The queue leg never alerted: the API shows no startAlertingTime for it.
    expect((await w.wire(cid, acd!.id)).startAlertingTime).toBeUndefined();
    const agent = w.legOf(cid, 'Dena Lakin');
    expect(Object.keys(agent).sort()).toEqual(
      [
        'alertingTimeoutMs',
        'attributes',
        'communicationId',
        'direction',
        'id',
        'name',
        'purpose',
        'queueId',
        'startAlertingTime',
        'startTime',
        'state',
        'userId',
        'wrapupRequired',
      ].sort(),
    );
  });

  it('a flow’s workflow leg is added without user or queue, and a Messenger conversation carries its deployment', async () => {
    const w = await world();
    const deploymentId = w.fx.deployments.messenger[0]!.id;
    const c = w.emulator.customers.start({ deploymentId, text: 'hi' });
    expect(w.conversation(c.id).deploymentId).toBe(deploymentId);
    const [workflow] = w.legs(c.id, 'workflow');
    expect(Object.keys(workflow!).sort()).toEqual(
      [
        'attributes',
        'communicationId',
        'connectedTime',
        'direction',
        'disconnectType',
        'endTime',
        'id',
        'name',
        'purpose',
        'startTime',
        'state',
      ].sort(),
    );
    const added = w.ofType('participant.added', c.id);
    expect(added[0]).toStrictEqual({ participantId: workflow!.id, purpose: 'workflow', state: 'connected' });
  });
});

describe('an Open Messaging customer', () => {
  it('is addressed by the id the integration knows them by, in the agent’s view and on the webhook', async () => {
    const secret = 'conversation-core-bites-secret';
    const receiver = await webhookReceiver(secret);
    const fixture = structuredClone(defaultFixture());
    fixture.openMessaging[0] = { ...fixture.openMessaging[0]!, webhookUrl: receiver.url, secret };
    const w = await world({ fixture });
    const integration = fixture.openMessaging[0]!.id;
    await w.emulator.agent('Dena Lakin').goOnQueue();
    const cid = await w.openMessagingCustomer(integration);
    const customer = w.legs(cid, 'customer')[0]!;
    expect(w.conversation(cid).externalAddress).toStrictEqual({ id: 'pat-1', idType: 'Opaque' });
    expect(await w.wire(cid, customer.id)).toMatchObject({ name: 'Pat', address: 'pat-1' });

    const dena = await w.as('Dena Lakin');
    const leg = w.legOf(cid, 'Dena Lakin');
    expect(
      (await dena('PATCH', `${MSG}/${cid}/participants/${leg.id}`, { state: 'connected' })).statusCode,
    ).toBe(202);
    const sent = await dena('POST', `${MSG}/${cid}/communications/${leg.communicationId}/messages`, {
      textBody: 'hi Pat',
    });
    expect(sent.statusCode, sent.body).toBe(200);
    await w.emulator.waitUntil(
      () => (receiver.deliveries.some((d) => d.body.text === 'hi Pat') ? true : undefined),
      { what: 'the reply on the webhook' },
    );
    const delivery = receiver.deliveries.find((d) => d.body.text === 'hi Pat')!;
    expect(delivery.body.channel.to).toStrictEqual({ id: 'pat-1', idType: 'Opaque' });
  });
});

describe('a wrapped-up leg', () => {
  it('stays terminated, with the disconnect of its own leaving, when the conversation ends later', async () => {
    const w = await world();
    const { cid, dena, leg, path } = await answered(w);
    await w.emulator.agent('Mia Welch').goOnQueue();
    const transfer = await dena('POST', `${MSG}/${cid}/participants/${leg.id}/replace`, {
      userId: w.userId('Mia Welch'),
    });
    expect(transfer.statusCode, transfer.body).toBe(202);
    const code = w.fx.wrapupCodes.find((c) => c.name === 'Resolved')!.id!;
    const wrapup = await dena('PATCH', path, { wrapup: { code } });
    expect(wrapup.statusCode, wrapup.body).toBe(202);
    const wrappedUp = await w.wire(cid, leg.id);
    expect(wrappedUp).toMatchObject({ state: 'terminated', disconnectType: 'transfer' });

    await w.emulator.clock.advance(5_000);
    w.emulator.customers.leave(cid);
    expect(w.conversation(cid).endTime).toBe(w.emulator.clock.now());
    expect(w.legOf(cid, 'Mia Welch')).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    expect(await w.wire(cid, leg.id)).toStrictEqual(wrappedUp);
  });
});

describe('message details', () => {
  it('for an id the emulator never held: 404 naming it', async () => {
    const w = await world();
    await alerting(w); // a conversation with a message exists
    const id = randomUUID();
    const body = expectApiError(await w.org('GET', `${MSG}/${id}/details`), 404, 'not.found');
    expect(body.entityId).toBe(id);
  });
});

describe('a conversation with two agents (a conference, opened from a repro pack)', () => {
  it('goes on when one agent leaves and ends, the customer’s leg as peer, when the last one leaves', async () => {
    const w = await world();
    await w.emulator.agent('Dena Lakin').goOnQueue();
    await w.emulator.clock.advance(1_000);
    await w.emulator.agent('Mia Welch').goOnQueue();
    const a = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'first' }).id;
    const b = w.emulator.customers.start({ queueName: 'Shoes Support', text: 'second' }).id;
    const dena = await w.as('Dena Lakin');
    const mia = await w.as('Mia Welch');
    const denaLeg = w.legOf(a, 'Dena Lakin');
    const miaLeg = w.legOf(b, 'Mia Welch');
    for (const [api, cid, leg] of [
      [dena, a, denaLeg],
      [mia, b, miaLeg],
    ] as const) {
      const res = await api('PATCH', `${MSG}/${cid}/participants/${leg.id}`, { state: 'connected' });
      expect(res.statusCode, res.body).toBe(202);
    }
    // The pack as another tool might write it: Mia's connected leg joins Dena's conversation.
    const pack = w.emulator.reproPack();
    const rows = pack.image.tables.conversations as [string, Wire][];
    const first = rows.find(([id]) => id === a)![1];
    const second = rows.find(([id]) => id === b)![1];
    first.participants.push(second.participants.find((p: Wire) => p.id === miaLeg.id));
    pack.image.tables.conversations = rows.filter(([id]) => id !== b);

    const opened = await world({ fromPack: pack, clock: undefined, seed: undefined });
    const denaThere = await opened.as('Dena Lakin');
    const miaThere = await opened.as('Mia Welch');
    const left = await denaThere('PATCH', `${MSG}/${a}/participants/${denaLeg.id}`, {
      state: 'disconnected',
    });
    expect(left.statusCode, left.body).toBe(202);
    expect(opened.conversation(a).endTime).toBeUndefined();
    expect(opened.legOf(a, 'Dena Lakin')).toMatchObject({ state: 'disconnected', disconnectType: 'client' });
    expect(opened.legOf(a, 'Mia Welch')).toMatchObject({ id: miaLeg.id, state: 'connected' });
    expect(opened.legs(a, 'customer')[0]!.state).toBe('connected');
    expect(opened.ofType('conversation.ended', a)).toStrictEqual([]);

    await opened.emulator.clock.advance(2_000);
    const last = await miaThere('PATCH', `${MSG}/${a}/participants/${miaLeg.id}`, { state: 'disconnected' });
    expect(last.statusCode, last.body).toBe(202);
    expect(opened.conversation(a).endTime).toBe(opened.emulator.clock.now());
    expect(opened.legOf(a, 'Mia Welch')).toMatchObject({ state: 'disconnected', disconnectType: 'client' });
    expect(opened.legs(a, 'customer')[0]).toMatchObject({ state: 'disconnected', disconnectType: 'peer' });
    expect(opened.ofType('conversation.ended', a)).toStrictEqual([{ reason: 'agent disconnected' }]);
  });
});
