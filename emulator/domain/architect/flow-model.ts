// The compiled, immutable form of a loaded flow. Built once by the loader, then read by every run.

import type { Evaluator } from './eval-context.ts';
import type { VariableInfo } from './expression-compile.ts';
import type { FlowType } from './flow-types.ts';
import type { ResolvedFlowOptions } from './options.ts';

export type Block = readonly CompiledAction[];

interface ActionBase {
  /** Where the action is, e.g. `inboundShortMessage.states[0](Initial State).actions[2].transferToAcd`. */
  readonly path: string;
  readonly name: string | undefined;
  readonly line: number | undefined;
}

export interface Assignment {
  readonly variable: VariableInfo;
  readonly value: Evaluator;
}

export type CompiledAction =
  | (ActionBase & {
      readonly type: 'sendResponse';
      readonly messageBody: Evaluator;
    })
  | (ActionBase & {
      readonly type: 'transferToAcd';
      readonly targetQueue: Evaluator;
      readonly priority: Evaluator | undefined;
      readonly skills: readonly Evaluator[];
      readonly languageSkill: Evaluator | undefined;
      readonly errorTypeVariable: VariableInfo | undefined;
      readonly errorMessageVariable: VariableInfo | undefined;
      readonly failure: Block;
    })
  | (ActionBase & { readonly type: 'disconnect' })
  | (ActionBase & {
      readonly type: 'decision';
      readonly condition: Evaluator;
      readonly yes: Block;
      readonly no: Block;
    })
  | (ActionBase & {
      readonly type: 'switch';
      readonly cases: readonly {
        readonly condition: Evaluator;
        readonly actions: Block;
      }[];
      readonly otherwise: Block;
    })
  | (ActionBase & {
      readonly type: 'updateData';
      readonly statements: readonly Assignment[];
    })
  | (ActionBase & {
      readonly type: 'getParticipantData';
      readonly attributes: readonly {
        readonly name: string;
        readonly variable: VariableInfo;
      }[];
    })
  | (ActionBase & {
      readonly type: 'setParticipantData';
      readonly attributes: readonly {
        readonly name: Evaluator;
        readonly value: Evaluator;
      }[];
    })
  | (ActionBase & {
      readonly type: 'findQueue';
      readonly findName: Evaluator;
      readonly result: VariableInfo | undefined;
      readonly found: Block;
      readonly notFound: Block;
    })
  | (ActionBase & {
      readonly type: 'callTask';
      readonly taskIndex: number;
      /** Actions to run after the task returns through the named output path. */
      readonly outputs: ReadonlyMap<string, Block>;
    })
  | (ActionBase & { readonly type: 'endTask'; readonly outputPath: string });

export interface VariableInit {
  readonly variable: VariableInfo;
  readonly initial: Evaluator;
  readonly path: string;
}

/** Variables of one scope: how many slots it needs and how to fill them on entry. */
export interface CompiledScope {
  readonly size: number;
  readonly inits: readonly VariableInit[];
}

export interface CompiledState {
  readonly name: string;
  readonly refId: string;
  readonly path: string;
  readonly variables: CompiledScope;
  readonly actions: Block;
}

export interface CompiledTask extends CompiledState {
  /** Declared output paths; `default` always exists as well. */
  readonly outputPaths: readonly string[];
}

export interface CompiledProgram {
  readonly flowVariables: CompiledScope;
  readonly startState: CompiledState;
  readonly states: readonly CompiledState[];
  readonly tasks: readonly CompiledTask[];
}

/** A flow ready to run: immutable, and safe to run any number of times. */
export interface LoadedFlow {
  readonly type: FlowType;
  readonly name: string;
  readonly description: string | undefined;
  readonly division: string | undefined;
  readonly defaultLanguage: string | undefined;
  readonly supportedLanguages: readonly string[];
  /** The label or file the YAML came from, as passed to loadFlow. */
  readonly source: string | undefined;
  /** Options given to loadFlow; runFlow's own options override them per run. */
  readonly options: ResolvedFlowOptions;
  readonly program: CompiledProgram;
}
