/**
 * How busy the emulator is, for waits on a manual clock (runtime.activity, an ActivitySource): `count`
 * moves with everything that happens (each domain event, and each piece of work that starts or ends);
 * `inFlight` is the work started and not finished yet: HTTP requests, socket upgrades, Web Messaging
 * guest frames, webhook deliveries. Each piece of work is one `started()` and one `finished()`.
 */
export class WorkCount {
  count = 0;
  inFlight = 0;

  /** Something happened (a domain event). */
  happened(): void {
    this.count++;
  }

  started(): void {
    this.inFlight++;
    this.count++;
  }

  finished(): void {
    this.inFlight = Math.max(0, this.inFlight - 1);
    this.count++;
  }

  /** Counts `work` as in flight until it settles, however it ends. */
  async during<T>(work: () => Promise<T>): Promise<T> {
    this.started();
    try {
      return await work();
    } finally {
      this.finished();
    }
  }
}
