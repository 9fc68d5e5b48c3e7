import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import type { FixtureInput } from '../../emulator/index.ts';
import { basic, bearerFor, clients, expectApiError } from '../support/api.ts';
import { type EmulatorDoors, injectableEmulator } from '../support/emulators.ts';
import { whiteBoxEmulator } from '../support/white-box.ts';

const JSON_TYPE = { 'content-type': 'application/json' };

const CUSTOM: FixtureInput = {
  org: { id: 'org-control-plane', name: 'Control Plane Org' },
  clients: [
    { id: 'cp-org-client', secret: 'cp-secret', name: 'Integration' },
    { id: 'cp-agent-client', secret: 'cp-agent-secret', name: 'Agent', user: 'cp-user' },
  ],
  users: [{ id: 'cp-user', name: 'Casey Agent', email: 'casey@example.com', queues: ['Returns'] }],
  queues: [
    { id: 'cp-q-returns', name: 'Returns' },
    { id: 'cp-q-billing', name: 'Billing' },
  ],
};

function post(
  emulator: EmulatorDoors,
  url: string,
  body?: unknown,
  headers: Record<string, string> = JSON_TYPE,
) {
  return emulator.inject({
    method: 'POST',
    url,
    headers,
    ...(body === undefined
      ? { payload: '' }
      : { payload: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

function get(emulator: EmulatorDoors, url: string, authorization?: string) {
  return emulator.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
}

async function events(emulator: EmulatorDoors, query = '') {
  const res = await get(emulator, `/__emulator/events${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as {
    entities: { seq: number; type: string; conversationId?: string }[];
    lastSeq: number;
  };
}

describe('GET and POST /__emulator/fixture', () => {
  it('GET returns the active fixture (the default org at start)', async () => {
    const emulator = await injectableEmulator();
    const res = await get(emulator, '/__emulator/fixture');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual(JSON.parse(JSON.stringify(emulator.fixture)));
  });

  it('POST of a JSON object replaces the org: new clients log in, the platform shows the new org', async () => {
    const emulator = await injectableEmulator();
    const res = await post(emulator, '/__emulator/fixture', CUSTOM);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ loaded: true, orgId: 'org-control-plane' });

    const bearer = await bearerFor(emulator, { id: 'cp-agent-client', secret: 'cp-agent-secret' });
    expect((await get(emulator, '/api/v2/organizations/me', bearer)).json()).toMatchObject({
      id: 'org-control-plane',
      name: 'Control Plane Org',
    });
    expect((await get(emulator, '/api/v2/users/me', bearer)).json().id).toBe('cp-user');
    const queues = (await get(emulator, '/api/v2/routing/queues', bearer)).json();
    expect(queues.entities.map((q: { name: string }) => q.name)).toEqual(['Billing', 'Returns']);

    const active = (await get(emulator, '/__emulator/fixture')).json();
    expect(active).toMatchObject({ org: { id: 'org-control-plane', region: 'mypurecloud.com' } });
  });

  // text/yaml and text/plain are refused (415): a web page can send them without a preflight (CSRF);
  // see local-only-guard.test.ts.
  it.each(['application/yaml', 'application/x-yaml'])(
    'POST of YAML text as %s loads it',
    async (contentType) => {
      const emulator = await injectableEmulator();
      const res = await post(emulator, '/__emulator/fixture', stringify(CUSTOM), {
        'content-type': contentType,
      });
      expect(res.statusCode, res.body).toBe(200);
      expect(emulator.fixture.org.id).toBe('org-control-plane');
    },
  );

  it('loading a fixture drops the tokens of the previous org', async () => {
    const emulator = await injectableEmulator();
    const old = await bearerFor(emulator, clients(emulator).org);
    expect((await post(emulator, '/__emulator/fixture', CUSTOM)).statusCode).toBe(200);
    expectApiError(await get(emulator, '/api/v2/organizations/me', old), 401, 'bad.credentials');
  });

  it('an invalid JSON fixture is a 400 naming the field, and the old fixture stays', async () => {
    const emulator = await injectableEmulator();
    const before = emulator.fixture.org.id;
    const bad = { ...CUSTOM, queues: [{ id: 'q', name: 'Q', alertingTimeoutSeconds: 'soon' }] };
    const body = expectApiError(await post(emulator, '/__emulator/fixture', bad), 400, 'bad.request');
    expect(body.details).toContainEqual(
      expect.objectContaining({ fieldName: 'queues[0].alertingTimeoutSeconds' }),
    );
    expect(body.message).toContain('queues[0].alertingTimeoutSeconds');
    expect(emulator.fixture.org.id).toBe(before);
  });

  it('an invalid YAML fixture is a 400 naming the field and its line', async () => {
    const emulator = await injectableEmulator();
    const text = stringify({ ...CUSTOM, users: [{ ...CUSTOM.users![0]!, email: 'nope' }] });
    const line = text.split('\n').findIndex((l) => l.includes('email: nope')) + 1;
    const res = await post(emulator, '/__emulator/fixture', text, { 'content-type': 'application/yaml' });
    const body = expectApiError(res, 400, 'bad.request');
    expect(body.details).toContainEqual(expect.objectContaining({ fieldName: 'users[0].email' }));
    expect(body.message).toContain(`:${line} users[0].email`);
  });

  it('a fixture with a broken reference names it', async () => {
    const emulator = await injectableEmulator();
    const bad = { ...CUSTOM, users: [{ ...CUSTOM.users![0]!, queues: ['Nowhere'] }] };
    const body = expectApiError(await post(emulator, '/__emulator/fixture', bad), 400, 'bad.request');
    expect(body.details).toContainEqual(expect.objectContaining({ fieldName: 'users[0].queues[0]' }));
  });

  it('refuses flow files: a fixture sent over the control plane must inline its flows', async () => {
    const emulator = await injectableEmulator();
    const withFile = { ...CUSTOM, flows: [{ name: 'F', type: 'inboundShortMessage', file: '/etc/passwd' }] };
    const body = expectApiError(await post(emulator, '/__emulator/fixture', withFile), 400, 'bad.request');
    expect(body.details).toContainEqual(expect.objectContaining({ fieldName: 'flows[0].file' }));
    expect(emulator.fixture.flows.map((f) => f.name)).toEqual(['Bot Handoff Message Flow']);
  });

  it.each([
    ['an empty JSON body', undefined, JSON_TYPE],
    ['a JSON array', [1, 2], JSON_TYPE],
    ['JSON null', null, JSON_TYPE],
    ['malformed JSON', '{"org":', JSON_TYPE],
    ['YAML with a syntax error', 'org: [unclosed', { 'content-type': 'application/yaml' }],
  ])('%s is a 400 bad.request', async (_what, body, headers) => {
    const emulator = await injectableEmulator();
    const res = await post(emulator, '/__emulator/fixture', body === null ? 'null' : body, headers);
    expectApiError(res, 400, 'bad.request');
  });
});

describe('POST /__emulator/reset', () => {
  it('drops every token and records the reset', async () => {
    const emulator = await injectableEmulator();
    const agent = clients(emulator).agents[0]!;
    const bearer = await bearerFor(emulator, agent);
    expect((await get(emulator, '/api/v2/users/me', bearer)).statusCode).toBe(200);

    const res = await post(emulator, '/__emulator/reset');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ reset: true });
    expectApiError(await get(emulator, '/api/v2/users/me', bearer), 401, 'bad.credentials');
    const after = (await events(emulator)).entities.map((e) => e.type);
    expect(after[0]).toBe('emulator.reset');
    expect(after).not.toContain('token.issued');

    // The fixture is unchanged: its clients log in again.
    const again = await bearerFor(emulator, agent);
    expect((await get(emulator, '/api/v2/users/me', again)).json().id).toBe(agent.user);
  });

  it('accepts a JSON POST with an empty body, or no content type at all', async () => {
    const emulator = await injectableEmulator();
    expect((await post(emulator, '/__emulator/reset', undefined, JSON_TYPE)).statusCode).toBe(200);
    expect((await emulator.inject({ method: 'POST', url: '/__emulator/reset' })).statusCode).toBe(200);
  });
});

describe('POST /__emulator/clock/advance', () => {
  it('moves the manual clock and answers the new time', async () => {
    const emulator = await injectableEmulator();
    const start = emulator.clock.now();
    const res = await post(emulator, '/__emulator/clock/advance', { ms: 90_000 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toEqual({ now: new Date(start + 90_000).toISOString() });
    expect(emulator.clock.now()).toBe(start + 90_000);
    expect((await get(emulator, '/__emulator/clock')).json()).toEqual({
      kind: 'manual',
      now: new Date(start + 90_000).toISOString(),
    });
    const advanced = (await events(emulator, '?type=clock.advanced')).entities;
    expect(advanced).toEqual([expect.objectContaining({ data: { ms: 90_000, now: res.json().now } })]);
  });

  it('expires tokens: credentials.expired once advanced past expires_in', async () => {
    const emulator = await injectableEmulator();
    const agent = clients(emulator).agents[0]!;
    const bearer = await bearerFor(emulator, agent);
    const validityMs = agent.accessTokenValiditySeconds * 1000;
    await post(emulator, '/__emulator/clock/advance', { ms: validityMs - 1 });
    expect((await get(emulator, '/api/v2/users/me', bearer)).statusCode).toBe(200);
    await post(emulator, '/__emulator/clock/advance', { ms: 1 });
    expectApiError(await get(emulator, '/api/v2/users/me', bearer), 401, 'credentials.expired');
  });

  it.each([
    ['a string', { ms: '5' }],
    ['a negative number', { ms: -1 }],
    ['a fraction', { ms: 1.5 }],
    ['more than a year', { ms: 367 * 24 * 3600 * 1000 }],
    ['no ms', {}],
    ['an unknown key', { ms: 1, seconds: 1 }],
    ['an empty body', undefined],
  ])('refuses %s with 400 bad.request and leaves the clock alone', async (_what, body) => {
    const emulator = await injectableEmulator();
    const start = emulator.clock.now();
    expectApiError(await post(emulator, '/__emulator/clock/advance', body), 400, 'bad.request');
    expect(emulator.clock.now()).toBe(start);
  });
});

describe('GET /__emulator/events', () => {
  /**
   * White-box: the conversationId filter is checked on one synthetic conversation-scoped event, which
   * only the runtime's event bus can emit (a real conversation brings many events of its own).
   */
  async function withHistory() {
    const emulator = await whiteBoxEmulator();
    const agent = clients(emulator).agents[0]!;
    await bearerFor(emulator, agent);
    await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        authorization: basic(agent.id, 'wrong'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      payload: 'grant_type=client_credentials',
    });
    await post(emulator, '/__emulator/clock/advance', { ms: 1000 });
    emulator.runtime.events.emit('clock.advanced', { ms: 0, now: 'conversation-scoped' }, 'conv-1');
    return emulator;
  }

  it('lists every event in order with gap-free sequence numbers', async () => {
    const emulator = await withHistory();
    const all = await events(emulator);
    expect(all.entities.map((e) => e.seq)).toEqual(all.entities.map((_e, i) => i + 1));
    expect(all.lastSeq).toBe(all.entities.length);
    const core = ['fixture.loaded', 'token.issued', 'token.rejected', 'clock.advanced'];
    expect(all.entities.map((e) => e.type).filter((t) => core.includes(t))).toEqual([
      'fixture.loaded',
      'token.issued',
      'token.rejected',
      'clock.advanced',
      'clock.advanced',
    ]);
  });

  it('filters by type (repeated or comma-separated), afterSeq, limit and conversationId', async () => {
    const emulator = await withHistory();
    const all = (await events(emulator)).entities;
    const seqs = (q: string) => events(emulator, q).then((r) => r.entities.map((e) => e.seq));
    const types = (q: string) => events(emulator, q).then((r) => r.entities.map((e) => e.type));
    expect(await types('?type=token.issued')).toEqual(['token.issued']);
    expect(await types('?type=token.issued&type=token.rejected')).toEqual(['token.issued', 'token.rejected']);
    expect(await types('?type=token.issued,token.rejected')).toEqual(['token.issued', 'token.rejected']);
    expect(await seqs('?afterSeq=3')).toEqual(all.filter((e) => e.seq > 3).map((e) => e.seq));
    expect(await seqs('?limit=2')).toEqual([1, 2]);
    expect(await seqs('?afterSeq=1&limit=1')).toEqual([2]);
    const scoped = await events(emulator, '?conversationId=conv-1');
    expect(scoped.entities).toEqual([
      expect.objectContaining({
        type: 'clock.advanced',
        conversationId: 'conv-1',
        data: { ms: 0, now: 'conversation-scoped' },
      }),
    ]);
    expect((await events(emulator, '?conversationId=conv-2')).entities).toEqual([]);
    expect((await events(emulator, '?type=nothing')).entities).toEqual([]);
  });

  it.each(['afterSeq=abc', 'afterSeq=-1', 'limit=0', 'limit=x', 'conversationId='])(
    'answers ?%s with 400 bad.request',
    async (query) => {
      const emulator = await injectableEmulator();
      expectApiError(await get(emulator, `/__emulator/events?${query}`), 400, 'bad.request');
    },
  );
});

describe('without the control plane', () => {
  it.each([
    ['GET', '/__emulator/fixture'],
    ['POST', '/__emulator/fixture'],
    ['POST', '/__emulator/reset'],
    ['POST', '/__emulator/clock/advance'],
    ['GET', '/__emulator/clock'],
    ['GET', '/__emulator/events'],
  ])('%s %s is a 404 saying it is not emulated', async (method, url) => {
    const emulator = await injectableEmulator({ controlPlane: false });
    const start = emulator.clock.now();
    const res = await emulator.inject({
      method: method as 'GET',
      url,
      ...(method === 'POST' ? { headers: JSON_TYPE, payload: JSON.stringify({ ms: 1 }) } : {}),
    });
    const body = expectApiError(res, 404, 'not.found');
    expect(body.messageParams).toMatchObject({ method, path: url });
    expect(emulator.clock.now()).toBe(start);
  });

  it('the platform and login still work', async () => {
    const emulator = await injectableEmulator({ controlPlane: false });
    const bearer = await bearerFor(emulator, clients(emulator).org);
    expect((await get(emulator, '/api/v2/organizations/me', bearer)).statusCode).toBe(200);
  });
});
