// Compiles Archy value nodes: `{lit: ...}`, `{exp: "..."}`, `{var: Name}` and `{noValue: true}`, checked
// against the type the place expects, and output bindings that name the variable receiving a result.

import { isMap } from 'yaml';
import type { Evaluator } from './eval-context.ts';
import {
  type CompiledExpression,
  compileExpression,
  ExpressionCompileError,
  type VariableInfo,
  type VariableScope,
} from './expression-compile.ts';
import { BUILTIN_NAMESPACE } from './flow-types.ts';
import type { LoadContext } from './load-context.ts';
import {
  booleanValue,
  decimalValue,
  integerValue,
  isAssignable,
  NOT_SET,
  queueValue,
  type StaticType,
  stringValue,
  type Value,
  type ValueType,
} from './values.ts';

/** What a value slot accepts. 'skill' is a skill name: a string, or the literal form `{name: "..."}`. */
export type Expectation = ValueType | 'skill';

const VALUE_FORMS = ['lit', 'exp', 'var', 'noValue'];

export function compileValue(
  node: unknown,
  path: string,
  expected: Expectation,
  context: LoadContext,
): Evaluator {
  const { reader } = context;
  const entry = reader.single(node, path, `value (one of ${VALUE_FORMS.join(', ')})`);
  const at = `${path}.${entry.key}`;
  switch (entry.key) {
    case 'noValue':
      if (!reader.boolean(entry.value, at, 'noValue'))
        reader.fail('flow.schema', at, entry.value, 'noValue must be true');
      return () => NOT_SET;
    case 'lit':
      return compileLiteral(entry.value, at, expected, context);
    case 'exp':
    case 'var': {
      const source = reader.text(entry.value, at, entry.key === 'exp' ? 'an expression' : 'a variable name');
      return compileExpressionAt(source, entry.value, at, expected, context).evaluate;
    }
    default:
      return reader.fail(
        'flow.schema',
        path,
        entry.keyNode,
        `unknown value form "${entry.key}" (expected one of ${VALUE_FORMS.join(', ')})`,
      );
  }
}

/** Compiles an expression, turning its errors into load errors that quote it and point at the column. */
function compileExpressionAt(
  source: string,
  node: unknown,
  path: string,
  expected: Expectation | undefined,
  context: LoadContext,
): CompiledExpression {
  let compiled: CompiledExpression;
  try {
    compiled = compileExpression(source, context);
  } catch (error) {
    if (!(error instanceof ExpressionCompileError)) throw error;
    context.reader.fail(
      error.code,
      path,
      node,
      `${error.message} (in expression ${quote(source)} at column ${error.offset + 1})`,
    );
  }
  if (expected !== undefined && !fitsExpectation(expected, compiled.type)) {
    context.reader.fail(
      'flow.type',
      path,
      node,
      `expression ${quote(source)} is ${compiled.type} but ${describeExpectation(expected)} is needed here`,
    );
  }
  return compiled;
}

/** The expression as quoted in messages, shortened so a huge expression does not flood the error. */
function quote(source: string): string {
  return JSON.stringify(source.length > 120 ? `${source.slice(0, 117)}...` : source);
}

function fitsExpectation(expected: Expectation, type: StaticType): boolean {
  return isAssignable(expected === 'skill' ? 'string' : expected, type);
}

function describeExpectation(expected: Expectation): string {
  return expected === 'skill' ? 'a skill name (string)' : `a ${expected}`;
}

function compileLiteral(node: unknown, path: string, expected: Expectation, context: LoadContext): Evaluator {
  const value = literalValue(node, path, expected, context);
  return typeof value === 'function' ? value : () => value;
}

/** A literal's value; queue literals resolve against the org at run time, so they come back as an evaluator. */
function literalValue(
  node: unknown,
  path: string,
  expected: Expectation,
  context: LoadContext,
): Value | Evaluator {
  const { reader } = context;
  switch (expected) {
    case 'string':
      return stringValue(reader.text(node, path, 'a string literal'));
    case 'skill': {
      if (reader.isAbsent(node) || !isMap(node)) return stringValue(reader.name(node, path, 'a skill name'));
      const skill = reader.map(node, path, 'a skill literal');
      skill.allowOnly(['name']);
      return stringValue(reader.name(skill.required('name'), skill.at('name'), 'the skill name'));
    }
    case 'boolean': {
      const raw = reader.scalar(node, path, 'a boolean literal');
      if (typeof raw === 'boolean') return booleanValue(raw);
      if (typeof raw === 'string' && /^(true|false)$/i.test(raw))
        return booleanValue(raw.toLowerCase() === 'true');
      return reader.fail('flow.type', path, node, 'a boolean literal must be true or false');
    }
    case 'integer': {
      const raw = reader.scalar(node, path, 'an integer literal');
      const number = typeof raw === 'string' && /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      if (typeof number !== 'number' || !Number.isSafeInteger(number)) {
        return reader.fail('flow.type', path, node, 'an integer literal must be a whole number');
      }
      return integerValue(number);
    }
    case 'decimal': {
      const raw = reader.scalar(node, path, 'a decimal literal');
      const number = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      if (typeof number !== 'number' || !Number.isFinite(number)) {
        return reader.fail('flow.type', path, node, 'a decimal literal must be a number');
      }
      return decimalValue(number);
    }
    case 'queue':
      return queueLiteral(node, path, context);
    case 'duration':
      return durationLiteral(node, path, context);
    case 'stringCollection':
    case 'integerCollection': {
      const itemType = expected === 'stringCollection' ? 'string' : 'integer';
      const items = reader.list(node, path, `a ${expected} literal`).map((item, index) => {
        const value = literalValue(item, `${path}[${index}]`, itemType, context);
        // Only queue literals produce evaluators, and these items are strings or integers.
        return typeof value === 'function' ? NOT_SET : value;
      });
      return { kind: expected, items };
    }
    case 'json':
    case 'agentScorePairCollection':
      return reader.fail(
        'flow.unsupported.property',
        path,
        node,
        `${expected} literals are not supported by the emulator; use noValue`,
      );
  }
}

/**
 * `{name: "General", id?: "..."}`. Resolved on every run against the org's queues: by name first (the
 * emulator's queue ids rarely match the exporting org's), then by id. A literal naming no queue in the org
 * yields a queue value with an empty id, which Transfer to ACD reports as a failure.
 */
function queueLiteral(node: unknown, path: string, context: LoadContext): Evaluator {
  const { reader } = context;
  const literal = reader.map(node, path, 'a queue literal');
  literal.allowOnly(['name', 'id']);
  const name = reader.name(literal.required('name'), literal.at('name'), 'the queue name');
  const id = literal.has('id') ? reader.name(literal.get('id'), literal.at('id'), 'the queue id') : undefined;
  return (run) => {
    const found = run.findQueueByName(name) ?? (id === undefined ? undefined : run.findQueueById(id));
    return queueValue(found ?? { id: '', name });
  };
}

const DURATION_UNITS: Readonly<Record<string, number>> = {
  days: 86_400_000,
  hours: 3_600_000,
  minutes: 60_000,
  seconds: 1000,
  milliseconds: 1,
};

function durationLiteral(node: unknown, path: string, context: LoadContext): Value {
  const { reader } = context;
  const literal = reader.map(node, path, 'a duration literal');
  literal.allowOnly(Object.keys(DURATION_UNITS));
  let ms = 0;
  for (const entry of literal.entries) {
    const amount = reader.scalar(entry.value, literal.at(entry.key), `duration ${entry.key}`);
    if (typeof amount !== 'number' || !Number.isFinite(amount)) {
      return reader.fail(
        'flow.type',
        literal.at(entry.key),
        entry.value,
        `duration ${entry.key} must be a number`,
      );
    }
    ms += amount * (DURATION_UNITS[entry.key] ?? 0);
  }
  return { kind: 'duration', ms };
}

const SCOPE_PREFIX: Readonly<Record<string, VariableScope>> = {
  flow: 'flow',
  state: 'state',
  task: 'task',
};

/** Resolves a variable written by name (`Flow.X`), as the target of an assignment. */
export function resolveVariableName(node: unknown, path: string, context: LoadContext): VariableInfo {
  const { reader } = context;
  const text = reader.name(node, path, 'a variable name').trim();
  const parts = text.split('.');
  const [prefix = '', name] = parts;
  const scope = SCOPE_PREFIX[prefix.toLowerCase()];
  if (scope === undefined || name === undefined || parts.length !== 2) {
    const builtin = prefix.toLowerCase() === BUILTIN_NAMESPACE[context.flowType].toLowerCase();
    return reader.fail(
      builtin ? 'flow.type' : 'flow.unknown.variable',
      path,
      node,
      builtin
        ? `${text} is a read-only built-in and cannot receive a value`
        : `"${text}" is not a Flow.*, State.* or Task.* variable`,
    );
  }
  const found = context.lookupVariable(scope, name);
  if (typeof found === 'string') return reader.fail('flow.unknown.variable', path, node, found);
  return found;
}

/** Checks that `variable` can hold values of `type`. */
function requireVariableType(
  variable: VariableInfo,
  type: ValueType,
  node: unknown,
  path: string,
  context: LoadContext,
): VariableInfo {
  if (!isAssignable(variable.type, type)) {
    context.reader.fail(
      'flow.type',
      path,
      node,
      `${variable.name} is a ${variable.type} variable; a ${type} is needed`,
    );
  }
  return variable;
}

/**
 * An output binding: `{var: Flow.X}`, a bare `Flow.X`, or `{noValue: true}` (undefined: result discarded).
 * `type` is what the action writes; the variable must be able to hold it.
 */
export function compileOutputVariable(
  node: unknown,
  path: string,
  type: ValueType,
  context: LoadContext,
): VariableInfo | undefined {
  const { reader } = context;
  if (reader.isAbsent(node)) return undefined;
  if (!isMap(node))
    return requireVariableType(resolveVariableName(node, path, context), type, node, path, context);
  const entry = reader.single(node, path, 'an output (var or noValue)');
  const at = `${path}.${entry.key}`;
  if (entry.key === 'noValue') {
    if (!reader.boolean(entry.value, at, 'noValue'))
      reader.fail('flow.schema', at, entry.value, 'noValue must be true');
    return undefined;
  }
  if (entry.key !== 'var') {
    return reader.fail(
      'flow.schema',
      path,
      entry.keyNode,
      `an output must be {var: <variable>} or {noValue: true}`,
    );
  }
  return requireVariableType(resolveVariableName(entry.value, at, context), type, entry.value, at, context);
}
