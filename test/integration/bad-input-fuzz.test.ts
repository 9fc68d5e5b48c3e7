import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { defaultFixture } from '../../emulator/index.ts';
import { basic, bearerFor, clients, expectApiError } from '../support/api.ts';
import { injectableEmulator, type TestEmulator } from '../support/emulators.ts';

/**
 * Bad input never gets a 5xx or a crash: random bodies, content types and headers on the login endpoint,
 * the platform routes and the control plane always get a 4xx with a Genesys body (the OAuth shape on
 * /oauth/token), and the emulator keeps answering correctly afterwards.
 */

const NUM_RUNS = 250;
const ONE_MB = 1_048_576;
const DEFAULT = defaultFixture();

type Response = Awaited<ReturnType<TestEmulator['inject']>>;

// ---------------------------------------------------------------- arbitraries

/** Header values a real HTTP client can send: printable ASCII and latin-1 (Node refuses control characters). */
const headerText = fc.string({
  unit: fc.oneof(
    fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
    fc.integer({ min: 0xa0, max: 0xff }).map((c) => String.fromCharCode(c)),
  ),
  maxLength: 60,
});

const anyText = fc.string({ unit: 'grapheme', maxLength: 200 });

function authorizationArb(extra: fc.Arbitrary<string>[] = []) {
  const knownId = fc.constantFrom(...DEFAULT.clients.map((c) => c.id));
  return fc.option(
    fc.oneof(
      headerText,
      headerText.map((t) => `Basic ${t}`),
      headerText.map((t) => `Bearer ${t}`),
      fc.tuple(anyText, anyText).map(([id, secret]) => basic(id, secret)),
      fc.tuple(knownId, anyText).map(([id, secret]) => basic(id, secret)),
      anyText.map((t) => `Basic ${Buffer.from(t).toString('base64')}`),
      fc.base64String({ maxLength: 40 }).map((t) => `basic   ${t}  `),
      fc.constantFrom(
        'Basic',
        'Bearer',
        'Bearer ',
        'Basic :',
        `Basic ${Buffer.from(':').toString('base64')}`,
      ),
      ...extra,
    ),
    { nil: undefined },
  );
}

const contentTypeArb = fc.option(
  fc.oneof(
    fc.constantFrom(
      'application/json',
      'application/json; charset=utf-8',
      'application/vnd.genesys+json',
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=ISO-8859-1',
      'text/plain',
      'application/yaml',
      'text/yaml',
      'application/xml',
      'multipart/form-data; boundary=xyz',
      'application/octet-stream',
      '*/*',
      ';',
    ),
    headerText,
  ),
  { nil: undefined },
);

const formArb = fc
  .array(
    fc.tuple(
      fc.oneof(fc.constantFrom('grant_type', 'client_id', 'client_secret', 'scope', '__proto__'), anyText),
      fc.oneof(fc.constantFrom('client_credentials', 'password', 'authorization_code', ''), anyText),
    ),
    { maxLength: 6 },
  )
  .map((pairs) => new URLSearchParams(pairs).toString());

const bodyArb: fc.Arbitrary<string | Buffer | undefined> = fc.oneof(
  fc.constant(undefined),
  fc.constant(''),
  fc.json({ maxDepth: 3 }),
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  anyText,
  formArb,
  fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)),
  fc.constantFrom('{', '{"ms": }', '[1,', 'null', '"', '{"__proto__": {"x": 1}}', 'a: [b', '---\n- ]'),
);

/** Other headers a client may send; accept-version is one fastify itself gives meaning to. */
const extraHeadersArb = fc.dictionary(
  fc.constantFrom(
    'accept',
    'accept-version',
    'accept-encoding',
    'content-encoding',
    'origin',
    'cookie',
    'x-anything',
  ),
  headerText,
  { maxKeys: 3 },
);

const pathSegment = fc
  .string({ unit: 'grapheme', minLength: 1, maxLength: 30 })
  .map((s) => encodeURIComponent(s));

const queryArb = fc
  .array(
    fc.tuple(
      fc.oneof(
        fc.constantFrom(
          'pageSize',
          'pageNumber',
          'name',
          'sortOrder',
          'id',
          'divisionId',
          'expand',
          'joined',
        ),
        anyText,
      ),
      fc.oneof(fc.constantFrom('1', '0', '-1', 'abc', '25', '1e3', '*', 'desc', ''), anyText),
    ),
    { maxLength: 4 },
  )
  .map((pairs) => (pairs.length === 0 ? '' : `?${new URLSearchParams(pairs).toString()}`));

// ---------------------------------------------------------------- assertions

function headersOf(
  contentType: string | undefined,
  authorization: string | undefined,
  extra: Record<string, string>,
) {
  return {
    ...extra,
    ...(contentType === undefined ? {} : { 'content-type': contentType }),
    ...(authorization === undefined ? {} : { authorization }),
  };
}

function expectGenesysError(res: Response, context: string) {
  expect(res.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, context).toBeLessThan(500);
  const body = JSON.parse(res.body);
  expect(body, context).toMatchObject({
    code: expect.any(String),
    status: res.statusCode,
    message: expect.any(String),
    contextId: res.headers['inin-correlation-id'],
  });
}

function expectOAuthError(res: Response, context: string) {
  expect(res.statusCode, context).toBeGreaterThanOrEqual(400);
  expect(res.statusCode, context).toBeLessThan(500);
  expect(JSON.parse(res.body), context).toEqual({
    error: expect.any(String),
    description: expect.any(String),
    error_description: expect.any(String),
  });
  expect(res.headers['inin-correlation-id'], context).toEqual(expect.any(String));
}

/** After the fuzzing: a valid login still works and the queues are still the fixture's. */
async function expectStillHealthy(emulator: TestEmulator) {
  expect(emulator.fixture.org.id).toBe(DEFAULT.org.id);
  const bearer = await bearerFor(emulator, clients(emulator).agents[0]!);
  const res = await emulator.inject({
    method: 'GET',
    url: '/api/v2/routing/queues',
    headers: { authorization: bearer },
  });
  expect(res.statusCode, res.body).toBe(200);
  const body = res.json();
  expect(body.entities.map((q: { id: string; name: string }) => ({ id: q.id, name: q.name }))).toEqual(
    DEFAULT.queues.map((q) => ({ id: q.id, name: q.name })).sort((a, b) => a.name.localeCompare(b.name)),
  );
  expect(body.total).toBe(DEFAULT.queues.length);
}

const describeRequest = (method: string, url: string, headers: object, body: unknown) =>
  `${method} ${url} ${JSON.stringify(headers)} ${JSON.stringify(typeof body === 'string' ? body.slice(0, 200) : body)}`;

// ---------------------------------------------------------------- properties

describe('random bad input', () => {
  it('POST /oauth/token always answers 4xx in the OAuth error shape', async () => {
    const emulator = await injectableEmulator();
    await fc.assert(
      fc.asyncProperty(
        authorizationArb(),
        contentTypeArb,
        bodyArb,
        extraHeadersArb,
        async (authorization, contentType, body, extra) => {
          const headers = headersOf(contentType, authorization, extra);
          const res = await emulator.inject({
            method: 'POST',
            url: '/oauth/token',
            headers,
            payload: body,
          });
          expectOAuthError(res, describeRequest('POST', '/oauth/token', headers, body));
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(emulator);
  });

  it('platform routes never answer 5xx; errors are Genesys bodies; only a valid token gets a 2xx', async () => {
    const emulator = await injectableEmulator();
    const agent = clients(emulator).agents[0]!;
    const expired = await bearerFor(emulator, agent);
    await emulator.clock.advance(agent.accessTokenValiditySeconds * 1000);
    const valid = await bearerFor(emulator, agent);
    const queueId = DEFAULT.queues[0]!.id;

    const pathArb = fc.oneof(
      fc.constantFrom(
        '/api/v2/users/me',
        '/api/v2/organizations/me',
        '/api/v2/routing/queues',
        '/api/v2/routing/queues/',
        `/api/v2/routing/queues/${queueId}`,
        `/api/v2/routing/queues/${queueId}/members`,
      ),
      pathSegment.map((s) => `/api/v2/routing/queues/${s}`),
      pathSegment.map((s) => `/api/v2/routing/queues/${s}/members`),
      pathSegment.map((s) => `/api/v2/users/${s}`),
      fc.array(pathSegment, { minLength: 1, maxLength: 3 }).map((parts) => `/api/v2/${parts.join('/')}`),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE'),
        pathArb,
        queryArb,
        authorizationArb([fc.constant(valid), fc.constant(expired)]),
        contentTypeArb,
        bodyArb,
        extraHeadersArb,
        async (method, path, query, authorization, contentType, body, extra) => {
          const headers = headersOf(contentType, authorization, extra);
          const url = path + query;
          const res = await emulator.inject({
            method: method as 'GET',
            url,
            headers,
            ...(method === 'GET' ? {} : { payload: body }),
          });
          const context = describeRequest(method, url, headers, body);
          if (res.statusCode < 300) {
            expect(authorization, context).toBe(valid);
            expect(method, context).toBe('GET');
            expect(() => JSON.parse(res.body), context).not.toThrow();
          } else {
            expectGenesysError(res, context);
          }
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(emulator);
  });

  it('the control plane never answers 5xx, and its errors are Genesys bodies', async () => {
    const emulator = await injectableEmulator();
    const pathArb = fc.oneof(
      fc.constantFrom(
        '/__emulator/fixture',
        '/__emulator/reset',
        '/__emulator/clock',
        '/__emulator/clock/advance',
        '/__emulator/events',
      ),
      pathSegment.map((s) => `/__emulator/${s}`),
    );
    const advanceBody = fc
      .record({ ms: fc.oneof(fc.integer(), fc.double(), anyText, fc.constant(null)) }, { requiredKeys: [] })
      .map((v) => JSON.stringify(v));

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
        pathArb,
        queryArb,
        contentTypeArb,
        fc.oneof(bodyArb, advanceBody),
        extraHeadersArb,
        async (method, path, query, contentType, body, extra) => {
          const headers = headersOf(contentType, undefined, extra);
          const url = path + query;
          const res = await emulator.inject({
            method: method as 'GET',
            url,
            headers,
            ...(method === 'GET' ? {} : { payload: body }),
          });
          if (res.statusCode >= 300) expectGenesysError(res, describeRequest(method, url, headers, body));
          else expect(res.statusCode).toBeLessThan(300);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(emulator);
  });

  it('a fixture with one field of the wrong type is refused with 400 naming that field', async () => {
    const emulator = await injectableEmulator();
    const base = JSON.parse(JSON.stringify(DEFAULT)) as unknown;
    const paths = collectPaths(base);
    const kindOf = (v: unknown) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);
    const replacement = fc.oneof(
      fc.string({ maxLength: 10 }),
      fc.integer(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.integer(), { maxLength: 2 }),
      fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }),
    );

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...paths),
        replacement,
        fc.constantFrom('json', 'yaml'),
        async (path, value, format) => {
          fc.pre(kindOf(getIn(base, path)) !== kindOf(value));
          const mutated = setIn(base, path, value);
          const res = await emulator.inject({
            method: 'POST',
            url: '/__emulator/fixture',
            headers: { 'content-type': format === 'json' ? 'application/json' : 'application/yaml' },
            payload: format === 'json' ? JSON.stringify(mutated) : stringify(mutated),
          });
          const field = formatPath(path);
          const body = expectApiError(res, 400, 'bad.request');
          expect(body.details, field).toContainEqual(expect.objectContaining({ fieldName: field }));
          expect(body.message, field).toContain(field);
        },
      ),
      { numRuns: NUM_RUNS },
    );
    await expectStillHealthy(emulator);
  });
});

// ---------------------------------------------------------------- examples

describe('specific bad input', () => {
  const oversized = 'x'.repeat(ONE_MB + 1);

  it('a body over 1 MB gets 413 with a Genesys body (OAuth shape on /oauth/token)', async () => {
    const emulator = await injectableEmulator();
    const bearer = await bearerFor(emulator, clients(emulator).org);
    for (const [url, contentType] of [
      ['/__emulator/fixture', 'application/json'],
      ['/__emulator/fixture', 'application/yaml'],
      ['/__emulator/clock/advance', 'application/json'],
      ['/api/v2/routing/queues', 'application/json'],
      ['/api/v2/emulator-tests/not-a-route', 'application/json'],
    ] as const) {
      const res = await emulator.inject({
        method: 'POST',
        url,
        headers: { 'content-type': contentType, authorization: bearer },
        payload: oversized,
      });
      expectApiError(res, 413, 'request.entity.too.large');
    }
    const login = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `grant_type=client_credentials&pad=${oversized}`,
    });
    expect(login.statusCode).toBe(413);
    expectOAuthError(login, 'oversized login');
    await expectStillHealthy(emulator);
  });

  it('a body of exactly 1 MB is read (and refused for what it says, not for its size)', async () => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'POST',
      url: '/__emulator/fixture',
      headers: { 'content-type': 'application/yaml' },
      payload: `org: ${'x'.repeat(ONE_MB - 5)}`,
    });
    expectApiError(res, 400, 'bad.request');
  });

  it('malformed JSON gets 400 bad.request (invalid_request on /oauth/token)', async () => {
    const emulator = await injectableEmulator();
    const bearer = await bearerFor(emulator, clients(emulator).org);
    for (const url of [
      '/__emulator/fixture',
      '/__emulator/clock/advance',
      '/api/v2/emulator-tests/not-a-route',
    ]) {
      const res = await emulator.inject({
        method: 'POST',
        url,
        headers: { 'content-type': 'application/json', authorization: bearer },
        payload: '{"ms": ',
      });
      expectApiError(res, 400, 'bad.request');
    }
    const login = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/json' },
      payload: '{"grant_type": ',
    });
    expect(login.statusCode).toBe(400);
    expect(login.json()).toMatchObject({ error: 'invalid_request' });
  });

  it('an unsupported content type gets 415 unsupported.media.type (OAuth shape on /oauth/token)', async () => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'POST',
      url: '/__emulator/fixture',
      headers: { 'content-type': 'application/xml' },
      payload: '<org/>',
    });
    expectApiError(res, 415, 'unsupported.media.type');
    const login = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { 'content-type': 'application/xml' },
      payload: '<grant/>',
    });
    expect(login.statusCode).toBe(415);
    expectOAuthError(login, 'xml login');
  });

  it.each([
    ['missing grant', 'client_id=x', undefined, 'invalid_request'],
    ['unknown grant', 'grant_type=implicit', undefined, 'unsupported_grant_type'],
    ['malformed Basic header', 'grant_type=client_credentials', 'Basic %%%', 'invalid_request'],
    [
      'Basic header without a client id',
      'grant_type=client_credentials',
      basic('', 'secret'),
      'invalid_request',
    ],
  ])('/oauth/token: %s gets a 400 OAuth error', async (_what, payload, authorization, error) => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        ...(authorization ? { authorization } : {}),
      },
      payload,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error });
  });

  it.each(['pageSize=abc', 'pageNumber=-2', 'pageSize=1e9', 'sortOrder=1'])(
    'wrong types in the query (?%s) get 400 bad.request',
    async (query) => {
      const emulator = await injectableEmulator();
      const bearer = await bearerFor(emulator, clients(emulator).org);
      const res = await emulator.inject({
        method: 'GET',
        url: `/api/v2/routing/queues?${query}`,
        headers: { authorization: bearer },
      });
      expectApiError(res, 400, 'bad.request');
    },
  );

  it('a YAML alias bomb posted as a fixture gets 400, not 500', async () => {
    const emulator = await injectableEmulator();
    const lines = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [prev, next] of [
      ['a', 'b'],
      ['b', 'c'],
      ['c', 'd'],
    ])
      lines.push(`${next}: &${next} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    const res = await emulator.inject({
      method: 'POST',
      url: '/__emulator/fixture',
      headers: { 'content-type': 'application/yaml' },
      payload: lines.join('\n'),
    });
    expectApiError(res, 400, 'bad.request');
    await expectStillHealthy(emulator);
  });

  // fastify answers these two before any route or hook runs; the app's `frameworkErrors` option sends
  // them through the Genesys error body and correlation header like everything else.
  it('a malformed percent-encoding in the path gets a Genesys 400 body', async () => {
    const emulator = await injectableEmulator();
    expectGenesysError(await emulator.inject({ method: 'GET', url: '/api/v2/routing/queues/%E0%A4%A' }), '');
  });

  it('a path parameter over 100 characters gets a Genesys 4xx body', async () => {
    const emulator = await injectableEmulator();
    const url = `/api/v2/routing/queues/${'q'.repeat(101)}`;
    expectGenesysError(await emulator.inject({ method: 'GET', url }), '');
  });
});

// ---------------------------------------------------------------- helpers

type Path = (string | number)[];

/** Every path below the root of a JSON value, containers included. */
function collectPaths(value: unknown, prefix: Path = []): Path[] {
  const out: Path[] = [];
  const children: [string | number, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : value !== null && typeof value === 'object'
      ? Object.entries(value)
      : [];
  for (const [key, child] of children) {
    const path = [...prefix, key];
    out.push(path, ...collectPaths(child, path));
  }
  return out;
}

function getIn(value: unknown, path: Path): unknown {
  return path.reduce<unknown>((v, key) => (v as Record<string | number, unknown>)[key], value);
}

function setIn(value: unknown, path: Path, replacement: unknown): unknown {
  const copy = structuredClone(value);
  const parent = getIn(copy, path.slice(0, -1)) as Record<string | number, unknown>;
  parent[path.at(-1)!] = replacement;
  return copy;
}

/** users[1].capacity.message, as the emulator names fields. */
function formatPath(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}
