import { describe, expect, it } from 'vitest';
import { expectApiError } from '../support/api.ts';
import { type EmulatorDoors, startEmulator, type TestEmulator } from '../support/emulators.ts';
import {
  bearer,
  type CreatedChat,
  createChat,
  GUEST_BASE,
  guestRequest,
  openStream,
} from '../support/webchat.ts';
import { stateMark, whiteBoxEmulator } from '../support/white-box.ts';

/**
 * The guest REST endpoints: their models, paging, JWT checks, and the errors of a chat that is over.
 * White-box where a refusal must change nothing: that includes the surface's own table of chats
 * (stateMark), which no public door shows.
 */

function call(
  emulator: EmulatorDoors,
  chat: CreatedChat,
  method: 'GET' | 'POST' | 'DELETE',
  path: string,
  payload?: unknown,
) {
  return guestRequest(emulator, {
    method,
    url: `${GUEST_BASE}/${chat.id}${path}`,
    headers: bearer(chat),
    ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
  });
}

/** A chat with Alda (General), answered by her through the platform API. */
async function answeredChat(emulator: EmulatorDoors & Pick<TestEmulator, 'agent'>) {
  const alda = emulator.agent('Alda Moore');
  await alda.goOnQueue();
  const chat = await createChat(emulator);
  const guest = await openStream(chat.eventStreamUri);
  await guest.frames.next((f) => f.eventBody.member?.state === 'ALERTING', 'the alert');
  const leg = await alda.nextAlert();
  expect(leg.conversationId).toBe(chat.id);
  await alda.answer();
  return { chat, guest, leg, alda };
}

describe('guest messages and typing', () => {
  it('sends with the documented models; a 4,001-character body or an unknown bodyType changes nothing', async () => {
    const emulator = await whiteBoxEmulator();
    const chat = await createChat(emulator);
    const me = `/members/${chat.member.id}`;
    const ok = await call(emulator, chat, 'POST', `${me}/messages`, { body: 'x'.repeat(4000) });
    expect(ok.statusCode, ok.body).toBe(200);
    const sent = ok.json();
    expect(sent).toEqual({
      id: expect.any(String),
      conversation: { id: chat.id, selfUri: `/api/v2/conversations/${chat.id}` },
      sender: { id: chat.member.id },
      body: 'x'.repeat(4000),
      bodyType: 'standard',
      timestamp: new Date(emulator.clock.now()).toISOString(),
      selfUri: `${GUEST_BASE}/${chat.id}/messages/${sent.id}`,
    });
    const notice = await call(emulator, chat, 'POST', `${me}/messages`, { body: 'fyi', bodyType: 'notice' });
    expect(notice.json()).toMatchObject({ bodyType: 'notice' });

    for (const payload of [
      { body: 'x'.repeat(4001) },
      { body: '' },
      {},
      { body: 'hi', bodyType: 'standard | notice' },
      { body: 42 },
    ]) {
      const mark = stateMark(emulator);
      const res = expectApiError(
        await call(emulator, chat, 'POST', `${me}/messages`, payload),
        400,
        'bad.request',
      );
      expect(res.details.length).toBeGreaterThan(0);
      mark.expectUnchanged();
    }
    expect(emulator.runtime.conversations.get(chat.id).messages).toHaveLength(2);

    const typing = await guestRequest(emulator, {
      method: 'POST',
      url: `${GUEST_BASE}/${chat.id}${me}/typing`,
      headers: { ...bearer(chat), 'content-type': 'application/json' },
      payload: '',
    });
    expect(typing.statusCode, typing.body).toBe(200);
    expect(typing.json()).toEqual({
      id: expect.any(String),
      conversation: { id: chat.id, selfUri: `/api/v2/conversations/${chat.id}` },
      sender: { id: chat.member.id },
      timestamp: expect.any(String),
    });
  });

  it('lets the guest leave; afterwards every action is chat.error.member.state and the agents see the end', async () => {
    const emulator = await whiteBoxEmulator();
    const { chat, guest, leg } = await answeredChat(emulator);
    const me = `/members/${chat.member.id}`;
    const left = await call(emulator, chat, 'DELETE', me);
    expect(left.statusCode, left.body).toBe(204);
    expect(left.body).toBe('');
    await guest.frames.next(
      (f) => f.eventBody.member?.id === chat.member.id && f.eventBody.member.state === 'DISCONNECTED',
    );
    await guest.frames.next(
      (f) => f.eventBody.bodyType === 'member-leave' && f.eventBody.sender?.id === chat.member.id,
    );
    await guest.frames.next(
      (f) => f.eventBody.member?.id === leg.communicationId && f.eventBody.member.state === 'DISCONNECTED',
    );
    expect(await guest.closed).toMatchObject({ code: 1000 });
    const conversation = emulator.runtime.conversations.get(chat.id);
    expect(conversation.participants.map((p) => [p.purpose, p.state, p.disconnectType])).toEqual([
      ['customer', 'disconnected', 'client'],
      ['acd', 'disconnected', 'transfer'],
      ['agent', 'disconnected', 'peer'],
    ]);

    const mark = stateMark(emulator);
    expectApiError(
      await call(emulator, chat, 'POST', `${me}/messages`, { body: 'hi' }),
      400,
      'chat.error.member.state',
    );
    expectApiError(await call(emulator, chat, 'POST', `${me}/typing`), 400, 'chat.error.member.state');
    expectApiError(await call(emulator, chat, 'DELETE', me), 400, 'chat.error.member.state');
    mark.expectUnchanged();
    // Reading stays possible.
    expect((await call(emulator, chat, 'GET', me)).json()).toMatchObject({
      state: 'DISCONNECTED',
      leaveDate: expect.any(String),
    });
  });
});

describe('guest members', () => {
  it('lists members with standard paging, empty query values treated as absent, and looks any of them up', async () => {
    const emulator = await startEmulator();
    const { chat, leg } = await answeredChat(emulator);
    const all = (
      await call(emulator, chat, 'GET', '/members?pageSize=&pageNumber=&excludeDisconnectedMembers=')
    ).json();
    expect(all).toMatchObject({ pageSize: 25, pageNumber: 1, total: 3, pageCount: 1 });
    expect(all.entities.map((m: { role: string; state: string }) => `${m.role}:${m.state}`)).toEqual([
      'CUSTOMER:CONNECTED',
      'ACD:DISCONNECTED',
      'AGENT:CONNECTED',
    ]);
    const live = (await call(emulator, chat, 'GET', '/members?excludeDisconnectedMembers=true')).json();
    expect(live.entities.map((m: { role: string }) => m.role)).toEqual(['CUSTOMER', 'AGENT']);
    const paged = (await call(emulator, chat, 'GET', '/members?pageSize=1&pageNumber=2')).json();
    expect(paged).toMatchObject({ pageSize: 1, pageNumber: 2, total: 3, pageCount: 3 });
    expect(paged.nextUri).toContain('pageNumber=3');
    expect(paged.previousUri).toContain('pageNumber=1');

    const agent = (await call(emulator, chat, 'GET', `/members/${leg.communicationId}`)).json();
    expect(agent).toEqual({
      id: leg.communicationId,
      displayName: 'Alda Moore',
      role: 'AGENT',
      joinDate: expect.any(String),
      state: 'CONNECTED',
    });
    expectApiError(await call(emulator, chat, 'GET', '/members/no-such-member'), 404, 'not.found');
    expectApiError(await call(emulator, chat, 'GET', '/members?pageSize=0'), 400, 'bad.request');
  });
});

describe('guest message history', () => {
  it('pages with after/before cursors in both orders and includes member joins', async () => {
    const emulator = await startEmulator();
    const { chat, leg, alda } = await answeredChat(emulator);
    for (const text of ['one', 'two', 'three']) await alda.say(text);
    const label = (page: { entities: { body: string; bodyType: string }[] }) =>
      page.entities.map((m) => (m.bodyType === 'standard' ? m.body : m.bodyType));
    const get = async (query: string) => {
      const res = await call(emulator, chat, 'GET', `/messages${query}`);
      expect(res.statusCode, res.body).toBe(200);
      return res.json();
    };

    const everything = await get('?after=&before=&sortOrder=&maxResults=');
    expect(label(everything)).toEqual(['member-join', 'member-join', 'one', 'two', 'three']);
    expect(everything.pageSize).toBe(100);
    expect(everything.next).toBeUndefined();

    const first = await get('?maxResults=2');
    expect(label(first)).toEqual(['member-join', 'member-join']);
    expect(first.previousPage).toBeUndefined();
    const second = await get(first.next.slice(`${GUEST_BASE}/${chat.id}/messages`.length));
    expect(label(second)).toEqual(['one', 'two']);
    expect(second.previousPage).toContain(`before=${second.entities[0].id}`);
    const third = await get(second.next.slice(`${GUEST_BASE}/${chat.id}/messages`.length));
    expect(label(third)).toEqual(['three']);
    expect(third.next).toBeUndefined();

    const newest = await get('?sortOrder=descending&maxResults=2');
    expect(label(newest)).toEqual(['three', 'two']);
    expect(newest.next).toContain(`before=${newest.entities[1].id}`);
    const older = await get(`?sortOrder=DESCENDING&maxResults=2&before=${newest.entities[1].id}`);
    expect(label(older)).toEqual(['one', 'member-join']);

    const one = everything.entities[2];
    expect((await call(emulator, chat, 'GET', `/messages/${one.id}`)).json()).toEqual(one);
    const join = everything.entities[1];
    expect((await call(emulator, chat, 'GET', `/messages/${join.id}`)).json()).toMatchObject({
      bodyType: 'member-join',
      sender: { id: leg.communicationId },
    });
    expectApiError(await call(emulator, chat, 'GET', '/messages/no-such-message'), 404, 'not.found');
    expectApiError(await call(emulator, chat, 'GET', '/messages?after=no-such-message'), 400, 'bad.request');
    expectApiError(await call(emulator, chat, 'GET', '/messages?maxResults=101'), 400, 'bad.request');
    expectApiError(await call(emulator, chat, 'GET', '/messages?sortOrder=sideways'), 400, 'bad.request');
  });
});

describe('guest JWTs on every call', () => {
  it('refuse a missing, malformed, foreign or expired token, and a token for another conversation or member', async () => {
    const emulator = await whiteBoxEmulator();
    const other = await startEmulator();
    const { chat, leg } = await answeredChat(emulator);
    const second = await createChat(emulator);
    const foreign = await createChat(other);
    const me = `/members/${chat.member.id}`;
    const as = (
      authorization: string | undefined,
      method: 'GET' | 'POST' | 'DELETE',
      path: string,
      payload?: unknown,
    ) =>
      guestRequest(emulator, {
        method,
        url: `${GUEST_BASE}/${chat.id}${path}`,
        headers: authorization === undefined ? {} : { authorization },
        ...(payload === undefined ? {} : { payload: payload as Record<string, unknown> }),
      });
    const mark = stateMark(emulator);
    const send = { body: 'hello' };

    expectApiError(await as(undefined, 'POST', `${me}/messages`, send), 401, 'authentication.required');
    expectApiError(await as('[REDACTED]', 'POST', `${me}/messages`, send), 401, 'authentication.required');
    expectApiError(await as(`Basic ${chat.jwt}`, 'GET', '/members'), 401, 'authentication.required');
    expectApiError(await as('Bearer not.a.jwt', 'GET', '/members'), 401, 'bad.credentials');
    // Signed by another emulator's key: same shape, same claims format, not ours.
    const forged = `Bearer ${foreign.jwt}`;
    expectApiError(await as(forged, 'GET', '/members'), 401, 'bad.credentials');
    const tampered = `${chat.jwt.slice(0, -4)}${chat.jwt.slice(-4) === 'AAAA' ? 'BBBB' : 'AAAA'}`;
    expectApiError(await as(`Bearer ${tampered}`, 'GET', '/members'), 401, 'bad.credentials');

    // Valid tokens, wrong resource: the other chat's guest token, or posting as the agent's member.
    const otherChat = `Bearer ${second.jwt}`;
    expectApiError(await as(otherChat, 'POST', `${me}/messages`, send), 403, 'not.authorized');
    expectApiError(await as(otherChat, 'GET', '/messages'), 403, 'not.authorized');
    expectApiError(await as(otherChat, 'DELETE', me), 403, 'not.authorized');
    const asAgent = `/members/${leg.communicationId}`;
    expectApiError(
      await as(`bearer ${chat.jwt}`, 'POST', `${asAgent}/messages`, send),
      403,
      'not.authorized',
    );
    expectApiError(await as(`bearer ${chat.jwt}`, 'POST', `${asAgent}/typing`), 403, 'not.authorized');
    expectApiError(await as(`bearer ${chat.jwt}`, 'DELETE', asAgent), 403, 'not.authorized');
    mark.expectUnchanged();

    emulator.clock.advance(24 * 3600 * 1000);
    expectApiError(await as(`Bearer ${chat.jwt}`, 'GET', '/members'), 401, 'credentials.expired');
  });
});
