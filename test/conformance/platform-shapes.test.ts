import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';
import { Guest } from '../support/webmessaging.ts';

/**
 * What issue 13 changed in what agents read, asserted as behaviour (the conformance test checks the
 * shapes): subscriptions to any Genesys topic, Genesys message statuses, users/me expands, queue
 * membership counts and fields, listing URIs.
 */

// biome-ignore lint/suspicious/noExplicitAny: wire JSON.
type Json = any;

async function agentApi(emulator: TestEmulator, name = 'Alda Moore') {
  const user = emulator.fixture.users.find((u) => u.name === name)!;
  const auth = await bearerFor(emulator, clients(emulator).agents.find((c) => c.user === user.id)!);
  const call = (method: 'GET' | 'PUT' | 'POST' | 'PATCH', url: string, payload?: unknown) =>
    emulator.inject({
      method,
      url,
      headers: {
        authorization: auth,
        'content-type': 'application/json',
        host: `127.0.0.1:${emulator.port}`,
      },
      ...(payload === undefined ? {} : { payload: JSON.stringify(payload) }),
    });
  const ok = async (
    method: 'GET' | 'PUT' | 'POST' | 'PATCH',
    url: string,
    payload?: unknown,
  ): Promise<Json> => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.body ? JSON.parse(res.body) : undefined;
  };
  return { user, call, ok };
}

describe('notification subscriptions', () => {
  it('accept any Genesys topic, name the ones never published on the timeline, and refuse made-up ones', async () => {
    const emulator = await startEmulator();
    const { user, call, ok } = await agentApi(emulator);
    const channel = await ok('POST', '/api/v2/notifications/channels');
    const subs = `/api/v2/notifications/channels/${channel.id}/subscriptions`;
    const silent = [
      `v2.users.${user.id}.activity`,
      `v2.detail.events.conversation.${randomUUID()}.acd.start`,
    ];
    const listed = await ok('PUT', subs, [
      { id: `v2.users.${user.id}.conversations` },
      ...silent.map((id) => ({ id })),
    ]);
    expect(listed.entities.map((e: Json) => [e.id, e.state])).toEqual([
      [`v2.users.${user.id}.conversations`, 'Permitted'],
      ...silent.map((id) => [id, 'Permitted']),
    ]);
    expect(emulator.events.ofType('notifications.topics.unpublished').map((e) => e.data)).toEqual([
      { channelId: channel.id, topics: silent },
    ]);

    // Not Genesys topics, among them the emulator's old invented typing topic: the whole request is refused.
    for (const bad of ['v2.conversations.x', `v2.conversations.messages.${randomUUID()}.typing`]) {
      expectApiError(
        await call('POST', subs, [{ id: `v2.users.${user.id}.presence` }, { id: bad }]),
        400,
        'bad.request',
      );
    }
    expect((await ok('GET', subs)).entities).toHaveLength(3);
  });
});

/** The `messageStatus` of one message id in a `.messages` topic frame. */
function statusIn(frame: Json, messageId: string): string | undefined {
  for (const p of frame.eventBody.participants ?? [])
    for (const m of p.messages ?? []) if (m.message?.id === messageId) return m.messageStatus;
  return undefined;
}

describe('message statuses', () => {
  it('inbound received; outbound sent, then delivery-success once the guest socket took it', async () => {
    const emulator = await startEmulator();
    const { user, ok } = await agentApi(emulator);
    const channel = await ok('POST', '/api/v2/notifications/channels');
    const topic = `v2.users.${user.id}.conversations.messages`;
    await ok('PUT', `/api/v2/notifications/channels/${channel.id}/subscriptions`, [{ id: topic }]);
    const socket = await openSocket(channel.connectUri);
    const frames = new FrameCollector<Json>(socket);
    await ok('PUT', `/api/v2/users/${user.id}/routingstatus`, { status: 'IDLE' });

    const guest = await Guest.connect(emulator, randomUUID());
    await guest.configure();
    await guest.say('hello', { QueueName: 'Sports Support' });
    const alert = await frames.next(
      (f) => f.eventBody.participants?.some((p: Json) => p.user?.id === user.id && p.state === 'alerting'),
      'the alert',
    );
    const leg = alert.eventBody.participants.find((p: Json) => p.user?.id === user.id);
    expect(leg.initialState).toBe('alerting');
    const cid = alert.eventBody.id;
    const customerMessage = alert.eventBody.participants.find((p: Json) => p.purpose === 'customer')
      .messages[0];
    expect(customerMessage.messageStatus).toBe('received');
    await ok('PATCH', `/api/v2/conversations/messages/${cid}/participants/${leg.id}`, { state: 'connected' });
    const generic = await ok('GET', `/api/v2/conversations/${cid}`);
    const communicationId = generic.participants.find((p: Json) => p.id === leg.id).messages[0].id;

    const sent = await ok(
      'POST',
      `/api/v2/conversations/messages/${cid}/communications/${communicationId}/messages`,
      {
        textBody: 'Hi',
      },
    );
    expect(sent.status).toBe('sent');
    await guest.outboundText('Hi');
    const seen: string[] = [];
    await frames.next((f) => {
      const status = statusIn(f, sent.id);
      if (status && seen.at(-1) !== status) seen.push(status);
      return status === 'delivery-success';
    }, 'delivery-success');
    expect(seen).toEqual(['sent', 'delivery-success']);
    expect((await ok('GET', `/api/v2/conversations/messages/${cid}/messages/${sent.id}`)).status).toBe(
      'delivery-success',
    );
    await guest.close();
    await closeSocket(socket);
  });

  it('an outbound message no guest socket took stays sent', async () => {
    const emulator = await startEmulator();
    const { user, ok } = await agentApi(emulator);
    await ok('PUT', `/api/v2/users/${user.id}/routingstatus`, { status: 'IDLE' });
    const { id: cid } = emulator.customers.start({ queueName: 'Sports Support', text: 'hello' });
    const leg = await emulator.waitUntil(() =>
      emulator.conversations.get(cid)?.participants.find((p) => p.userId === user.id),
    );
    await ok('PATCH', `/api/v2/conversations/messages/${cid}/participants/${leg.id}`, { state: 'connected' });
    const sent = await ok(
      'POST',
      `/api/v2/conversations/messages/${cid}/communications/${leg.communicationId}/messages`,
      { textBody: 'Hi' },
    );
    await emulator.settle();
    expect((await ok('GET', `/api/v2/conversations/messages/${cid}/messages/${sent.id}`)).status).toBe(
      'sent',
    );
    expect(emulator.events.ofType('message.delivered')).toEqual([]);
  });
});

describe('users, queues and listings', () => {
  it('users/me honours expand=presence,routingStatus,organization, as a list or repeated', async () => {
    const emulator = await startEmulator();
    const { user, ok } = await agentApi(emulator);
    const plain = await ok('GET', '/api/v2/users/me');
    expect(plain).not.toHaveProperty('routingStatus');
    expect(plain).not.toHaveProperty('presence');
    expect(plain).not.toHaveProperty('organization');
    await ok('PUT', `/api/v2/users/${user.id}/routingstatus`, { status: 'IDLE' });
    for (const query of [
      'expand=presence,routingStatus,organization',
      'expand=presence&expand=routingStatus&expand[]=organization',
    ]) {
      const me = await ok('GET', `/api/v2/users/me?${query}`);
      expect(me.routingStatus).toMatchObject({ userId: user.id, status: 'IDLE' });
      expect(me.presence.presenceDefinition).toMatchObject({ systemPresence: 'On Queue' });
      expect(me.organization).toMatchObject({ id: emulator.fixture.org.id, name: emulator.fixture.org.name });
    }
    const other = await ok('GET', `/api/v2/users/${user.id}?expand=routingStatus,organization`);
    expect(other.routingStatus.status).toBe('IDLE');
    expect(other).not.toHaveProperty('organization'); // a UserMe expand only
  });

  it('a queue counts as joined the members it lists as joined, whatever their routing status', async () => {
    const emulator = await startEmulator();
    const { user, ok } = await agentApi(emulator);
    const sports = emulator.fixture.queues.find((q) => q.name === 'Sports Support')!;
    await ok('PUT', `/api/v2/users/${user.id}/routingstatus`, { status: 'IDLE' });
    const queue = await ok('GET', `/api/v2/routing/queues/${sports.id}`);
    const members = await ok('GET', `/api/v2/routing/queues/${sports.id}/members`);
    const joined = members.entities.filter((m: Json) => m.joined);
    expect(queue.joinedMemberCount).toBe(joined.length);
    expect(queue.memberCount).toBe(members.entities.length);
    expect(members.entities.map((m: Json) => m.routingStatus.status).sort()).toContain('OFF_QUEUE');
    expect(members.entities[0].user).toMatchObject({ id: expect.any(String), version: expect.any(Number) });
    expect(Object.keys(members).sort()).toEqual([
      'entities',
      'firstUri',
      'pageNumber',
      'pageSize',
      'selfUri',
    ]);
    expect((await ok('GET', `/api/v2/routing/queues/${sports.id}/members?joined=false`)).entities).toEqual(
      [],
    );
    expect(queue).toMatchObject({
      dateCreated: expect.any(String),
      dateModified: expect.any(String),
      description: expect.any(String),
      defaultMediaLanguage: 'en-US',
      memberGroups: [],
    });
  });

  it('the active-conversation listings carry their listing URIs', async () => {
    const emulator = await startEmulator();
    const { ok } = await agentApi(emulator);
    for (const path of ['/api/v2/conversations', '/api/v2/conversations/messages']) {
      expect(await ok('GET', path)).toEqual({
        entities: [],
        pageSize: 0,
        pageNumber: 1,
        total: 0,
        firstUri: `${path}?pageNumber=1`,
        selfUri: `${path}?pageNumber=1`,
        lastUri: `${path}?pageNumber=1`,
        pageCount: 1,
      });
    }
  });
});
