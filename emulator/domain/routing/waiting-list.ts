/**
 * Conversations waiting in one queue, best first: higher priority, then earlier arrival (the order the
 * issue asks for; Genesys's score weighs one priority point as about one minute of waiting).
 */
export interface WaitingEntry {
  conversationId: string;
  priority: number;
  enqueuedAt: number;
  /** Arrival sequence, to keep ties stable. */
  order: number;
}

export class WaitingList {
  #entries: WaitingEntry[] = [];

  add(entry: WaitingEntry): void {
    // Insert in place (lists are short; a binary search would buy nothing measurable here).
    let i = this.#entries.length;
    while (i > 0 && before(entry, this.#entries[i - 1]!)) i--;
    this.#entries.splice(i, 0, entry);
  }

  remove(conversationId: string): boolean {
    const i = this.#entries.findIndex((e) => e.conversationId === conversationId);
    if (i < 0) return false;
    this.#entries.splice(i, 1);
    return true;
  }

  first(): WaitingEntry | undefined {
    return this.#entries[0];
  }

  entries(): readonly WaitingEntry[] {
    return this.#entries;
  }

  get size(): number {
    return this.#entries.length;
  }
}

export function before(a: WaitingEntry, b: WaitingEntry): boolean {
  if (a.priority !== b.priority) return a.priority > b.priority;
  if (a.enqueuedAt !== b.enqueuedAt) return a.enqueuedAt < b.enqueuedAt;
  return a.order < b.order;
}
