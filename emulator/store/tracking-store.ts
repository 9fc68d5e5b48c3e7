import type { Store, Table } from './store.ts';

/** Told of every entity an operation may have changed: the table and the key. */
export type TouchListener = (table: string, key: string) => void;

/**
 * The store behind `--data-dir`: plain Maps like MemoryStore, but every `get` that finds an entity,
 * every `set` and every `delete` tells the listener which (table, key) was touched, so the journal
 * can write exactly the entities an operation read or wrote (store/journal/entity-changes.ts). A `get`
 * counts because domain code changes entities in place after getting them; `has`, `size` and
 * `values()` do not (see the rule in store.ts).
 */
export class TrackingStore implements Store {
  readonly #tables = new Map<string, TrackedTable<unknown>>();
  readonly #listener: TouchListener;

  constructor(listener: TouchListener) {
    this.#listener = listener;
  }

  table<V>(name: string): Table<V> {
    let table = this.#tables.get(name);
    if (!table) {
      table = new TrackedTable(name, new Map(), this.#listener);
      this.#tables.set(name, table);
    }
    return table as Table<V>;
  }

  clear(): void {
    for (const table of this.#tables.values()) table.map.clear();
  }

  /**
   * Every table's own Map, read and written without telling the listener: snapshots read them, a
   * restore fills them.
   */
  raw(name: string): Map<string, unknown> {
    return (this.table(name) as TrackedTable<unknown>).map;
  }

  /** The tables that hold at least one entity. */
  names(): string[] {
    return [...this.#tables].filter(([, t]) => t.map.size > 0).map(([name]) => name);
  }
}

class TrackedTable<V> implements Table<V> {
  constructor(
    readonly name: string,
    readonly map: Map<string, V>,
    readonly touched: TouchListener,
  ) {}

  get(key: string): V | undefined {
    const value = this.map.get(key);
    if (value !== undefined) this.touched(this.name, key);
    return value;
  }

  set(key: string, value: V): void {
    this.map.set(key, value);
    this.touched(this.name, key);
  }

  delete(key: string): boolean {
    const had = this.map.delete(key);
    if (had) this.touched(this.name, key);
    return had;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  values(): IterableIterator<V> {
    return this.map.values();
  }

  get size(): number {
    return this.map.size;
  }
}
