// Edge cases of the Architect expression functions, FindQueue's name matching and the interpreter's
// action handling, seen the way a flow author sees them: an expression's value, the flow's outcome, or the
// load error. Each table row pins one rule from the Architect reference or from a rule the code states
// (functions.ts header: which functions accept NOT_SET; queue-lookup.ts: trimming and exact-case preference).

import { describe, expect, it } from 'vitest';
import {
  FlowLoadError,
  type FlowOptions,
  type FlowRun,
  loadFlow,
  type QueueRef,
  runFlow,
} from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, type FlowParts, ORG_QUEUES, RecordingHost } from './helpers.ts';

const VARIABLES = [
  { stringVariable: { name: 'Flow.Missing', initialValue: { noValue: true } } },
  { stringVariable: { name: 'Flow.Name', initialValue: { lit: 'Ada' } } },
  { integerVariable: { name: 'Flow.Count', initialValue: { lit: 3 } } },
  { booleanVariable: { name: 'Flow.Flag', initialValue: { lit: true } } },
  { booleanVariable: { name: 'Flow.NoFlag', initialValue: { noValue: true } } },
  { durationVariable: { name: 'Flow.Wait', initialValue: { lit: { minutes: 1, seconds: 30 } } } },
  { stringCollectionVariable: { name: 'Flow.Tags', initialValue: { lit: ['vip', 'new'] } } },
  { stringCollectionVariable: { name: 'Flow.NoTags', initialValue: { noValue: true } } },
  { stringCollectionVariable: { name: 'Flow.EmptyTags', initialValue: { lit: [] } } },
  { integerCollectionVariable: { name: 'Flow.EmptyNumbers', initialValue: { lit: [] } } },
  { integerCollectionVariable: { name: 'Flow.Numbers', initialValue: { noValue: true } } },
];

type Builtins = Record<string, unknown>;

interface RunSetup {
  readonly builtins?: Builtins;
  readonly options?: FlowOptions;
  readonly queues?: readonly QueueRef[];
}

/** Loads a one-state flow with VARIABLES (plus any parts given) and runs it once. */
function runParts(parts: Partial<FlowParts>, setup: RunSetup = {}): { run: FlowRun; host: RecordingHost } {
  const flow = loadFlow({
    yaml: buildFlowYaml({ variables: VARIABLES, actions: [], ...parts }),
  });
  const host = new RecordingHost({}, setup.queues ?? ORG_QUEUES);
  const run = runFlow(flow, host, setup.builtins ?? {}, setup.options);
  return { run, host };
}

function errorOf(run: FlowRun): string | undefined {
  return run.outcome.kind === 'disconnect' && run.outcome.reason === 'error' ? run.outcome.error : undefined;
}

/** The text a Send Response with `expression` as its body delivers, or `error: <message>`. */
function sendText(expression: string, setup: RunSetup = {}): string {
  const { run, host } = runParts(
    { actions: [{ sendResponse: { name: 'Say', messageBody: { exp: expression } } }] },
    setup,
  );
  const error = errorOf(run);
  return error === undefined ? host.sent.join('|') : `error: ${error}`;
}

/** The output a Decision on `expression` takes (yes / no), or `error: <message>`. */
function decide(expression: string, setup: RunSetup = {}): string {
  const { run } = runParts(
    {
      actions: [
        { decision: { name: 'Check', condition: { exp: expression }, outputs: { yes: {}, no: {} } } },
      ],
    },
    setup,
  );
  const error = errorOf(run);
  if (error !== undefined) return `error: ${error}`;
  const taken = run.trace.find((entry) => entry.kind === 'outputPath');
  return taken?.kind === 'outputPath' ? taken.output : 'none';
}

/** The load error for a Send Response body `expression`: its code and message (without the location). */
function loadError(expression: string): { code: string; message: string } {
  try {
    loadFlow({
      yaml: buildFlowYaml({
        variables: VARIABLES,
        actions: [{ sendResponse: { name: 'Say', messageBody: { exp: expression } } }],
      }),
    });
  } catch (error) {
    if (!(error instanceof FlowLoadError)) throw error;
    return { code: error.code, message: error.detail.split(' (in expression ')[0] ?? '' };
  }
  throw new Error(`expected ${expression} to be refused at load`);
}

describe('function results at the edges', () => {
  it.each([
    ['ToString("abc")', 'abc'],
    ['ToString("")', ''],
    ['ToString(Flow.Wait)', 'PT1M30S'],
    ['ToString(-4)', '-4'],
    ['ToString(ToInt(Flow.Count))', '3'],
    ['ToString(ToInt("-7"))', '-7'],
    ['ToString(ToInt("+5"))', '5'],
    ['ToString(ToInt(" 0 "))', '0'],
    ['ToString(ToInt(-2.9))', '-2'],
    ['ToString(Length(""))', '0'],
    ['ToString(Length("  "))', '2'],
    ['Trim("   ")', ''],
    ['Trim(" a b ")', 'a b'],
    ['Upper("")', ''],
    ['Lower("MiXeD 1")', 'mixed 1'],
    ['Append("")', ''],
    ['Append("a", "", "b")', 'ab'],
    ['ToString(Count(Flow.Tags))', '2'],
    ['ToString(Count(Flow.EmptyTags))', '0'],
    ['ToString(Count(MakeList("x")))', '1'],
    ['GetAt(MakeList("a", "b"), 1)', 'b'],
    ['GetAt(Flow.Tags, 0)', 'vip'],
    // An integer list's items are integers: they take part in arithmetic.
    ['ToString(GetAt(MakeList(1, 2), 1) + 1)', '3'],
  ])('%s gives %j', (expression, text) => {
    expect(sendText(expression)).toBe(text);
  });

  it.each([
    // Built-in variables have no static type: the function checks them when the flow runs.
    ['GetAt(Message.List, 0)', { 'Message.List': ['a', 'b'] }, 'a'],
    ['ToString(Count(MakeList(Message.A, Message.B)))', { 'Message.A': 'x', 'Message.B': 'y' }, '2'],
    ['ToString(Count(MakeList(Message.A, Message.B)))', { 'Message.A': 1, 'Message.B': 2 }, '2'],
  ])('%s with %j gives %j', (expression, builtins, text) => {
    expect(sendText(expression, { builtins })).toBe(text);
  });

  it('an integer list built from built-ins can be stored in an integer collection variable', () => {
    const { run, host } = runParts(
      {
        actions: [
          {
            updateData: {
              name: 'Keep',
              statements: [
                {
                  integerCollection: {
                    variable: 'Flow.Numbers',
                    value: { exp: 'MakeList(Message.A, Message.B)' },
                  },
                },
              ],
            },
          },
          { sendResponse: { name: 'Say', messageBody: { exp: 'ToString(GetAt(Flow.Numbers, 1) * 10)' } } },
        ],
      },
      { builtins: { 'Message.A': 4, 'Message.B': 5 } },
    );
    expect(errorOf(run)).toBeUndefined();
    expect(host.sent).toEqual(['50']);
  });

  it.each([
    ['IsNotSetOrEmpty(Flow.EmptyTags)', 'yes'],
    ['IsNotSetOrEmpty(Flow.EmptyNumbers)', 'yes'],
    ['IsNotSetOrEmpty(Flow.NoTags)', 'yes'],
    ['IsNotSetOrEmpty(Flow.Tags)', 'no'],
    ['IsNotSetOrEmpty(MakeList(0))', 'no'],
    ['IsNotSetOrEmpty(0)', 'no'],
    ['IsNotSetOrEmpty(false)', 'no'],
    ['IsNotSetOrEmpty(Flow.Wait)', 'no'],
    ['IsNotSetOrEmpty(FindQueue("Sales"))', 'no'],
    ['IsNotSetOrEmpty(NOT_SET)', 'yes'],
    ['IsSet("")', 'yes'],
    ['IsSet(Flow.EmptyTags)', 'yes'],
    ['IsSet(Flow.NoTags)', 'no'],
    ['IsSet(FindQueueById(Flow.Missing))', 'no'],
    ['IsSet(FindQueueById(""))', 'no'],
    ['IsSet(FindQueue(""))', 'no'],
    ['IsSet(FindQueue("   "))', 'no'],
    ['ToString(NOT_SET) == NOT_SET', 'yes'],
    ['Contains("abc", "ABC", true)', 'no'],
    ['Contains("abc", "ABC", false)', 'yes'],
    ['Contains("abc", "abcd", false)', 'no'],
  ])('%s takes the %s path', (expression, output) => {
    expect(decide(expression)).toBe(output);
  });
});

describe('run-time errors name the function and the argument', () => {
  it.each([
    ['Trim(NOT_SET)', 'Trim() received NOT_SET as argument 1'],
    ['Append("a", Flow.Missing)', 'Append() received NOT_SET as argument 2'],
    ['ToString(Length(Flow.Missing))', 'Length() received NOT_SET as argument 1'],
    ['Lower(Flow.Missing)', 'Lower() received NOT_SET as argument 1'],
    ['ToString(ToInt(NOT_SET))', 'ToInt() received NOT_SET'],
    ['ToString(ToInt("x12"))', 'ToInt() cannot convert "x12"'],
    ['ToString(ToInt("12x"))', 'ToInt() cannot convert "12x"'],
    ['ToString(ToInt(""))', 'ToInt() cannot convert ""'],
    ['ToString(ToInt("1.5"))', 'ToInt() cannot convert "1.5"'],
    ['ToString(ToInt("+-1"))', 'ToInt() cannot convert "+-1"'],
    ['ToString(ToInt("99999999999999999999"))', 'integer overflow'],
    ['ToString(ToInt(100000000000000000000.5))', 'integer overflow'],
    ['ToString(Count(Flow.NoTags))', 'Count() received NOT_SET'],
    ['GetAt(Flow.NoTags, 0)', 'GetAt() received NOT_SET'],
    ['GetAt(NOT_SET, 0)', 'GetAt() received NOT_SET'],
    ['GetAt(Flow.Tags, NOT_SET)', 'GetAt() index must be an integer'],
    ['GetAt(Flow.Tags, -1)', 'GetAt() index -1 is outside a collection of 2'],
    ['GetAt(Flow.EmptyTags, 0)', 'GetAt() index 0 is outside a collection of 0'],
  ])('%s fails with %j', (expression, message) => {
    expect(sendText(expression)).toBe(`error: ${message}`);
  });

  it.each([
    ['Trim(Message.Value)', true, 'Trim() argument 1 must be a string, got boolean'],
    ['Append("a", Message.Value)', 7, 'Append() argument 2 must be a string, got integer'],
    ['ToString(ToInt(Message.Value))', true, 'ToInt() cannot convert boolean'],
    ['ToString(Count(Message.Value))', 'abc', 'Count() needs a collection, got string'],
    ['GetAt(Message.Value, 0)', 'abc', 'GetAt() needs a collection, got string'],
    ['ToString(Message.Value)', ['a'], 'ToString() cannot convert a collection'],
    ['ToString(Message.Value)', [1, 2], 'ToString() cannot convert a collection'],
    ['FindQueue(Message.Value).name', true, 'FindQueue() argument 1 must be a string, got boolean'],
    ['FindQueueById(Message.Value).name', 5, 'FindQueueById() argument 1 must be a string, got integer'],
  ])('%s with a built-in of %j fails with %j', (expression, value, message) => {
    expect(sendText(expression, { builtins: { 'Message.Value': value } })).toBe(`error: ${message}`);
  });

  it('a list mixing a string and an integer from built-ins is a run-time error', () => {
    expect(
      sendText('ToString(Count(MakeList(Message.A, Message.B)))', {
        builtins: { 'Message.A': 'x', 'Message.B': 1 },
      }),
    ).toBe('error: MakeList() items must all be strings or all be integers');
  });

  it.each([
    ['Contains("abc", Flow.Missing)', 'Contains() received NOT_SET as argument 2', {}],
    ['Contains(Flow.Missing, "a")', 'Contains() received NOT_SET as argument 1', {}],
    ['Contains("abc", "a", NOT_SET)', 'Contains() argument 3 must be a boolean', {}],
    [
      'Contains("abc", "a", Message.Value)',
      'Contains() argument 3 must be a boolean',
      { 'Message.Value': 'yes' },
    ],
  ])('%s fails with %j', (expression, message, builtins) => {
    expect(decide(expression, { builtins })).toBe(`error: ${message}`);
  });
});

describe('function calls refused at load', () => {
  it.each([
    ['Trim(1)', 'Trim() argument 1 must be a string, got integer'],
    ['Upper(Flow.Flag)', 'Upper() argument 1 must be a string, got boolean'],
    ['Append("a", "b", 1)', 'Append() argument 3 must be a string, got integer'],
    ['Append("a", Flow.Tags)', 'Append() argument 2 must be a string, got stringCollection'],
    ['If(Contains("a", "b", 1), "y", "n")', 'Contains() argument 3 must be a boolean, got integer'],
    ['If(Contains("a", 1), "y", "n")', 'Contains() argument 2 must be a string, got integer'],
    ['ToString(Length(Flow.Count))', 'Length() argument 1 must be a string, got integer'],
    ['FindQueue(1).name', 'FindQueue() argument 1 must be a string, got integer'],
    [
      'ToString(Flow.Tags)',
      'ToString() argument 1 must be a single value (not a collection), got stringCollection',
    ],
    [
      'ToString(Flow.EmptyNumbers)',
      'ToString() argument 1 must be a single value (not a collection), got integerCollection',
    ],
    ['ToString(Count("abc"))', 'Count() argument 1 must be a string or integer collection, got string'],
    ['ToString(Count(3))', 'Count() argument 1 must be a string or integer collection, got integer'],
    ['ToString(ToInt(true))', 'ToInt() cannot convert boolean'],
    ['ToString(ToInt(Flow.Wait))', 'ToInt() cannot convert duration'],
    ['ToString(ToInt(Flow.Tags))', 'ToInt() cannot convert stringCollection'],
    ['ToString(Count(MakeList("a", 1)))', 'MakeList() items must all be strings or all be integers'],
    ['ToString(Count(MakeList(true)))', 'MakeList() items must all be strings or all be integers'],
    ['ToString(Count(MakeList(1, 2.5)))', 'MakeList() items must all be strings or all be integers'],
    ['GetAt(Flow.Tags, "1")', 'GetAt() argument 2 must be an integer, got string'],
    ['GetAt(Flow.Tags, 1.0)', 'GetAt() argument 2 must be an integer, got decimal'],
    ['GetAt("abc", 0)', 'GetAt() argument 1 must be a string or integer collection, got string'],
    ['IsSet()', 'IsSet() takes exactly 1 argument(s)'],
    ['IsSet(1, 2)', 'IsSet() takes exactly 1 argument(s)'],
    ['Append()', 'Append() takes at least 1 argument(s)'],
    ['MakeList()', 'MakeList() takes at least 1 argument(s)'],
    ['Contains("a")', 'Contains() takes 2 to 3 arguments'],
    ['Contains("a", "b", true, true)', 'Contains() takes 2 to 3 arguments'],
    ['GetAt(Flow.Tags)', 'GetAt() takes exactly 2 argument(s)'],
    ['If(true, "a")', 'If() takes exactly 3 arguments'],
  ])('%s is refused: %s', (expression, message) => {
    expect(loadError(expression)).toEqual({ code: 'flow.type', message });
  });

  it('the result type of GetAt follows the collection: string items are not numbers', () => {
    expect(loadError('ToString(GetAt(Flow.Tags, 0) + 1)')).toEqual({
      code: 'flow.type',
      message: 'cannot add string and integer; convert with ToString() first',
    });
  });
});

describe('FindQueue name matching', () => {
  // An org where names differ only by case or by surrounding spaces, in an order that makes a naive
  // "first case-insensitive match" pick the wrong queue.
  const QUEUES: readonly QueueRef[] = [
    { id: 'q-upper', name: 'Sales' },
    { id: 'q-lower', name: 'sales' },
    { id: 'q-caps', name: 'SUPPORT' },
    { id: 'q-padded', name: ' support ' },
    { id: 'q-billing', name: ' Billing ' },
  ];

  function queueFound(argument: string, options?: FlowOptions): string {
    return sendText(`If(IsSet(FindQueue(${argument})), FindQueue(${argument}).id, "NOT_SET")`, {
      queues: QUEUES,
      ...(options === undefined ? {} : { options }),
    });
  }

  it.each([
    ['"Sales"', 'q-upper'],
    ['"sales"', 'q-lower'],
    ['"  sales  "', 'q-lower'],
    ['"support"', 'q-padded'],
    ['"SUPPORT"', 'q-caps'],
    ['"BILLING"', 'q-billing'],
    ['"billing "', 'q-billing'],
    ['"Bill"', 'NOT_SET'],
    ['"Sales Team"', 'NOT_SET'],
    ['""', 'NOT_SET'],
    ['"  "', 'NOT_SET'],
    ['Flow.Missing', 'NOT_SET'],
  ])('by default FindQueue(%s) finds %s (exact name first, then ignoring case and spaces)', (name, id) => {
    expect(queueFound(name)).toBe(id);
  });

  it.each([
    ['"Sales"', 'q-upper'],
    ['"sales"', 'q-lower'],
    ['" support "', 'q-padded'],
    ['"support"', 'NOT_SET'],
    ['"SALES"', 'NOT_SET'],
    ['" Sales"', 'NOT_SET'],
    ['"Billing"', 'NOT_SET'],
  ])('with queueNameMatch exact FindQueue(%s) finds %s', (name, id) => {
    expect(queueFound(name, { queueNameMatch: 'exact' })).toBe(id);
  });

  it.each([
    ['" Q-UPPER "', 'Sales'],
    ['"q-caps"', 'SUPPORT'],
  ])('FindQueueById(%s) ignores case and spaces around the id', (id, name) => {
    expect(sendText(`FindQueueById(${id}).name`, { queues: QUEUES })).toBe(name);
  });

  it('an unknown queue id is NOT_SET', () => {
    expect(decide('IsSet(FindQueueById("q-nowhere"))', { queues: QUEUES })).toBe('no');
  });
});

const STATE = 'inboundShortMessage.states[0](Initial State)';

describe('interpreter: actions at their edges', () => {
  it('only exceptions thrown by the host escape runFlow; they are not turned into error handling', () => {
    class FailingHost extends RecordingHost {
      override sendResponse(): void {
        throw new Error('host is down');
      }
    }
    const flow = loadFlow({
      yaml: buildFlowYaml({ actions: [{ sendResponse: { name: 'Say', messageBody: { lit: 'hi' } } }] }),
    });
    expect(() => runFlow(flow, new FailingHost(), {})).toThrow('host is down');
  });

  it('records each response sent in the trace', () => {
    const { run } = runParts({ actions: [{ sendResponse: { name: 'Say', messageBody: { lit: 'hi' } } }] });
    expect(run.trace).toContainEqual({
      kind: 'responseSent',
      path: `${STATE}.actions[0].sendResponse`,
      text: 'hi',
    });
  });

  it('a NOT_SET decision condition is a run-time error at the decision', () => {
    const { run } = runParts({
      actions: [{ decision: { name: 'Check', condition: { exp: 'Flow.NoFlag' }, outputs: { yes: {} } } }],
    });
    expect(run.outcome).toEqual({
      kind: 'disconnect',
      reason: 'error',
      error: 'the decision condition is NOT_SET',
      errorPath: `${STATE}.actions[0].decision`,
    });
  });

  it('a NOT_SET switch case is a run-time error naming the case, after earlier false cases', () => {
    const { run } = runParts({
      actions: [
        {
          switch: {
            name: 'Route',
            evaluate: {
              firstTrue: {
                cases: [{ case: { value: { exp: 'false' } } }, { case: { value: { exp: 'Flow.NoFlag' } } }],
              },
            },
          },
        },
      ],
    });
    expect(run.outcome).toMatchObject({ reason: 'error', error: 'switch case 1 is NOT_SET' });
  });
});

describe('interpreter: Transfer to ACD', () => {
  const transfer = (fields: Record<string, unknown>, builtins: Builtins = {}): FlowRun =>
    runParts(
      {
        variables: [
          ...VARIABLES,
          { stringVariable: { name: 'Flow.ErrType' } },
          { stringVariable: { name: 'Flow.ErrMsg' } },
        ],
        actions: [
          { transferToAcd: { name: 'Go', ...fields } },
          { sendResponse: { name: 'Failed', messageBody: { exp: 'Flow.ErrType + "/" + Flow.ErrMsg' } } },
        ],
      },
      { builtins },
    ).run;

  it('with no priority and no language skill: priority 0 and no language skill requested', () => {
    const run = transfer({ targetQueue: { lit: { name: 'Sales' } } });
    expect(run.outcome).toEqual({
      kind: 'transfer',
      queue: { id: 'q-sales-0002', name: 'Sales' },
      priority: 0,
      skills: [],
    });
    expect(run.outcome).not.toHaveProperty('languageSkill');
  });

  it('a NOT_SET target queue takes the failure path with QueueNotSet', () => {
    const { run, host } = runParts({
      variables: [
        ...VARIABLES,
        { stringVariable: { name: 'Flow.ErrType' } },
        { stringVariable: { name: 'Flow.ErrMsg' } },
      ],
      actions: [
        {
          transferToAcd: {
            name: 'Go',
            targetQueue: { exp: 'FindQueue(Flow.Missing)' },
            failureOutputs: { errorType: { var: 'Flow.ErrType' }, errorMessage: { var: 'Flow.ErrMsg' } },
          },
        },
        { sendResponse: { name: 'Failed', messageBody: { exp: 'Flow.ErrType + "/" + Flow.ErrMsg' } } },
      ],
    });
    expect(host.sent).toEqual(['QueueNotSet/The target queue is NOT_SET.']);
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'endOfState' });
  });

  it.each([
    [{ targetQueue: { exp: 'Message.Value' } }, 'Sales', 'targetQueue must be a queue, got string'],
    [
      { targetQueue: { lit: { name: 'Sales' } }, priority: { exp: 'Message.Value' } },
      'high',
      'priority must be an integer, got string',
    ],
    [
      { targetQueue: { lit: { name: 'Sales' } }, languageSkill: { exp: 'Message.Value' } },
      true,
      'languageSkill must be a string, got boolean: true',
    ],
    [
      { targetQueue: { lit: { name: 'Sales' } }, acdSkills: [{ acdSkill: { exp: 'Message.Value' } }] },
      3,
      'an ACD skill must be a string, got integer: 3',
    ],
  ])('%j with a built-in of %j fails with %j', (fields, value, message) => {
    const run = transfer(fields, { 'Message.Value': value });
    expect(run.outcome).toEqual({
      kind: 'disconnect',
      reason: 'error',
      error: message,
      errorPath: `${STATE}.actions[0].transferToAcd`,
    });
  });
});

describe('interpreter: participant data and Find Queue', () => {
  const save = (name: unknown, value: unknown, builtins: Builtins = {}) =>
    runParts(
      { actions: [{ setParticipantData: { name: 'Save', attributes: [{ attribute: { name, value } }] } }] },
      { builtins },
    );

  it('writes the attribute and records it in the trace', () => {
    const { run, host } = save({ lit: 'Tier' }, { lit: 'gold' });
    expect(host.written).toEqual([['Tier', 'gold']]);
    expect(run.trace).toContainEqual({
      kind: 'participantDataWritten',
      path: `${STATE}.actions[0].setParticipantData`,
      attribute: 'Tier',
      value: 'gold',
    });
  });

  it.each([
    [{ exp: 'Flow.Missing' }, { lit: 'v' }, 'the attribute name is NOT_SET'],
    [{ exp: '"   "' }, { lit: 'v' }, 'the attribute name is blank'],
    [
      { lit: 'Tier' },
      { exp: 'Message.Value' },
      'the value of attribute Tier must be a string, got boolean: true',
    ],
  ])('name %j with value %j fails with %j and writes nothing', (name, value, message) => {
    const { run, host } = save(name, value, { 'Message.Value': true });
    expect(errorOf(run)).toBe(message);
    expect(host.written).toEqual([]);
  });

  const find = (findQueue: Record<string, unknown>, builtins: Builtins = {}) =>
    runParts(
      {
        actions: [
          {
            findQueue: {
              name: 'Find',
              ...findQueue,
              outputs: {
                found: { actions: [{ sendResponse: { name: 'F', messageBody: { lit: 'found' } } }] },
                notFound: { actions: [{ sendResponse: { name: 'N', messageBody: { lit: 'not found' } } }] },
              },
            },
          },
        ],
      },
      { builtins },
    );

  it('a NOT_SET name takes notFound, as FindQueue(NOT_SET) is NOT_SET', () => {
    const { run, host } = find({ findName: { exp: 'Flow.Missing' } });
    expect(errorOf(run)).toBeUndefined();
    expect(host.sent).toEqual(['not found']);
  });

  it('the found path is taken even when no result variable is given', () => {
    const { run, host } = find({ findName: { lit: 'sales' } });
    expect(errorOf(run)).toBeUndefined();
    expect(host.sent).toEqual(['found']);
  });

  it('a name that is not a string is a run-time error', () => {
    const { run } = find({ findName: { exp: 'Message.Value' } }, { 'Message.Value': false });
    expect(errorOf(run)).toBe('findName must be a string, got boolean: false');
  });
});

describe('interpreter: tasks', () => {
  const TASK_REF = '/inboundShortMessage/tasks/task[t]';
  const callFlow = (taskActions: readonly unknown[], outputs?: Record<string, unknown>) =>
    runParts({
      actions: [
        {
          callTask: { name: 'Call', targetTaskRef: TASK_REF, ...(outputs === undefined ? {} : { outputs }) },
        },
        { sendResponse: { name: 'After', messageBody: { lit: 'after' } } },
      ],
      tasks: [
        {
          task: {
            name: 'Work',
            refId: 't',
            variables: [{ integerVariable: { name: 'Task.N', initialValue: { lit: 1 } } }],
            actions: taskActions,
          },
        },
      ],
    });

  it('a task that runs out of actions returns through its default output', () => {
    const { run, host } = callFlow([{ sendResponse: { name: 'In', messageBody: { lit: 'in task' } } }], {
      default: { actions: [{ sendResponse: { name: 'D', messageBody: { lit: 'default path' } } }] },
    });
    expect(host.sent).toEqual(['in task', 'default path', 'after']);
    expect(run.trace).toContainEqual({
      kind: 'taskEntered',
      path: `${STATE}.actions[0].callTask`,
      task: 'Work',
    });
    expect(run.trace).toContainEqual({
      kind: 'taskReturned',
      path: `${STATE}.actions[0].callTask`,
      task: 'Work',
      outputPath: 'default',
    });
  });

  it('End Task through an output the call does not handle continues after the call', () => {
    const { run, host } = callFlow([{ endTask: { name: 'Done' } }]);
    expect(host.sent).toEqual(['after']);
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'endOfState' });
  });

  it('Task variables can be updated and read inside the task', () => {
    const { host } = callFlow([
      {
        updateData: {
          name: 'Bump',
          statements: [{ integer: { variable: 'Task.N', value: { exp: 'Task.N + 1' } } }],
        },
      },
      { sendResponse: { name: 'Say', messageBody: { exp: 'ToString(Task.N)' } } },
    ]);
    expect(host.sent).toEqual(['2', 'after']);
  });
});
