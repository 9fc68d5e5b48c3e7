import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { injectableEmulator } from '../support/emulators.ts';

describe('HTTP fault injection (control plane)', () => {
  it('answers the next N matching requests with 429 or 503 and Retry-After, then lets requests through', async () => {
    const emulator = await injectableEmulator();
    const auth = await bearerFor(emulator, clients(emulator).org);
    const get = () => emulator.inject({ url: '/api/v2/routing/queues', headers: { authorization: auth } });

    const added = await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { path: '/api/v2/routing/*', status: 429, count: 2, retryAfterSeconds: 3 },
    });
    expect(added.statusCode, added.body).toBe(200);
    await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { method: 'get', path: '/api/v2/routing/queues', status: 503 },
    });

    for (const expected of [429, 429, 503]) {
      const res = await get();
      expectApiError(res, expected, expected === 429 ? 'too.many.requests' : 'service.unavailable');
      expect(res.headers['retry-after']).toBe(expected === 429 ? '3' : '1');
    }
    expect((await get()).statusCode).toBe(200);
    expect(emulator.events.ofType('fault.injected').map((e) => e.data.status)).toEqual([429, 429, 503]);
    expect((await emulator.inject({ url: '/__emulator/faults/http' })).json().entities).toEqual([]);
  });

  it('holds the next matching request for delayMs of emulator time, then handles it normally', async () => {
    const emulator = await injectableEmulator();
    const auth = await bearerFor(emulator, clients(emulator).org);
    await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { path: '/api/v2/routing/queues', delayMs: 3000 },
    });
    let answered = false;
    const pending = emulator
      .inject({ url: '/api/v2/routing/queues', headers: { authorization: auth } })
      .then((res) => {
        answered = true;
        return res;
      });
    // The request is parked on the manual clock: nothing answers until emulator time moves.
    await new Promise<void>((resolve) => setImmediate(resolve));
    await emulator.clock.advance(2999);
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(answered).toBe(false);
    await emulator.clock.advance(1);
    expect((await pending).statusCode).toBe(200);
    expect(emulator.events.ofType('fault.injected').map((e) => e.data.delayMs)).toEqual([3000]);
    const both = await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { path: '/x', status: 503, delayMs: 5 },
    });
    expectApiError(both, 400, 'bad.request');
  });

  it('refuses a bad fault and never touches the control plane itself', async () => {
    const emulator = await injectableEmulator();
    const bad = await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { path: 'x', status: 500 },
    });
    expectApiError(bad, 400, 'bad.request');
    await emulator.inject({
      method: 'POST',
      url: '/__emulator/faults/http',
      payload: { path: '/__emulator/*', status: 503, count: 5 },
    });
    expect((await emulator.inject({ url: '/__emulator/fixture' })).statusCode).toBe(200);
  });
});
