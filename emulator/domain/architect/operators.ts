// Operator semantics, both the load-time type check and the run-time evaluation.
//
// NOT_SET rules (the reference leaves the details UNCONFIRMED; these are the chosen, documented ones):
// - `a == b` is false when exactly one side is NOT_SET and true when both are; `!=` is its exact negation,
//   so `Flow.X != ""` is true while Flow.X is NOT_SET (NOT_SET is not the empty string).
// - `<`, `<=`, `>`, `>=` are false whenever either side is NOT_SET.
// - Arithmetic, concatenation, `and`, `or`, `not` and unary minus on NOT_SET are run-time errors, which
//   trigger the flow's error handling.

import { FlowRuntimeError } from './errors.ts';
import type { ArithmeticOperator, BinaryOperator, ComparisonOperator } from './expression-ast.ts';
import type { ResolvedFlowOptions } from './options.ts';
import {
  booleanValue,
  decimalValue,
  integerValue,
  type StaticType,
  showValue,
  stringValue,
  type Value,
} from './values.ts';

function isNumeric(type: StaticType): boolean {
  return type === 'integer' || type === 'decimal';
}

/** A load-time type check's answer: the result type, or why the operand types can never work. */
export type TypeCheck = StaticType | { readonly error: string };

/** Result type of `left op right`. */
export function binaryStaticType(op: BinaryOperator, left: StaticType, right: StaticType): TypeCheck {
  if (op === '==' || op === '!=') return failure(equalityStaticError(left, right)) ?? 'boolean';
  if (op === '<' || op === '<=' || op === '>' || op === '>=') {
    return failure(orderingStaticError(op, left, right)) ?? 'boolean';
  }
  if (left === 'notSet' || right === 'notSet') return { error: `"${op}" cannot be applied to NOT_SET` };
  if (left === 'unknown' || right === 'unknown') {
    if (op === '+' && (left === 'string' || right === 'string')) return 'string';
    return 'unknown';
  }
  if (isNumeric(left) && isNumeric(right))
    return left === 'integer' && right === 'integer' ? 'integer' : 'decimal';
  if (op === '+' && left === 'string' && right === 'string') return 'string';
  if (op === '+' && (left === 'string' || right === 'string')) {
    return {
      error: `cannot add ${left} and ${right}; convert with ToString() first`,
    };
  }
  return { error: `"${op}" cannot be applied to ${left} and ${right}` };
}

function failure(message: string | undefined): TypeCheck | undefined {
  return message === undefined ? undefined : { error: message };
}

function comparable(left: StaticType, right: StaticType): boolean {
  if (left === right) return true;
  if (isNumeric(left) && isNumeric(right)) return true;
  // A queue compares with a string by its name.
  return (left === 'queue' && right === 'string') || (left === 'string' && right === 'queue');
}

function equalityStaticError(left: StaticType, right: StaticType): string | undefined {
  if (left === 'notSet' || right === 'notSet' || left === 'unknown' || right === 'unknown') return undefined;
  if (isCollection(left) || isCollection(right)) return 'collections cannot be compared with "=="';
  return comparable(left, right) ? undefined : `cannot compare ${left} with ${right}`;
}

function orderingStaticError(op: string, left: StaticType, right: StaticType): string | undefined {
  const ordered = (type: StaticType): boolean =>
    type === 'notSet' || type === 'unknown' || isNumeric(type) || type === 'string' || type === 'duration';
  if (!ordered(left) || !ordered(right)) return `"${op}" cannot be applied to ${left} and ${right}`;
  if (left === 'notSet' || right === 'notSet' || left === 'unknown' || right === 'unknown') return undefined;
  return left === right || (isNumeric(left) && isNumeric(right))
    ? undefined
    : `cannot compare ${left} with ${right}`;
}

function isCollection(type: StaticType): boolean {
  return type === 'stringCollection' || type === 'integerCollection' || type === 'agentScorePairCollection';
}

export function applyBinary(
  op: BinaryOperator,
  left: Value,
  right: Value,
  options: ResolvedFlowOptions,
): Value {
  switch (op) {
    case '+':
    case '-':
    case '*':
    case '/':
      return applyArithmetic(op, left, right);
    default:
      return booleanValue(compare(op, left, right, options));
  }
}

function applyArithmetic(op: ArithmeticOperator, left: Value, right: Value): Value {
  if (left.kind === 'notSet' || right.kind === 'notSet') {
    throw new FlowRuntimeError(`"${op}" on NOT_SET (${showValue(left)} ${op} ${showValue(right)})`);
  }
  if (op === '+' && left.kind === 'string' && right.kind === 'string') {
    return stringValue(left.value + right.value);
  }
  if (
    (left.kind !== 'integer' && left.kind !== 'decimal') ||
    (right.kind !== 'integer' && right.kind !== 'decimal')
  ) {
    throw new FlowRuntimeError(`"${op}" cannot be applied to ${left.kind} and ${right.kind}`);
  }
  if (op === '/' && right.value === 0) throw new FlowRuntimeError('division by zero');
  if (left.kind === 'integer' && right.kind === 'integer') {
    // Integer division truncates toward zero (UNCONFIRMED in the reference; Architect integers are 64-bit
    // whole numbers, so a whole-number result is the consistent choice).
    const raw = op === '/' ? Math.trunc(left.value / right.value) : arithmetic(op, left.value, right.value);
    if (!Number.isSafeInteger(raw)) throw new FlowRuntimeError('integer overflow');
    return integerValue(raw);
  }
  const result = arithmetic(op, left.value, right.value);
  if (!Number.isFinite(result)) throw new FlowRuntimeError('decimal overflow');
  return decimalValue(result);
}

function arithmetic(op: ArithmeticOperator, a: number, b: number): number {
  switch (op) {
    case '+':
      return a + b;
    case '-':
      return a - b;
    case '*':
      return a * b;
    case '/':
      return a / b;
  }
}

function compare(op: ComparisonOperator, left: Value, right: Value, options: ResolvedFlowOptions): boolean {
  if (op === '==') return valuesEqual(left, right, options);
  if (op === '!=') return !valuesEqual(left, right, options);
  if (left.kind === 'notSet' || right.kind === 'notSet') return false;
  const order = ordering(left, right);
  switch (op) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
  }
}

/** Equality as `==` sees it; strings honour `caseInsensitiveStringEquals`, a queue equals a string naming it. */
function valuesEqual(left: Value, right: Value, options: ResolvedFlowOptions): boolean {
  if (left.kind === 'notSet' || right.kind === 'notSet') return left.kind === right.kind;
  if (
    (left.kind === 'integer' || left.kind === 'decimal') &&
    (right.kind === 'integer' || right.kind === 'decimal')
  ) {
    return left.value === right.value;
  }
  const leftText = comparableText(left);
  const rightText = comparableText(right);
  if (left.kind === 'queue' && right.kind === 'queue') {
    return left.queue.id.toLowerCase() === right.queue.id.toLowerCase();
  }
  if (leftText !== undefined && rightText !== undefined) {
    return options.caseInsensitiveStringEquals
      ? leftText.toLowerCase() === rightText.toLowerCase()
      : leftText === rightText;
  }
  if (left.kind === 'boolean' && right.kind === 'boolean') return left.value === right.value;
  if (left.kind === 'duration' && right.kind === 'duration') return left.ms === right.ms;
  throw new FlowRuntimeError(`cannot compare ${left.kind} with ${right.kind}`);
}

function comparableText(value: Value): string | undefined {
  if (value.kind === 'string') return value.value;
  if (value.kind === 'queue') return value.queue.name;
  return undefined;
}

function ordering(left: Value, right: Value): number {
  if (
    (left.kind === 'integer' || left.kind === 'decimal') &&
    (right.kind === 'integer' || right.kind === 'decimal')
  ) {
    return Math.sign(left.value - right.value);
  }
  // Strings order by UTF-16 code units, case-sensitively, whatever the equality option says.
  if (left.kind === 'string' && right.kind === 'string') {
    return left.value < right.value ? -1 : left.value > right.value ? 1 : 0;
  }
  if (left.kind === 'duration' && right.kind === 'duration') return Math.sign(left.ms - right.ms);
  throw new FlowRuntimeError(`cannot order ${left.kind} and ${right.kind}`);
}

export function requireBoolean(value: Value, what: string): boolean {
  if (value.kind === 'boolean') return value.value;
  if (value.kind === 'notSet') throw new FlowRuntimeError(`${what} is NOT_SET`);
  throw new FlowRuntimeError(`${what} must be a boolean, got ${value.kind}`);
}

export function negate(value: Value): Value {
  if (value.kind === 'integer') return integerValue(-value.value);
  if (value.kind === 'decimal') return decimalValue(-value.value);
  if (value.kind === 'notSet') throw new FlowRuntimeError('unary "-" on NOT_SET');
  throw new FlowRuntimeError(`unary "-" cannot be applied to ${value.kind}`);
}
