import { describe, expect, it } from 'vitest';
import {
  ANSWER_WINDOW_MS,
  isRetryable,
  MAX_RETRIES,
  nextStep,
  RETRY_DELAY_MS,
} from '../../../emulator/surfaces/openmessaging/webhook-retry-policy.ts';

/** Genesys's delivery rules: 10 s to answer; timeouts, 429 and 5xx retried 5 times, 5 s apart. */
describe('the Open Messaging webhook retry policy', () => {
  it('has the documented numbers', () => {
    expect([ANSWER_WINDOW_MS, RETRY_DELAY_MS, MAX_RETRIES]).toEqual([10_000, 5_000, 5]);
  });

  it('takes every 2xx as delivered', () => {
    for (const status of [200, 201, 202, 204, 299]) {
      expect(nextStep({ kind: 'answered', status }, 1)).toEqual({ outcome: 'delivered' });
      expect(nextStep({ kind: 'answered', status }, 6)).toEqual({ outcome: 'delivered' });
    }
  });

  it('retries a timeout, a failed connection, 429 and every 5xx, 5 s later', () => {
    const retryable = [
      { kind: 'timeout' as const },
      { kind: 'network' as const, message: 'ECONNREFUSED' },
      { kind: 'answered' as const, status: 429 },
      { kind: 'answered' as const, status: 500 },
      { kind: 'answered' as const, status: 503 },
      { kind: 'answered' as const, status: 599 },
    ];
    for (const result of retryable) {
      expect(isRetryable(result)).toBe(true);
      expect(nextStep(result, 1)).toEqual({ outcome: 'retrying', delayMs: 5_000 });
    }
  });

  it('does not retry another answer: 1xx, 3xx and 4xx but 429 fail at once', () => {
    for (const status of [100, 301, 304, 400, 401, 403, 404, 408, 410, 428, 430, 499]) {
      expect(isRetryable({ kind: 'answered', status })).toBe(false);
      const step = nextStep({ kind: 'answered', status }, 1);
      expect(step).toMatchObject({ outcome: 'failed' });
      expect(step.outcome === 'failed' && step.reason).toContain(`answered ${status}`);
    }
  });

  it('retries exactly 5 times: attempts 1 to 5 retry, the 6th gives up', () => {
    const timeout = { kind: 'timeout' as const };
    for (let attempt = 1; attempt <= 5; attempt++)
      expect(nextStep(timeout, attempt).outcome).toBe('retrying');
    const last = nextStep(timeout, 6);
    expect(last).toEqual({ outcome: 'failed', reason: 'no answer within 10 s after 5 retries' });
    expect(nextStep({ kind: 'network', message: 'reset' }, 6)).toEqual({
      outcome: 'failed',
      reason: 'could not be delivered (reset) after 5 retries',
    });
  });
});
