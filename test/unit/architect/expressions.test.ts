import { describe, expect, it } from 'vitest';
import {
  FlowLoadError,
  type FlowOptions,
  loadFlow,
  runFlow,
} from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, RecordingHost } from './helpers.ts';

// Variables every expression below can use.
const VARIABLES = [
  { stringVariable: { name: 'Flow.Missing', initialValue: { noValue: true } } },
  { stringVariable: { name: 'Flow.Empty', initialValue: { lit: '' } } },
  { stringVariable: { name: 'Flow.Name', initialValue: { lit: 'Ada' } } },
  { integerVariable: { name: 'Flow.Count', initialValue: { lit: 3 } } },
  { integerVariable: { name: 'Flow.NoNumber', initialValue: { noValue: true } } },
  { decimalVariable: { name: 'Flow.Price', initialValue: { lit: 2.5 } } },
  { booleanVariable: { name: 'Flow.Flag', initialValue: { lit: true } } },
  { queueVariable: { name: 'Flow.Queue', initialValue: { lit: { name: 'sales' } } } },
  { stringCollectionVariable: { name: 'Flow.Tags', initialValue: { lit: ['vip', 'new'] } } },
];

/** The text a Send Response with `expression` as its body delivers, or the error that disconnected. */
function sendText(expression: string, builtins: Record<string, unknown> = {}): string {
  const flow = loadFlow({
    yaml: buildFlowYaml({
      variables: VARIABLES,
      actions: [{ sendResponse: { name: 'Say', messageBody: { exp: expression } } }],
    }),
  });
  const host = new RecordingHost();
  const run = runFlow(flow, host, builtins);
  if (run.outcome.kind === 'disconnect' && run.outcome.reason === 'error')
    return `error: ${run.outcome.error}`;
  return host.sent.join('|');
}

/** The output a Decision with `expression` as its condition takes: yes, no, or the error. */
function decide(expression: string, options?: FlowOptions): string {
  const flow = loadFlow({
    yaml: buildFlowYaml({
      variables: VARIABLES,
      actions: [
        { decision: { name: 'Check', condition: { exp: expression }, outputs: { yes: {}, no: {} } } },
      ],
    }),
  });
  const run = runFlow(flow, new RecordingHost(), {}, options);
  if (run.outcome.kind === 'disconnect' && run.outcome.reason === 'error')
    return `error: ${run.outcome.error}`;
  const taken = run.trace.find((entry) => entry.kind === 'outputPath');
  return taken?.kind === 'outputPath' ? taken.output : 'none';
}

function loadError(expression: string): FlowLoadError {
  try {
    loadFlow({
      yaml: buildFlowYaml({
        variables: VARIABLES,
        actions: [{ sendResponse: { name: 'Say', messageBody: { exp: expression } } }],
      }),
    });
  } catch (error) {
    if (error instanceof FlowLoadError) return error;
    throw error;
  }
  throw new Error(`expected ${expression} to be refused`);
}

describe('NOT_SET semantics', () => {
  it.each([
    ['IsSet(Flow.Missing)', 'no'],
    ['IsSet(NOT_SET)', 'no'],
    ['IsSet(Flow.Empty)', 'yes'],
    ['IsNotSetOrEmpty(Flow.Missing)', 'yes'],
    ['IsNotSetOrEmpty("")', 'yes'],
    ['IsNotSetOrEmpty(" ")', 'no'],
    ['IsNotSetOrEmpty(Flow.Name)', 'no'],
    ['IsNotSetOrEmpty(Flow.Tags)', 'no'],
    ['ToString(NOT_SET) == ""', 'no'],
    ['ToString(Flow.Missing) == ""', 'no'],
    ['ToString(Flow.Missing) == NOT_SET', 'yes'],
    ['Flow.Missing == ""', 'no'],
    ['Flow.Missing == NOT_SET', 'yes'],
    ['NOT_SET == NOT_SET', 'yes'],
    ['Flow.Missing != ""', 'yes'],
    ['Flow.Missing != NOT_SET', 'no'],
    ['Flow.Missing < "a"', 'no'],
    ['Flow.Missing >= "a"', 'no'],
    ['Flow.NoNumber >= 0', 'no'],
    ['If(IsSet(Flow.Missing), Flow.Missing, "d") == "d"', 'yes'],
    ['If(IsSet(Flow.Name), Flow.Name, "d") == "Ada"', 'yes'],
  ])('%s takes the %s path', (expression, output) => {
    expect(decide(expression)).toBe(output);
  });

  it('If(IsSet(x), x, "d") yields the default text for NOT_SET and the value otherwise', () => {
    expect(sendText('If(IsSet(Flow.Missing), Flow.Missing, "d")')).toBe('d');
    expect(sendText('If(IsSet(Flow.Name), Flow.Name, "d")')).toBe('Ada');
  });

  it.each([
    ['Flow.Missing + "x"', '"+" on NOT_SET'],
    ['ToString(Flow.NoNumber + 1)', '"+" on NOT_SET'],
    ['Trim(Flow.Missing)', 'Trim() received NOT_SET'],
    ['Append("a", Flow.Missing)', 'Append() received NOT_SET'],
    ['ToString(Flow.Missing)', 'messageBody is NOT_SET'],
  ])('%s is a run-time error', (expression, message) => {
    expect(sendText(expression)).toContain(message);
  });

  it('a NOT_SET condition is a run-time error, not "no"', () => {
    expect(decide('IsSet(Flow.Missing) and Flow.Missing == "x" or Contains(Flow.Missing, "x")')).toContain(
      'Contains() received NOT_SET',
    );
  });
});

describe('operators', () => {
  it.each([
    ['1 + 2 * 3 == 7', 'yes'],
    ['(1 + 2) * 3 == 9', 'yes'],
    ['7 / 2 == 3', 'yes'],
    ['7.0 / 2 == 3.5', 'yes'],
    ['-Flow.Count == -3', 'yes'],
    ['Flow.Count > 2.5', 'yes'],
    ['Flow.Price * 2 == 5', 'yes'],
    ['"b" > "a"', 'yes'],
    ['not true or true', 'yes'],
    ['NOT (1 == 2) AND true', 'yes'],
    ['!(1 == 1) || false', 'no'],
    ['true && !false', 'yes'],
    ['not Flow.Name == "Ada"', 'no'],
    ['"abc" == "ABC"', 'no'],
    ['Flow.Flag == TRUE', 'yes'],
    ['Flow.Queue == "Sales"', 'yes'],
    ['Flow.Queue.name == "Sales"', 'yes'],
    ['Flow.Queue.ID == "q-sales-0002"', 'yes'],
    ['Flow.Queue == FindQueue("  SALES")', 'yes'],
    ['FindQueue("Sales").name == "Sales"', 'yes'],
  ])('%s takes the %s path', (expression, output) => {
    expect(decide(expression)).toBe(output);
  });

  it('string equality ignores case only with caseInsensitiveStringEquals', () => {
    expect(decide('"abc" == "ABC"', { caseInsensitiveStringEquals: true })).toBe('yes');
    expect(decide('Flow.Queue == "SALES"', { caseInsensitiveStringEquals: true })).toBe('yes');
    expect(decide('Flow.Queue == "SALES"')).toBe('no');
  });

  it('concatenates strings and reads escapes', () => {
    expect(sendText('"Hi " + Flow.Name + "!"')).toBe('Hi Ada!');
    expect(sendText('"say \\"hi\\"\\n"')).toBe('say "hi"\n');
  });

  it.each([
    ['ToString(1 / 0)', 'division by zero'],
    ['ToString(9007199254740991 + 1)', 'integer overflow'],
  ])('%s is a run-time error', (expression, message) => {
    expect(sendText(expression)).toContain(message);
  });
});

describe('functions', () => {
  it.each([
    ['Append("a", "b", ToString(Flow.Count))', 'ab3'],
    ['Trim("  x  ")', 'x'],
    ['Upper("abc")', 'ABC'],
    ['ToUpper("abc")', 'ABC'],
    ['Lower("ABC")', 'abc'],
    ['toLower("ABC")', 'abc'],
    ['ToString(Flow.Price * 2)', '5'],
    ['ToString(Flow.Queue)', 'Sales'],
    ['ToString(Flow.Flag)', 'true'],
    ['ToString(Length("héllo"))', '5'],
    ['ToString(ToInt(" 42 ") + 1)', '43'],
    ['ToString(ToInt(2.9))', '2'],
    ['GetAt(Flow.Tags, 1)', 'new'],
    ['ToString(Count(MakeList(1, 2, 3)))', '3'],
    ['FindQueueById(" Q-SALES-0002 ").name', 'Sales'],
  ])('%s gives %j', (expression, text) => {
    expect(sendText(expression)).toBe(text);
  });

  it.each([
    ['Contains("Hello World", "World")', 'yes'],
    ['Contains("Hello World", "world")', 'no'],
    ['Contains("Hello World", "world", false)', 'yes'],
    ['IsSet(FindQueue("Nope"))', 'no'],
    ['IsSet(FindQueue(Flow.Missing))', 'no'],
    ['IsSet(FindQueueById("q-general-0001"))', 'yes'],
  ])('%s takes the %s path', (expression, output) => {
    expect(decide(expression)).toBe(output);
  });

  it.each([
    ['ToString(ToInt("4x"))', 'ToInt() cannot convert "4x"'],
    ['GetAt(Flow.Tags, 2)', 'GetAt() index 2 is outside a collection of 2'],
  ])('%s is a run-time error', (expression, message) => {
    expect(sendText(expression)).toContain(message);
  });
});

describe('built-in variables', () => {
  it('reads caller-supplied built-ins, matching names ignoring case', () => {
    expect(sendText('Message.Message.body', { 'Message.Message.body': 'hello' })).toBe('hello');
    expect(sendText('Message.ConversationID', { 'Message.ConversationId': 'c-1' })).toBe('c-1');
  });

  it('a built-in the caller did not supply is NOT_SET', () => {
    expect(sendText('If(IsSet(Message.ExternalTag), "tagged", "untagged")')).toBe('untagged');
  });

  it('a built-in of the wrong type fails at run time', () => {
    expect(sendText('Message.IsNewConversation', { 'Message.IsNewConversation': true })).toContain(
      'must be a string, got boolean',
    );
  });
});

describe('expressions refused at load', () => {
  it.each([
    ['1 +', 'flow.syntax', 'expression ends too early'],
    ['"abc', 'flow.syntax', 'string is not closed'],
    ['Flow.Name = "x"', 'flow.syntax', 'compare with "=="'],
    ['1 == 1 == 1', 'flow.syntax', 'cannot be chained'],
    ['Foo(1)', 'flow.unknown.function', 'unknown function "Foo"'],
    ['Flow.Nope', 'flow.unknown.variable', 'Flow.Nope is not declared'],
    ['State.Nope', 'flow.unknown.variable', 'State.Nope is not declared'],
    ['Chat.ConversationId', 'flow.unknown.variable', 'unknown variable "Chat.ConversationId"'],
    ['"a" + 1', 'flow.type', 'cannot add string and integer'],
    ['Trim("a", "b")', 'flow.type', 'Trim() takes exactly 1 argument'],
    ['If(true, "a", 1)', 'flow.type', 'If() branches have different types'],
    ['Flow.Count', 'flow.type', 'is integer but a string is needed'],
    ['Flow.Name.length', 'flow.type', 'string has no member "length"'],
  ])('%s is refused (%s)', (expression, code, message) => {
    const error = loadError(expression);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
    expect(error.location.path).toBe(
      'inboundShortMessage.states[0](Initial State).actions[0].sendResponse.messageBody.exp',
    );
  });

  it('refuses absurdly deep nesting with a clear syntax error', () => {
    const deep = loadError(`${'('.repeat(300)}"x"${')'.repeat(300)}`);
    const longChain = loadError(Array.from({ length: 300 }, () => '"a"').join(' + '));
    expect(deep.code).toBe('flow.syntax');
    expect(deep.detail).toContain('nested more than 200 levels deep');
    expect(longChain.detail).toContain('nested more than 200 levels deep');
    expect(longChain.detail.length).toBeLessThan(300);
  });

  it('points at the column of the problem', () => {
    expect(loadError('Append("a", Nope(1))').message).toContain('at column 13');
  });
});
