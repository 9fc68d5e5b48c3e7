import type { Store } from '../store/store.ts';

/**
 * Injected HTTP faults for resilience tests: the next N requests whose path matches are answered 429 or
 * 503 with a Retry-After (as Genesys answers them) without reaching the route, or held for `delayMs` of
 * emulator time before they are handled (a slow Genesys). Faults are consumed in the order they were
 * added. The table lives in the store, so a reset clears it.
 */
export interface HttpFault {
  id: number;
  method?: string;
  /** Exact path, or a prefix when it ends with `*`. */
  path: string;
  /** Answer with this status; absent for a delay. */
  status?: 429 | 503;
  /** Hold the request this long (emulator clock) and then handle it normally. */
  delayMs?: number;
  remaining: number;
  retryAfterSeconds: number;
}

export type NewHttpFault = Omit<HttpFault, 'id' | 'remaining'> & { count: number };

export class HttpFaults {
  #next = 0;

  constructor(private readonly store: Store) {}

  #table() {
    return this.store.table<HttpFault>('faults.http');
  }

  /** After a restore: new faults number on from the highest one kept. */
  restored(): void {
    for (const f of this.#table().values()) this.#next = Math.max(this.#next, f.id);
  }

  add(fault: NewHttpFault): HttpFault {
    const { count, ...rest } = fault;
    const added: HttpFault = { id: ++this.#next, ...rest, remaining: count };
    this.#table().set(String(added.id), added);
    return { ...added };
  }

  list(): HttpFault[] {
    return [...this.#table().values()].sort((a, b) => a.id - b.id).map((f) => ({ ...f }));
  }

  clear(): void {
    const table = this.#table();
    for (const f of [...table.values()]) table.delete(String(f.id));
  }

  /** The first pending fault for this request, consumed by one; undefined when none applies. */
  take(method: string, path: string): HttpFault | undefined {
    const table = this.#table();
    if (table.size === 0) return undefined;
    const fault = [...table.values()]
      .sort((a, b) => a.id - b.id)
      .find((f) => (f.method === undefined || f.method === method) && matches(f.path, path));
    if (!fault) return undefined;
    fault.remaining -= 1;
    // Written back (found through values(), not get): the journal sees the count go down (store.ts).
    if (fault.remaining <= 0) table.delete(String(fault.id));
    else table.set(String(fault.id), fault);
    return fault;
  }
}

function matches(pattern: string, path: string): boolean {
  return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : pattern === path;
}
