import type { Clock } from '../clock.ts';
import type { BridgeFailure } from '../errors.ts';

/** Races a promise against a clock timer; the loser is ignored (a late result is dropped, not cancelled). */
export function withTimeout<T>(
  promise: Promise<T>,
  clock: Clock,
  ms: number,
  onTimeout: () => BridgeFailure,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(() => reject(onTimeout()), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

/** How a promise settled within `ms`: its value, its failure, or undefined while it is still pending. */
export function settleWithin<T>(
  promise: Promise<T>,
  clock: Clock,
  ms: number,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown } | undefined> {
  return new Promise((resolve) => {
    const timer = clock.setTimeout(() => resolve(undefined), ms);
    promise.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve({ ok: true, value });
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        resolve({ ok: false, error });
      },
    );
  });
}
