/**
 * Lets every queued microtask and pending I/O callback run. Scripted frames travel on microtasks and the
 * adapters handle some frames through promise chains, so a test settles before it moves the ManualClock
 * past a timer those frames start: no time passes, nothing sleeps.
 */
export function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
