import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { BridgeFailure } from '../../../bridge/errors.ts';
import {
  genesysErrorCode,
  HttpClient,
  type HttpRequest,
  retryAfterMs,
} from '../../../bridge/http/http-client.ts';
import { settle } from '../bridge/fake-adapter.ts';

/**
 * The bridge's HTTP client as Genesys sees it: how many requests leave, when each leaves, and what they
 * carry. Mutation testing (issue 18) found that the retry count, the backoff schedule, the timeout and the
 * request headers were exercised but never pinned: a client that gave up one attempt early, retried a 501,
 * dropped `Accept` or waited a different backoff passed every test. Times are exact on a manual clock.
 */

const START = Date.UTC(2026, 0, 1, 9, 0, 0);

interface Sent {
  at: number;
  url: string;
  init: RequestInit;
}

type Answer = { status: number; body?: string; headers?: Record<string, string> } | Error | 'hang';

/** A fetch that answers from a script (then 200 `{"ok":true}`) and records each request and its time. */
function scripted(
  clock: ManualClock,
  script: Answer[],
  options: { maxAttempts?: number; random?: number } = {},
) {
  const sent: Sent[] = [];
  const http = new HttpClient({
    clock,
    random: () => options.random ?? 0,
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    fetch: (url, init) => {
      sent.push({ at: clock.now() - START, url, init });
      const next = script.shift() ?? { status: 200, body: '{"ok":true}' };
      if (next === 'hang') {
        // Settles only when the client aborts it (its timeout).
        return new Promise((_, reject) => {
          init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
        });
      }
      if (next instanceof Error) return Promise.reject(next);
      return Promise.resolve(
        new Response(next.body ?? '', { status: next.status, headers: next.headers ?? {} }),
      );
    },
  });
  return { http, sent, times: () => sent.map((s) => s.at) };
}

async function advanceTo(clock: ManualClock, ms: number) {
  clock.advance(START + ms - clock.now());
  await settle();
}

const GET: HttpRequest = { method: 'GET', url: 'http://genesys.test/api/v2/x', retry: 'idempotent' };
const POST: HttpRequest = {
  method: 'POST',
  url: 'http://genesys.test/api/v2/y',
  body: { text: 'hi' },
  retry: 'refusalsOnly',
};

async function failureOf(promise: Promise<unknown>): Promise<BridgeFailure> {
  const thrown = await promise.then(
    () => undefined,
    (error: unknown) => error,
  );
  expect(thrown).toBeInstanceOf(BridgeFailure);
  return thrown as BridgeFailure;
}

describe('retry count and backoff schedule', () => {
  it('sends an idempotent request 4 times by default on 500s, backing off 250, 500, 1000 ms, then returns the 500', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [
      { status: 500 },
      { status: 500 },
      { status: 500 },
      { status: 500 },
    ]);
    const pending = http.request(GET);
    await settle();
    await advanceTo(clock, 249);
    expect(times()).toEqual([0]);
    await advanceTo(clock, 250);
    await advanceTo(clock, 749);
    expect(times()).toEqual([0, 250]);
    await advanceTo(clock, 750);
    await advanceTo(clock, 1749);
    expect(times()).toEqual([0, 250, 750]);
    await advanceTo(clock, 1750);
    expect(times()).toEqual([0, 250, 750, 1750]);
    expect((await pending).status).toBe(500);
    // Nothing more is scheduled: the fourth 500 was the answer.
    await advanceTo(clock, 60_000);
    expect(times()).toHaveLength(4);
  });

  it('with full jitter at its top, doubles from 500 ms and caps at 8 s', async () => {
    const clock = new ManualClock(START);
    const statuses = Array.from({ length: 6 }, () => ({ status: 502 }));
    const { http, times } = scripted(clock, statuses, { maxAttempts: 7, random: 1 });
    const pending = http.request(GET);
    await settle();
    // One millisecond before each retry is due nothing has left; at the due time it leaves. (Jumping
    // straight to a due time would also fire an earlier timer, and the request would still leave "then".)
    const due = [500, 1500, 3500, 7500, 15_500, 23_500];
    for (const [i, at] of due.entries()) {
      await advanceTo(clock, at - 1);
      expect(times()).toEqual([0, ...due.slice(0, i)]);
      await advanceTo(clock, at);
    }
    expect(times()).toEqual([0, ...due]);
    expect((await pending).status).toBe(200);
  });

  it('a 429 without Retry-After waits the backoff, not zero', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [{ status: 429 }]);
    const pending = http.request(POST);
    await settle();
    await advanceTo(clock, 249);
    expect(times()).toEqual([0]);
    await advanceTo(clock, 250);
    expect(times()).toEqual([0, 250]);
    expect((await pending).status).toBe(200);
  });

  it('returns the refusal from the last attempt instead of waiting again', async () => {
    const clock = new ManualClock(START);
    const refusal = { status: 503, headers: { 'Retry-After': '1' } };
    const { http, times } = scripted(clock, [refusal, refusal], { maxAttempts: 2 });
    const pending = http.request(GET);
    await settle();
    await advanceTo(clock, 1000);
    const response = await pending;
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('1');
    expect(times()).toEqual([0, 1000]);
  });

  it('waits a Retry-After of exactly 60 s, but returns a longer one to the caller at once', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [{ status: 429, headers: { 'Retry-After': '60' } }]);
    const pending = http.request(GET);
    await settle();
    await advanceTo(clock, 60_000);
    expect(times()).toEqual([0, 60_000]);
    expect((await pending).status).toBe(200);

    const later = new ManualClock(START);
    const long = scripted(later, [{ status: 429, headers: { 'Retry-After': '61' } }]);
    const response = await long.http.request(GET);
    expect(response.status).toBe(429);
    expect(long.times()).toEqual([0]);
  });
});

describe('which answers are retried', () => {
  it.each([
    [501, 'GET', 1],
    [500, 'GET', 2],
    [504, 'GET', 2],
    [500, 'POST', 1],
    [404, 'GET', 1],
    [409, 'POST', 1],
  ] as const)('a %i on a %s is sent %i time(s)', async (status, method, count) => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [{ status }]);
    const pending = http.request(method === 'GET' ? GET : POST);
    await settle();
    await advanceTo(clock, 10_000);
    const response = await pending;
    expect(times()).toHaveLength(count);
    expect(response.status).toBe(count === 1 ? status : 200);
  });

  it('a network failure is retried for an idempotent request, after the backoff', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [new Error('ECONNRESET')]);
    const pending = http.request(GET);
    await settle();
    await advanceTo(clock, 249);
    expect(times()).toEqual([0]);
    await advanceTo(clock, 250);
    expect((await pending).status).toBe(200);
    expect(times()).toEqual([0, 250]);
  });

  it('a network failure on a POST is PROVIDER_UNAVAILABLE at once, naming the request and the cause', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [new Error('ECONNRESET')]);
    const failure = await failureOf(http.request(POST));
    expect(failure.error).toMatchObject({
      code: 'PROVIDER_UNAVAILABLE',
      message: 'POST http://genesys.test/api/v2/y failed: ECONNRESET',
      retryable: true,
    });
    expect(times()).toEqual([0]);
  });

  it('an idempotent request that keeps failing gives up after the last attempt', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, [new Error('a'), new Error('b')], { maxAttempts: 2 });
    const pending = failureOf(http.request(GET));
    await settle();
    await advanceTo(clock, 250);
    const failure = await pending;
    expect(failure.error.message).toBe('GET http://genesys.test/api/v2/x failed: b');
    expect(times()).toEqual([0, 250]);
  });

  it('something thrown that is not an Error is named as text', async () => {
    const clock = new ManualClock(START);
    const http = new HttpClient({ clock, fetch: () => Promise.reject('socket gone') });
    const failure = await failureOf(http.request(POST));
    expect(failure.error.message).toBe('POST http://genesys.test/api/v2/y failed: socket gone');
  });
});

describe('timeout', () => {
  it('aborts a request that has no answer after 16 s, not before', async () => {
    const clock = new ManualClock(START);
    const { http, times } = scripted(clock, ['hang']);
    let settled = false;
    const pending = failureOf(http.request(POST)).finally(() => {
      settled = true;
    });
    await settle();
    await advanceTo(clock, 15_999);
    expect(settled).toBe(false);
    await advanceTo(clock, 16_000);
    const failure = await pending;
    expect(failure.error.message).toBe('POST http://genesys.test/api/v2/y failed: timed out after 16000 ms');
    expect(times()).toEqual([0]);
  });

  it('an answered request leaves no timer behind', async () => {
    const clock = new ManualClock(START);
    const { http } = scripted(clock, []);
    await http.request(GET);
    expect(clock.pending).toBe(0);
  });
});

describe('what a request carries and how the answer is read', () => {
  it('a JSON body is sent as JSON with Accept and Content-Type, caller headers kept', async () => {
    const clock = new ManualClock(START);
    const { http, sent } = scripted(clock, []);
    await http.request({ ...POST, headers: { Authorization: 'Bearer t' } });
    const { init, url } = sent[0]!;
    expect(url).toBe('http://genesys.test/api/v2/y');
    expect(init.method).toBe('POST');
    expect(init.headers).toEqual({
      Accept: 'application/json',
      Authorization: 'Bearer t',
      'Content-Type': 'application/json',
    });
    expect(init.body).toBe('{"text":"hi"}');
  });

  it('a form body (the OAuth token request) is sent form-encoded', async () => {
    const clock = new ManualClock(START);
    const { http, sent } = scripted(clock, []);
    await http.request({
      method: 'POST',
      url: 'http://login.test/oauth/token',
      body: new URLSearchParams({ grant_type: 'client_credentials' }),
      retry: 'refusalsOnly',
    });
    expect(sent[0]!.init.headers).toEqual({
      Accept: 'application/json',
      'Content-Type': 'application/x-www-form-urlencoded',
    });
    expect(sent[0]!.init.body).toBe('grant_type=client_credentials');
  });

  it('a request without a body has no body and no Content-Type', async () => {
    const clock = new ManualClock(START);
    const { http, sent } = scripted(clock, []);
    await http.request(GET);
    expect(sent[0]!.init.headers).toEqual({ Accept: 'application/json' });
    expect(sent[0]!.init.body).toBeUndefined();
  });

  it('reads a JSON answer, keeps a text answer as text, and an empty one as undefined', async () => {
    const clock = new ManualClock(START);
    const { http } = scripted(clock, [
      { status: 400, body: '{"code":"bad.request","message":"no"}' },
      { status: 404, body: 'not found' },
      { status: 202 },
    ]);
    expect((await http.request(POST)).body).toEqual({ code: 'bad.request', message: 'no' });
    expect((await http.request(POST)).body).toBe('not found');
    expect((await http.request(POST)).body).toBeUndefined();
  });
});

describe('Retry-After and Genesys error bodies', () => {
  it('reads blank as absent, fractions exactly, and a past or negative wait as none', () => {
    expect(retryAfterMs('', 0)).toBeUndefined();
    expect(retryAfterMs('   ', 0)).toBeUndefined();
    expect(retryAfterMs('1.5', 0)).toBe(1500);
    expect(retryAfterMs('-5', 0)).toBe(0);
    expect(retryAfterMs(new Date(1000).toUTCString(), 5000)).toBe(0);
  });

  it('takes code and message from a Genesys ErrorBody, and nothing that is not a string', () => {
    expect(genesysErrorCode({ code: 'flow.not.found', message: 'No flow', status: 404 })).toEqual({
      code: 'flow.not.found',
      message: 'No flow',
    });
    expect(genesysErrorCode({ code: 404, message: ['x'] })).toEqual({});
    expect(genesysErrorCode({ message: 'only' })).toEqual({ message: 'only' });
    expect(genesysErrorCode(null)).toEqual({});
    expect(genesysErrorCode('text')).toEqual({});
  });
});
