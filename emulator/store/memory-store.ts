import type { Store, Table } from './store.ts';

/** The default store: plain Maps, one per table. */
export class MemoryStore implements Store {
  #tables = new Map<string, Map<string, unknown>>();

  table<V>(name: string): Table<V> {
    let table = this.#tables.get(name);
    if (!table) {
      table = new Map();
      this.#tables.set(name, table);
    }
    return table as unknown as Table<V>;
  }

  clear(): void {
    for (const table of this.#tables.values()) table.clear();
  }

  names(): string[] {
    return [...this.#tables].filter(([, t]) => t.size > 0).map(([name]) => name);
  }

  raw(name: string): Map<string, unknown> {
    this.table(name);
    return this.#tables.get(name)!;
  }
}
