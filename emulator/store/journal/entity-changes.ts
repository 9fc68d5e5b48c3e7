import { hash53 } from './hash.ts';
import { encodeJson } from './json-codec.ts';

/**
 * A field of a table's entities that only grows (a conversation's messages): it is journaled item by
 * item, so the bytes an operation writes do not grow with the entity's history. Items are written
 * once; an item still `open` may change later (an outbound message gets its delivery time) and is
 * watched until it is not.
 */
export interface AppendOnlyField {
  table: string;
  field: string;
  isOpen(item: unknown): boolean;
}

/** The journal line's entity parts, as JSON fragments. */
export interface EntityRecords {
  put: string[];
  app: string[];
  upd: string[];
  del: string[];
}

type Entity = Record<string, unknown>;

interface AppendState {
  /** Items already journaled. */
  written: number;
  /** Open items already journaled: index -> hash of their JSON. */
  open: Map<number, number>;
}

/**
 * Decides what to journal for the entities an operation touched: nothing when an entity is unchanged
 * (a hash of its JSON per entity is kept, not a copy), the whole entity when it changed (without its
 * append-only field), the new items of that field, and the open items that changed.
 */
export class EntityChanges {
  readonly #fields = new Map<string, AppendOnlyField>();
  /** table -> key -> hash of the entity's JSON (without its append-only field). */
  readonly #hashes = new Map<string, Map<string, number>>();
  /** "table key" -> the append-only field's journaled state. */
  readonly #appends = new Map<string, AppendState>();

  constructor(fields: readonly AppendOnlyField[] = []) {
    for (const f of fields) this.#fields.set(f.table, f);
  }

  /** Forgets everything: after a reset, or before seeding from a whole state. */
  clear(): void {
    this.#hashes.clear();
    this.#appends.clear();
  }

  /** Takes an entity as already journaled (in a snapshot, or just restored). */
  known(table: string, key: string, value: unknown): void {
    const field = this.#fields.get(table);
    this.#hashesOf(table).set(key, hash53(this.#json(value, field)));
    if (field) this.#appends.set(`${table}\u0000${key}`, this.#appendState(value as Entity, field));
  }

  /** Adds to `out` what changed of one touched entity; `value` undefined means it is gone. */
  collect(table: string, key: string, value: unknown, out: EntityRecords): void {
    const hashes = this.#hashesOf(table);
    const field = this.#fields.get(table);
    if (value === undefined) {
      if (!hashes.delete(key)) return;
      this.#appends.delete(`${table}\u0000${key}`);
      out.del.push(encodeJson([table, key]));
      return;
    }
    const json = this.#json(value, field);
    const hash = hash53(json);
    if (hashes.get(key) !== hash) {
      hashes.set(key, hash);
      const k = encodeJson(key);
      out.put.push(
        field
          ? `[${encodeJson(table)},${k},${json},${encodeJson(field.field)}]`
          : `[${encodeJson(table)},${k},${json}]`,
      );
    }
    if (field) this.#collectItems(table, key, value as Entity, field, out);
  }

  #collectItems(
    table: string,
    key: string,
    entity: Entity,
    field: AppendOnlyField,
    out: EntityRecords,
  ): void {
    const id = `${table}\u0000${key}`;
    let state = this.#appends.get(id);
    if (!state) {
      state = { written: 0, open: new Map() };
      this.#appends.set(id, state);
    }
    const items = (entity[field.field] ?? []) as unknown[];
    const head = `${encodeJson(table)},${encodeJson(key)},${encodeJson(field.field)}`;
    for (const [index, before] of state.open) {
      const item = items[index];
      const json = encodeJson(item);
      const hash = hash53(json);
      if (hash !== before) out.upd.push(`[${head},${index},${json}]`);
      if (!field.isOpen(item)) state.open.delete(index);
      else state.open.set(index, hash);
    }
    if (items.length < state.written) {
      // Shorter than journaled (never by the domain's rules, but then say it as it is).
      state.written = 0;
      state.open.clear();
    }
    if (items.length === state.written) return;
    const fresh = items.slice(state.written);
    out.app.push(`[${head},${state.written},[${fresh.map((item) => encodeJson(item)).join(',')}]]`);
    for (let i = state.written; i < items.length; i++) {
      if (field.isOpen(items[i])) state.open.set(i, hash53(encodeJson(items[i])));
    }
    state.written = items.length;
  }

  #appendState(entity: Entity, field: AppendOnlyField): AppendState {
    const items = (entity[field.field] ?? []) as unknown[];
    const open = new Map<number, number>();
    items.forEach((item, i) => {
      if (field.isOpen(item)) open.set(i, hash53(encodeJson(item)));
    });
    return { written: items.length, open };
  }

  #json(value: unknown, field: AppendOnlyField | undefined): string {
    if (!field || value === null || typeof value !== 'object') return encodeJson(value);
    // null keeps the field's place among the keys, so a restored entity reads exactly like the original.
    return encodeJson({ ...(value as Entity), [field.field]: null });
  }

  #hashesOf(table: string): Map<string, number> {
    let hashes = this.#hashes.get(table);
    if (!hashes) {
      hashes = new Map();
      this.#hashes.set(table, hashes);
    }
    return hashes;
  }
}
