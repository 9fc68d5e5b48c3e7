import net from 'node:net';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { startEmulator } from '../support/emulators.ts';
import { closeSocket, openSocket } from '../support/frames.ts';
import { createChat } from '../support/webchat.ts';
import { defaultDeploymentId, Guest, nextTracingId, socketUrl } from '../support/webmessaging.ts';
import { whiteBoxEmulator } from '../support/white-box.ts';

/**
 * `settle()` on a manual clock returns once what was started has landed: the emulator counts what it
 * has under way (requests, socket upgrades, guest frames), so a settle may end after one silent timer
 * turn, or after a few loop turns when nothing happened since the last one. What a caller sent just
 * before must still be handled by then, and nothing may stay counted as under way (every settle would
 * then wait out the long rule for held requests).
 */

describe('settle and what the emulator has under way', () => {
  it('a guest frame sent right after a quiet settle is answered before the next settle returns', async () => {
    const emulator = await startEmulator({ clock: 'manual' });
    const guest = await Guest.connect(emulator, crypto.randomUUID());
    await guest.configure();
    await emulator.settle();

    // getJwt signs on the thread pool, off the event loop; onMessage is answered on it.
    const jwt = nextTracingId('jwt');
    guest.send({ action: 'getJwt', token: guest.token, tracingId: jwt });
    await emulator.settle();
    expect(guest.frames.find((f) => f.tracingId === jwt)).toMatchObject({ class: 'JwtResponse', code: 200 });

    await emulator.settle();
    const said = nextTracingId('say');
    guest.send({
      action: 'onMessage',
      token: guest.token,
      tracingId: said,
      message: { type: 'Text', text: 'hi' },
    });
    await emulator.settle();
    expect(guest.frames.find((f) => f.tracingId === said)).toMatchObject({ class: 'StructuredMessage' });
    expect(emulator.conversations.list()).toHaveLength(1);
    await closeSocket(guest.socket);
  });

  it('a guest frame is under way from its arrival until it is answered', async () => {
    const emulator = await whiteBoxEmulator();
    const activity = emulator.runtime.activity;
    const guest = await Guest.connect(emulator, crypto.randomUUID());
    await guest.configure();
    await emulator.settle();
    const before = activity.count;

    // Looked at on every loop turn until the answer is in: getJwt waits for the thread pool meanwhile.
    const tracingId = nextTracingId('jwt');
    guest.send({ action: 'getJwt', token: guest.token, tracingId });
    const seen = new Set<number>();
    while (!guest.frames.some((f) => f.tracingId === tracingId)) {
      seen.add(activity.inFlight);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect([...seen].sort()).toEqual([0, 1]);
    expect(activity.inFlight).toBe(0);
    // Its arrival and its end both moved the count (nothing else happened).
    expect(activity.count - before).toBe(2);
    await closeSocket(guest.socket);
  });

  it('an HTTP request is under way from its arrival until it is answered, and counts twice', async () => {
    const emulator = await whiteBoxEmulator();
    const activity = emulator.runtime.activity;
    const path = '/api/v2/routing/queues';
    const add = await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { method: 'GET', path, delayMs: 1000 },
    });
    expect(add.statusCode, add.body).toBeLessThan(300);
    await emulator.settle();
    const before = activity.count;

    // Held on the emulator clock: under way until the clock moves.
    const answer = fetch(`${emulator.url}${path}`);
    while (activity.inFlight === 0) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(activity.inFlight).toBe(1);
    emulator.clock.advance(1000);
    expect((await answer).status).toBe(401); // no token: answered once it was let through
    await emulator.settle();
    expect(activity.inFlight).toBe(0);
    // Its start, the fault.injected event and its end.
    expect(activity.count - before).toBe(3);
  });

  it('what ends meanwhile leaves a held request under way', async () => {
    const emulator = await whiteBoxEmulator();
    const activity = emulator.runtime.activity;
    const guest = await Guest.connect(emulator, crypto.randomUUID());
    await guest.configure();
    const path = '/api/v2/routing/queues';
    await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { method: 'GET', path, delayMs: 1000 },
    });
    const held = fetch(`${emulator.url}${path}`);
    while (activity.inFlight === 0) await new Promise<void>((resolve) => setImmediate(resolve));

    await guest.say('while a request is held');
    expect((await fetch(`${emulator.url}/api/v2/users/me`)).status).toBe(401);
    await emulator.settle();
    expect(activity.inFlight, 'the held request, still').toBe(1);
    emulator.clock.advance(1000);
    await held;
    await emulator.settle();
    expect(activity.inFlight).toBe(0);
    await closeSocket(guest.socket);
  });

  it('a socket upgrade is under way until its socket opens; a refused one counts twice', async () => {
    const emulator = await whiteBoxEmulator();
    const activity = emulator.runtime.activity;
    const chat = await createChat(emulator);
    await emulator.settle();

    // The WebChat stream verifies its token on the thread pool before the socket opens.
    const stream = new WebSocket(chat.eventStreamUri);
    const opened = new Promise<void>((resolve, reject) => {
      stream.once('open', () => resolve());
      stream.once('error', reject);
    });
    let open = false;
    void opened.then(() => {
      open = true;
    });
    const seen = new Set<number>();
    while (!open) {
      seen.add(activity.inFlight);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    expect([...seen]).toContain(1);
    await emulator.settle();
    expect(activity.inFlight).toBe(0);

    const before = activity.count;
    const refused = new WebSocket(socketUrl(emulator, crypto.randomUUID()));
    refused.on('error', () => {});
    await new Promise<void>((resolve) => refused.once('unexpected-response', () => resolve()));
    refused.terminate();
    await emulator.settle();
    expect(activity.count - before, 'its start and its end, once').toBe(2);
    expect(activity.inFlight).toBe(0);
    await closeSocket(stream);
  });

  it('nothing stays under way after sockets open, are refused, or their client goes mid-upgrade', async () => {
    const emulator = await whiteBoxEmulator();
    const activity = emulator.runtime.activity;
    const deploymentId = defaultDeploymentId(emulator);

    const opened = await openSocket(socketUrl(emulator, deploymentId));
    await emulator.settle();
    expect(activity.inFlight, 'an open guest socket').toBe(0);

    const refused = new WebSocket(socketUrl(emulator, crypto.randomUUID()));
    refused.on('error', () => {}); // the refusal, read below
    const status = await new Promise<number>((resolve) =>
      refused.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    refused.terminate();
    expect(status).toBe(403);
    await emulator.settle();
    expect(activity.inFlight, 'a refused upgrade').toBe(0);

    const chat = await createChat(emulator);
    const stream = new WebSocket(`${chat.eventStreamUri}x`);
    await new Promise<void>((resolve) => stream.once('error', () => resolve()));
    await emulator.settle();
    expect(activity.inFlight, 'a WebChat stream with a bad token').toBe(0);

    // A client that sends the upgrade request and goes away at once.
    const raw = net.connect(emulator.port, '127.0.0.1');
    await new Promise<void>((resolve) => raw.once('connect', () => resolve()));
    raw.end(
      `GET /v1?deploymentId=${deploymentId} HTTP/1.1\r\nHost: 127.0.0.1:${emulator.port}\r\n` +
        'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n' +
        'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    raw.destroy();
    await emulator.settle();
    expect(activity.inFlight, 'an upgrade whose client left').toBe(0);

    // Requests and frames in between: answered ones leave nothing behind either.
    const guest = await Guest.connect(emulator, crypto.randomUUID());
    await guest.configure();
    await guest.say('hello');
    await emulator.settle();
    expect(activity.inFlight, 'after guest frames and requests').toBe(0);
    await closeSocket(guest.socket);
    await closeSocket(opened);
  });
});
