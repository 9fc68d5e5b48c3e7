import { request as httpRequest } from 'node:http';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FixtureInput } from '../../emulator/index.ts';
import { ControlPlane } from '../../scenarios/runner/control-plane.ts';
import { basic, bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';

/**
 * The console and the control plane are for the developer on this machine (issue 14, items 1 and 2).
 * DNS rebinding: only Host names on the allow-list are answered there (loopback names, IP addresses,
 * the listen host, names the user adds). CSRF: state-changing control requests carry JSON (or YAML for a
 * fixture), never a form or text body any web page could send, and a foreign Origin is refused. The
 * Genesys API surfaces answer any Host, and the project's own tools keep working.
 */

const CUSTOM: FixtureInput = {
  org: { id: 'org-guard-test', name: 'Guard Test Org' },
  clients: [{ id: 'guard-client', secret: 'guard-secret', name: 'Integration' }],
  queues: [{ id: 'guard-q', name: 'Guarded' }],
};

const REBOUND = 'rebound.attacker.example';

function guarded(options: { allowedHosts?: string[] } = {}) {
  return startEmulator({ allowedHosts: ['emulator.test', '.dev.test'], ...options });
}

function send(
  emulator: TestEmulator,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  headers: Record<string, string>,
  payload?: string,
) {
  return emulator.inject({ method, url, headers, ...(payload === undefined ? {} : { payload }) });
}

/** The org is still the default one and no reset happened: a refused request changed nothing. */
function expectUnchanged(emulator: TestEmulator, orgId: string) {
  expect(emulator.fixture.org.id).toBe(orgId);
  expect(emulator.events.ofType('emulator.reset')).toEqual([]);
}

describe('DNS rebinding: the Host allow-list of /console and /__emulator/', () => {
  const paths = [
    ['GET', '/console'],
    ['GET', '/console/customer'],
    ['GET', '/console/timeline'],
    ['GET', '/console/assets/console.css'],
    ['GET', '/console/api/agents'],
    ['GET', '/console/api/timeline'],
    ['GET', '/console/api/deployments'],
    ['GET', '/__emulator/fixture'],
    ['GET', '/__emulator/events'],
    ['POST', '/__emulator/reset'],
  ] as const;

  it.each(paths)(
    '%s %s with a foreign Host is 403 host.not.allowed, naming the option',
    async (method, url) => {
      const emulator = await guarded();
      const orgId = emulator.fixture.org.id;
      const res = await send(emulator, method, url, { host: `${REBOUND}:${emulator.port}` });
      const body = expectApiError(res, 403, 'host.not.allowed');
      expect(body.message).toContain(`${REBOUND}:${emulator.port}`);
      expect(body.message).toContain('--allow-host');
      expect(body.message).toContain('allowedHosts');
      expect(res.body).not.toContain(emulator.fixture.clients[0]!.secret);
      expectUnchanged(emulator, orgId);
    },
  );

  it('answers loopback names, IP addresses and the names added with allowedHosts', async () => {
    const emulator = await guarded();
    const port = emulator.port;
    for (const host of [
      `127.0.0.1:${port}`,
      `localhost:${port}`,
      'localhost',
      `LOCALHOST:${port}`,
      `console.localhost:${port}`,
      `[::1]:${port}`,
      `192.168.7.20:${port}`,
      `emulator.test:${port}`,
      `a.b.dev.test:${port}`,
      `dev.test:${port}`,
    ]) {
      const res = await send(emulator, 'GET', '/console/api/agents', { host });
      expect(res.statusCode, `${host}: ${res.body}`).toBe(200);
      expect(res.json().entities.length).toBeGreaterThan(0);
    }
    for (const host of [`emulator.test.evil:${port}`, `notdev.test:${port}`, `localhost.evil:${port}`]) {
      expectApiError(await send(emulator, 'GET', '/console/api/agents', { host }), 403, 'host.not.allowed');
    }
  });

  it('refuses a rebound name over a real socket too (the Host a browser sends after rebinding)', async () => {
    const emulator = await guarded();
    const res = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        `${emulator.url}/console/api/agents`,
        { headers: { host: `${REBOUND}:${emulator.port}` } },
        (response) => {
          let body = '';
          response.setEncoding('utf8').on('data', (chunk: string) => {
            body += chunk;
          });
          response.on('end', () => resolve({ status: response.statusCode!, body }));
        },
      );
      req.on('error', reject);
      req.end();
    });
    expect(res.status).toBe(403);
    expect(JSON.parse(res.body).code).toBe('host.not.allowed');
  });

  it('a percent-encoded path does not slip past the check', async () => {
    const emulator = await guarded();
    const res = await send(emulator, 'GET', '/%63onsole/api/agents', { host: REBOUND });
    expect(res.statusCode).not.toBe(200);
    expect(res.body).not.toContain(emulator.fixture.clients[0]!.secret);
  });

  it('the Genesys API surfaces answer any Host: SDKs may use any name', async () => {
    const emulator = await guarded();
    const org = clients(emulator).org;
    const token = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        host: REBOUND,
        authorization: basic(org.id, org.secret),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials',
    });
    expect(token.statusCode, token.body).toBe(200);
    const me = await send(emulator, 'GET', '/api/v2/organizations/me', {
      host: REBOUND,
      authorization: `Bearer ${token.json().access_token}`,
    });
    expect(me.statusCode, me.body).toBe(200);
    expect(me.json().id).toBe(emulator.fixture.org.id);
  });
});

describe('CSRF: state-changing control requests', () => {
  const local = (emulator: TestEmulator) => `127.0.0.1:${emulator.port}`;

  it.each([
    ['text/plain', stringify(CUSTOM)],
    ['text/yaml', stringify(CUSTOM)],
    ['application/x-www-form-urlencoded', 'org=x'],
    [
      'multipart/form-data; boundary=x',
      '--x\r\nContent-Disposition: form-data; name="org"\r\n\r\nx\r\n--x--',
    ],
  ])('a %s body (a request any web page can send) is 415 and changes nothing', async (type, payload) => {
    const emulator = await guarded();
    const orgId = emulator.fixture.org.id;
    for (const url of ['/__emulator/fixture', '/__emulator/reset']) {
      const res = await send(emulator, 'POST', url, { host: local(emulator), 'content-type': type }, payload);
      const body = expectApiError(res, 415, 'unsupported.media.type');
      expect(body.message).toContain('application/json');
      expect(body.message).toContain('CSRF');
    }
    expectUnchanged(emulator, orgId);
  });

  it('a clock advance sent as a form is refused and the clock stays', async () => {
    const emulator = await guarded();
    const before = emulator.clock.now();
    const res = await send(
      emulator,
      'POST',
      '/__emulator/clock/advance',
      { host: local(emulator), 'content-type': 'application/x-www-form-urlencoded' },
      'ms=60000',
    );
    expectApiError(res, 415, 'unsupported.media.type');
    expect(emulator.clock.now()).toBe(before);
  });

  it.each(['https://attacker.example', 'null', 'http://127.0.0.1:1'])(
    'Origin %s (not the emulator itself) is 403 origin.not.allowed, even with a JSON body',
    async (origin) => {
      const emulator = await guarded();
      const orgId = emulator.fixture.org.id;
      const headers = { host: local(emulator), origin, 'content-type': 'application/json' };
      const load = await send(emulator, 'POST', '/__emulator/fixture', headers, JSON.stringify(CUSTOM));
      const body = expectApiError(load, 403, 'origin.not.allowed');
      expect(body.message).toContain(origin);
      expectApiError(await send(emulator, 'POST', '/__emulator/reset', headers), 403, 'origin.not.allowed');
      expectApiError(
        await send(emulator, 'DELETE', '/__emulator/faults/http', headers),
        403,
        'origin.not.allowed',
      );
      expectUnchanged(emulator, orgId);
    },
  );

  it("JSON from the emulator's own origin, from clients that send no Origin, and YAML as application/yaml work", async () => {
    const emulator = await guarded();
    const own = { host: local(emulator), origin: emulator.url, 'content-type': 'application/json' };
    const res = await send(emulator, 'POST', '/__emulator/fixture', own, JSON.stringify(CUSTOM));
    expect(res.statusCode, res.body).toBe(200);
    expect(emulator.fixture.org.id).toBe('org-guard-test');

    const reset = await send(emulator, 'POST', '/__emulator/reset', { host: local(emulator) });
    expect(reset.statusCode, reset.body).toBe(200);

    const yaml = await send(
      emulator,
      'POST',
      '/__emulator/fixture',
      { host: local(emulator), 'content-type': 'application/yaml' },
      stringify({ ...CUSTOM, org: { id: 'org-from-yaml', name: 'YAML Org' } }),
    );
    expect(yaml.statusCode, yaml.body).toBe(200);
    expect(emulator.fixture.org.id).toBe('org-from-yaml');
  });

  it("the scenario runner's remote world (fetch with JSON) drives the control plane over HTTP", async () => {
    const emulator = await guarded();
    const control = new ControlPlane(emulator.url);
    expect(await ControlPlane.probe(emulator.url)).toMatchObject({ kind: 'manual' });
    const bearer = await bearerFor(emulator, clients(emulator).org);
    await control.reset();
    expectApiError(
      await send(emulator, 'GET', '/api/v2/organizations/me', { authorization: bearer }),
      401,
      'bad.credentials',
    );
    const start = emulator.clock.now();
    await control.advance(5_000);
    expect(emulator.clock.now()).toBe(start + 5_000);
    const fixture = await control.fixture();
    await control.loadFixture({ ...fixture, org: { ...fixture.org, id: 'org-via-runner' } });
    expect(emulator.fixture.org.id).toBe('org-via-runner');
    expect((await control.events(0)).entities.length).toBeGreaterThan(0);
  });
});

describe('an emulator without the control plane', () => {
  it('answers /__emulator/ with a 404 that says --control-plane (or controlPlane: true) enables it', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    for (const [method, url] of [
      ['POST', '/__emulator/reset'],
      ['GET', '/__emulator/fixture'],
      ['GET', '/__emulator'],
    ] as const) {
      const res = await fetch(`${emulator.url}${url}`, { method });
      const body = (await res.json()) as { code: string; message: string; contextId: string };
      expect(res.status).toBe(404);
      expect(body.code).toBe('not.found');
      expect(body.message).toContain('--control-plane');
      expect(body.message).toContain('controlPlane: true');
      expect(res.headers.get('inin-correlation-id')).toBe(body.contextId);
    }
  });

  it('with the control plane on, an unknown /__emulator/ path is a plain 404 without that hint', async () => {
    const emulator = await startEmulator({ controlPlane: true });
    const res = await fetch(`${emulator.url}/__emulator/nothing-here`);
    const body = (await res.json()) as { message: string };
    expect(res.status).toBe(404);
    expect(body.message).not.toContain('--control-plane');
  });
});
