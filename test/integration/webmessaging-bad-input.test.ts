import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultFixture, type FixtureInput } from '../../emulator/index.ts';
import { type EmulatorDoors, startEmulator } from '../support/emulators.ts';
import { openSocket } from '../support/frames.ts';
import { Guest, type GuestFrame, nextTracingId, socketUrl, type Wire } from '../support/webmessaging.ts';
import { type WhiteBoxEmulator, whiteBoxEmulator } from '../support/white-box.ts';

/** The default org plus a restricted, an inactive and a second deployment. */
function fixtureWithDeployments() {
  const fx = structuredClone(defaultFixture()) as unknown as {
    deployments: { messenger: Record<string, unknown>[] };
  };
  const base = fx.deployments.messenger[0]!;
  fx.deployments.messenger.push(
    { ...base, id: 'shop-only', allowAllDomains: false, allowedDomains: ['shop.example', '*.brand.example'] },
    { ...base, id: 'switched-off', status: 'Inactive' },
    { ...base, id: 'second-brand' },
  );
  return fx as unknown as FixtureInput;
}

/**
 * What a refused frame must leave alone: no domain event (so no conversation, message or attribute
 * change) and the same session record (readOnly, expiry, rate limiter, conversations). White-box: the
 * session record is the surface's own table, which no public door shows byte for byte.
 */
function snapshot(emulator: WhiteBoxEmulator, token: string) {
  const session = emulator.runtime.store.table<unknown>('webmessaging.sessions').get(token);
  return { lastSeq: emulator.runtime.events.lastSeq, session: JSON.stringify(session) };
}

async function configuredGuest(emulator: EmulatorDoors, options: { deploymentId?: string } = {}) {
  const guest = await Guest.connect(emulator, randomUUID(), options);
  expect((await guest.configure()).code).toBe(200);
  return guest;
}

const isError = (f: GuestFrame) => f.type === 'response' && (f.class === 'string' || f.code !== 200);

describe('Web Messaging guest API: bad input gets the documented refusal and changes nothing', () => {
  it('answers bad frames with error frames that carry the tracingId, leaving the session as it was', async () => {
    const emulator = await whiteBoxEmulator({ fixture: fixtureWithDeployments() });
    const guest = await configuredGuest(emulator);
    expect((await guest.say('a conversation to protect', { QueueName: 'General' })).code).toBe(200);
    emulator.clock.advance(1000);
    const token = guest.token;
    const before = snapshot(emulator, token);

    const cases: [string, Record<string, unknown> | string, number][] = [
      ['unknown action', { action: 'fly', token }, 400],
      ['malformed JSON', '{"action":"onMessage",', 400],
      ['not an object', '[1,2,3]', 400],
      ['missing token', { action: 'onMessage', message: { type: 'Text', text: 'x' } }, 4020],
      ['missing message', { action: 'onMessage', token }, 4020],
      ['unknown message type', { action: 'onMessage', token, message: { type: 'Fax', text: 'x' } }, 400],
      [
        'typing Off from a guest',
        {
          action: 'onMessage',
          token,
          message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'Off' } }] },
        },
        400,
      ],
      ['empty text', { action: 'onMessage', token, message: { type: 'Text', text: '' } }, 400],
      [
        'text too long',
        { action: 'onMessage', token, message: { type: 'Text', text: 'x'.repeat(4001) } },
        4011,
      ],
      [
        'custom attributes over 2048 bytes',
        {
          action: 'onMessage',
          token,
          message: {
            type: 'Text',
            text: 'x',
            channel: {
              metadata: { customAttributes: { QueueName: 'Shoes Support', blob: 'é'.repeat(1020) } },
            },
          },
        },
        4013,
      ],
      [
        'oversize attributes at the legacy location',
        {
          action: 'onMessage',
          token,
          channel: { metadata: { customAttributes: { blob: 'y'.repeat(2045) } } },
          message: { type: 'Text', text: 'x' },
        },
        4013,
      ],
      [
        'non-string attribute values',
        {
          action: 'onMessage',
          token,
          message: { type: 'Text', text: 'x', channel: { metadata: { customAttributes: { n: 1 } } } },
        },
        400,
      ],
      [
        'a token this socket never configured',
        { action: 'onMessage', token: randomUUID(), message: { type: 'Text', text: 'x' } },
        4007,
      ],
      [
        'configure for another deployment',
        { action: 'configureSession', token, deploymentId: 'second-brand' },
        403,
      ],
      ['attachments', { action: 'onAttachment', token }, 4000],
      ['authenticated sessions', { action: 'configureAuthenticatedSession', token }, 4000],
      [
        'attachment content',
        {
          action: 'onMessage',
          token,
          message: {
            type: 'Text',
            text: 'x',
            content: [{ contentType: 'Attachment', attachment: { id: 'a' } }],
          },
        },
        4000,
      ],
    ];
    for (const [name, frame, code] of cases) {
      const tracingId = nextTracingId('bad');
      if (typeof frame === 'string') guest.sendRaw(frame);
      else guest.send({ ...frame, tracingId });
      const reply =
        typeof frame === 'string'
          ? await guest.next((f) => f.type === 'response' && f.class === 'string', name)
          : await guest.reply(tracingId);
      expect(reply, name).toMatchObject({ type: 'response', class: 'string', code });
      expect(typeof reply.body, name).toBe('string');
      expect(snapshot(emulator, token), name).toEqual(before);
    }
    expect((await guest.say('still works')).code).toBe(200);
    await guest.close();
  });

  it('refuses a token that belongs to another deployment', async () => {
    const emulator = await whiteBoxEmulator({ fixture: fixtureWithDeployments() });
    const guest = await configuredGuest(emulator);
    const before = snapshot(emulator, guest.token);
    const other = await Guest.connect(emulator, guest.token, { deploymentId: 'second-brand' });
    expect(await other.configure()).toMatchObject({ type: 'response', class: 'string', code: 403 });
    expect(snapshot(emulator, guest.token)).toEqual(before);
    await other.close();
    await guest.close();
  });

  it('limits onMessage to 2 per second per session on the emulator clock (429, errorCode 4029, retryAfter)', async () => {
    const emulator = await whiteBoxEmulator();
    const guest = await configuredGuest(emulator);
    expect((await guest.say('one')).code).toBe(200);
    expect((await guest.typing()).code).toBe(200); // typing is an onMessage too
    const before = snapshot(emulator, guest.token);
    const limited = await guest.say('three');
    expect(limited).toMatchObject({
      type: 'response',
      class: 'TooManyRequestsErrorMessage',
      code: 429,
      body: { retryAfter: 1, errorCode: 4029, errorMessage: 'Message rate too high for this session' },
    });
    expect(limited.tracingId).toMatch(/^onMessage-/);
    expect(snapshot(emulator, guest.token)).toEqual(before);

    emulator.clock.advance(999);
    expect((await guest.say('still too soon')).code).toBe(429);
    emulator.clock.advance(1);
    expect((await guest.say('three, a second later')).code).toBe(200);
    // A sliding second: the t0 messages are out of the window now, so one more fits, then none.
    expect((await guest.say('four')).code).toBe(200);
    expect((await guest.say('five')).code).toBe(429);
    emulator.clock.advance(1000);
    expect((await guest.say('five, later')).code).toBe(200);
    const texts = emulator.runtime.events
      .list({ types: ['message.sent'] })
      .map((e) => (e.data as { message: { text: string } }).message.text);
    expect(texts).toEqual(['one', 'three, a second later', 'four', 'five, later']);
    await guest.close();
  });

  it('closes the socket on an oversize frame (1009) without touching the session', async () => {
    const emulator = await whiteBoxEmulator();
    const guest = await configuredGuest(emulator);
    const before = snapshot(emulator, guest.token);
    guest.send({
      action: 'onMessage',
      token: guest.token,
      message: { type: 'Text', text: 'z'.repeat(200_000) },
    });
    expect((await guest.closed).code).toBe(1009);
    expect(snapshot(emulator, guest.token)).toEqual(before);
    const back = await Guest.connect(emulator, guest.token);
    expect((await back.configure()).body).toMatchObject({ connected: true, newSession: false });
    await back.close();
  });

  it('refuses the upgrade with 403 for unknown or inactive deployments and foreign origins', async () => {
    const emulator = await startEmulator({ fixture: fixtureWithDeployments() });
    const refused = async (deploymentId: string, origin?: string) => {
      const error = await openSocket(
        socketUrl(emulator, deploymentId),
        origin ? { Origin: origin } : undefined,
      ).then(
        (socket) => {
          socket.close();
          return undefined;
        },
        (e: Error) => e,
      );
      return error?.message;
    };
    expect(await refused('no-such-deployment')).toMatch(/403/);
    expect(await refused('switched-off')).toMatch(/403/);
    expect(await refused('shop-only', 'https://evil.example')).toMatch(/403/);
    expect(await refused('shop-only', 'null')).toMatch(/403/);
    // Listed domains, subdomains of a wildcard entry, and clients without an Origin get through.
    expect(await refused('shop-only', 'https://shop.example')).toBeUndefined();
    expect(await refused('shop-only', 'https://eu.brand.example')).toBeUndefined();
    expect(await refused('shop-only')).toBeUndefined();
    expect(await refused('shop-only', `127.0.0.1:${emulator.port}`)).toBeUndefined(); // Android SDK style

    const plain = await fetch(`${emulator.url}/v1?deploymentId=shop-only`);
    expect(plain.status).toBe(400);
    expect(((await plain.json()) as Wire).code).toBe('bad.request');
  });

  it('property: random frames never crash the socket, always get well-formed frames, and refused ones change nothing', async () => {
    const emulator = await whiteBoxEmulator();
    const guest = await configuredGuest(emulator);
    const token = guest.token;
    const deploymentId = guest.deploymentId;
    const actions = [
      'configureSession',
      'onMessage',
      'onMessage',
      'onMessage',
      'echo',
      'getJwt',
      'closeSession',
      'getConfiguration',
      'onAttachment',
      'resumeToken',
    ];
    // Mostly plausible frames (known actions, the real token, near-valid messages) so the fuzz reaches
    // the handlers and not only the JSON parser; some pure noise as well.
    const often = <T>(likely: fc.Arbitrary<T>, ...rest: fc.Arbitrary<unknown>[]) =>
      fc.oneof(
        { weight: 15, arbitrary: likely as fc.Arbitrary<unknown> },
        ...rest.map((arbitrary) => ({ weight: 1, arbitrary })),
      );
    const attributesArb = fc.dictionary(
      fc.string({ maxLength: 8 }),
      often(fc.string({ maxLength: 30 }), fc.string({ minLength: 2100, maxLength: 2100 }), fc.integer()),
      { maxKeys: 3 },
    );
    const channelArb = fc.record({ metadata: fc.record({ customAttributes: attributesArb }) });
    const eventArb = fc.oneof(
      fc.record({
        eventType: fc.constant('Typing'),
        typing: fc.record({ type: fc.constantFrom('On', 'Off') }),
      }),
      fc.record({
        eventType: fc.constant('Presence'),
        presence: fc.record({ type: fc.constantFrom('Join', 'Clear', 'Disconnect', 'SignIn') }),
      }),
      fc.record({
        eventType: fc.constantFrom('CoBrowse', 'Reactions'),
        video: fc.jsonValue({ maxDepth: 1 }),
      }),
    );
    const messageArb = often(
      fc.oneof(
        fc.record(
          {
            type: fc.constantFrom('Text', 'Structured'),
            text: often(
              fc.string({ maxLength: 30 }),
              fc.constant(''),
              fc.integer(),
              fc.constant('x'.repeat(4001)),
            ),
            channel: channelArb,
            content: fc.array(
              fc.record({
                contentType: often(fc.constant('ButtonResponse'), fc.constantFrom('Attachment', 'Card')),
                buttonResponse: fc.record({
                  text: fc.string({ maxLength: 10 }),
                  payload: fc.string({ maxLength: 10 }),
                }),
              }),
              { maxLength: 1 },
            ),
            metadata: fc.dictionary(fc.string({ maxLength: 5 }), fc.string({ maxLength: 5 }), { maxKeys: 1 }),
          },
          { requiredKeys: ['type'] },
        ),
        fc.record(
          { type: fc.constant('Event'), events: fc.array(eventArb, { maxLength: 2 }), channel: channelArb },
          { requiredKeys: ['type'] },
        ),
      ),
      fc.jsonValue({ maxDepth: 3 }),
    );
    const plausibleFrame = fc.record(
      {
        action: often(fc.constantFrom(...actions), fc.string({ maxLength: 12 }), fc.integer()),
        token: often(fc.constant(token), fc.string({ maxLength: 12 }), fc.constant(''), fc.integer()),
        deploymentId: often(fc.constant(deploymentId), fc.string({ maxLength: 12 })),
        tracingId: often(fc.string({ maxLength: 12 }), fc.integer()),
        startNew: often(fc.boolean(), fc.string({ maxLength: 3 })),
        closeAllConnections: fc.boolean(),
        channel: channelArb,
        message: messageArb,
      },
      { requiredKeys: ['action', 'token'] },
    );
    const frameArb = fc.oneof(
      { weight: 1, arbitrary: fc.string({ maxLength: 80 }) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
      { weight: 8, arbitrary: plausibleFrame.map((v) => JSON.stringify(v)) },
    );

    let probes = 0;
    await fc.assert(
      fc.asyncProperty(frameArb, async (text) => {
        const before = snapshot(emulator, token);
        const from = guest.frames.length;
        guest.sendRaw(text);
        // Frames of one socket are handled in order, so the probe's reply means the random frame is done.
        const probe = `probe-${++probes}`;
        guest.send({ action: 'getConfiguration', token: 'probe', deploymentId, tracingId: probe });
        await guest.reply(probe);
        const replies = guest.frames.slice(from, -1);
        expect(replies.length, `no reply to ${text}`).toBeGreaterThan(0);
        for (const frame of replies) {
          expect(['response', 'message']).toContain(frame.type);
          expect(typeof frame.class).toBe('string');
          expect(Number.isInteger(frame.code)).toBe(true);
        }
        if (replies.length > 0 && replies.every(isError)) expect(snapshot(emulator, token)).toEqual(before);
        // Keep the session writable and under the rate limit for the next run.
        emulator.clock.advance(1000);
      }),
      { numRuns: 300 },
    );
    expect(guest.isOpen).toBe(true);
  });
});
