// Everything the loader's parts share while compiling one flow: the YAML reader, the flow type, the
// variables visible at the current place, and the tasks that callTask may target.

import type { ExpressionScope, VariableInfo, VariableScope } from './expression-compile.ts';
import type { YamlReader } from './yaml-reader.ts';

/** Variables of one scope, keyed by lower-cased full name (`flow.queuename`): names match ignoring case. */
export type VariableTable = Map<string, VariableInfo>;

export interface TaskSignature {
  readonly index: number;
  readonly name: string;
  readonly outputPaths: readonly string[];
}

export interface LoadContext extends ExpressionScope {
  readonly reader: YamlReader;
  /** Tasks by refId, collected before any actions are compiled so callTask may point forward. */
  readonly tasks: ReadonlyMap<string, TaskSignature>;
  /** The task being compiled, or undefined inside a state (endTask is only valid in a task). */
  readonly currentTask: TaskSignature | undefined;
}

const SCOPE_LABEL: Readonly<Record<VariableScope, string>> = {
  flow: 'Flow',
  state: 'State',
  task: 'Task',
};

/**
 * Builds the name lookup for one place in the flow. Variable names match ignoring case (UNCONFIRMED in the
 * reference; Architect's editor treats them that way), and duplicates differing only in case are refused.
 */
export function makeLoadContext(
  base: Omit<LoadContext, 'lookupVariable'>,
  flowTable: VariableTable,
  local: { readonly scope: 'state' | 'task'; readonly table: VariableTable } | undefined,
): LoadContext {
  return {
    ...base,
    lookupVariable(scope: VariableScope, name: string): VariableInfo | string {
      const fullName = `${SCOPE_LABEL[scope]}.${name}`;
      if (scope === 'flow') {
        return flowTable.get(fullName.toLowerCase()) ?? `${fullName} is not declared in the flow's variables`;
      }
      if (local === undefined || local.scope !== scope) {
        const where = local === undefined ? 'at flow level' : `inside a ${local.scope}`;
        return `${fullName} is not visible ${where}; ${SCOPE_LABEL[scope]}.* variables belong to a ${scope}`;
      }
      return (
        local.table.get(fullName.toLowerCase()) ?? `${fullName} is not declared in this ${scope}'s variables`
      );
    },
  };
}
