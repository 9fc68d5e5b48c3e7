// Compiles action lists. Only the emulator's subset is accepted; any other action type, and any property
// an action does not understand, is refused with its path and line so nothing is silently skipped.

import type { Evaluator } from './eval-context.ts';
import type { VariableInfo } from './expression-compile.ts';
import type { Assignment, Block, CompiledAction } from './flow-model.ts';
import type { LoadContext } from './load-context.ts';
import { compileOutputVariable, compileValue, resolveVariableName } from './load-values.ts';
import { parseRef } from './refs.ts';
import { isValueType, type ValueType } from './values.ts';
import type { MapView } from './yaml-reader.ts';

interface ActionHeader {
  readonly path: string;
  readonly name: string | undefined;
  readonly line: number | undefined;
}

type ActionCompiler = (view: MapView, header: ActionHeader, context: LoadContext) => CompiledAction;

export function compileActions(listNode: unknown, path: string, context: LoadContext): Block {
  const actions = context.reader
    .list(listNode, path, 'actions')
    .map((item, index) => compileAction(item, `${path}[${index}]`, context));
  return Object.freeze(actions);
}

function compileAction(item: unknown, itemPath: string, context: LoadContext): CompiledAction {
  const { reader } = context;
  const entry = reader.single(item, itemPath, 'an action');
  const path = `${itemPath}.${entry.key}`;
  const compiler = Object.hasOwn(ACTION_COMPILERS, entry.key) ? ACTION_COMPILERS[entry.key] : undefined;
  if (compiler === undefined) {
    return reader.fail(
      'flow.unsupported.action',
      path,
      entry.keyNode,
      `action "${entry.key}" is not supported by the emulator (supported: ${SUPPORTED_ACTIONS.join(', ')})`,
    );
  }
  const view = reader.optionalMap(entry.value, path, `action ${entry.key}`);
  const name = view.has('name')
    ? reader.text(view.get('name'), view.at('name'), 'the action name')
    : undefined;
  return Object.freeze(compiler(view, { path, name, line: reader.lineOf(entry.keyNode) }, context));
}

/** `{actions: [...]}` under an output path; a missing or empty output runs nothing. */
function compileOutput(node: unknown, path: string, context: LoadContext): Block {
  const output = context.reader.optionalMap(node, path, 'an output path');
  output.allowOnly(['actions']);
  return compileActions(output.get('actions'), output.at('actions'), context);
}

const sendResponse: ActionCompiler = (view, header, context) => {
  view.allowOnly(['name', 'messageBody']);
  const messageBody = compileValue(view.required('messageBody'), view.at('messageBody'), 'string', context);
  return { type: 'sendResponse', ...header, messageBody };
};

const disconnect: ActionCompiler = (view, header) => {
  view.allowOnly(['name']);
  return { type: 'disconnect', ...header };
};

/**
 * A successful transfer ends the flow. On failure the failure outputs are set, `outputs.failure.actions`
 * run, and the flow continues with the next action. The key names `failureOutputs` (errorType,
 * errorMessage) and `outputs.failure` are UNCONFIRMED in the reference; they follow the Archy export
 * conventions other actions use.
 */
const transferToAcd: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly([
    'name',
    'targetQueue',
    'priority',
    'preferredAgents',
    'languageSkill',
    'directAgent',
    'acdSkills',
    'failureOutputs',
    'outputs',
  ]);
  // Agent targeting needs user values, which the emulator does not model; exports write them as noValue.
  for (const key of ['preferredAgents', 'directAgent']) {
    if (view.has(key)) requireNoValue(view.get(key), view.at(key), key, context);
  }
  const skills = reader.list(view.get('acdSkills'), view.at('acdSkills'), 'acdSkills').map((item, index) => {
    const itemPath = `${view.at('acdSkills')}[${index}]`;
    const skill = reader.single(item, itemPath, 'an ACD skill');
    if (skill.key !== 'acdSkill') {
      reader.fail('flow.schema', itemPath, skill.keyNode, `expected "acdSkill", found "${skill.key}"`);
    }
    return compileValue(skill.value, `${itemPath}.acdSkill`, 'skill', context);
  });
  const failureOutputs = reader.optionalMap(
    view.get('failureOutputs'),
    view.at('failureOutputs'),
    'failureOutputs',
  );
  failureOutputs.allowOnly(['errorType', 'errorMessage']);
  const outputs = reader.optionalMap(view.get('outputs'), view.at('outputs'), 'transferToAcd outputs');
  outputs.allowOnly(['failure']);
  return {
    type: 'transferToAcd',
    ...header,
    targetQueue: compileValue(view.required('targetQueue'), view.at('targetQueue'), 'queue', context),
    priority: optionalValue(view, 'priority', 'integer', context),
    skills: Object.freeze(skills),
    languageSkill: optionalValue(view, 'languageSkill', 'skill', context),
    errorTypeVariable: compileOutputVariable(
      failureOutputs.get('errorType'),
      failureOutputs.at('errorType'),
      'string',
      context,
    ),
    errorMessageVariable: compileOutputVariable(
      failureOutputs.get('errorMessage'),
      failureOutputs.at('errorMessage'),
      'string',
      context,
    ),
    failure: compileOutput(outputs.get('failure'), outputs.at('failure'), context),
  };
};

function optionalValue(
  view: MapView,
  key: string,
  expected: ValueType | 'skill',
  context: LoadContext,
): Evaluator | undefined {
  return view.has(key) ? compileValue(view.get(key), view.at(key), expected, context) : undefined;
}

function requireNoValue(node: unknown, path: string, key: string, context: LoadContext): void {
  const { reader } = context;
  const entry = reader.single(node, path, key);
  if (entry.key !== 'noValue' || !reader.boolean(entry.value, `${path}.noValue`, 'noValue')) {
    reader.fail(
      'flow.unsupported.property',
      path,
      node,
      `${key} is not supported by the emulator; use {noValue: true}`,
    );
  }
}

/** yes/no output keys; YAML 1.1 readers turn unquoted yes/no into booleans, so true/false are accepted too. */
const DECISION_KEYS: Readonly<Record<string, 'yes' | 'no'>> = {
  yes: 'yes',
  true: 'yes',
  no: 'no',
  false: 'no',
};

const decision: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'condition', 'outputs']);
  const condition = compileValue(view.required('condition'), view.at('condition'), 'boolean', context);
  const outputs = reader.optionalMap(view.get('outputs'), view.at('outputs'), 'decision outputs');
  const blocks: { yes?: Block; no?: Block } = {};
  for (const entry of outputs.entries) {
    const key =
      (Object.hasOwn(DECISION_KEYS, entry.key) ? DECISION_KEYS[entry.key] : undefined) ??
      reader.fail(
        'flow.unsupported.property',
        outputs.at(entry.key),
        entry.keyNode,
        `decision outputs are "yes" and "no", not "${entry.key}"`,
      );
    if (blocks[key] !== undefined) {
      reader.fail(
        'flow.duplicate',
        outputs.at(entry.key),
        entry.keyNode,
        `the "${key}" output is given twice`,
      );
    }
    blocks[key] = compileOutput(entry.value, outputs.at(entry.key), context);
  }
  return {
    type: 'decision',
    ...header,
    condition,
    yes: blocks.yes ?? [],
    no: blocks.no ?? [],
  };
};

const switchAction: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'evaluate']);
  const evaluate = reader.map(view.required('evaluate'), view.at('evaluate'), 'switch evaluate');
  evaluate.allowOnly(['firstTrue']);
  const firstTrue = reader.map(evaluate.required('firstTrue'), evaluate.at('firstTrue'), 'switch firstTrue');
  firstTrue.allowOnly(['default', 'cases']);
  const cases = reader
    .list(firstTrue.get('cases'), firstTrue.at('cases'), 'switch cases')
    .map((item, index) => {
      const itemPath = `${firstTrue.at('cases')}[${index}]`;
      const entry = reader.single(item, itemPath, 'a switch case');
      if (entry.key !== 'case')
        reader.fail('flow.schema', itemPath, entry.keyNode, `expected "case", found "${entry.key}"`);
      const casePath = `${itemPath}.case`;
      const caseView = reader.map(entry.value, casePath, 'a switch case');
      caseView.allowOnly(['value', 'actions']);
      return Object.freeze({
        condition: compileValue(caseView.required('value'), caseView.at('value'), 'boolean', context),
        actions: compileActions(caseView.get('actions'), caseView.at('actions'), context),
      });
    });
  return {
    type: 'switch',
    ...header,
    cases: Object.freeze(cases),
    otherwise: compileOutput(firstTrue.get('default'), firstTrue.at('default'), context),
  };
};

const updateData: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'statements']);
  const statements = reader
    .list(view.required('statements'), view.at('statements'), 'statements')
    .map((item, index): Assignment => {
      const itemPath = `${view.at('statements')}[${index}]`;
      const entry = reader.single(item, itemPath, 'an update statement');
      const statementPath = `${itemPath}.${entry.key}`;
      const type = entry.key;
      if (!isValueType(type) || type === 'json' || type === 'agentScorePairCollection') {
        return reader.fail(
          'flow.unsupported.property',
          statementPath,
          entry.keyNode,
          `updateData statements of type "${type}" are not supported by the emulator`,
        );
      }
      const statement = reader.map(entry.value, statementPath, 'an update statement');
      statement.allowOnly(['variable', 'value']);
      const variableNode = statement.required('variable');
      const variable = resolveVariableName(variableNode, statement.at('variable'), context);
      if (variable.type !== type) {
        reader.fail(
          'flow.type',
          statement.at('variable'),
          variableNode,
          `${variable.name} is a ${variable.type} variable but the statement is "${type}"`,
        );
      }
      return Object.freeze({
        variable,
        value: compileValue(statement.required('value'), statement.at('value'), type, context),
      });
    });
  return {
    type: 'updateData',
    ...header,
    statements: Object.freeze(statements),
  };
};

/** Reads `attributes: [ {attribute: {...}} ]`, giving each attribute's mapping to `read`. */
function attributeList<T>(
  view: MapView,
  context: LoadContext,
  read: (attribute: MapView) => T,
): readonly T[] {
  const { reader } = context;
  const listPath = view.at('attributes');
  return Object.freeze(
    reader.list(view.required('attributes'), listPath, 'attributes').map((item, index) => {
      const itemPath = `${listPath}[${index}]`;
      const entry = reader.single(item, itemPath, 'an attribute');
      if (entry.key !== 'attribute') {
        reader.fail('flow.schema', itemPath, entry.keyNode, `expected "attribute", found "${entry.key}"`);
      }
      return read(reader.map(entry.value, `${itemPath}.attribute`, 'an attribute'));
    }),
  );
}

const getParticipantData: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'attributes']);
  const attributes = attributeList(view, context, (attribute) => {
    attribute.allowOnly(['name', 'variable']);
    const nameNode = attribute.required('name');
    const literal = reader.single(nameNode, attribute.at('name'), 'the attribute name');
    if (literal.key !== 'lit') {
      reader.fail(
        'flow.unsupported.property',
        attribute.at('name'),
        nameNode,
        'Get Participant Data attribute names must be literals ({lit: "Name"})',
      );
    }
    // Attribute names are case-sensitive and used exactly as written.
    const name = reader.text(literal.value, `${attribute.at('name')}.lit`, 'the attribute name');
    if (name.trim() === '')
      reader.fail('flow.schema', attribute.at('name'), nameNode, 'the attribute name is blank');
    const variableNode = attribute.required('variable');
    const variable = compileOutputVariable(variableNode, attribute.at('variable'), 'string', context);
    if (variable === undefined) {
      return reader.fail(
        'flow.schema',
        attribute.at('variable'),
        variableNode,
        'a variable to read into is needed',
      );
    }
    return Object.freeze({ name, variable });
  });
  return { type: 'getParticipantData', ...header, attributes };
};

const setParticipantData: ActionCompiler = (view, header, context) => {
  view.allowOnly(['name', 'attributes']);
  const attributes = attributeList(view, context, (attribute) => {
    attribute.allowOnly(['name', 'value']);
    return Object.freeze({
      name: compileValue(attribute.required('name'), attribute.at('name'), 'string', context),
      value: compileValue(attribute.required('value'), attribute.at('value'), 'string', context),
    });
  });
  return { type: 'setParticipantData', ...header, attributes };
};

const findQueue: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'findName', 'findResult', 'outputs']);
  const outputs = reader.optionalMap(view.get('outputs'), view.at('outputs'), 'findQueue outputs');
  outputs.allowOnly(['found', 'notFound']);
  const result: VariableInfo | undefined = compileOutputVariable(
    view.get('findResult'),
    view.at('findResult'),
    'queue',
    context,
  );
  return {
    type: 'findQueue',
    ...header,
    findName: compileValue(view.required('findName'), view.at('findName'), 'string', context),
    result,
    found: compileOutput(outputs.get('found'), outputs.at('found'), context),
    notFound: compileOutput(outputs.get('notFound'), outputs.at('notFound'), context),
  };
};

const callTask: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'targetTaskRef', 'outputs']);
  const refNode = view.required('targetTaskRef');
  const refText = reader.text(refNode, view.at('targetTaskRef'), 'targetTaskRef');
  const refId = parseRef(refText, context.flowType, 'task');
  if (refId === undefined) {
    return reader.fail(
      'flow.reference',
      view.at('targetTaskRef'),
      refNode,
      `"${refText}" is not a task reference (expected /${context.flowType}/tasks/task[<refId>])`,
    );
  }
  const task = context.tasks.get(refId);
  if (task === undefined) {
    return reader.fail('flow.reference', view.at('targetTaskRef'), refNode, `no task has refId "${refId}"`);
  }
  const outputs = reader.optionalMap(view.get('outputs'), view.at('outputs'), 'callTask outputs');
  const blocks = new Map<string, Block>();
  for (const entry of outputs.entries) {
    if (entry.key !== 'default' && !task.outputPaths.includes(entry.key)) {
      reader.fail(
        'flow.reference',
        outputs.at(entry.key),
        entry.keyNode,
        `task "${task.name}" has no output path "${entry.key}"`,
      );
    }
    blocks.set(entry.key, compileOutput(entry.value, outputs.at(entry.key), context));
  }
  return {
    type: 'callTask',
    ...header,
    taskIndex: task.index,
    outputs: blocks,
  };
};

const endTask: ActionCompiler = (view, header, context) => {
  const { reader } = context;
  view.allowOnly(['name', 'outputPath']);
  const task = context.currentTask;
  if (task === undefined) {
    return reader.fail('flow.schema', header.path, view.node, 'endTask can only be used inside a task');
  }
  let outputPath = 'default';
  if (view.has('outputPath')) {
    const node = view.get('outputPath');
    const pathView = reader.map(node, view.at('outputPath'), 'outputPath');
    pathView.allowOnly(['name']);
    outputPath = reader.name(pathView.required('name'), pathView.at('name'), 'the output path name');
    if (outputPath !== 'default' && !task.outputPaths.includes(outputPath)) {
      reader.fail(
        'flow.reference',
        pathView.at('name'),
        pathView.get('name'),
        `task "${task.name}" declares no output path "${outputPath}"`,
      );
    }
  }
  return { type: 'endTask', ...header, outputPath };
};

const ACTION_COMPILERS: Readonly<Record<string, ActionCompiler>> = {
  sendResponse,
  transferToAcd,
  disconnect,
  decision,
  switch: switchAction,
  updateData,
  getParticipantData,
  setParticipantData,
  findQueue,
  callTask,
  endTask,
};

const SUPPORTED_ACTIONS: readonly string[] = Object.keys(ACTION_COMPILERS);
