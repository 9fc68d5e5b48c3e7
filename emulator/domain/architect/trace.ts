// What a run records, in order, so a test or a user can see exactly why a flow ended where it did.

import type { QueueRef } from './host.ts';

export type FlowTraceEntry =
  | {
      readonly kind: 'stateEntered';
      readonly path: string;
      readonly state: string;
    }
  | {
      readonly kind: 'action';
      readonly type: string;
      readonly name: string | undefined;
      readonly path: string;
      readonly line: number | undefined;
    }
  /** `value` is undefined when the conversation has no such attribute. */
  | {
      readonly kind: 'participantDataRead';
      readonly path: string;
      readonly attribute: string;
      readonly value: string | undefined;
    }
  | {
      readonly kind: 'participantDataWritten';
      readonly path: string;
      readonly attribute: string;
      readonly value: string;
    }
  /** `value` is shown as in Architect's debugger: strings quoted, NOT_SET bare. */
  | {
      readonly kind: 'variableAssigned';
      readonly path: string;
      readonly variable: string;
      readonly value: string;
    }
  /** yes / no / case[i] / default / found / notFound / failure / a task output path name. */
  | {
      readonly kind: 'outputPath';
      readonly path: string;
      readonly output: string;
    }
  | {
      readonly kind: 'responseSent';
      readonly path: string;
      readonly text: string;
    }
  | {
      readonly kind: 'queueChosen';
      readonly path: string;
      readonly queue: QueueRef;
      readonly priority: number;
      readonly skills: readonly string[];
    }
  | {
      readonly kind: 'transferFailed';
      readonly path: string;
      readonly errorType: string;
      readonly errorMessage: string;
    }
  | {
      readonly kind: 'taskEntered';
      readonly path: string;
      readonly task: string;
    }
  | {
      readonly kind: 'taskReturned';
      readonly path: string;
      readonly task: string;
      readonly outputPath: string;
    }
  | { readonly kind: 'error'; readonly path: string; readonly message: string };

export type FlowOutcome =
  | {
      readonly kind: 'transfer';
      readonly queue: QueueRef;
      readonly priority: number;
      readonly skills: string[];
      readonly languageSkill?: string;
    }
  | {
      readonly kind: 'disconnect';
      /** 'action': a Disconnect action; 'endOfState': the state ran out of actions; 'error': error handling. */
      readonly reason: 'action' | 'endOfState' | 'error';
      readonly error?: string;
      /** Where the error happened, when reason is 'error'. */
      readonly errorPath?: string;
    };

export interface FlowRun {
  readonly outcome: FlowOutcome;
  readonly trace: readonly FlowTraceEntry[];
}
