import type { ImageJson, OperationRecord } from './records.ts';

type Entity = Record<string, unknown>;

/**
 * A whole emulator state as data: every store table, the timeline, the clock and the id positions.
 * A snapshot loads into one, journal lines apply to it in order, and a restore (or a repro pack)
 * is made from it; it knows nothing of what the tables mean.
 */
export class StateImage {
  readonly tables = new Map<string, Map<string, unknown>>();
  events: unknown[] = [];
  lastSeq = 0;
  now = 0;
  ids: number | undefined;
  cids: number | undefined;
  /** The last operation applied. */
  n = 0;

  static fromJson(json: ImageJson, upTo = 0): StateImage {
    const image = new StateImage();
    for (const [name, rows] of Object.entries(json.tables)) image.tables.set(name, new Map(rows));
    image.events = json.events;
    image.lastSeq = json.lastSeq;
    image.now = json.now;
    image.ids = json.ids;
    image.cids = json.cids;
    image.n = upTo;
    return image;
  }

  toJson(): ImageJson {
    const tables: ImageJson['tables'] = {};
    for (const [name, rows] of this.tables) if (rows.size) tables[name] = [...rows];
    return {
      tables,
      events: this.events,
      lastSeq: this.lastSeq,
      now: this.now,
      ...(this.ids === undefined ? {} : { ids: this.ids }),
      ...(this.cids === undefined ? {} : { cids: this.cids }),
    };
  }

  table(name: string): Map<string, unknown> {
    let table = this.tables.get(name);
    if (!table) {
      table = new Map();
      this.tables.set(name, table);
    }
    return table;
  }

  /** Applies one journal line: whole entities, then appended items, changed items, deletions. */
  apply(op: OperationRecord): void {
    this.n = op.n;
    this.now = op.t;
    if (op.ids !== undefined) this.ids = op.ids;
    if (op.cids !== undefined) this.cids = op.cids;
    for (const event of op.ev ?? []) {
      this.events.push(event);
      const seq = (event as { seq?: unknown }).seq;
      if (typeof seq === 'number') this.lastSeq = seq;
    }
    for (const [name, key, value, kept] of op.put ?? []) {
      const table = this.table(name);
      if (kept !== undefined) {
        const previous = table.get(key) as Entity | undefined;
        (value as Entity)[kept] = previous?.[kept] ?? [];
      }
      table.set(key, value);
    }
    for (const [name, key, field, from, items] of op.app ?? []) {
      const list = this.#field(name, key, field);
      if (from > list.length)
        throw new Error(`journal appends to ${name} ${key} at ${from}, after ${list.length}`);
      list.length = from;
      list.push(...items);
    }
    for (const [name, key, field, index, item] of op.upd ?? []) this.#field(name, key, field)[index] = item;
    for (const [name, key] of op.del ?? []) this.tables.get(name)?.delete(key);
  }

  #field(name: string, key: string, field: string): unknown[] {
    const entity = this.tables.get(name)?.get(key) as Entity | undefined;
    if (!entity) throw new Error(`journal names ${name} ${key}, which it never wrote`);
    let list = entity[field];
    if (!Array.isArray(list)) {
      list = [];
      entity[field] = list;
    }
    return list as unknown[];
  }
}
