import { type Clock, isoTime, type TimerHandle } from '../clock.ts';
import { type BridgeError, toBridgeError } from '../errors.ts';
import type { GapReason } from '../types.ts';
import type { HistoryCatchUp, HistorySince, ProviderEnd, ProviderMessage } from './channel-adapter.ts';

/**
 * What Genesys sent while the connection was down, for one session. A drop opens a gap; after the
 * reconnect the adapter's history fills it (read again with backoff while it fails), and meanwhile newer
 * live events wait behind it, so that the bot sees Genesys's order. When the history arrives, its
 * messages the bot has not seen and the waiting events go on together, each waiting message at its place
 * in the history.
 *
 * The wait is bounded: `gapHoldMs` after the reconnect, or more than `gapHoldMax` waiting events, or a
 * history refused for good; then the waiting events go on after a `history.gap` event, and reads go on
 * (until `reconnectWindowMs` after the drop) so that what the gap held still arrives, late but not lost.
 * A drop during a read makes it read again (the read may stop short of what the new drop missed).
 */

/** A provider event on its way to the reorder buffer. */
export interface OrderedItem {
  /** Provider time, ms. */
  at: number | undefined;
  deliver: () => void;
  /** Genesys message id, for agent/bot messages. */
  messageId?: string;
}

/**
 * Which wait an event takes: `live` for one that arrives once the connection is back (newer than the gap;
 * what an adapter reports while still reconnecting describes the outage itself and goes first), `always`
 * for the end of the conversation (after whatever the gap holds), `never` for an end that makes Genesys's
 * history unreadable.
 */
export type HoldMode = 'live' | 'always' | 'never';

export interface GapReport {
  reason: GapReason;
  since: string;
  released: number;
  error?: BridgeError;
}

export interface ReconnectGapOptions {
  clock: Clock;
  gapHoldMs: number;
  gapHoldMax: number;
  /** Backoff between failed reads, and how long reads go on after the wait was cut short. */
  reconnectInitialDelayMs: number;
  reconnectMaxDelayMs: number;
  reconnectWindowMs: number;
  /** Absent when the channel has no history: then no gap is ever opened. */
  fetchHistory: ((since: HistorySince) => Promise<HistoryCatchUp>) | undefined;
  /** Whether the Genesys connection is up. */
  online(): boolean;
  /** Whether the session has ended (nothing more is delivered). */
  finished(): boolean;
  /** Hands an event to the reorder buffer. */
  release(item: OrderedItem): void;
  /** A history message as an event, or undefined when the bot already has it (marking it seen). */
  fromHistory(message: ProviderMessage): OrderedItem | undefined;
  /** The history shows the conversation ended meanwhile. */
  historyEnded(end: ProviderEnd): void;
  /** Appends the `history.gap` event. */
  report(gap: GapReport): void;
}

interface Gap {
  /** When the connection dropped. */
  since: number;
  /** Newer live events waiting behind the gap, in arrival order. */
  held: OrderedItem[];
  /** Live events wait while true; false once the bound released them. */
  holding: boolean;
  reading: boolean;
  /** Failed history reads in a row. */
  failures: number;
  lastError?: BridgeError;
  /** The hold bound runs from the first reconnect after the drop. */
  boundTimer?: TimerHandle;
  boundStarted: boolean;
  retryTimer?: TimerHandle;
  /** A history.gap event was appended for it. */
  reported: boolean;
  /**
   * The conversation's end waits behind the gap: the history is read (and retried) even while the
   * connection stays down, since nothing else will fill the gap now.
   */
  endWaiting: boolean;
}

export class ReconnectGap {
  readonly #options: ReconnectGapOptions;
  /** Provider message ids handed to the reorder buffer (not waiting behind a gap): where reads stop. */
  readonly #settledIds = new Set<string>();
  #gap: Gap | undefined;
  /** Connection drops so far: a read that saw one happen meanwhile is read again. */
  #drops = 0;

  constructor(options: ReconnectGapOptions) {
    this.#options = options;
  }

  /** Genesys message ids the bot already has (a session taken over): a history read stops at them. */
  know(ids: Iterable<string>): void {
    for (const id of ids) this.#settledIds.add(id);
  }

  /** Drops an open gap without delivering or reporting anything (the session moves to another instance). */
  dispose(): void {
    if (this.#gap) this.#drop(this.#gap);
  }

  /** Sends an event on, or keeps it waiting behind an open gap. */
  route(item: OrderedItem, hold: HoldMode = 'live'): void {
    const gap = this.#gap;
    if (gap?.holding && (hold === 'always' || (hold === 'live' && this.#options.online()))) {
      gap.held.push(item);
      if (gap.held.length > this.#options.gapHoldMax) this.#releaseHeld('holdLimit');
      return;
    }
    this.#release(item);
  }

  /** The connection dropped (`at`: when, if earlier than now: a session taken over). */
  dropped(at?: number): void {
    this.#drops += 1;
    if (!this.#options.fetchHistory) return;
    const gap = this.#gap;
    if (gap) {
      // Another drop before the history filled the last gap: one gap, and live events wait again (the
      // bound keeps running if it already was).
      this.#options.clock.clearTimeout(gap.retryTimer);
      gap.retryTimer = undefined;
      if (!gap.holding) {
        gap.holding = true;
        gap.boundStarted = false;
        gap.reported = false;
      }
      return;
    }
    this.#gap = {
      since: at ?? this.#options.clock.now(),
      held: [],
      holding: true,
      reading: false,
      failures: 0,
      boundStarted: false,
      reported: false,
      endWaiting: false,
    };
  }

  /** The connection is back: the wait's bound starts, and the history is read. */
  reconnected(): void {
    this.#startHoldBound();
    void this.#read();
  }

  /** The end of the conversation waits behind the gap: read the history now, whatever the connection does. */
  endWaits(): void {
    const gap = this.#gap;
    if (!gap?.holding) return;
    gap.endWaiting = true;
    this.#startHoldBound();
    void this.#read();
  }

  /** The session ends with a gap open: what waited goes on, saying the gap stays unfilled. */
  close(): void {
    const gap = this.#gap;
    if (!gap) return;
    if (gap.holding || !gap.reported) this.#releaseHeld('sessionEnded');
    this.#drop(gap);
  }

  #release(item: OrderedItem): void {
    if (item.messageId !== undefined) this.#settledIds.add(item.messageId);
    this.#options.release(item);
  }

  #startHoldBound(): void {
    const gap = this.#gap;
    if (!gap?.holding || gap.boundStarted) return;
    gap.boundStarted = true;
    gap.boundTimer = this.#options.clock.setTimeout(() => {
      gap.boundTimer = undefined;
      if (this.#gap === gap) this.#releaseHeld('holdTimeout');
    }, this.#options.gapHoldMs);
  }

  async #read(): Promise<void> {
    const gap = this.#gap;
    const { fetchHistory } = this.#options;
    if (!gap || !fetchHistory || gap.reading || this.#options.finished()) return;
    if (!this.#options.online() && !gap.endWaiting) return;
    this.#options.clock.clearTimeout(gap.retryTimer);
    gap.retryTimer = undefined;
    gap.reading = true;
    const drops = this.#drops;
    let missed: HistoryCatchUp;
    try {
      missed = await fetchHistory({ knownIds: this.#settledIds });
    } catch (thrown) {
      gap.reading = false;
      if (this.#options.finished() || this.#gap !== gap) return;
      gap.lastError = toBridgeError(thrown);
      gap.failures += 1;
      if (!gap.lastError.retryable) {
        // Genesys refuses the history for good: stop waiting for it.
        this.#releaseHeld('historyUnavailable');
        this.#drop(gap);
        return;
      }
      this.#scheduleRead(gap);
      return;
    }
    gap.reading = false;
    if (this.#options.finished() || this.#gap !== gap) return;
    if (drops !== this.#drops && !gap.endWaiting) {
      // The connection dropped during the read: it may stop short of what was missed since. Read again
      // once connected.
      void this.#read();
      return;
    }
    this.#fill(gap, missed);
  }

  #scheduleRead(gap: Gap): void {
    const { clock, reconnectInitialDelayMs, reconnectMaxDelayMs, reconnectWindowMs } = this.#options;
    if (!gap.holding && clock.now() - gap.since >= reconnectWindowMs) {
      // Released and reported long ago: stop asking.
      this.#drop(gap);
      return;
    }
    // While disconnected the next reconnect reads again (unless the end waits on this read).
    if (!this.#options.online() && !gap.endWaiting) return;
    const delay = Math.min(reconnectMaxDelayMs, reconnectInitialDelayMs * 2 ** (gap.failures - 1));
    gap.retryTimer = clock.setTimeout(() => {
      gap.retryTimer = undefined;
      void this.#read();
    }, delay);
  }

  /**
   * The history arrived: its messages the bot has not seen, then the events that waited, go on in
   * Genesys's order. A waiting message the history also holds takes the history's place, with the
   * events that arrived before it.
   */
  #fill(gap: Gap, missed: HistoryCatchUp): void {
    this.#drop(gap);
    const held = gap.held;
    gap.held = [];
    const heldAt = new Map<string, number>();
    held.forEach((item, i) => {
      if (item.messageId !== undefined) heldAt.set(item.messageId, i);
    });
    const ordered: OrderedItem[] = [];
    let next = 0;
    for (const message of missed.messages) {
      const index = heldAt.get(message.id);
      if (index !== undefined) {
        while (next <= index) ordered.push(held[next++]!);
        continue;
      }
      const item = this.#options.fromHistory(message);
      if (item) ordered.push(item);
    }
    while (next < held.length) ordered.push(held[next++]!);
    for (const item of ordered) this.#release(item);
    if (missed.ended) this.#options.historyEnded(missed.ended);
  }

  /** Stops waiting for the history: the waiting events go on, after a `history.gap` event. */
  #releaseHeld(reason: GapReason): void {
    const gap = this.#gap;
    if (!gap) return;
    this.#options.clock.clearTimeout(gap.boundTimer);
    gap.boundTimer = undefined;
    const held = gap.held;
    gap.held = [];
    gap.holding = false;
    if (!gap.reported) {
      gap.reported = true;
      this.#options.report({
        reason,
        since: isoTime(gap.since),
        released: held.length,
        ...(gap.lastError ? { error: gap.lastError } : {}),
      });
    }
    for (const item of held) this.#release(item);
  }

  #drop(gap: Gap): void {
    this.#options.clock.clearTimeout(gap.boundTimer);
    this.#options.clock.clearTimeout(gap.retryTimer);
    gap.boundTimer = gap.retryTimer = undefined;
    if (this.#gap === gap) this.#gap = undefined;
  }
}
