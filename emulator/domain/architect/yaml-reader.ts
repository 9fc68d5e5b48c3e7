// Typed, located access to the parsed YAML tree. Every accessor knows the flow path it is reading and the
// YAML line of the node, so any shape problem becomes a FlowLoadError that names both.

import { isAlias, isMap, isScalar, isSeq, type LineCounter } from 'yaml';
import { FlowLoadError, type FlowLoadErrorCode } from './errors.ts';

export interface MapEntry {
  readonly key: string;
  readonly keyNode: unknown;
  readonly value: unknown;
}

export class YamlReader {
  constructor(
    private readonly lineCounter: LineCounter,
    private readonly file: string | undefined,
  ) {}

  /** 1-based line where `node` starts, when the parser recorded it. */
  lineOf(node: unknown): number | undefined {
    if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
    const range: unknown = node.range;
    if (!Array.isArray(range) || typeof range[0] !== 'number') return undefined;
    return this.lineCounter.linePos(range[0]).line;
  }

  fail(code: FlowLoadErrorCode, path: string, node: unknown, detail: string): never {
    const line = this.lineOf(node);
    throw new FlowLoadError(code, detail, {
      path,
      ...(line === undefined ? {} : { line }),
      ...(this.file === undefined ? {} : { file: this.file }),
    });
  }

  private refuseAlias(node: unknown, path: string): void {
    if (isAlias(node)) {
      this.fail(
        'flow.yaml',
        path,
        node,
        'YAML aliases (*name) are not supported in flow files; write the value out',
      );
    }
  }

  /** True for a missing value, `~`, `null` or an empty `key:`. */
  isAbsent(node: unknown): boolean {
    return node === null || node === undefined || (isScalar(node) && node.value === null);
  }

  map(node: unknown, path: string, what: string): MapView {
    this.refuseAlias(node, path);
    if (!isMap(node)) this.fail('flow.schema', path, node, `${what} must be a mapping`);
    const entries: MapEntry[] = [];
    for (const pair of node.items) {
      this.refuseAlias(pair.key, path);
      if (!isScalar(pair.key) || pair.key.value === null || typeof pair.key.value === 'object') {
        this.fail('flow.schema', path, pair.key ?? node, `${what} has a key that is not a plain name`);
      }
      entries.push({
        key: String(pair.key.value),
        keyNode: pair.key,
        value: pair.value,
      });
    }
    return new MapView(this, node, path, what, entries);
  }

  /** A mapping that may be left out or empty (`name:` with nothing after it). */
  optionalMap(node: unknown, path: string, what: string): MapView {
    if (this.isAbsent(node)) return new MapView(this, node, path, what, []);
    return this.map(node, path, what);
  }

  /** Items of a sequence; a missing or empty value is an empty list. */
  list(node: unknown, path: string, what: string): readonly unknown[] {
    if (this.isAbsent(node)) return [];
    this.refuseAlias(node, path);
    if (!isSeq(node)) this.fail('flow.schema', path, node, `${what} must be a list`);
    return node.items;
  }

  /** The single `key: value` of a one-key mapping such as `- sendResponse: {...}`. */
  single(node: unknown, path: string, what: string): MapEntry {
    const view = this.map(node, path, what);
    const [entry] = view.entries;
    if (entry === undefined || view.entries.length !== 1) {
      this.fail('flow.schema', path, node, `${what} must have exactly one key, found ${view.entries.length}`);
    }
    return entry;
  }

  /**
   * A scalar's text. Numbers and booleans are accepted and read as written (so `refId: 12` or `lit: 007`
   * keep their source text); mappings, lists and empty values are refused.
   */
  text(node: unknown, path: string, what: string): string {
    this.refuseAlias(node, path);
    if (!isScalar(node) || node.value === null || typeof node.value === 'object') {
      this.fail('flow.schema', path, node, `${what} must be a text value`);
    }
    if (typeof node.value === 'string') return node.value;
    return typeof node.source === 'string' ? node.source : String(node.value);
  }

  /** Non-blank text, used as written (not trimmed). */
  name(node: unknown, path: string, what: string): string {
    const value = this.text(node, path, what);
    if (value.trim() === '') this.fail('flow.schema', path, node, `${what} must not be blank`);
    return value;
  }

  scalar(node: unknown, path: string, what: string): string | number | boolean {
    this.refuseAlias(node, path);
    const value: unknown = isScalar(node) ? node.value : undefined;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      this.fail('flow.schema', path, node, `${what} must be a single value`);
    }
    return value;
  }

  boolean(node: unknown, path: string, what: string): boolean {
    const value = this.scalar(node, path, what);
    if (typeof value !== 'boolean') this.fail('flow.schema', path, node, `${what} must be true or false`);
    return value;
  }
}

/** A mapping being read: lookups by key, and a check that no unexpected key is present. */
export class MapView {
  constructor(
    readonly reader: YamlReader,
    readonly node: unknown,
    readonly path: string,
    readonly what: string,
    readonly entries: readonly MapEntry[],
  ) {}

  get(key: string): unknown {
    return this.entries.find((entry) => entry.key === key)?.value;
  }

  has(key: string): boolean {
    return this.entries.some((entry) => entry.key === key) && !this.reader.isAbsent(this.get(key));
  }

  /** The value under `key`; a missing or empty value is a load error. */
  required(key: string): unknown {
    const value = this.get(key);
    if (this.reader.isAbsent(value)) {
      this.reader.fail('flow.schema', this.path, this.node, `${this.what} is missing "${key}"`);
    }
    return value;
  }

  at(key: string): string {
    return `${this.path}.${key}`;
  }

  /** Refuses any key not listed: nothing in a flow file is silently ignored. */
  allowOnly(keys: readonly string[]): void {
    for (const entry of this.entries) {
      if (!keys.includes(entry.key)) {
        this.reader.fail(
          'flow.unsupported.property',
          this.at(entry.key),
          entry.keyNode,
          `"${entry.key}" is not supported in ${this.what} (the emulator understands: ${keys.join(', ')})`,
        );
      }
    }
  }
}
