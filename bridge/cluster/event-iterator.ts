import type { SessionStore } from '../store/session-store.ts';
import type { BridgeEvent } from '../types.ts';

/**
 * `for await` over a session's events in the store from afterSeq: what the log holds, then new events as
 * they are committed (by whichever instance owns the session); it finishes after `session.ended`.
 * `check` runs first (it rejects for an unknown session, and the first next() rejects with it).
 */
export function watchIterator(
  store: SessionStore,
  sessionId: string,
  afterSeq: number,
  check: () => Promise<void>,
): AsyncIterableIterator<BridgeEvent> {
  const buffered: BridgeEvent[] = [];
  let wake: (() => void) | undefined;
  let stop: (() => void) | undefined;
  let done = false;
  let ended = false;
  let failure: unknown;
  const checked = check().then(
    () => {
      if (done) return;
      stop = store.watch(sessionId, afterSeq, (event) => {
        if (ended) return;
        buffered.push(event);
        if (event.type === 'session.ended') ended = true;
        wake?.();
      });
      if (done) stop();
    },
    (thrown: unknown) => {
      failure = thrown;
    },
  );
  const finish = () => {
    done = true;
    stop?.();
    const pending = wake;
    wake = undefined;
    pending?.();
  };
  const iterator: AsyncIterableIterator<BridgeEvent> = {
    next: async () => {
      await checked;
      if (failure !== undefined) {
        const thrown = failure;
        failure = undefined;
        finish();
        throw thrown;
      }
      while (!done) {
        const event = buffered.shift();
        if (event) return { value: event, done: false };
        if (ended) break;
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = undefined;
      }
      finish();
      return { value: undefined, done: true };
    },
    return: async () => {
      finish();
      return { value: undefined, done: true };
    },
    [Symbol.asyncIterator]() {
      return iterator;
    },
  };
  return iterator;
}
