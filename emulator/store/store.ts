/**
 * The state store interface. Domain modules keep their mutable state in named tables obtained here,
 * never in module-level variables, so a reset (or a future file-backed store) covers everything.
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
}
