// Converts the caller's built-in variable map (plain JS values) into expression values, matching names
// ignoring case.

import { FlowRuntimeError } from './errors.ts';
import {
  booleanValue,
  decimalValue,
  integerValue,
  NOT_SET,
  queueValue,
  stringValue,
  type Value,
} from './values.ts';

/** Lower-cased name -> raw value; built once per run, on the first built-in read. */
export function indexBuiltins(builtins: Readonly<Record<string, unknown>>): Map<string, unknown> {
  const index = new Map<string, unknown>();
  for (const [name, value] of Object.entries(builtins)) index.set(name.toLowerCase(), value);
  return index;
}

/**
 * Strings, booleans and numbers map to their Architect types (whole numbers become integers); null and
 * undefined are NOT_SET; `{id, name}` objects are queues; arrays of strings or of whole numbers are
 * collections. Anything else is a run-time error naming the built-in.
 */
export function builtinToValue(name: string, raw: unknown): Value {
  if (raw === undefined || raw === null) return NOT_SET;
  if (typeof raw === 'string') return stringValue(raw);
  if (typeof raw === 'boolean') return booleanValue(raw);
  if (typeof raw === 'number' && Number.isFinite(raw)) {
    return Number.isSafeInteger(raw) ? integerValue(raw) : decimalValue(raw);
  }
  if (Array.isArray(raw)) {
    if (raw.every((item) => typeof item === 'string')) {
      return {
        kind: 'stringCollection',
        items: raw.map((item: string) => stringValue(item)),
      };
    }
    if (raw.every((item) => Number.isSafeInteger(item))) {
      return {
        kind: 'integerCollection',
        items: raw.map((item: number) => integerValue(item)),
      };
    }
  }
  if (typeof raw === 'object' && !Array.isArray(raw) && 'id' in raw && 'name' in raw) {
    const { id, name: queueName } = raw;
    if (typeof id === 'string' && typeof queueName === 'string') return queueValue({ id, name: queueName });
  }
  throw new FlowRuntimeError(`built-in ${name} has a value the emulator cannot use`);
}
