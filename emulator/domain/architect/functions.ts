// The expression functions the emulator implements. Names are matched ignoring case (UNCONFIRMED; real
// flows are written with Architect's editor, which capitalises them, so this only ever forgives). `If` is
// not here: its branches are evaluated lazily, so the compiler builds it directly (see expression-compile.ts).
// MakeList, Count and GetAt go beyond the requested list so collection variables can be built and read.
//
// NOT_SET handling per function: IsSet, IsNotSetOrEmpty and ToString accept it; FindQueue and
// FindQueueById answer NOT_SET for it (so a missing queue name leads to the transfer's failure path rather
// than the flow's error handling); every other function rejects it with a run-time error.

import { FlowRuntimeError } from './errors.ts';
import type { EvalContext } from './eval-context.ts';
import type { TypeCheck } from './operators.ts';
import {
  booleanValue,
  durationToIso,
  integerValue,
  NOT_SET,
  queueValue,
  type StaticType,
  stringValue,
  type Value,
} from './values.ts';

export interface FunctionDefinition {
  /** Canonical spelling, used in messages. */
  readonly name: string;
  readonly minArgs: number;
  readonly maxArgs: number;
  /** Load-time check: the result type, or why these argument types cannot work. */
  readonly check: (args: readonly StaticType[]) => TypeCheck;
  readonly call: (args: readonly Value[], context: EvalContext) => Value;
}

type Param = 'string' | 'boolean' | 'integer' | 'number' | 'any' | 'scalar' | 'collection';

function fits(param: Param, type: StaticType): boolean {
  if (type === 'unknown' || type === 'notSet' || param === 'any') return true;
  switch (param) {
    case 'number':
      return type === 'integer' || type === 'decimal';
    case 'scalar':
      return !type.endsWith('Collection') && type !== 'json';
    case 'collection':
      return type === 'stringCollection' || type === 'integerCollection';
    default:
      return type === param;
  }
}

/** Builds a `check` from per-position parameter kinds (the last kind repeats for variadic functions). */
function params(name: string, kinds: readonly Param[], result: StaticType): FunctionDefinition['check'] {
  return (args) => {
    for (let i = 0; i < args.length; i++) {
      const kind = kinds[Math.min(i, kinds.length - 1)] ?? 'any';
      const type = args[i] ?? 'unknown';
      if (!fits(kind, type))
        return {
          error: `${name}() argument ${i + 1} must be ${describeParam(kind)}, got ${type}`,
        };
    }
    return result;
  };
}

function describeParam(kind: Param): string {
  switch (kind) {
    case 'number':
      return 'an integer or decimal';
    case 'scalar':
      return 'a single value (not a collection)';
    case 'collection':
      return 'a string or integer collection';
    case 'integer':
      return 'an integer';
    default:
      return `a ${kind}`;
  }
}

function arg(args: readonly Value[], index: number): Value {
  return args[index] ?? NOT_SET;
}

function stringArg(fn: string, args: readonly Value[], index: number): string {
  const value = arg(args, index);
  if (value.kind === 'string') return value.value;
  if (value.kind === 'notSet')
    throw new FlowRuntimeError(`${fn}() received NOT_SET as argument ${index + 1}`);
  throw new FlowRuntimeError(`${fn}() argument ${index + 1} must be a string, got ${value.kind}`);
}

/** String conversion as ToString does it; undefined for NOT_SET, which ToString passes through. */
function valueToText(value: Value): string | undefined {
  switch (value.kind) {
    case 'notSet':
      return undefined;
    case 'string':
      return value.value;
    case 'boolean':
    case 'integer':
    case 'decimal':
      return String(value.value);
    case 'duration':
      return durationToIso(value.ms);
    case 'queue':
      return value.queue.name;
    case 'stringCollection':
    case 'integerCollection':
      throw new FlowRuntimeError('ToString() cannot convert a collection');
  }
}

function stringFunction(name: string, transform: (text: string) => string): FunctionDefinition {
  return {
    name,
    minArgs: 1,
    maxArgs: 1,
    check: params(name, ['string'], 'string'),
    call: (args) => stringValue(transform(stringArg(name, args, 0))),
  };
}

const toLower = (text: string): string => text.toLowerCase();
const toUpper = (text: string): string => text.toUpperCase();

const DEFINITIONS: readonly FunctionDefinition[] = [
  {
    name: 'FindQueue',
    minArgs: 1,
    maxArgs: 1,
    check: params('FindQueue', ['string'], 'queue'),
    call: (args, context) => {
      const name = arg(args, 0);
      if (name.kind === 'notSet') return NOT_SET;
      const found = context.findQueueByName(stringArg('FindQueue', args, 0));
      return found === undefined ? NOT_SET : queueValue(found);
    },
  },
  {
    name: 'FindQueueById',
    minArgs: 1,
    maxArgs: 1,
    check: params('FindQueueById', ['string'], 'queue'),
    call: (args, context) => {
      const id = arg(args, 0);
      if (id.kind === 'notSet') return NOT_SET;
      const found = context.findQueueById(stringArg('FindQueueById', args, 0));
      return found === undefined ? NOT_SET : queueValue(found);
    },
  },
  {
    name: 'IsSet',
    minArgs: 1,
    maxArgs: 1,
    check: params('IsSet', ['any'], 'boolean'),
    call: (args) => booleanValue(arg(args, 0).kind !== 'notSet'),
  },
  {
    // Whitespace-only strings are NOT empty: no trimming happens.
    name: 'IsNotSetOrEmpty',
    minArgs: 1,
    maxArgs: 1,
    check: params('IsNotSetOrEmpty', ['any'], 'boolean'),
    call: (args) => {
      const value = arg(args, 0);
      switch (value.kind) {
        case 'notSet':
          return booleanValue(true);
        case 'string':
          return booleanValue(value.value === '');
        case 'stringCollection':
        case 'integerCollection':
          return booleanValue(value.items.length === 0);
        default:
          return booleanValue(false);
      }
    },
  },
  {
    // ToString(NOT_SET) is NOT_SET, so `ToString(NOT_SET) == ""` is false.
    name: 'ToString',
    minArgs: 1,
    maxArgs: 1,
    check: params('ToString', ['scalar'], 'string'),
    call: (args) => {
      const text = valueToText(arg(args, 0));
      return text === undefined ? NOT_SET : stringValue(text);
    },
  },
  {
    name: 'Append',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    check: params('Append', ['string'], 'string'),
    call: (args) => {
      let text = '';
      for (let i = 0; i < args.length; i++) text += stringArg('Append', args, i);
      return stringValue(text);
    },
  },
  stringFunction('Trim', (text) => text.trim()),
  // Both spellings exist because the reference does not confirm which one Architect uses.
  stringFunction('Lower', toLower),
  stringFunction('ToLower', toLower),
  stringFunction('Upper', toUpper),
  stringFunction('ToUpper', toUpper),
  {
    // The third argument defaults to true (case-sensitive), matching the default of `==`. UNCONFIRMED.
    name: 'Contains',
    minArgs: 2,
    maxArgs: 3,
    check: params('Contains', ['string', 'string', 'boolean'], 'boolean'),
    call: (args) => {
      const text = stringArg('Contains', args, 0);
      const part = stringArg('Contains', args, 1);
      const flag = arg(args, 2);
      if (args.length > 2 && flag.kind !== 'boolean') {
        throw new FlowRuntimeError('Contains() argument 3 must be a boolean');
      }
      const caseSensitive = flag.kind === 'boolean' ? flag.value : true;
      return booleanValue(
        caseSensitive ? text.includes(part) : text.toLowerCase().includes(part.toLowerCase()),
      );
    },
  },
  {
    name: 'Length',
    minArgs: 1,
    maxArgs: 1,
    check: params('Length', ['string'], 'integer'),
    call: (args) => integerValue(stringArg('Length', args, 0).length),
  },
  {
    // Strings must hold a whole number (surrounding whitespace allowed); decimals are truncated toward zero.
    name: 'ToInt',
    minArgs: 1,
    maxArgs: 1,
    check: (args) => {
      const type = args[0] ?? 'unknown';
      return fits('number', type) || type === 'string'
        ? 'integer'
        : { error: `ToInt() cannot convert ${type}` };
    },
    call: (args) => {
      const value = arg(args, 0);
      switch (value.kind) {
        case 'integer':
          return value;
        case 'decimal':
          return checkedInteger(Math.trunc(value.value));
        case 'string': {
          const text = value.value.trim();
          if (!/^[+-]?\d+$/.test(text))
            throw new FlowRuntimeError(`ToInt() cannot convert ${JSON.stringify(value.value)}`);
          return checkedInteger(Number(text));
        }
        case 'notSet':
          throw new FlowRuntimeError('ToInt() received NOT_SET');
        default:
          throw new FlowRuntimeError(`ToInt() cannot convert ${value.kind}`);
      }
    },
  },
  {
    name: 'MakeList',
    minArgs: 1,
    maxArgs: Number.POSITIVE_INFINITY,
    check: (args) => {
      const types = new Set(args.filter((type) => type !== 'notSet'));
      if (types.has('unknown')) return 'unknown';
      if (types.size === 0 || (types.size === 1 && types.has('string'))) return 'stringCollection';
      if (types.size === 1 && types.has('integer')) return 'integerCollection';
      return {
        error: 'MakeList() items must all be strings or all be integers',
      };
    },
    call: (args) => {
      const kinds = new Set(args.filter((item) => item.kind !== 'notSet').map((item) => item.kind));
      if (kinds.size === 0 || (kinds.size === 1 && kinds.has('string')))
        return { kind: 'stringCollection', items: args };
      if (kinds.size === 1 && kinds.has('integer')) return { kind: 'integerCollection', items: args };
      throw new FlowRuntimeError('MakeList() items must all be strings or all be integers');
    },
  },
  {
    name: 'Count',
    minArgs: 1,
    maxArgs: 1,
    check: params('Count', ['collection'], 'integer'),
    call: (args) => integerValue(collectionArg('Count', arg(args, 0)).length),
  },
  {
    // Indexes are zero-based (UNCONFIRMED); an index outside the collection is a run-time error.
    name: 'GetAt',
    minArgs: 2,
    maxArgs: 2,
    check: (args) => {
      const [collection = 'unknown', index = 'unknown'] = args;
      if (!fits('integer', index)) return { error: `GetAt() argument 2 must be an integer, got ${index}` };
      if (collection === 'stringCollection') return 'string';
      if (collection === 'integerCollection') return 'integer';
      if (collection === 'unknown' || collection === 'notSet') return 'unknown';
      return {
        error: `GetAt() argument 1 must be a string or integer collection, got ${collection}`,
      };
    },
    call: (args) => {
      const items = collectionArg('GetAt', arg(args, 0));
      const index = arg(args, 1);
      if (index.kind !== 'integer') throw new FlowRuntimeError('GetAt() index must be an integer');
      const item = items[index.value];
      if (item === undefined) {
        throw new FlowRuntimeError(`GetAt() index ${index.value} is outside a collection of ${items.length}`);
      }
      return item;
    },
  },
];

function collectionArg(fn: string, value: Value): readonly Value[] {
  if (value.kind === 'stringCollection' || value.kind === 'integerCollection') return value.items;
  if (value.kind === 'notSet') throw new FlowRuntimeError(`${fn}() received NOT_SET`);
  throw new FlowRuntimeError(`${fn}() needs a collection, got ${value.kind}`);
}

function checkedInteger(value: number): Value {
  if (!Number.isSafeInteger(value)) throw new FlowRuntimeError('integer overflow');
  return integerValue(value);
}

const BY_NAME: ReadonlyMap<string, FunctionDefinition> = new Map(
  DEFINITIONS.map((definition) => [definition.name.toLowerCase(), definition]),
);

export function lookupFunction(name: string): FunctionDefinition | undefined {
  return BY_NAME.get(name.toLowerCase());
}

/** Every function name the emulator understands, for error messages. */
export const SUPPORTED_FUNCTION_NAMES: readonly string[] = [...DEFINITIONS.map((d) => d.name), 'If'].sort();
