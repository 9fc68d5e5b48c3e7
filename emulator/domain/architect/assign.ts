// Storing a value into a typed variable, with the one implicit conversion Architect makes.

import { FlowRuntimeError } from './errors.ts';
import type { VariableInfo } from './expression-compile.ts';
import { decimalValue, type Value } from './values.ts';

/** The value as the variable will hold it; NOT_SET fits every type, integers widen to decimals. */
export function coerceForVariable(variable: VariableInfo, value: Value): Value {
  if (value.kind === 'notSet' || value.kind === variable.type) return value;
  if (variable.type === 'decimal' && value.kind === 'integer') return decimalValue(value.value);
  throw new FlowRuntimeError(`cannot store a ${value.kind} in ${variable.type} variable ${variable.name}`);
}
