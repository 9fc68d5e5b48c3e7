import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  type CreatedChat,
  createBody,
  createChat,
  GUEST_BASE,
  type GuestStream,
  guestRequest,
  is,
  openStream,
} from '../support/webchat.ts';
import { stateMark, type WhiteBoxEmulator, whiteBoxEmulator } from '../support/white-box.ts';

/**
 * Random bad input on the guest API, driven by fast-check: every request gets a 4xx Genesys ErrorBody
 * (never a 5xx or a crash), the right one where the answer is known, and a refused request changes
 * nothing. Random frames on the event stream are ignored and the stream keeps working. White-box:
 * "changes nothing" includes the surface's own table of chats (stateMark), which no public door shows.
 */

const NUM_RUNS = 150;
const BODY_TYPES = ['standard', 'notice', 'member-join', 'member-leave', 'media-request'];

type Response = Awaited<ReturnType<WhiteBoxEmulator['inject']>>;

let emulator: WhiteBoxEmulator;
let chat: CreatedChat;
let guest: GuestStream;

beforeAll(async () => {
  emulator = await whiteBoxEmulator();
  chat = await createChat(emulator);
  guest = await openStream(chat.eventStreamUri);
});

afterAll(async () => {
  guest.socket.close();
  await emulator.close();
});

function expectGenesysError(res: Response, context: string) {
  expect(res.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, context).toBeLessThan(500);
  expect(JSON.parse(res.body), context).toMatchObject({
    status: res.statusCode,
    code: expect.any(String),
    message: expect.any(String),
    contextId: res.headers['inin-correlation-id'],
  });
}

const text = fc.string({ unit: 'binary', maxLength: 60 });
const anyJson = fc.jsonValue({ maxDepth: 3 });
const malformedJson = fc
  .oneof(text, fc.constantFrom('{', '{"body": }', '[1,', '"', "{'body': 'x'}", '{"body": "x"'))
  .filter((s) => {
    try {
      JSON.parse(s);
      return false;
    } catch {
      return true;
    }
  });

/** A valid create body with one part replaced by something random (or left out). */
function mutatedCreateBody() {
  const valid = createBody(emulator);
  const memberInfo = valid.memberInfo as Record<string, unknown>;
  return fc.oneof(
    anyJson,
    fc
      .record({
        field: fc.constantFrom(...Object.keys(valid)),
        value: fc.option(anyJson, { nil: undefined }),
      })
      .map(({ field, value }) => ({ ...valid, [field]: value })),
    fc
      .record({
        field: fc.constantFrom('displayName', 'firstName', 'email', 'customFields'),
        value: fc.option(anyJson, { nil: undefined }),
      })
      .map(({ field, value }) => ({ ...valid, memberInfo: { ...memberInfo, [field]: value } })),
    fc
      .record({
        targetType: fc.option(anyJson),
        targetAddress: fc.option(anyJson),
        priority: fc.option(anyJson),
      })
      .map((routingTarget) => ({ ...valid, routingTarget })),
    fc
      .record({
        organizationId: fc.oneof(fc.constant(valid.organizationId), text),
        deploymentId: fc.oneof(fc.constant(valid.deploymentId), text),
        memberAuthToken: fc.option(text, { nil: undefined }),
      })
      .map((ids) => ({ ...valid, ...ids })),
  );
}

describe('random bad input on the guest API', () => {
  it('create: random and mutated bodies get 200 or a 4xx Genesys error; a refused create changes nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutatedCreateBody(), malformedJson), async (payload) => {
        const mark = stateMark(emulator);
        const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const res = await guestRequest(emulator, {
          method: 'POST',
          url: GUEST_BASE,
          headers: { 'content-type': 'application/json' },
          ...(body === undefined ? {} : { payload: body }),
        });
        const context = `${body?.slice(0, 300)} -> ${res.body.slice(0, 300)}`;
        if (res.statusCode === 200) {
          expect(res.json(), context).toMatchObject({ id: expect.any(String), jwt: expect.any(String) });
          return;
        }
        expectGenesysError(res, context);
        mark.expectUnchanged();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('send: a body is accepted exactly when it is 1-4,000 characters with a listed bodyType; else 400, nothing changes', async () => {
    const messageArb = fc.oneof(
      fc.record(
        {
          body: fc.oneof(
            fc.string({ unit: 'binary', maxLength: 30 }),
            fc.integer({ min: 3990, max: 4010 }).map((n) => 'é'.repeat(n)),
          ),
          bodyType: fc.oneof(
            fc.constantFrom(...BODY_TYPES, 'standard | notice', 'STANDARD', ''),
            fc.constant(null),
          ),
        },
        { requiredKeys: [] },
      ),
      anyJson,
      malformedJson,
    );
    const url = `${GUEST_BASE}/${chat.id}/members/${chat.member.id}/messages`;
    await fc.assert(
      fc.asyncProperty(messageArb, async (payload) => {
        const raw = typeof payload === 'string' ? payload : JSON.stringify(payload);
        const parsed =
          typeof payload === 'string' ? undefined : (payload as { body?: unknown; bodyType?: unknown });
        const valid =
          parsed !== null &&
          typeof parsed === 'object' &&
          !Array.isArray(parsed) &&
          typeof parsed.body === 'string' &&
          parsed.body.length >= 1 &&
          parsed.body.length <= 4000 &&
          (parsed.bodyType === undefined ||
            parsed.bodyType === null ||
            BODY_TYPES.includes(parsed.bodyType as string));
        const before = emulator.runtime.conversations.get(chat.id).messages.length;
        const mark = stateMark(emulator);
        const res = await guestRequest(emulator, {
          method: 'POST',
          url,
          headers: { authorization: `Bearer ${chat.jwt}`, 'content-type': 'application/json' },
          payload: raw ?? '',
        });
        const context = `${raw?.slice(0, 200)} -> ${res.body.slice(0, 300)}`;
        if (valid) {
          expect(res.statusCode, context).toBe(200);
          expect(emulator.runtime.conversations.get(chat.id).messages.length).toBe(before + 1);
          return;
        }
        expect(res.statusCode, context).toBe(400);
        expect(res.json().code, context).toBe('bad.request');
        mark.expectUnchanged();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('tokens: random Authorization headers and tampered JWTs get 401 on every endpoint, changing nothing', async () => {
    const base64url = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    // Any character of the JWT but the last of each segment (whose spare bits may not change the bytes).
    const tampered = fc
      .record({ at: fc.nat({ max: chat.jwt.length - 1 }), c: fc.constantFrom(...base64url) })
      .filter(({ at, c }) => {
        const lastOfSegment = at + 1 === chat.jwt.length || chat.jwt[at + 1] === '.';
        return chat.jwt[at] !== c && chat.jwt[at] !== '.' && !lastOfSegment;
      })
      .map(({ at, c }) => `Bearer ${chat.jwt.slice(0, at)}${c}${chat.jwt.slice(at + 1)}`);
    const authArb = fc.oneof(
      tampered,
      fc.string({ unit: fc.constantFrom(...base64url, '.'), maxLength: 80 }).map((t) => `Bearer ${t}`),
      fc.string({
        unit: fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
        maxLength: 60,
      }),
      fc.constantFrom('Bearer', 'Bearer ', '[REDACTED]', `Basic ${chat.jwt}`, `Bearer ${chat.jwt} extra`),
    );
    const me = `${GUEST_BASE}/${chat.id}/members/${chat.member.id}`;
    const endpoints = fc.constantFrom(
      { method: 'POST' as const, url: `${me}/messages`, payload: { body: 'hi' } },
      { method: 'POST' as const, url: `${me}/typing` },
      { method: 'DELETE' as const, url: me },
      { method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/members` },
      { method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/messages` },
    );
    await fc.assert(
      fc.asyncProperty(authArb, endpoints, async (authorization, endpoint) => {
        const mark = stateMark(emulator);
        const res = await guestRequest(emulator, { ...endpoint, headers: { authorization } });
        const context = `${endpoint.method} ${endpoint.url} ${authorization.slice(0, 120)} -> ${res.body}`;
        expect(res.statusCode, context).toBe(401);
        expect(['authentication.required', 'bad.credentials'], context).toContain(res.json().code);
        mark.expectUnchanged();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('paths and queries: random ids and paging values get 403, 404 or 400, never a 5xx', async () => {
    const id = fc.string({ unit: 'grapheme', minLength: 1, maxLength: 40 }).map(encodeURIComponent);
    const query = fc
      .array(
        fc.tuple(
          fc.constantFrom(
            'after',
            'before',
            'sortOrder',
            'maxResults',
            'pageSize',
            'pageNumber',
            'excludeDisconnectedMembers',
          ),
          fc.oneof(
            fc.constantFrom('', '0', '-1', '101', '1e3', 'true', 'descending'),
            fc.string({ maxLength: 20 }),
          ),
        ),
        { maxLength: 4 },
      )
      .map((pairs) => new URLSearchParams(pairs).toString());
    const requestArb = fc.oneof(
      id.map((x) => ({ method: 'GET' as const, url: `${GUEST_BASE}/${x}/members` })),
      id.map((x) => ({ method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/members/${x}` })),
      id.map((x) => ({ method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/messages/${x}` })),
      id.map((x) => ({
        method: 'POST' as const,
        url: `${GUEST_BASE}/${chat.id}/members/${x}/messages`,
        payload: { body: 'x' },
      })),
      id.map((x) => ({ method: 'DELETE' as const, url: `${GUEST_BASE}/${chat.id}/members/${x}` })),
      query.map((q) => ({ method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/messages?${q}` })),
      query.map((q) => ({ method: 'GET' as const, url: `${GUEST_BASE}/${chat.id}/members?${q}` })),
    );
    await fc.assert(
      fc.asyncProperty(requestArb, async (request) => {
        const mark = stateMark(emulator);
        const res = await guestRequest(emulator, {
          ...request,
          headers: { authorization: `Bearer ${chat.jwt}` },
        });
        const context = `${request.method} ${request.url} -> ${res.body.slice(0, 300)}`;
        expect(res.statusCode, context).toBeLessThan(500);
        if (res.statusCode !== 200) expectGenesysError(res, context);
        mark.expectUnchanged();
      }),
      { numRuns: NUM_RUNS },
    );
  });

  it('frames: random frames sent on the event stream are ignored; the stream and the chat carry on', async () => {
    const frameArb = fc.oneof(
      text,
      anyJson.map((v) => JSON.stringify(v)),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      fc.constantFrom('{"message":"pong"}', '{"topicName":"channel.metadata"}', '{"message":null}', ''),
    );
    // Echoes of the earlier sends may still be in flight: a first round trip flushes them.
    guest.socket.send(JSON.stringify({ message: 'ping' }));
    await guest.frames.next((f) => f.eventBody.message === 'pong', 'a first pong');
    await fc.assert(
      fc.asyncProperty(fc.array(frameArb, { minLength: 1, maxLength: 8 }), async (frames) => {
        const mark = stateMark(emulator);
        const seen = guest.frames.frames.length;
        for (const frame of frames) guest.socket.send(frame);
        guest.socket.send(JSON.stringify({ message: 'ping' }));
        await guest.frames.next((f) => f.eventBody.message === 'pong', 'the pong after the random frames');
        expect(guest.socket.readyState).toBe(WebSocket.OPEN);
        // Nothing but the pong came back.
        expect(guest.frames.frames.slice(seen).map((f) => f.eventBody.message)).toEqual(['pong']);
        mark.expectUnchanged();
      }),
      { numRuns: 60 },
    );
    const res = await guestRequest(emulator, {
      method: 'POST',
      url: `${GUEST_BASE}/${chat.id}/members/${chat.member.id}/messages`,
      headers: { authorization: `Bearer ${chat.jwt}` },
      payload: { body: 'still here' },
    });
    expect(res.statusCode, res.body).toBe(200);
    await guest.frames.next(is.text('still here'), 'the echo after the fuzzing');
  });
});
