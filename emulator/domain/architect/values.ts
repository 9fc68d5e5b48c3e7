// Runtime values of the Architect expression language and the types flows declare.
// NOT_SET is a value of its own, never the empty string: Architect distinguishes the two everywhere.

import type { QueueRef } from './host.ts';

/** The variable types an Archy flow may declare. */
export type ValueType =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'duration'
  | 'json'
  | 'queue'
  | 'agentScorePairCollection'
  | 'stringCollection'
  | 'integerCollection';

export const VALUE_TYPES: readonly ValueType[] = [
  'string',
  'boolean',
  'integer',
  'decimal',
  'duration',
  'json',
  'queue',
  'agentScorePairCollection',
  'stringCollection',
  'integerCollection',
];

export interface NotSet {
  readonly kind: 'notSet';
}

export type Value =
  | NotSet
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'integer'; readonly value: number }
  | { readonly kind: 'decimal'; readonly value: number }
  | { readonly kind: 'duration'; readonly ms: number }
  | { readonly kind: 'queue'; readonly queue: QueueRef }
  | { readonly kind: 'stringCollection'; readonly items: readonly Value[] }
  | { readonly kind: 'integerCollection'; readonly items: readonly Value[] };

export type StringValue = Extract<Value, { kind: 'string' }>;
export type QueueValue = Extract<Value, { kind: 'queue' }>;

export const NOT_SET: NotSet = Object.freeze({ kind: 'notSet' });
export const TRUE: Value = Object.freeze({ kind: 'boolean', value: true });
export const FALSE: Value = Object.freeze({ kind: 'boolean', value: false });
export const EMPTY_STRING: StringValue = Object.freeze({
  kind: 'string',
  value: '',
});

export function stringValue(value: string): StringValue {
  return value === '' ? EMPTY_STRING : { kind: 'string', value };
}
export function booleanValue(value: boolean): Value {
  return value ? TRUE : FALSE;
}
export function integerValue(value: number): Value {
  return { kind: 'integer', value };
}
export function decimalValue(value: number): Value {
  return { kind: 'decimal', value };
}
export function queueValue(queue: QueueRef): QueueValue {
  return { kind: 'queue', queue: { id: queue.id, name: queue.name } };
}

/**
 * What the loader knows about an expression's type before running it. 'notSet' is the literal NOT_SET;
 * 'unknown' comes from built-in variables, whose values the caller supplies at run time.
 */
export type StaticType = ValueType | 'notSet' | 'unknown';

export function isValueType(name: string): name is ValueType {
  return (VALUE_TYPES as readonly string[]).includes(name);
}

/** Whether a value of static type `source` may be stored in a variable of type `target`. */
export function isAssignable(target: ValueType, source: StaticType): boolean {
  if (source === 'notSet' || source === 'unknown' || source === target) return true;
  // Architect widens integers to decimals implicitly; no other implicit conversion exists.
  return target === 'decimal' && source === 'integer';
}

/** Short, unambiguous text for traces and error messages: strings are quoted, NOT_SET is bare. */
export function showValue(value: Value): string {
  switch (value.kind) {
    case 'notSet':
      return 'NOT_SET';
    case 'string':
      return JSON.stringify(value.value);
    case 'boolean':
    case 'integer':
    case 'decimal':
      return String(value.value);
    case 'duration':
      return durationToIso(value.ms);
    case 'queue':
      return `queue ${JSON.stringify(value.queue.name)} (id ${value.queue.id === '' ? 'unknown' : value.queue.id})`;
    case 'stringCollection':
    case 'integerCollection':
      return `[${value.items.map(showValue).join(', ')}]`;
  }
}

/** ISO 8601 text for a duration, e.g. PT1M30S; the form Architect's ToString gives durations. */
export function durationToIso(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const days = Math.floor(rest / 86_400_000);
  rest -= days * 86_400_000;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = rest / 1000;
  let time = '';
  if (hours > 0) time += `${hours}H`;
  if (minutes > 0) time += `${minutes}M`;
  if (seconds > 0 || (days === 0 && time === '')) time += `${seconds}S`;
  return `${sign}P${days > 0 ? `${days}D` : ''}${time === '' ? '' : `T${time}`}`;
}
