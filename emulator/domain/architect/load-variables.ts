// Reads variable declarations (`- stringVariable: {name: Flow.X, initialValue: ...}`) for one scope.
// Declaring happens before initial values are compiled, so an initial value expression may refer to any
// variable of the scope; initial values are evaluated in declaration order when the scope is entered.

import type { VariableInfo, VariableScope } from './expression-compile.ts';
import type { CompiledScope, VariableInit } from './flow-model.ts';
import type { LoadContext, VariableTable } from './load-context.ts';
import { compileValue } from './load-values.ts';
import { isValueType, VALUE_TYPES } from './values.ts';
import type { YamlReader } from './yaml-reader.ts';

const SCOPE_LABEL: Readonly<Record<VariableScope, string>> = {
  flow: 'Flow',
  state: 'State',
  task: 'Task',
};
const NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

interface PendingDeclaration {
  readonly variable: VariableInfo;
  readonly path: string;
  readonly initialValue: unknown;
}

/** Declarations read and added to `table`; call `compile` once the load context can see them. */
export interface DeclaredScope {
  compile(context: LoadContext): CompiledScope;
}

export function declareVariables(
  reader: YamlReader,
  listNode: unknown,
  path: string,
  scope: VariableScope,
  table: VariableTable,
): DeclaredScope {
  const pending: PendingDeclaration[] = [];
  reader.list(listNode, path, 'variables').forEach((item, index) => {
    const itemPath = `${path}[${index}]`;
    const entry = reader.single(item, itemPath, 'a variable declaration');
    const type = entry.key.endsWith('Variable') ? entry.key.slice(0, -'Variable'.length) : '';
    if (!isValueType(type)) {
      reader.fail(
        'flow.unsupported.property',
        `${itemPath}.${entry.key}`,
        entry.keyNode,
        `variable kind "${entry.key}" is not supported (supported: ${VALUE_TYPES.map((t) => `${t}Variable`).join(', ')})`,
      );
    }
    const declPath = `${itemPath}.${entry.key}`;
    const decl = reader.map(entry.value, declPath, `a ${entry.key} declaration`);
    decl.allowOnly(['name', 'initialValue', 'isInput', 'isOutput', 'description']);
    const name = reader.name(decl.required('name'), decl.at('name'), 'the variable name').trim();
    checkName(reader, name, scope, decl.get('name'), decl.at('name'));
    // Input/output flags only matter when another flow passes values in or out, which inbound flows
    // started by a conversation never do; they are validated and otherwise have no effect.
    for (const flag of ['isInput', 'isOutput']) {
      if (decl.has(flag)) reader.boolean(decl.get(flag), decl.at(flag), flag);
    }
    if (decl.has('description')) reader.text(decl.get('description'), decl.at('description'), 'description');
    const key = name.toLowerCase();
    if (table.has(key)) {
      reader.fail('flow.duplicate', decl.at('name'), decl.get('name'), `${name} is declared more than once`);
    }
    const variable: VariableInfo = Object.freeze({
      name,
      scope,
      slot: table.size,
      type,
    });
    table.set(key, variable);
    pending.push({
      variable,
      path: decl.at('initialValue'),
      initialValue: decl.get('initialValue'),
    });
  });
  return {
    compile(context: LoadContext): CompiledScope {
      const inits: VariableInit[] = [];
      for (const declaration of pending) {
        // A missing initial value means NOT_SET, like `{noValue: true}`; no init needed, slots start NOT_SET.
        if (reader.isAbsent(declaration.initialValue)) continue;
        const initial = compileValue(
          declaration.initialValue,
          declaration.path,
          declaration.variable.type,
          context,
        );
        inits.push(
          Object.freeze({
            variable: declaration.variable,
            initial,
            path: declaration.path,
          }),
        );
      }
      return Object.freeze({
        size: pending.length,
        inits: Object.freeze(inits),
      });
    },
  };
}

function checkName(
  reader: YamlReader,
  name: string,
  scope: VariableScope,
  node: unknown,
  path: string,
): void {
  const [prefix = '', rest, extra] = name.split('.');
  const label = SCOPE_LABEL[scope];
  if (prefix.toLowerCase() !== label.toLowerCase() || rest === undefined || extra !== undefined) {
    reader.fail('flow.schema', path, node, `variable "${name}" must be named ${label}.<Name> here`);
  }
  if (!NAME_PATTERN.test(rest)) {
    reader.fail(
      'flow.schema',
      path,
      node,
      `variable name "${name}" may only use letters, digits and underscores`,
    );
  }
}
