import { describe, expect, it } from 'vitest';
import { expectApiError } from '../support/api.ts';
import { injectableEmulator } from '../support/emulators.ts';

/**
 * What the console's server side promises without a browser: the pages and their files with
 * revalidation headers, nothing outside the assets folder, and the read-only /console/api/ look-ups,
 * all without the control plane.
 */
describe('console surface', () => {
  it('serves each page and its modules with an ETag, and answers a matching revalidation with 304', async () => {
    const emulator = await injectableEmulator({ controlPlane: false });
    for (const url of ['/console', '/console/customer', '/console/timeline']) {
      const page = await emulator.inject({ url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      // Every module a page loads is served: a missing file would break the page silently.
      for (const [, src] of page.body.matchAll(/(?:src|href)="(\/console\/assets\/[^"]+)"/g)) {
        const asset = await emulator.inject({ url: src! });
        expect(asset.statusCode, src).toBe(200);
      }
    }
    const first = await emulator.inject({ url: '/console/assets/agent-app.js' });
    expect(first.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(first.headers['cache-control']).toBe('no-cache');
    const again = await emulator.inject({
      url: '/console/assets/agent-app.js',
      headers: { 'if-none-match': String(first.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('refuses anything that is not a plain asset name with a Genesys 404', async () => {
    const emulator = await injectableEmulator({ controlPlane: false });
    for (const url of [
      '/console/assets/nope.js',
      '/console/assets/..%2F..%2Fconfig%2Fdefault-fixture.yaml',
      '/console/assets/.hidden.js',
      '/console/assets/notes.txt',
    ]) {
      expectApiError(await emulator.inject({ url }), 404, 'not.found');
    }
  });

  it('lists agents with their login clients, Messenger deployments, the clock and the timeline', async () => {
    const emulator = await injectableEmulator({ controlPlane: false });
    const fx = emulator.fixture;

    const agents = (await emulator.inject({ url: '/console/api/agents' })).json();
    expect(agents.entities).toHaveLength(fx.users.length);
    const client = fx.clients.find((c) => c.user === fx.users[0]!.id)!;
    expect(agents.entities[0]).toMatchObject({
      id: fx.users[0]!.id,
      name: fx.users[0]!.name,
      queues: fx.users[0]!.queues,
      client: { id: client.id, secret: client.secret },
    });

    const deployments = (await emulator.inject({ url: '/console/api/deployments' })).json();
    expect(deployments.messenger.map((d: { id: string }) => d.id)).toEqual(
      fx.deployments.messenger.map((d) => d.id),
    );

    const clock = (await emulator.inject({ url: '/console/api/clock' })).json();
    expect(clock).toEqual({ kind: 'manual', now: new Date(emulator.clock.now()).toISOString() });

    await emulator.agent(fx.users[0]!.id).goOnQueue();
    const timeline = (await emulator.inject({ url: '/console/api/timeline?afterSeq=0' })).json();
    expect(timeline.lastSeq).toBe(emulator.events.lastSeq);
    // Going on queue is recorded (other entries, such as the presence it implies, may follow it).
    expect(
      timeline.entities.findLast((e: { type: string }) => e.type === 'agent.routingStatus.changed'),
    ).toMatchObject({
      type: 'agent.routingStatus.changed',
      data: { userId: fx.users[0]!.id, to: 'IDLE' },
    });
    expectApiError(await emulator.inject({ url: '/console/api/timeline?afterSeq=-1' }), 400, 'bad.request');
  });
});
