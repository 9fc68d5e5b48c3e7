/**
 * When Genesys tries a webhook delivery again (platform-extra.md §1.5, [DC-VAL]): the receiver must
 * answer within 10 s; a timeout, a 429 or a 5xx is retried up to 5 times, 5 s apart (about 85 s in the
 * worst case). Any other answer is final: 2xx delivered, another 4xx failed (not retried, inferred). A
 * connection that fails outright is treated like a timeout (UNCONFIRMED).
 */
export const ANSWER_WINDOW_MS = 10_000;
export const RETRY_DELAY_MS = 5_000;
export const MAX_RETRIES = 5;

export type AttemptResult =
  | { kind: 'answered'; status: number }
  | { kind: 'timeout' }
  | { kind: 'network'; message: string };

export type Decision =
  | { outcome: 'delivered' }
  | { outcome: 'retrying'; delayMs: number }
  | { outcome: 'failed'; reason: string };

/** What follows attempt number `attempt` (1 for the first) that ended with `result`. */
export function nextStep(result: AttemptResult, attempt: number): Decision {
  if (result.kind === 'answered' && result.status >= 200 && result.status < 300)
    return { outcome: 'delivered' };
  const why = describe(result);
  if (!isRetryable(result)) return { outcome: 'failed', reason: `${why}; not retried` };
  if (attempt > MAX_RETRIES) return { outcome: 'failed', reason: `${why} after ${MAX_RETRIES} retries` };
  return { outcome: 'retrying', delayMs: RETRY_DELAY_MS };
}

export function isRetryable(result: AttemptResult): boolean {
  if (result.kind !== 'answered') return true;
  return result.status === 429 || result.status >= 500;
}

function describe(result: AttemptResult): string {
  switch (result.kind) {
    case 'answered':
      return `answered ${result.status}`;
    case 'timeout':
      return `no answer within ${ANSWER_WINDOW_MS / 1000} s`;
    case 'network':
      return `could not be delivered (${result.message})`;
  }
}
