import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { injectableEmulator, startEmulator, type TestEmulator } from '../support/emulators.ts';

const QUEUES = '/api/v2/routing/queues';
const PAGING_KEYS = [
  'entities',
  'pageSize',
  'pageNumber',
  'total',
  'firstUri',
  'selfUri',
  'nextUri',
  'previousUri',
  'lastUri',
  'pageCount',
];

/** An emulator and the bearer header of its first agent (a client bound to a user). */
async function withAgent(options: Parameters<typeof injectableEmulator>[0] = {}) {
  const emulator = await injectableEmulator(options);
  const agentClient = clients(emulator).agents[0]!;
  const bearer = await bearerFor(emulator, agentClient);
  /** `null` sends no Authorization header. */
  const get = (url: string, authorization: string | null = bearer) =>
    emulator.inject({ method: 'GET', url, headers: authorization ? { authorization } : {} });
  return { emulator, agentClient, bearer, get };
}

function sortedQueueNames(emulator: TestEmulator): string[] {
  return emulator.fixture.queues.map((q) => q.name).sort((a, b) => a.localeCompare(b));
}

/** `pageNumber` of a paging URI, and the URI's path, so tests do not depend on parameter order. */
function uriPage(uri: string | undefined) {
  if (uri === undefined) return undefined;
  const url = new URL(uri, 'http://emulator');
  return {
    path: url.pathname,
    pageNumber: url.searchParams.get('pageNumber'),
    pageSize: url.searchParams.get('pageSize'),
    name: url.searchParams.get('name'),
  };
}

describe('GET /api/v2/users/me', () => {
  it("returns the agent the token's client is bound to", async () => {
    const { emulator, agentClient, get } = await withAgent();
    const user = emulator.fixture.users.find((u) => u.id === agentClient.user)!;
    const res = await get('/api/v2/users/me');
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({
      id: user.id,
      name: user.name,
      email: user.email,
      state: 'active',
      division: { id: expect.any(String), name: 'Home' },
      selfUri: `/api/v2/users/${user.id}`,
    });
  });

  it('each agent client sees its own user', async () => {
    const emulator = await injectableEmulator();
    for (const agent of clients(emulator).agents) {
      const res = await emulator.inject({
        method: 'GET',
        url: '/api/v2/users/me',
        headers: { authorization: await bearerFor(emulator, agent) },
      });
      expect(res.json().id).toBe(agent.user);
    }
  });

  it('answers an org-level token (no user behind it) with a Genesys 4xx error body', async () => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'GET',
      url: '/api/v2/users/me',
      headers: { authorization: await bearerFor(emulator, clients(emulator).org) },
    });
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    expectApiError(res, res.statusCode, res.json().code);
  });
});

describe('GET /api/v2/organizations/me', () => {
  it("returns the fixture's org", async () => {
    const { emulator, get } = await withAgent();
    const { org } = emulator.fixture;
    const res = await get('/api/v2/organizations/me');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: org.id,
      name: org.name,
      selfUri: `/api/v2/organizations/${org.id}`,
    });
  });

  it('works with an org-level client token too', async () => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'GET',
      url: '/api/v2/organizations/me',
      headers: { authorization: await bearerFor(emulator, clients(emulator).org) },
    });
    expect(res.json().id).toBe(emulator.fixture.org.id);
  });
});

describe('GET /api/v2/routing/queues', () => {
  it('lists every queue sorted by name, on one Genesys page', async () => {
    const { emulator, get } = await withAgent();
    const res = await get(QUEUES);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    const total = emulator.fixture.queues.length;
    expect(body.entities.map((q: { name: string }) => q.name)).toEqual(sortedQueueNames(emulator));
    expect(body).toMatchObject({ pageSize: 25, pageNumber: 1, total, pageCount: 1 });
    expect(Object.keys(body).every((k) => PAGING_KEYS.includes(k))).toBe(true);
    expect(uriPage(body.firstUri)).toMatchObject({ path: QUEUES, pageNumber: '1', pageSize: '25' });
    expect(uriPage(body.selfUri)).toMatchObject({ path: QUEUES, pageNumber: '1' });
    expect(uriPage(body.lastUri)).toMatchObject({ path: QUEUES, pageNumber: '1' });
    expect(body.nextUri).toBeUndefined();
    expect(body.previousUri).toBeUndefined();
  });

  it('presents queues with the fields clients read', async () => {
    const { emulator, get } = await withAgent();
    const general = emulator.fixture.queues.find((q) => q.name === 'General')!;
    const members = emulator.fixture.users.filter((u) => u.queues.includes('General')).length;
    const body = (await get(`${QUEUES}?name=General`)).json();
    expect(body.entities).toEqual([
      expect.objectContaining({
        id: general.id,
        name: 'General',
        division: expect.objectContaining({ name: 'Home' }),
        memberCount: members,
        mediaSettings: expect.objectContaining({
          message: expect.objectContaining({ alertingTimeoutSeconds: general.alertingTimeoutSeconds }),
        }),
        selfUri: `${QUEUES}/${general.id}`,
      }),
    ]);
  });

  it('pages as Genesys pages: pageSize, pageNumber, pageCount and the first/self/next/previous/last URIs', async () => {
    const { emulator, get } = await withAgent();
    const names = sortedQueueNames(emulator);
    const res = await get(`${QUEUES}?pageSize=1&pageNumber=2`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body).toMatchObject({ pageSize: 1, pageNumber: 2, total: names.length, pageCount: names.length });
    expect(body.entities.map((q: { name: string }) => q.name)).toEqual([names[1]]);
    expect(uriPage(body.firstUri)).toMatchObject({ pageNumber: '1', pageSize: '1' });
    expect(uriPage(body.previousUri)).toMatchObject({ pageNumber: '1', pageSize: '1' });
    expect(uriPage(body.selfUri)).toMatchObject({ pageNumber: '2', pageSize: '1' });
    expect(uriPage(body.nextUri)).toMatchObject({ pageNumber: '3', pageSize: '1' });
    expect(uriPage(body.lastUri)).toMatchObject({ pageNumber: String(names.length), pageSize: '1' });
  });

  it('following nextUri from the first page visits every queue exactly once', async () => {
    const { emulator, get } = await withAgent();
    const seen: string[] = [];
    let uri: string | undefined = `${QUEUES}?pageSize=2`;
    let pages = 0;
    while (uri !== undefined && pages < 10) {
      const body: { entities: { name: string }[]; nextUri?: string } = (await get(uri)).json();
      seen.push(...body.entities.map((q: { name: string }) => q.name));
      uri = body.nextUri;
      pages++;
    }
    expect(seen).toEqual(sortedQueueNames(emulator));
    expect(pages).toBe(Math.ceil(seen.length / 2));
  });

  it('answers a page past the end with no entities and a previousUri', async () => {
    const { emulator, get } = await withAgent();
    const body = (await get(`${QUEUES}?pageNumber=9`)).json();
    expect(body).toMatchObject({
      entities: [],
      pageNumber: 9,
      total: emulator.fixture.queues.length,
    });
    expect(body.nextUri).toBeUndefined();
    expect(uriPage(body.previousUri)).toMatchObject({ pageNumber: '8' });
  });

  it('sorts by name descending with sortOrder=desc', async () => {
    const { emulator, get } = await withAgent();
    const body = (await get(`${QUEUES}?sortOrder=desc`)).json();
    expect(body.entities.map((q: { name: string }) => q.name)).toEqual(sortedQueueNames(emulator).reverse());
  });

  it.each([
    ['General', ['General']],
    ['general', ['General']],
    ['Sports Support', ['Sports Support']],
    ['Support', []],
    ['*Support', ['Grocery Support', 'Shoes Support', 'Sports Support']],
    ['S*', ['Shoes Support', 'Sports Support']],
    ['*o*', ['Grocery Support', 'Shoes Support', 'Sports Support']],
    ['*eneral*', ['General']],
    ['*', ['General', 'Grocery Support', 'Shoes Support', 'Sports Support']],
    ['Nothing*', []],
  ])('name=%s finds %j', async (name, expected) => {
    const { get } = await withAgent();
    const res = await get(`${QUEUES}?name=${encodeURIComponent(name)}`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.entities.map((q: { name: string }) => q.name)).toEqual(expected);
    expect(body.total).toBe(expected.length);
  });

  it('keeps the name filter in the paging URIs', async () => {
    const { get } = await withAgent();
    const body = (await get(`${QUEUES}?name=*Support&pageSize=1`)).json();
    expect(body).toMatchObject({ total: 3, pageCount: 3 });
    for (const key of ['firstUri', 'selfUri', 'nextUri', 'lastUri'])
      expect(uriPage(body[key])?.name, key).toBe('*Support');
    const next = (await get(body.nextUri)).json();
    expect(next).toMatchObject({ pageNumber: 2, total: 3 });
    expect(next.entities[0].name).toBe('Shoes Support');
  });

  it('matches names exactly, case included, with the exact queueNameMatch fidelity switch', async () => {
    const { get } = await withAgent({ fidelity: { queueNameMatch: 'exact' } });
    expect((await get(`${QUEUES}?name=general`)).json().total).toBe(0);
    expect((await get(`${QUEUES}?name=General`)).json().total).toBe(1);
  });

  it('filters by id', async () => {
    const { emulator, get } = await withAgent();
    const [a, b] = emulator.fixture.queues;
    const body = (await get(`${QUEUES}?id=${a!.id}&id=${b!.id}`)).json();
    expect(body.entities.map((q: { id: string }) => q.id).sort()).toEqual([a!.id, b!.id].sort());
  });

  it.each([
    'pageSize=abc',
    'pageNumber=abc',
    'pageSize=0',
    'pageNumber=0',
    'pageSize=501',
    'pageSize=1.5',
    'sortOrder=sideways',
    'name=a&name=b',
  ])('answers ?%s with 400 bad.request', async (query) => {
    const { get } = await withAgent();
    expectApiError(await get(`${QUEUES}?${query}`), 400, 'bad.request');
  });
});

describe('GET /api/v2/routing/queues/{queueId} and /members', () => {
  it('returns one queue by id', async () => {
    const { emulator, get } = await withAgent();
    for (const queue of emulator.fixture.queues) {
      const res = await get(`${QUEUES}/${queue.id}`);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toMatchObject({ id: queue.id, name: queue.name });
    }
  });

  it('answers an unknown queue id with 404 not.found', async () => {
    const { get } = await withAgent();
    expectApiError(await get(`${QUEUES}/no-such-queue`), 404, 'not.found');
    expectApiError(await get(`${QUEUES}/no-such-queue/members`), 404, 'not.found');
  });

  it("lists the queue's members as a Genesys page", async () => {
    const { emulator, get } = await withAgent();
    for (const queue of emulator.fixture.queues) {
      const expected = emulator.fixture.users
        .filter((u) => u.queues.includes(queue.name))
        .sort((a, b) => a.name.localeCompare(b.name));
      const res = await get(`${QUEUES}/${queue.id}/members`);
      expect(res.statusCode).toBe(200);
      const body = res.json();
      // QueueMemberEntityListing has no total, pageCount or lastUri (the SDK's model).
      expect(body).toMatchObject({ pageSize: 25, pageNumber: 1 });
      expect(body).not.toHaveProperty('total');
      expect(body.entities).toHaveLength(expected.length);
      expect(body.entities).toEqual(
        expected.map((u) =>
          expect.objectContaining({
            id: u.id,
            name: u.name,
            user: expect.objectContaining({ id: u.id }),
            routingStatus: expect.objectContaining({ status: expect.any(String) }),
          }),
        ),
      );
      expect(uriPage(body.selfUri)?.path).toBe(`${QUEUES}/${queue.id}/members`);
    }
  });

  it('pages members too and refuses a pageSize over 100', async () => {
    const { emulator, get } = await withAgent();
    const general = emulator.fixture.queues.find((q) => q.name === 'General')!;
    const body = (await get(`${QUEUES}/${general.id}/members?pageSize=1`)).json();
    expect(body).toMatchObject({ pageSize: 1, pageNumber: 1 });
    expect(body.entities).toHaveLength(1);
    expect(uriPage(body.nextUri)).toMatchObject({ pageNumber: '2' });
    expectApiError(await get(`${QUEUES}/${general.id}/members?pageSize=101`), 400, 'bad.request');
  });
});

describe('authentication on platform routes', () => {
  const ROUTES = ['/api/v2/users/me', '/api/v2/organizations/me', QUEUES];

  it.each(ROUTES)('%s without an Authorization header: 401 authentication.required', async (url) => {
    const { get } = await withAgent();
    expectApiError(await get(url, null), 401, 'authentication.required');
  });

  it.each(ROUTES)('%s with an unknown token: 401 bad.credentials', async (url) => {
    const { get } = await withAgent();
    expectApiError(await get(url, 'Bearer not-a-token-the-emulator-issued'), 401, 'bad.credentials');
  });

  it('a token stops working with credentials.expired once the manual clock passes its expiry', async () => {
    const { emulator, agentClient, get } = await withAgent();
    await emulator.clock.advance(agentClient.accessTokenValiditySeconds * 1000 - 1);
    for (const url of ROUTES) expect((await get(url)).statusCode, url).toBe(200);
    await emulator.clock.advance(1);
    for (const url of ROUTES) expectApiError(await get(url), 401, 'credentials.expired');
  });

  it('an expired token is still told apart from an unknown one', async () => {
    const { emulator, agentClient, get } = await withAgent();
    await emulator.clock.advance(agentClient.accessTokenValiditySeconds * 1000 + 60_000);
    expectApiError(await get('/api/v2/organizations/me'), 401, 'credentials.expired');
    expectApiError(await get('/api/v2/organizations/me', 'Bearer unknown'), 401, 'bad.credentials');
  });

  it('a new login after expiry works again', async () => {
    const { emulator, agentClient, get } = await withAgent();
    await emulator.clock.advance(agentClient.accessTokenValiditySeconds * 1000);
    const fresh = await bearerFor(emulator, agentClient);
    expect((await get('/api/v2/users/me', fresh)).statusCode).toBe(200);
  });
});

describe('routes the emulator does not emulate', () => {
  it.each([
    ['GET', '/api/v2/emulator-tests/not-a-route'],
    ['DELETE', QUEUES],
    ['PATCH', '/api/v2/organizations/me'],
    ['GET', '/something/else'],
  ])('%s %s: Genesys-shaped 404 saying the path is not emulated', async (method, url) => {
    const { emulator, bearer } = await withAgent();
    for (const headers of [{}, { authorization: bearer }]) {
      const res = await emulator.inject({ method: method as 'GET', url: `${url}?x=1`, headers });
      const body = expectApiError(res, 404, 'not.found');
      expect(body.messageParams).toMatchObject({ method, path: url });
      expect(body.message).toContain(url);
    }
  });

  it('a JSON POST with an empty body counts as no body (no 400 for the empty JSON)', async () => {
    const { emulator, bearer } = await withAgent();
    const res = await emulator.inject({
      method: 'POST',
      url: '/api/v2/emulator-tests/not-a-route',
      headers: { authorization: bearer, 'content-type': 'application/json' },
      payload: '',
    });
    expectApiError(res, 404, 'not.found');
  });
});

describe('inin-correlation-id', () => {
  it('is on every response, distinct per request, and equals the error body contextId', async () => {
    const { emulator, bearer, get } = await withAgent();
    const responses = [
      await get(QUEUES),
      await get('/api/v2/organizations/me'),
      await get(QUEUES, null),
      await get(`${QUEUES}?pageSize=abc`),
      await get('/api/v2/not/here'),
      await emulator.inject({
        method: 'POST',
        url: '/oauth/token',
        headers: { authorization: bearer, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'grant_type=client_credentials',
      }),
    ];
    const ids = responses.map((r) => r.headers['inin-correlation-id']);
    for (const id of ids) expect(id).toEqual(expect.stringMatching(/\S/));
    expect(new Set(ids).size).toBe(ids.length);
    for (const res of responses.filter((r) => r.statusCode >= 400 && r.json().code !== undefined))
      expect(res.json().contextId).toBe(res.headers['inin-correlation-id']);
  });

  it('is sent on the wire by a listening emulator', async () => {
    const emulator = await startEmulator();
    const res = await fetch(`${emulator.url}/api/v2/organizations/me`);
    expect(res.status).toBe(401);
    const body = (await res.json()) as { code: string; contextId: string };
    expect(body.code).toBe('authentication.required');
    expect(res.headers.get('inin-correlation-id')).toBe(body.contextId);
  });
});
