// What compiled expressions and actions read while running: the variable slots of the scopes in force,
// the caller's built-ins, the org's queues and the options of this run.

import type { QueueRef } from './host.ts';
import type { ResolvedFlowOptions } from './options.ts';
import type { Value } from './values.ts';

export interface EvalContext {
  readonly options: ResolvedFlowOptions;
  /** Flow.* variables, indexed by the slot the loader assigned. */
  readonly flowVars: Value[];
  /** State.* variables of the running state. */
  readonly stateVars: Value[];
  /** Task.* variables of the innermost running task (each call gets fresh slots). */
  readonly taskVars: Value[];
  /** A built-in variable by lower-cased full name (e.g. `message.message.body`); NOT_SET when not supplied. */
  builtin(lowerCaseName: string): Value;
  findQueueByName(name: string): QueueRef | undefined;
  findQueueById(id: string): QueueRef | undefined;
}

/** A compiled expression or value: cheap to call, no parsing at run time. */
export type Evaluator = (context: EvalContext) => Value;
