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
