import type { Clock, TimerHandle } from '../clock.ts';
import type { Lease, SessionStore } from '../store/session-store.ts';

/**
 * Keeps this instance's leases and finds the sessions nobody owns. Every `leaseTtlMs / 3` it renews every
 * lease it holds (a lease it is told it lost: another instance owns that session now). More often (every
 * third of the TTL, at most every 500 ms: one cheap range read) it looks for orphans: live sessions whose
 * lease expired (their owner died: a crash is noticed one TTL after its last renewal at most) or was
 * released (a rolling restart: other instances hear of it at once and do not wait for the TTL). It takes
 * each orphan it can and hands it to `takeOver`.
 */
export interface LeaseKeeperOptions {
  store: SessionStore;
  clock: Clock;
  owner: string;
  leaseTtlMs: number;
  /** The leases held now. */
  leases(): Lease[];
  /** A lease the store says is gone. */
  lost(lease: Lease): void;
  /** Goes on with a session whose lease this instance just took. */
  takeOver(lease: Lease): Promise<void>;
  report(error: unknown): void;
}

/** Orphans taken per look; a longer list is read again at once. */
const SCAN_LIMIT = 100;
/** The longest pause between two looks for orphans. */
const SCAN_MAX_MS = 500;

export class LeaseKeeper {
  readonly #options: LeaseKeeperOptions;
  readonly #taking = new Set<string>();
  #timer: TimerHandle | undefined;
  #stopped = true;
  #ticking = false;
  #scanAgain = false;
  #lastRenewal = Number.NEGATIVE_INFINITY;
  #detach: (() => void)[] = [];

  constructor(options: LeaseKeeperOptions) {
    this.#options = options;
  }

  /** Between two renewals. */
  get intervalMs(): number {
    return Math.max(10, Math.floor(this.#options.leaseTtlMs / 3));
  }

  /** Between two looks for orphans. */
  get scanIntervalMs(): number {
    return Math.min(this.intervalMs, SCAN_MAX_MS);
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const { store } = this.#options;
    this.#detach = [
      store.onReleased(() => this.#soon()),
      store.onAvailability((available) => {
        if (available) this.#soon();
      }),
    ];
    this.#soon();
  }

  stop(): void {
    this.#stopped = true;
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const detach of this.#detach.splice(0)) detach();
  }

  /** Whether a takeover of this session is under way here. */
  taking(sessionId: string): boolean {
    return this.#taking.has(sessionId);
  }

  /** A tick now (a release was announced, the store is back). */
  #soon(): void {
    if (this.#stopped) return;
    if (this.#ticking) {
      this.#scanAgain = true;
      return;
    }
    this.#options.clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    void this.#tick();
  }

  async #tick(): Promise<void> {
    this.#ticking = true;
    try {
      if (this.#options.clock.now() - this.#lastRenewal >= this.intervalMs - this.scanIntervalMs / 2) {
        this.#lastRenewal = this.#options.clock.now();
        await this.#renew();
      }
      do {
        this.#scanAgain = false;
        if (await this.#scan()) this.#scanAgain = true;
      } while (this.#scanAgain && !this.#stopped);
    } finally {
      this.#ticking = false;
      if (!this.#stopped)
        this.#timer = this.#options.clock.setTimeout(() => void this.#tick(), this.scanIntervalMs);
    }
  }

  async #renew(): Promise<void> {
    const leases = this.#options.leases();
    if (leases.length === 0) return;
    try {
      const lost = await this.#options.store.renew(leases, this.#options.leaseTtlMs);
      for (const lease of lost) this.#options.lost(lease);
    } catch (thrown) {
      // Unreachable: the sessions go on (their Genesys connections keep their place); renewed once back.
      this.#options.report(thrown);
    }
  }

  /** Takes the orphans it can; true when there may be more. */
  async #scan(): Promise<boolean> {
    const { store, owner, leaseTtlMs } = this.#options;
    let orphans: string[];
    try {
      orphans = await store.orphans(SCAN_LIMIT);
    } catch (thrown) {
      this.#options.report(thrown);
      return false;
    }
    const held = new Set(this.#options.leases().map((l) => l.sessionId));
    const candidates = orphans.filter((id) => !held.has(id) && !this.#taking.has(id));
    for (const id of candidates) this.#taking.add(id);
    let taken = 0;
    await Promise.all(
      candidates.map(async (sessionId) => {
        try {
          const lease = this.#stopped ? undefined : await store.acquire(sessionId, owner, leaseTtlMs);
          if (!lease) return;
          taken += 1;
          await this.#options.takeOver(lease);
        } catch (thrown) {
          this.#options.report(thrown);
        } finally {
          this.#taking.delete(sessionId);
        }
      }),
    );
    return orphans.length === SCAN_LIMIT && taken > 0;
  }
}
