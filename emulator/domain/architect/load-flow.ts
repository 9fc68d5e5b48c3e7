// Loads an Archy YAML inbound flow: substitutes `{{key}}`s, parses the YAML keeping line numbers, checks
// the shape and compiles every state, task, action and expression. A flow that loads will run; anything
// outside the emulator's subset is refused here with its path and line.

import { LineCounter, parseDocument } from 'yaml';
import { FlowLoadError } from './errors.ts';
import type { VariableScope } from './expression-compile.ts';
import type { CompiledState, CompiledTask, LoadedFlow } from './flow-model.ts';
import { FLOW_TYPES, type FlowType } from './flow-types.ts';
import { compileActions } from './load-actions.ts';
import { type LoadContext, makeLoadContext, type TaskSignature, type VariableTable } from './load-context.ts';
import { compileValue } from './load-values.ts';
import { declareVariables } from './load-variables.ts';
import { DEFAULT_FLOW_OPTIONS, type FlowOptions, resolveFlowOptions } from './options.ts';
import { parseRef } from './refs.ts';
import { applySubstitutions } from './substitutions.ts';
import { type MapView, YamlReader } from './yaml-reader.ts';

export interface FlowSource {
  /** A label for messages when there is no file path (e.g. the scenario's flow name). */
  readonly name?: string;
  readonly yaml: string;
  /** Values for `{{key}}` placeholders; a placeholder without a value is a load error. */
  readonly substitutions?: Readonly<Record<string, string>>;
  /** The file the YAML was read from; named in load errors. */
  readonly sourcePath?: string;
}

const FLOW_KEYS = [
  'name',
  'description',
  'division',
  'startUpRef',
  'defaultLanguage',
  'supportedLanguages',
  'settingsErrorHandling',
  'variables',
  'states',
  'tasks',
];
const BLOCK_KEYS = ['name', 'refId', 'variables', 'actions'];

/** Loads and compiles a flow. Throws FlowLoadError, and nothing else, for any problem in the source. */
export function loadFlow(source: FlowSource, options?: FlowOptions): LoadedFlow {
  const resolvedOptions = resolveFlowOptions(DEFAULT_FLOW_OPTIONS, options);
  const file = source.sourcePath ?? source.name;
  const location = file === undefined ? {} : { file };
  try {
    const text = applySubstitutions(source.yaml, source.substitutions ?? {}, file);
    const lineCounter = new LineCounter();
    const document = parseDocument(text, { lineCounter, uniqueKeys: true });
    const [firstError] = document.errors;
    if (firstError !== undefined) {
      const line = firstError.linePos?.[0].line;
      // The parser's message repeats the position, which the location already carries.
      const detail = (firstError.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '');
      throw new FlowLoadError('flow.yaml', `invalid YAML: ${detail}`, {
        path: '(yaml)',
        ...(line === undefined ? {} : { line }),
        ...location,
      });
    }
    const reader = new YamlReader(lineCounter, file);
    if (reader.isAbsent(document.contents))
      reader.fail('flow.yaml', '(yaml)', undefined, 'the flow file is empty');
    const root = reader.single(document.contents, '(root)', 'the flow file');
    if (!isFlowType(root.key)) {
      return reader.fail(
        'flow.type.unsupported',
        root.key,
        root.keyNode,
        `flow type "${root.key}" is not supported (the emulator runs ${FLOW_TYPES.join(' and ')})`,
      );
    }
    return compileFlow(reader, root.key, reader.map(root.value, root.key, `the ${root.key} flow`), {
      source: file,
      options: resolvedOptions,
    });
  } catch (error) {
    if (error instanceof RangeError && /call stack/i.test(error.message)) {
      // Pathologically deep nesting exhausts the stack of the YAML parser or of the compiler.
      throw new FlowLoadError('flow.yaml', 'the flow file is nested too deeply', {
        path: '(yaml)',
        ...location,
      });
    }
    throw error;
  }
}

function isFlowType(key: string): key is FlowType {
  return (FLOW_TYPES as readonly string[]).includes(key);
}

function compileFlow(
  reader: YamlReader,
  flowType: FlowType,
  flow: MapView,
  extra: Pick<LoadedFlow, 'source' | 'options'>,
): LoadedFlow {
  flow.allowOnly(FLOW_KEYS);
  const name = reader.name(flow.required('name'), flow.at('name'), 'the flow name');
  const optionalText = (key: string): string | undefined =>
    flow.has(key) ? reader.text(flow.get(key), flow.at(key), key) : undefined;
  checkErrorHandling(reader, flow);

  const flowTable: VariableTable = new Map();
  const flowDeclared = declareVariables(
    reader,
    flow.get('variables'),
    flow.at('variables'),
    'flow',
    flowTable,
  );
  const tasks = collectTasks(reader, flow);
  const base = {
    reader,
    flowType,
    tasks: tasks.signatures,
    currentTask: undefined,
  };
  const flowContext = makeLoadContext(base, flowTable, undefined);
  const flowVariables = flowDeclared.compile(flowContext);
  const supportedLanguages = readLanguages(reader, flow, flowContext);

  const compiledTasks: CompiledTask[] = tasks.views.map(({ view, path, signature }) => {
    const compiled = compileBlock(reader, view, path, 'task', flowTable, {
      ...base,
      currentTask: signature,
    });
    return Object.freeze({ ...compiled, outputPaths: signature.outputPaths });
  });

  const stateRefs = new Set<string>();
  const states = reader.list(flow.required('states'), flow.at('states'), 'states').map((item, index) => {
    const { view, path } = blockView(reader, item, `${flow.at('states')}[${index}]`, 'state');
    const refId = reader.name(view.required('refId'), view.at('refId'), 'the state refId');
    if (stateRefs.has(refId))
      reader.fail('flow.duplicate', view.at('refId'), view.get('refId'), `refId "${refId}" is used twice`);
    stateRefs.add(refId);
    return compileBlock(reader, view, path, 'state', flowTable, base);
  });

  const startNode = flow.required('startUpRef');
  const startText = reader.text(startNode, flow.at('startUpRef'), 'startUpRef');
  const startRef = parseRef(startText, flowType, 'state');
  const startState = states.find((state) => state.refId === startRef);
  if (startState === undefined) {
    reader.fail(
      'flow.reference',
      flow.at('startUpRef'),
      startNode,
      startRef === undefined
        ? `"${startText}" is not a state reference (expected /${flowType}/states/state[<refId>])`
        : `no state has refId "${startRef}"`,
    );
  }

  return Object.freeze({
    type: flowType,
    name,
    description: optionalText('description'),
    division: optionalText('division'),
    defaultLanguage: optionalText('defaultLanguage'),
    supportedLanguages,
    ...extra,
    program: Object.freeze({
      flowVariables,
      startState,
      states: Object.freeze(states),
      tasks: Object.freeze(compiledTasks),
    }),
  });
}

/** Only "disconnect on error" exists in the subset; it is also what a flow without the setting gets. */
function checkErrorHandling(reader: YamlReader, flow: MapView): void {
  const settings = reader.optionalMap(
    flow.get('settingsErrorHandling'),
    flow.at('settingsErrorHandling'),
    'settingsErrorHandling',
  );
  settings.allowOnly(['errorHandling']);
  if (!settings.has('errorHandling')) return;
  const handling = reader.single(
    settings.get('errorHandling'),
    settings.at('errorHandling'),
    'errorHandling',
  );
  const at = `${settings.at('errorHandling')}.${handling.key}`;
  if (handling.key !== 'disconnect') {
    reader.fail(
      'flow.unsupported.property',
      at,
      handling.keyNode,
      `error handling "${handling.key}" is not supported; use disconnect`,
    );
  }
  reader.optionalMap(handling.value, at, 'disconnect error handling').allowOnly(['none']);
}

/**
 * Language settings are checked for shape but do not change how the emulator runs: routing by language
 * skill is not modelled beyond reporting a transfer's languageSkill.
 */
function readLanguages(reader: YamlReader, flow: MapView, context: LoadContext): readonly string[] {
  const languages = reader.optionalMap(
    flow.get('supportedLanguages'),
    flow.at('supportedLanguages'),
    'supportedLanguages',
  );
  for (const entry of languages.entries) {
    const settings = reader.optionalMap(entry.value, languages.at(entry.key), `language ${entry.key}`);
    settings.allowOnly(['defaultLanguageSkill']);
    if (settings.has('defaultLanguageSkill')) {
      compileValue(
        settings.get('defaultLanguageSkill'),
        settings.at('defaultLanguageSkill'),
        'skill',
        context,
      );
    }
  }
  return Object.freeze(languages.entries.map((entry) => entry.key));
}

interface TaskEntry {
  readonly view: MapView;
  readonly path: string;
  readonly signature: TaskSignature;
}

/** First pass over tasks: refIds and output paths, so any action may call any task. */
function collectTasks(
  reader: YamlReader,
  flow: MapView,
): {
  signatures: ReadonlyMap<string, TaskSignature>;
  views: readonly TaskEntry[];
} {
  const signatures = new Map<string, TaskSignature>();
  const views = reader.list(flow.get('tasks'), flow.at('tasks'), 'tasks').map((item, index): TaskEntry => {
    const { view, path } = blockView(reader, item, `${flow.at('tasks')}[${index}]`, 'task');
    const refId = reader.name(view.required('refId'), view.at('refId'), 'the task refId');
    if (signatures.has(refId))
      reader.fail('flow.duplicate', view.at('refId'), view.get('refId'), `refId "${refId}" is used twice`);
    const outputPaths = reader
      .list(view.get('outputPaths'), view.at('outputPaths'), 'outputPaths')
      .map((pathItem, pathIndex) => {
        const pathAt = `${view.at('outputPaths')}[${pathIndex}]`;
        const entry = reader.single(pathItem, pathAt, 'an output path');
        if (entry.key !== 'outputPath')
          reader.fail('flow.schema', pathAt, entry.keyNode, `expected "outputPath", found "${entry.key}"`);
        const outputPath = reader.map(entry.value, `${pathAt}.outputPath`, 'an output path');
        outputPath.allowOnly(['name']);
        return reader.name(outputPath.required('name'), outputPath.at('name'), 'the output path name');
      });
    if (new Set(outputPaths).size !== outputPaths.length) {
      reader.fail(
        'flow.duplicate',
        view.at('outputPaths'),
        view.get('outputPaths'),
        'an output path name is used twice',
      );
    }
    const name = reader.name(view.required('name'), view.at('name'), 'the task name');
    const signature: TaskSignature = Object.freeze({
      index,
      name,
      outputPaths: Object.freeze(outputPaths),
    });
    signatures.set(refId, signature);
    return { view, path, signature };
  });
  return { signatures, views };
}

/** Opens `- state: {...}` / `- task: {...}` and names the path after the block, e.g. `states[0](Initial State)`. */
function blockView(
  reader: YamlReader,
  item: unknown,
  itemPath: string,
  kind: 'state' | 'task',
): { view: MapView; path: string } {
  const entry = reader.single(item, itemPath, `a ${kind}`);
  if (entry.key !== kind)
    reader.fail('flow.schema', itemPath, entry.keyNode, `expected "${kind}", found "${entry.key}"`);
  const view = reader.map(entry.value, itemPath, `a ${kind}`);
  view.allowOnly(kind === 'task' ? [...BLOCK_KEYS, 'outputPaths'] : BLOCK_KEYS);
  const name = reader.name(view.required('name'), view.at('name'), `the ${kind} name`);
  const path = `${itemPath}(${name})`;
  return { view: reader.map(entry.value, path, `${kind} "${name}"`), path };
}

function compileBlock(
  reader: YamlReader,
  view: MapView,
  path: string,
  scope: Extract<VariableScope, 'state' | 'task'>,
  flowTable: VariableTable,
  base: Omit<LoadContext, 'lookupVariable'>,
): CompiledState {
  const table: VariableTable = new Map();
  const declared = declareVariables(reader, view.get('variables'), `${path}.variables`, scope, table);
  const context = makeLoadContext(base, flowTable, { scope, table });
  const variables = declared.compile(context);
  return Object.freeze({
    name: reader.name(view.required('name'), view.at('name'), `the ${scope} name`),
    refId: reader.name(view.required('refId'), view.at('refId'), `the ${scope} refId`),
    path,
    variables,
    actions: compileActions(view.get('actions'), `${path}.actions`, context),
  });
}
