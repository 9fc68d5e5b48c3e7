import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../emulator/domain/clock.ts';
import { defaultFixture, type FixtureInput } from '../../emulator/index.ts';
import { ExpiryScheduler } from '../../emulator/surfaces/webmessaging/expiry-scheduler.ts';
import { sdkAgents } from '../support/agents.ts';
import { startEmulator } from '../support/emulators.ts';
import { fullHistory, Guest, history } from '../support/webmessaging.ts';
import { whiteBoxEmulator } from '../support/white-box.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

/** The default org with its Messenger deployment's guest session TTL set. */
function fixtureWithSessionDuration(seconds: number) {
  const fx = structuredClone(defaultFixture()) as unknown as {
    deployments: { messenger: Record<string, unknown>[] };
  };
  fx.deployments.messenger[0]!.sessionDurationSeconds = seconds;
  return fx as unknown as FixtureInput;
}

describe('Web Messaging guest sessions', () => {
  it('a guest who reconnects with its token resumes the same conversation, across an agent-to-agent transfer; history has every message once, newest first', async () => {
    const emulator = await startEmulator();
    const agents = await sdkAgents(emulator);
    cleanup = agents.closeAll;
    const alda = await agents.agent('Alda Moore');
    const mia = await agents.agent('Mia Welch');
    await alda.listen();
    await mia.listen();
    await alda.goOnQueue();

    const token = randomUUID();
    const guest = await Guest.connect(emulator, token);
    await guest.configure();
    await guest.say('hello, I need help', { QueueName: 'General' });
    const leg = await alda.alert();
    const cid = leg.conversationId;
    await alda.answer(cid, leg.participantId);
    await alda.send(cid, leg.communicationId, 'A1: hi there');
    await guest.outboundText('A1: hi there');

    // The guest goes away (page reload); the agent keeps writing.
    await guest.close();
    await alda.send(cid, leg.communicationId, 'A2: are you still there?');
    await alda.send(cid, leg.communicationId, 'A3: take your time');

    const back = await Guest.connect(emulator, token);
    const resumed = await back.configure();
    expect(resumed.body).toMatchObject({ connected: true, newSession: false, readOnly: false });
    await emulator.clock.advance(1000);
    expect((await back.say('back again')).code).toBe(200);
    await alda.send(cid, leg.communicationId, 'A4: welcome back');
    await back.outboundText('A4: welcome back');
    expect(emulator.events.ofType('conversation.created')).toHaveLength(1);
    expect(emulator.conversations.get(cid)!.messages.map((m) => m.text)).toContain('back again');

    // Agent-to-agent transfer: the guest's session and transcript carry over to Mia.
    await alda.transferToAgent(cid, leg.participantId, mia.user.id);
    const miaLeg = await mia.alert(cid);
    await mia.answer(cid, miaLeg.participantId);
    await mia.send(cid, miaLeg.communicationId, 'M1: Mia taking over');
    expect((await back.outboundText('M1: Mia taking over')).body.channel.from.nickname).toBe('Mia Welch');

    const { jwt } = await back.jwt();
    const onePage = await history(emulator, jwt);
    expect(onePage.status).toBe(200);
    expect(onePage.body).toMatchObject({ pageSize: 25, pageNumber: 1, total: 7, pageCount: 1 });
    const newestFirst = onePage.body.entities.map((m: { text: string }) => m.text);
    expect(newestFirst).toEqual([
      'M1: Mia taking over',
      'A4: welcome back',
      'back again',
      'A3: take your time',
      'A2: are you still there?',
      'A1: hi there',
      'hello, I need help',
    ]);
    const paged = await fullHistory(emulator, jwt, 4);
    expect(paged.map((m) => m.id)).toEqual(onePage.body.entities.map((m: { id: string }) => m.id));
    expect(new Set(paged.map((m) => m.id)).size).toBe(7);
    const page2 = await history(emulator, jwt, { pageNumber: 2, pageSize: 4 });
    expect(page2.body).toMatchObject({ pageNumber: 2, pageSize: 4, total: 7, pageCount: 2 });
    expect(page2.body.entities).toHaveLength(3);
    await back.close();
  });

  it('up to three sockets share a session, a fourth is refused, closeSession can close the others', async () => {
    const emulator = await startEmulator();
    const token = randomUUID();
    const tabs = await Promise.all([1, 2, 3].map(() => Guest.connect(emulator, token)));
    for (const tab of tabs) expect((await tab.configure()).body.connected).toBe(true);
    const [tab1, tab2, tab3] = tabs as [Guest, Guest, Guest];

    const echo = await tab1.say('from the first tab');
    for (const tab of [tab2, tab3]) {
      const seen = await tab.next((f) => f.tracingId === echo.tracingId, 'the echo on another tab');
      expect(seen.body.text).toBe('from the first tab');
    }

    const fourth = await Guest.connect(emulator, token);
    fourth.send({ action: 'configureSession', token, deploymentId: fourth.deploymentId, tracingId: 'four' });
    const refused = await fourth.next((f) => f.class === 'ConnectionClosedEvent', 'ConnectionClosedEvent');
    expect(refused).toMatchObject({ type: 'message', code: 200, body: {} });
    await fourth.closed;
    expect(fourth.frames.some((f) => f.class === 'SessionResponse')).toBe(false);
    expect(tabs.every((t) => t.isOpen)).toBe(true);

    const closed = await tab2.request({ action: 'closeSession', closeAllConnections: true });
    expect(closed.body).toMatchObject({ connected: false, readOnly: false });
    for (const tab of [tab1, tab3]) {
      await tab.next((f) => f.class === 'ConnectionClosedEvent', 'ConnectionClosedEvent');
      await tab.closed;
    }
    expect(tab2.isOpen).toBe(true);
    // tab2 left the session: its frames need a configure again, which resumes the same session.
    expect((await tab2.request({ action: 'echo' })).code).toBe(4007);
    expect((await tab2.configure()).body).toMatchObject({ connected: true, newSession: false });
    await tab2.close();
  });

  it('a session expires on the emulator clock after its duration of guest inactivity, with one shared timer', async () => {
    // White-box: "one shared timer" counts the clock's pending timers, which the handle does not show.
    const emulator = await whiteBoxEmulator({ fixture: fixtureWithSessionDuration(600) });
    const pendingBefore = emulator.clock.pending;
    const idle = await Promise.all([1, 2, 3, 4, 5].map(() => Guest.connect(emulator, randomUUID())));
    for (const g of idle) await g.configure();
    expect(emulator.clock.pending).toBeLessThanOrEqual(pendingBefore + 1);

    const token = randomUUID();
    const guest = await Guest.connect(emulator, token);
    const configured = await guest.configure();
    expect(configured.body.durationSeconds).toBe(600);
    await guest.say('hi', { QueueName: 'General' });
    const { jwt } = await guest.jwt();
    const cid = emulator.runtime.events.list({ types: ['conversation.created'] })[0]!.conversationId!;

    emulator.clock.advance(300_000);
    expect((await guest.say('still here')).code).toBe(200); // activity: 600 s from now again
    emulator.clock.advance(599_000);
    const health = await guest.request({ action: 'echo', message: { type: 'Text', text: 'ping' } });
    expect(health).toMatchObject({
      type: 'response',
      class: 'StructuredMessage',
      body: { text: 'ping', direction: 'Inbound', metadata: { durationSeconds: '600' } },
    });
    expect((health.body as { metadata: Record<string, string> }).metadata.customMessageId).toBe(
      health.tracingId,
    );
    // Without a tracingId the echo has neither the key nor a customMessageId (not even a null one).
    guest.send({ token, action: 'echo', message: { type: 'Text', text: 'untraced' } });
    const untraced = await guest.next(
      (f) => (f.body as { text?: string } | undefined)?.text === 'untraced',
      'the untraced echo',
    );
    expect('tracingId' in untraced).toBe(false);
    expect(Object.keys((untraced.body as { metadata: object }).metadata).sort()).toEqual([
      'durationSeconds',
      'expirationDate',
    ]);
    expect(guest.frames.some((f) => f.class === 'SessionExpiredEvent')).toBe(false);

    emulator.clock.advance(1000);
    const expired = await guest.next((f) => f.class === 'SessionExpiredEvent', 'SessionExpiredEvent');
    expect(expired).toMatchObject({ type: 'response', code: 200, body: {} });
    await guest.closed;
    expect(
      emulator.runtime.conversations.get(cid).participants.find((p) => p.purpose === 'customer'),
    ).toMatchObject({ state: 'disconnected', disconnectType: 'session.expired' });
    const afterExpiry = await history(emulator, jwt);
    expect(afterExpiry.status).toBe(401);

    const again = await Guest.connect(emulator, token);
    expect(await again.configure()).toMatchObject({ class: 'string', code: 4006 });
    const fresh = await again.configure({ startNew: true });
    expect(fresh.body).toMatchObject({ connected: true, newSession: true, readOnly: false });
    await again.close();
    for (const g of idle) await g.close();
  });

  it('the history endpoint needs a valid, unexpired guest JWT; getConfiguration needs no session', async () => {
    const emulator = await startEmulator();
    const guest = await Guest.connect(emulator, randomUUID());
    const configuration = await guest.request({
      action: 'getConfiguration',
      deploymentId: guest.deploymentId,
    });
    expect(configuration).toMatchObject({
      type: 'response',
      class: 'GetConfigurationResponse',
      body: { maxCustomDataBytes: 2048, messageRoutingEnabled: true },
    });
    await guest.configure();
    const { jwt, exp } = await guest.jwt();
    expect(exp).toBe(Math.floor(emulator.clock.now() / 1000) + 900);

    const empty = await history(emulator, jwt);
    expect(empty).toEqual({
      status: 200,
      body: { entities: [], pageSize: 25, pageNumber: 1, total: 0, pageCount: 0 },
    });
    const missing = await history(emulator, undefined);
    expect([missing.status, missing.body.code]).toEqual([401, 'authentication.required']);
    const garbage = await history(emulator, 'not-a-jwt');
    expect([garbage.status, garbage.body.code]).toEqual([401, 'bad.credentials']);
    const tampered = await history(emulator, `${jwt.slice(0, -2)}xx`);
    expect([tampered.status, tampered.body.code]).toEqual([401, 'bad.credentials']);
    const badPage = await history(emulator, jwt, { pageSize: 0 });
    expect([badPage.status, badPage.body.code]).toEqual([400, 'bad.request']);

    await emulator.clock.advance(900_000);
    const stale = await history(emulator, jwt);
    expect([stale.status, stale.body.code]).toEqual([401, 'credentials.expired']);
    await guest.close();
  });

  // White-box by purpose: a property of the surface's ExpiryScheduler itself, on a bare ManualClock.
  it('property: the shared expiry schedule fires each session once, at its latest expiry, on one timer', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('start' as const), ttl: fc.integer({ min: 1, max: 5000 }) }),
      fc.record({
        kind: fc.constant('touch' as const),
        which: fc.nat(),
        ttl: fc.integer({ min: 1, max: 5000 }),
      }),
      fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 3000 }) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const clock = new ManualClock(0);
        const expiresAt = new Map<string, number>();
        const fired = new Map<string, number[]>();
        const scheduler = new ExpiryScheduler(clock, (key, now) => {
          const due = expiresAt.get(key)!;
          if (due > now) return due;
          fired.set(key, [...(fired.get(key) ?? []), now]);
          return undefined;
        });
        const live = () => [...expiresAt.keys()].filter((k) => !fired.has(k));
        for (const o of ops) {
          if (o.kind === 'start') {
            const key = `s${expiresAt.size}`;
            expiresAt.set(key, clock.now() + o.ttl);
            scheduler.schedule(key, clock.now() + o.ttl);
          } else if (o.kind === 'touch') {
            const keys = live();
            if (keys.length > 0) {
              const key = keys[o.which % keys.length]!;
              // Activity only ever pushes the expiry later (now + duration).
              expiresAt.set(key, Math.max(expiresAt.get(key)!, clock.now() + o.ttl));
            }
          } else clock.advance(o.ms);
          expect(clock.pending).toBeLessThanOrEqual(1);
        }
        clock.advance(100_000);
        for (const [key, due] of expiresAt) expect(fired.get(key), key).toEqual([due]);
      }),
      { numRuns: 200 },
    );
  });
});
