import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { expectApiError } from '../support/api.ts';
import { type EmulatorDoors, startEmulator, type TestEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import { createChat, GUEST_BASE, guestRequest } from '../support/webchat.ts';
import { Guest, type GuestFrame, nextTracingId, type Wire } from '../support/webmessaging.ts';

/**
 * The edges of the guest surfaces that a Messenger SDK or a bot bridge runs into: which client frames
 * the Web Messaging socket refuses and how (guest-protocols.md §2.3, §2.6), the onMessage rules (§2.4),
 * the session actions' replies (§2.4, §2.10), and the bearer checks of the history endpoint (§2.8) and
 * of the WebChat guest API (§1.2, §1.8). Every assertion reads the wire: frames, HTTP status, error body.
 */

async function configuredGuest(
  emulator: EmulatorDoors,
  options: { deploymentId?: string; token?: string } = {},
) {
  const guest = await Guest.connect(emulator, options.token ?? randomUUID(), options);
  expect((await guest.configure()).code).toBe(200);
  return guest;
}

const errorFrame = (f: GuestFrame) => f.type === 'response' && f.class === 'string';

function conversationsCreated(emulator: TestEmulator): number {
  return emulator.events.ofType('conversation.created').length;
}

/** The guest's own message comes back as an Inbound StructuredMessage with the request's tracingId (§2.5). */
function expectEcho(reply: GuestFrame) {
  expect(reply, JSON.stringify(reply)).toMatchObject({
    type: 'message',
    class: 'StructuredMessage',
    code: 200,
    body: { direction: 'Inbound' },
  });
}

const onMessage = (message: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  action: 'onMessage',
  message,
  ...extra,
});
const events = (...list: Record<string, unknown>[]) => onMessage({ type: 'Event', events: list });
const TYPING = { eventType: 'Typing', typing: { type: 'On' } };
const JOIN = { eventType: 'Presence', presence: { type: 'Join' } };
const CLEAR = { eventType: 'Presence', presence: { type: 'Clear' } };

describe('Web Messaging: frames the guest socket refuses (§2.3, §2.6)', () => {
  it('answers each malformed frame with a class "string" error: 4020 names the missing parameter, 400 the bad one', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    const token = guest.token;
    const deploymentId = guest.deploymentId;

    // [what, frame (raw text or object), code, text the body must contain]
    const cases: [string, string | Record<string, unknown>, number, string][] = [
      ['not JSON', '{"action":', 400, 'JSON'],
      ['a number', '5', 400, 'object'],
      ['null', 'null', 400, 'object'],
      ['a string', '"configureSession"', 400, 'object'],
      ['no action', { token }, 4020, 'action'],
      ['an unknown action', { action: 'fly', token }, 400, 'fly'],
      ['no token', onMessage({ type: 'Text', text: 'x' }), 4020, 'token'],
      // A client that lost its token sends "": as missing as an absent key (client-frames.ts).
      ['an empty token', { ...onMessage({ type: 'Text', text: 'x' }), token: '' }, 4020, 'token'],
      ['no message type', { ...onMessage({ text: 'x' }), token }, 4020, 'message.type'],
      [
        'a non-boolean startNew',
        { action: 'configureSession', token, deploymentId, startNew: 'yes' },
        400,
        'startNew',
      ],
    ];
    for (const [what, frame, code, mentions] of cases) {
      let reply: GuestFrame;
      if (typeof frame === 'string') {
        guest.sendRaw(frame);
        reply = await guest.next(errorFrame, what);
        expect(reply.tracingId, what).toBeUndefined();
      } else {
        const tracingId = nextTracingId('bad');
        guest.send({ ...frame, tracingId });
        reply = await guest.reply(tracingId);
      }
      expect(reply, what).toMatchObject({ type: 'response', class: 'string', code });
      // The reference's text for 400/4020 failures starts "Request failed." [M1 fixtures].
      expect(reply.body, what).toMatch(/^Request failed\. \S/);
      expect(reply.body, what).toContain(mentions);
    }
    expect((await guest.say('still served')).code).toBe(200);
  });

  it('echoes a readable tracingId (a string of at most 1,024 characters) even on a refusal, and no other', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    const longest = 't'.repeat(1024);
    guest.send({ action: 'fly', token: guest.token, tracingId: longest });
    expect(await guest.next(errorFrame, 'the 1,024-character reply')).toMatchObject({
      code: 400,
      tracingId: longest,
    });

    for (const unreadable of ['t'.repeat(1025), 7]) {
      guest.send({ action: 'fly', token: guest.token, tracingId: unreadable });
      const reply = await guest.next(errorFrame, `the reply to tracingId ${String(unreadable).length}`);
      expect(reply.code).toBe(400);
      expect(reply.tracingId).toBeUndefined();
    }
  });
});

describe('Web Messaging onMessage rules (§2.4, §2.6)', () => {
  it('text: up to 4,000 characters, else 4011; a ButtonResponse stands in for missing text; attachments are 4000', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    const button = (text?: string, payload?: string) => ({
      contentType: 'ButtonResponse',
      buttonResponse: {
        ...(text === undefined ? {} : { text }),
        ...(payload === undefined ? {} : { payload }),
        type: 'QuickReply',
      },
    });
    const accepted: [string, Record<string, unknown>, string][] = [
      ['4,000 characters', { type: 'Text', text: 'x'.repeat(4000) }, 'x'.repeat(4000)],
      // "The text the agent sees: the message text, else a button response's text or payload" (on-message.ts).
      ['text and a button', { type: 'Structured', text: 'typed', content: [button('Yes')] }, 'typed'],
      ['empty text and a button', { type: 'Structured', text: '', content: [button('Yes')] }, 'Yes'],
      ['a payload-only button', { type: 'Text', content: [button(undefined, 'PAYLOAD_NO')] }, 'PAYLOAD_NO'],
    ];
    for (const [what, message, text] of accepted) {
      await emulator.clock.advance(1000); // clear of the 2-per-second limit
      const reply = await guest.request(onMessage(message));
      expectEcho(reply);
      expect(reply.body.text, what).toBe(text);
    }

    const refused: [string, Record<string, unknown>, number][] = [
      ['4,001 characters', { type: 'Text', text: 'x'.repeat(4001) }, 4011],
      ['no text and no content', { type: 'Text' }, 400],
      ['Structured with empty content', { type: 'Structured', content: [] }, 400],
      [
        'a button and an attachment',
        {
          type: 'Text',
          text: 'x',
          content: [button('Yes'), { contentType: 'Attachment', attachment: { id: 'a' } }],
        },
        4000,
      ],
    ];
    for (const [what, message, code] of refused) {
      await emulator.clock.advance(1000);
      expect(await guest.request(onMessage(message)), what).toMatchObject({
        type: 'response',
        class: 'string',
        code,
      });
    }
  });

  it('custom attributes at either location, or none: the echo carries exactly what the guest sent (§2.7)', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);

    const plain = await guest.say('no attributes');
    expectEcho(plain);
    expect(plain.body.channel.metadata).toBeUndefined();

    await emulator.clock.advance(1000);
    const withAttributes = await guest.say('with attributes', { QueueName: 'General' });
    expect(withAttributes.body.channel.metadata).toEqual({ customAttributes: { QueueName: 'General' } });

    // A later message without attributes, and empty channel objects at both locations, are fine.
    await emulator.clock.advance(1000);
    expectEcho(await guest.say('again without'));
    await emulator.clock.advance(1000);
    const empty = await guest.request(
      onMessage({ type: 'Text', text: 'empty channels', channel: {} }, { channel: {} }),
    );
    expectEcho(empty);
    expect(empty.body.channel.metadata).toBeUndefined();
    expect(conversationsCreated(emulator)).toBe(1);
  });

  it('events: Typing and Join each echo before any conversation; Join on an open one starts none', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);

    const typing = await guest.request(events(TYPING));
    expect(typing).toMatchObject({
      type: 'message',
      class: 'StructuredMessage',
      body: { type: 'Event', direction: 'Inbound', events: [TYPING] },
    });
    expect(conversationsCreated(emulator)).toBe(0);

    // Every event of a frame is handled, in order: here Typing, then a Join that starts the conversation.
    await emulator.clock.advance(1000);
    const tracingId = nextTracingId('events');
    guest.send({ ...events(TYPING, JOIN), token: guest.token, tracingId });
    const isEcho = (eventType: string) => (f: GuestFrame) =>
      f.tracingId === tracingId && f.body?.events?.[0]?.eventType === eventType;
    await guest.next(isEcho('Typing'), 'the Typing echo');
    expect(await guest.next(isEcho('Presence'), 'the Join echo')).toMatchObject({
      type: 'message',
      class: 'StructuredMessage',
      body: { type: 'Event', direction: 'Inbound', events: [JOIN] },
    });
    expect(conversationsCreated(emulator)).toBe(1);

    await emulator.clock.advance(1000);
    const again = await guest.request(events(JOIN));
    expect(again.body.events).toEqual([JOIN]);
    expect(conversationsCreated(emulator)).toBe(1);
  });

  it('Presence Clear ends the frame: events after it are ignored; the next message starts a fresh transcript', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    expectEcho(await guest.say('before the clear', { QueueName: 'General' }));
    await emulator.clock.advance(1000);

    guest.send({ ...events(CLEAR, JOIN), token: guest.token, tracingId: nextTracingId('clear') });
    await guest.next((f) => f.class === 'SessionClearedEvent', 'SessionClearedEvent');
    // The echo's reply comes after anything the Clear frame caused, on the same socket.
    expect((await guest.request({ action: 'echo' })).code).toBe(200);
    expect(
      guest.frames.filter((f) => f.body?.events?.some((e: Wire) => e.presence?.type === 'Join')),
    ).toEqual([]);
    expect(conversationsCreated(emulator)).toBe(1);

    await emulator.clock.advance(1000);
    expectEcho(await guest.say('after the clear'));
    expect(conversationsCreated(emulator)).toBe(2);
    const { jwt } = await guest.jwt();
    const res = await emulator.inject({
      method: 'GET',
      url: '/api/v2/webmessaging/messages',
      headers: { authorization: `bearer ${jwt}` },
    });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json().entities.map((m: Wire) => m.text)).toEqual(['after the clear']);
  });

  it('a conversation at the message cap refuses more text (400) but still takes Typing', async () => {
    const emulator = await startEmulator({ fidelity: { maxMessagesPerConversation: 2 } });
    const guest = await configuredGuest(emulator);
    expectEcho(await guest.say('one'));
    await emulator.clock.advance(1000);
    expectEcho(await guest.say('two'));
    await emulator.clock.advance(1000);
    const full = await guest.say('three');
    expect(full).toMatchObject({ type: 'response', class: 'string', code: 400 });
    expect(full.body).toContain('maximum of 2 messages');
    await emulator.clock.advance(1000);
    expect(await guest.request(events(TYPING))).toMatchObject({ class: 'StructuredMessage', code: 200 });
  });
});

const HANG_UP_FLOW = stringify({
  inboundShortMessage: {
    name: 'Hang Up Flow',
    startUpRef: './states/state[Start_1]',
    defaultLanguage: 'en-us',
    settingsErrorHandling: { errorHandling: { disconnect: { none: true } } },
    states: [{ state: { name: 'Start', refId: 'Start_1', actions: [{ disconnect: { name: 'Hang up' } }] } }],
  },
});

describe('Web Messaging: a ReadOnly session (§2.10)', () => {
  it('takes a frame of Clear events only: one that also carries Typing is refused with 409', async () => {
    const deploymentId = 'read-only-deployment';
    const emulator = await startEmulator({
      fixture: withMessengerFlow(HANG_UP_FLOW, {
        flowName: 'Hang Up Flow',
        deploymentId,
        deployment: { conversationDisconnect: { enabled: true, type: 'ReadOnly' } },
      }),
    });
    const guest = await configuredGuest(emulator, { deploymentId });
    expectEcho(await guest.say('hello'));
    await guest.outboundEvent('Presence');
    await emulator.clock.advance(1000);
    expect(await guest.request(events(TYPING, CLEAR))).toMatchObject({ class: 'string', code: 409 });
    expect(await guest.request(events(CLEAR, TYPING))).toMatchObject({ class: 'string', code: 409 });
    guest.send({ ...events(CLEAR, CLEAR), token: guest.token });
    await guest.next((f) => f.class === 'SessionClearedEvent', 'SessionClearedEvent');
  });
});

describe('Web Messaging session actions (§2.4, §2.10)', () => {
  it('startNew on a live session closes its other sockets; closeSession without closeAllConnections closes none', async () => {
    const emulator = await startEmulator();
    const token = randomUUID();
    const first = await configuredGuest(emulator, { token });
    const second = await configuredGuest(emulator, { token });

    const left = await first.request({ action: 'closeSession' });
    expect(left).toMatchObject({ class: 'SessionResponse', body: { connected: false, readOnly: false } });
    expect((await second.request({ action: 'echo' })).code).toBe(200);

    const third = await configuredGuest(emulator, { token });
    const fresh = await third.configure({ startNew: true });
    expect(fresh.body).toMatchObject({ connected: true, newSession: true });
    expect(
      await second.next((f) => f.class === 'ConnectionClosedEvent', 'ConnectionClosedEvent'),
    ).toMatchObject({
      type: 'message',
      code: 200,
    });
    expect((await second.closed).code).toBe(1000);
    expect((await third.request({ action: 'echo' })).code).toBe(200);
  });

  it('startNew while a conversation is open ends it as the customer leaving, not as an expired session', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    expectEcho(await guest.request({ action: 'onMessage', message: { type: 'Text', text: 'hello' } }));
    expect(conversationsCreated(emulator)).toBe(1);
    expect((await guest.configure({ startNew: true })).body).toMatchObject({ newSession: true });
    expect(emulator.events.ofType('conversation.ended').map((e) => e.data)).toEqual([
      { reason: 'customer left' },
    ]);
  });

  it('echo returns the text sent, "ping" without one, as an Inbound StructuredMessage response', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    for (const [frame, text] of [
      [{ action: 'echo', message: { type: 'Text', text: 'hello' } }, 'hello'],
      [{ action: 'echo' }, 'ping'],
    ] as const) {
      expect(await guest.request(frame)).toMatchObject({
        type: 'response',
        class: 'StructuredMessage',
        code: 200,
        body: { type: 'Text', direction: 'Inbound', text },
      });
    }
  });

  it("getConfiguration: the deployment's supported-content view; another deploymentId is 403", async () => {
    const emulator = await startEmulator();
    const guest = await Guest.connect(emulator, randomUUID());
    const view = {
      allowedMedia: {},
      blockedExtensions: [],
      maxCustomDataBytes: 2048,
      messageRoutingEnabled: true,
      sessionDurationSeconds: 259_200,
    };
    for (const extra of [{}, { deploymentId: guest.deploymentId }]) {
      expect(await guest.request({ action: 'getConfiguration', ...extra })).toMatchObject({
        type: 'response',
        class: 'GetConfigurationResponse',
        code: 200,
        body: view,
      });
    }
    expect(
      await guest.request({ action: 'getConfiguration', deploymentId: 'another-deployment' }),
    ).toMatchObject({
      class: 'string',
      code: 403,
    });
  });

  it('an expired session is 4006 (not 4007) to a socket that names its token', async () => {
    const emulator = await startEmulator();
    const token = randomUUID();
    const guest = await configuredGuest(emulator, { token });
    await emulator.clock.advance(259_200_000); // the default 72 h session duration
    await guest.next((f) => f.class === 'SessionExpiredEvent', 'SessionExpiredEvent');
    await guest.closed;
    const again = await Guest.connect(emulator, token);
    expect(await again.say('anyone?')).toMatchObject({ class: 'string', code: 4006 });
    expect(await again.request({ action: 'getJwt' })).toMatchObject({ class: 'string', code: 4006 });
  });
});

describe('guest bearer checks', () => {
  it('history: no Authorization, or a scheme other than bearer, is 401 authentication.required (§2.8)', async () => {
    const emulator = await startEmulator();
    const guest = await configuredGuest(emulator);
    const { jwt } = await guest.jwt();
    const get = (authorization?: string) =>
      emulator.inject({
        method: 'GET',
        url: '/api/v2/webmessaging/messages',
        headers: authorization === undefined ? {} : { authorization },
      });
    expectApiError(await get(), 401, 'authentication.required');
    expectApiError(await get(`Token bearer ${jwt}`), 401, 'authentication.required');
    expect((await get(`BEARER ${jwt}`)).statusCode).toBe(200);
  });

  it('WebChat: "Bearer <jwt>" in any case and spacing; another scheme is authentication.required (§1.2)', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    const members = (authorization: string) =>
      guestRequest(emulator, {
        method: 'GET',
        url: `${GUEST_BASE}/${chat.id}/members`,
        headers: { authorization },
      });
    for (const accepted of [`bearer ${chat.jwt}`, `Bearer  ${chat.jwt}`, `Bearer ${chat.jwt} `]) {
      const res = await members(accepted);
      expect(res.statusCode, `${JSON.stringify(accepted.slice(0, 8))}: ${res.body}`).toBe(200);
    }
    expectApiError(await members(`Token Bearer ${chat.jwt}`), 401, 'authentication.required');
  });

  it('WebChat: a token first used after its exp is credentials.expired, not bad.credentials (§1.8)', async () => {
    const emulator = await startEmulator();
    const chat = await createChat(emulator);
    await emulator.clock.advance(24 * 3600 * 1000);
    const res = await guestRequest(emulator, {
      method: 'GET',
      url: `${GUEST_BASE}/${chat.id}/members`,
      headers: { authorization: `Bearer ${chat.jwt}` },
    });
    expectApiError(res, 401, 'credentials.expired');
  });
});
