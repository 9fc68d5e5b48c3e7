/**
 * The state store interface. Domain modules keep their mutable state in named tables obtained here,
 * never in module-level variables, so a reset and the journal behind `--data-dir` (store/journal/)
 * cover everything, including tables a new surface adds, without a list of them anywhere.
 *
 * The rule that makes the journal exact: an entity is changed only after it was obtained with `get`
 * (or written with `set`) in the same turn of the event loop. The journal learns which entities an
 * operation touched from those calls (tracking-store.ts); an object changed after iterating `values()`,
 * or kept across an `await` and changed later, must be fetched again with `get` first.
 * Entities are plain JSON data (numbers may be NaN or infinite; no Maps, Sets or class instances).
 */
export interface Table<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  delete(key: string): boolean;
  has(key: string): boolean;
  values(): IterableIterator<V>;
  readonly size: number;
}

export interface Store {
  /** The same name always yields the same table. */
  table<V>(name: string): Table<V>;
  /** Empties every table (reset to the loaded fixture). */
  clear(): void;
  /** The names of the tables that hold something. */
  names(): string[];
  /**
   * A table's own Map, for whole-state work only (snapshots, repro packs, restores): neither tracked
   * nor typed.
   */
  raw(name: string): Map<string, unknown>;
}
