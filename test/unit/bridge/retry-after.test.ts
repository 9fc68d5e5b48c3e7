import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { HttpClient, type HttpRequest } from '../../../bridge/http/http-client.ts';
import { settle } from './fake-adapter.ts';

/**
 * Genesys refuses with 429 or 503 and says when to come back in `Retry-After` (platform-architect.md
 * §1.4). The bridge's HTTP client must not send the retry before that: the clock is moved to one
 * millisecond before the Retry-After elapses (nothing may have left), then to the exact moment (the retry
 * leaves then). Jumping past the deadline in one step would hide a client that retries early.
 */

const START = Date.UTC(2026, 0, 1, 9, 0, 0);

/** A fetch that answers from a script and records when (on the clock) each request left. */
function scriptedClient(
  clock: ManualClock,
  script: { status: number; headers?: Record<string, string> }[],
  options: { maxDelayMs?: number } = {},
) {
  const sentAt: number[] = [];
  const http = new HttpClient({
    clock,
    // Backoff with jitter would be at most 500 ms for the first retry: far from every Retry-After here.
    random: () => 0,
    ...options,
    fetch: async () => {
      sentAt.push(clock.now() - START);
      const next = script.shift() ?? { status: 200 };
      return new Response(next.status === 200 ? '{"ok":true}' : '', {
        status: next.status,
        headers: next.headers ?? {},
      });
    },
  });
  return { http, sentAt };
}

/** Moves the clock to `ms` after the start, letting the client's promise callbacks run on the way. */
async function advanceTo(clock: ManualClock, ms: number) {
  clock.advance(START + ms - clock.now());
  await settle();
}

const GET: HttpRequest = { method: 'GET', url: 'http://genesys.test/api', retry: 'idempotent' };
const POST: HttpRequest = {
  method: 'POST',
  url: 'http://genesys.test/api',
  body: { text: 'hi' },
  retry: 'refusalsOnly',
};

describe('HttpClient waits for Retry-After before retrying a refused request', () => {
  it.each([
    [429, 'GET', '2', 2000],
    [503, 'GET', '3', 3000],
    [429, 'POST', '2', 2000],
    [503, 'POST', '1', 1000],
    // Longer than the exponential backoff's cap (8 s): Retry-After still wins.
    [429, 'GET', '20', 20_000],
  ] as const)(
    '%i on a %s with Retry-After %s: nothing leaves before %i ms, the retry leaves at it',
    async (status, method, header, waitMs) => {
      const request = method === 'GET' ? GET : POST;
      const clock = new ManualClock(START);
      const { http, sentAt } = scriptedClient(clock, [{ status, headers: { 'Retry-After': header } }]);
      const pending = http.request(request);
      await settle();
      expect(sentAt).toEqual([0]);

      await advanceTo(clock, waitMs - 1);
      expect(sentAt).toEqual([0]);

      await advanceTo(clock, waitMs);
      expect(sentAt).toEqual([0, waitMs]);
      expect(await pending).toMatchObject({ status: 200, body: { ok: true } });
    },
  );

  it('reads Retry-After as an HTTP date against the clock', async () => {
    const clock = new ManualClock(START);
    const { http, sentAt } = scriptedClient(clock, [
      { status: 503, headers: { 'Retry-After': new Date(START + 5000).toUTCString() } },
    ]);
    const pending = http.request(GET);
    await settle();
    await advanceTo(clock, 4999);
    expect(sentAt).toEqual([0]);
    await advanceTo(clock, 5000);
    expect(sentAt).toEqual([0, 5000]);
    expect((await pending).status).toBe(200);
  });

  it('waits each refusal’s own Retry-After, one after another', async () => {
    const clock = new ManualClock(START);
    const { http, sentAt } = scriptedClient(clock, [
      { status: 429, headers: { 'Retry-After': '1' } },
      { status: 503, headers: { 'Retry-After': '4' } },
    ]);
    const pending = http.request(POST);
    await settle();
    await advanceTo(clock, 999);
    expect(sentAt).toEqual([0]);
    await advanceTo(clock, 1000);
    expect(sentAt).toEqual([0, 1000]);
    await advanceTo(clock, 4999);
    expect(sentAt).toEqual([0, 1000]);
    await advanceTo(clock, 5000);
    expect(sentAt).toEqual([0, 1000, 5000]);
    expect((await pending).status).toBe(200);
  });
});
