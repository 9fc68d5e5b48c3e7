// Which expression operators apply to which value types, what they give, and how values are shown.
// Each row is what a flow author sees: a flow refused at load with a message, a run-time error that
// triggers the flow's error handling, or the value an Update Data statement stores (as the trace shows it).
// The NOT_SET rules pinned here are the ones operators.ts documents as its chosen rules.

import { describe, expect, it } from 'vitest';
import {
  FlowLoadError,
  type FlowOptions,
  loadFlow,
  runFlow,
} from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, RecordingHost } from './helpers.ts';

/** The variable types an Update Data statement can store into here; each has a Flow.Result<Type> variable. */
type Target =
  | 'string'
  | 'boolean'
  | 'integer'
  | 'decimal'
  | 'duration'
  | 'queue'
  | 'stringCollection'
  | 'integerCollection';

const TARGETS: readonly Target[] = [
  'string',
  'boolean',
  'integer',
  'decimal',
  'duration',
  'queue',
  'stringCollection',
  'integerCollection',
];

function resultVariable(target: Target): string {
  return `Flow.Result${target.charAt(0).toUpperCase()}${target.slice(1)}`;
}

// Operands of every type the expressions below use.
const VARIABLES = [
  { stringVariable: { name: 'Flow.Missing', initialValue: { noValue: true } } },
  { stringVariable: { name: 'Flow.Name', initialValue: { lit: 'Ada' } } },
  { integerVariable: { name: 'Flow.Count', initialValue: { lit: 3 } } },
  { integerVariable: { name: 'Flow.NoNumber', initialValue: { noValue: true } } },
  { decimalVariable: { name: 'Flow.Price', initialValue: { lit: 2.5 } } },
  { booleanVariable: { name: 'Flow.Flag', initialValue: { lit: true } } },
  { durationVariable: { name: 'Flow.Minute', initialValue: { lit: { minutes: 1 } } } },
  { durationVariable: { name: 'Flow.SixtySeconds', initialValue: { lit: { seconds: 60 } } } },
  { durationVariable: { name: 'Flow.HalfMinute', initialValue: { lit: { seconds: 30 } } } },
  { queueVariable: { name: 'Flow.Queue', initialValue: { lit: { name: 'Sales' } } } },
  // Names no queue of the org, so it stays unresolved (empty id).
  { queueVariable: { name: 'Flow.Nowhere', initialValue: { lit: { name: 'Nowhere' } } } },
  { stringCollectionVariable: { name: 'Flow.Tags', initialValue: { lit: ['vip', 'new'] } } },
  { integerCollectionVariable: { name: 'Flow.Ids', initialValue: { lit: [1, 2] } } },
  { agentScorePairCollectionVariable: { name: 'Flow.Pairs', initialValue: { noValue: true } } },
  ...TARGETS.map((target) => ({
    [`${target}Variable`]: { name: resultVariable(target), initialValue: { noValue: true } },
  })),
];

/**
 * Stores `expression` into the `target` variable with Update Data and reports what happened:
 * `<code>: <message>` when the flow is refused at load, `error: <message>` when the run hits its error
 * handling, otherwise the stored value as the trace shows it (strings quoted, NOT_SET bare).
 * `builtins` gives the Message.* built-ins by their short name (`{A: 1}` is Message.A); built-ins have no
 * static type, so the operators check their values at run time.
 */
function outcome(
  expression: string,
  target: Target = 'boolean',
  builtins: Record<string, unknown> = {},
  options?: FlowOptions,
): string {
  let flow: ReturnType<typeof loadFlow>;
  try {
    flow = loadFlow({
      yaml: buildFlowYaml({
        variables: VARIABLES,
        actions: [
          {
            updateData: {
              name: 'Compute',
              statements: [{ [target]: { variable: resultVariable(target), value: { exp: expression } } }],
            },
          },
        ],
      }),
    });
  } catch (error) {
    if (!(error instanceof FlowLoadError)) throw error;
    // The expression and column are appended to every expression error; the rows quote the message only.
    return `${error.code}: ${error.detail.replace(/ \(in expression .* at column \d+\)$/, '')}`;
  }
  const supplied = Object.fromEntries(
    Object.entries(builtins).map(([name, value]) => [`Message.${name}`, value]),
  );
  const run = runFlow(flow, new RecordingHost(), supplied, options);
  if (run.outcome.kind === 'disconnect' && run.outcome.reason === 'error')
    return `error: ${run.outcome.error}`;
  const assigned = run.trace.find((entry) => entry.kind === 'variableAssigned');
  return assigned?.kind === 'variableAssigned' ? assigned.value : 'nothing assigned';
}

describe('operand types refused at load', () => {
  it.each([
    // Arithmetic on the literal NOT_SET can never work.
    ['NOT_SET + 1', '"+" cannot be applied to NOT_SET'],
    ['1 - NOT_SET', '"-" cannot be applied to NOT_SET'],
    ['"a" + NOT_SET', '"+" cannot be applied to NOT_SET'],
    ['NOT_SET * NOT_SET', '"*" cannot be applied to NOT_SET'],
    // `+` with one string operand asks for an explicit conversion.
    ['1 + "a"', 'cannot add integer and string; convert with ToString() first'],
    ['"a" + 1', 'cannot add string and integer; convert with ToString() first'],
    ['"a" + Flow.Price', 'cannot add string and decimal; convert with ToString() first'],
    ['Flow.Flag + "a"', 'cannot add boolean and string; convert with ToString() first'],
    ['"a" + Flow.Queue', 'cannot add string and queue; convert with ToString() first'],
    // Other arithmetic needs numbers on both sides; `+` concatenates strings only.
    ['"a" - "b"', '"-" cannot be applied to string and string'],
    ['"a" * 2', '"*" cannot be applied to string and integer'],
    ['true + false', '"+" cannot be applied to boolean and boolean'],
    ['true - false', '"-" cannot be applied to boolean and boolean'],
    ['Flow.Queue / 2', '"/" cannot be applied to queue and integer'],
    ['2 * Flow.Flag', '"*" cannot be applied to integer and boolean'],
    // Equality needs comparable types: numbers with numbers, a queue with a string naming it, same with same.
    ['1 == "1"', 'cannot compare integer with string'],
    ['"1" == 1', 'cannot compare string with integer'],
    ['"true" != true', 'cannot compare string with boolean'],
    ['true == "true"', 'cannot compare boolean with string'],
    ['Flow.Flag == 1', 'cannot compare boolean with integer'],
    ['Flow.Queue == 1', 'cannot compare queue with integer'],
    ['1 != Flow.Queue', 'cannot compare integer with queue'],
    ['Flow.Queue == true', 'cannot compare queue with boolean'],
    ['Flow.Minute == 60', 'cannot compare duration with integer'],
    ['"PT1M" == Flow.Minute', 'cannot compare string with duration'],
    ['Flow.Tags == Flow.Tags', 'collections cannot be compared with "=="'],
    ['Flow.Ids != Flow.Ids', 'collections cannot be compared with "=="'],
    ['Flow.Pairs == Flow.Pairs', 'collections cannot be compared with "=="'],
    ['Flow.Tags == "vip"', 'collections cannot be compared with "=="'],
    ['"vip" == Flow.Tags', 'collections cannot be compared with "=="'],
    // Ordering applies to numbers, strings and durations, each only against its own kind.
    ['true < false', '"<" cannot be applied to boolean and boolean'],
    ['1 <= true', '"<=" cannot be applied to integer and boolean'],
    ['Flow.Flag > 1', '">" cannot be applied to boolean and integer'],
    ['Flow.Queue >= "A"', '">=" cannot be applied to queue and string'],
    ['Flow.Tags < Flow.Tags', '"<" cannot be applied to stringCollection and stringCollection'],
    ['1 < "2"', 'cannot compare integer with string'],
    ['"2" >= 1', 'cannot compare string with integer'],
    ['Flow.Minute > 1', 'cannot compare duration with integer'],
    ['"b" <= Flow.Minute', 'cannot compare string with duration'],
  ])('%s is refused: %s', (expression, message) => {
    expect(outcome(expression)).toBe(`flow.type: ${message}`);
  });
});

describe('arithmetic', () => {
  it.each([
    // integer op integer stays integer; division truncates toward zero (operators.ts's documented choice).
    ['5 + 0', 'integer', '5'],
    ['5 - 2', 'integer', '3'],
    ['2 - 5', 'integer', '-3'],
    ['5 * 0', 'integer', '0'],
    ['Flow.Count * Flow.Count', 'integer', '9'],
    ['7 / 2', 'integer', '3'],
    ['-7 / 2', 'integer', '-3'],
    ['0 / 5', 'integer', '0'],
    // A decimal on either side makes the result decimal.
    ['1 + 0.5', 'decimal', '1.5'],
    ['2 * 2.5', 'decimal', '5'],
    ['7 / 2.0', 'decimal', '3.5'],
    ['7.5 / 2', 'decimal', '3.75'],
    ['Flow.Count + Flow.Price', 'decimal', '5.5'],
    ['Flow.Price - Flow.Count', 'decimal', '-0.5'],
    ['Flow.Price - 2.5', 'decimal', '0'],
    // Integers widen to decimal on assignment, the one implicit conversion.
    ['Flow.Count + 1', 'decimal', '4'],
    ['-Flow.Count', 'integer', '-3'],
    ['-Flow.Price', 'decimal', '-2.5'],
    ['-(1 - 0.5)', 'decimal', '-0.5'],
    // `+` on two strings concatenates.
    ['"Hi " + Flow.Name', 'string', '"Hi Ada"'],
    ['Flow.Name + ""', 'string', '"Ada"'],
  ] as const)('%s stored as %s is %s', (expression, target, shown) => {
    expect(outcome(expression, target)).toBe(shown);
  });

  it.each([
    ['Flow.Count + Flow.Price', 'decimal'],
    ['Flow.Price + Flow.Count', 'decimal'],
    ['Flow.Price * Flow.Price', 'decimal'],
    ['7 / 2.0', 'decimal'],
    ['"a" + "b"', 'string'],
    ['-Flow.Price', 'decimal'],
  ])('%s is a %s, so an integer variable cannot hold it', (expression, type) => {
    expect(outcome(expression, 'integer')).toBe(
      `flow.type: expression ${JSON.stringify(expression)} is ${type} but a integer is needed here`,
    );
  });

  it.each([
    ['Flow.NoNumber + 1', 'integer', '"+" on NOT_SET (NOT_SET + 1)'],
    ['1 + Flow.NoNumber', 'integer', '"+" on NOT_SET (1 + NOT_SET)'],
    ['Flow.Price * Flow.NoNumber', 'decimal', '"*" on NOT_SET (2.5 * NOT_SET)'],
    ['Flow.NoNumber - Flow.NoNumber', 'integer', '"-" on NOT_SET (NOT_SET - NOT_SET)'],
    ['"Hi " + Flow.Missing', 'string', '"+" on NOT_SET ("Hi " + NOT_SET)'],
    ['Flow.Missing + "!"', 'string', '"+" on NOT_SET (NOT_SET + "!")'],
    ['-Flow.NoNumber', 'integer', 'unary "-" on NOT_SET'],
    ['Flow.Count / (Flow.Count - 3)', 'integer', 'division by zero'],
    ['Flow.Price / 0', 'decimal', 'division by zero'],
    ['Flow.Price / 0.0', 'decimal', 'division by zero'],
  ] as const)('%s is a run-time error: %s', (expression, target, message) => {
    expect(outcome(expression, target)).toBe(`error: ${message}`);
  });
});

describe('built-in variables are typed at run time', () => {
  // Message.* built-ins have no static type: the operators check the values the caller supplies.
  it.each([
    ['Message.A + 1', 'integer', { A: 2 }, '3'],
    ['1 + Message.A', 'integer', { A: 2 }, '3'],
    ['Message.A - 1', 'integer', { A: 2 }, '1'],
    ['Message.A * 2', 'integer', { A: 3 }, '6'],
    ['Message.A + Message.B', 'integer', { A: 1, B: 2 }, '3'],
    ['Message.A + Message.B', 'decimal', { A: 1, B: 0.5 }, '1.5'],
    ['Message.A / Message.B', 'integer', { A: -7, B: 2 }, '-3'],
    ['Message.A / Message.B', 'decimal', { A: 7.5, B: 2 }, '3.75'],
    ['Message.A + Message.B', 'string', { A: 'a', B: 'b' }, '"ab"'],
    ['Message.A + "!"', 'string', { A: 'Hi' }, '"Hi!"'],
    ['"Hi " + Message.A', 'string', { A: 'Ada' }, '"Hi Ada"'],
    ['-Message.A', 'integer', { A: 4 }, '-4'],
    ['-Message.A', 'decimal', { A: 2.5 }, '-2.5'],
    ['Message.A == 1', 'boolean', { A: 1 }, 'true'],
    ['1.0 == Message.A', 'boolean', { A: 1 }, 'true'],
    ['Message.A != Message.B', 'boolean', { A: 'x', B: 'x' }, 'false'],
    ['Message.A < 1', 'boolean', { A: 0.5 }, 'true'],
    ['2 <= Message.A', 'boolean', { A: 1 }, 'false'],
    ['Message.A > 2', 'boolean', { A: 2.5 }, 'true'],
    ['not Message.A', 'boolean', { A: false }, 'true'],
    ['Message.A and true', 'boolean', { A: true }, 'true'],
    // A queue is the same queue by id (ids ignore case), whatever name the value carries.
    ['Message.Q == FindQueue("Sales")', 'boolean', { Q: { id: 'Q-SALES-0002', name: 'Old name' } }, 'true'],
    ['Message.Q == FindQueue("General")', 'boolean', { Q: { id: 'q-sales-0002', name: 'General' } }, 'false'],
    ['Message.Q == "Sales"', 'boolean', { Q: { id: 'q-x', name: 'Sales' } }, 'true'],
  ] as const)('%s stored as %s with %j is %s', (expression, target, builtins, shown) => {
    expect(outcome(expression, target, builtins)).toBe(shown);
  });

  it.each([
    // The result keeps the operands' kind: a decimal never lands in an integer variable.
    [
      'Message.A + Message.B',
      'integer',
      { A: 1, B: 0.5 },
      'cannot store a decimal in integer variable Flow.ResultInteger',
    ],
    ['-Message.A', 'integer', { A: 2.5 }, 'cannot store a decimal in integer variable Flow.ResultInteger'],
    ['Message.A + Message.B', 'integer', { A: 1, B: 'x' }, '"+" cannot be applied to integer and string'],
    ['Message.A + Message.B', 'string', { A: 'x', B: 1 }, '"+" cannot be applied to string and integer'],
    ['Message.A - "1"', 'integer', { A: 1 }, '"-" cannot be applied to integer and string'],
    ['Message.A - Message.B', 'string', { A: 'a', B: 'b' }, '"-" cannot be applied to string and string'],
    ['Message.A * Message.B', 'decimal', { A: true, B: 2 }, '"*" cannot be applied to boolean and integer'],
    ['Message.A * Message.A', 'decimal', { A: 1e200 }, 'decimal overflow'],
    ['Message.A + 1', 'integer', {}, '"+" on NOT_SET (NOT_SET + 1)'],
    ['-Message.A', 'integer', { A: 'x' }, 'unary "-" cannot be applied to string'],
    ['Message.A == Message.B', 'boolean', { A: 3, B: '3' }, 'cannot compare integer with string'],
    ['Message.A == Message.B', 'boolean', { A: '3', B: 3 }, 'cannot compare string with integer'],
    ['Message.A == Message.B', 'boolean', { A: 'true', B: true }, 'cannot compare string with boolean'],
    ['Message.A != Message.B', 'boolean', { A: true, B: 'true' }, 'cannot compare boolean with string'],
    ['Message.A == Message.B', 'boolean', { A: true, B: 1 }, 'cannot compare boolean with integer'],
    ['Flow.Minute == Message.A', 'boolean', { A: true }, 'cannot compare duration with boolean'],
    ['Message.A != Flow.Minute', 'boolean', { A: true }, 'cannot compare boolean with duration'],
    ['Message.A < Message.B', 'boolean', { A: 1, B: 'a' }, 'cannot order integer and string'],
    ['Message.A >= Message.B', 'boolean', { A: 'a', B: 1 }, 'cannot order string and integer'],
    ['Flow.Minute >= Message.A', 'boolean', { A: 60000 }, 'cannot order duration and integer'],
    ['Message.A < Flow.Minute', 'boolean', { A: 1 }, 'cannot order integer and duration'],
    ['not Message.A', 'boolean', { A: 'yes' }, 'the operand of "not" must be a boolean, got string'],
    ['not Message.A', 'boolean', {}, 'the operand of "not" is NOT_SET'],
    ['Message.A or false', 'boolean', { A: 1 }, 'an operand of "or" must be a boolean, got integer'],
  ] as const)('%s stored as %s with %j is a run-time error: %s', (expression, target, builtins, message) => {
    expect(outcome(expression, target, builtins)).toBe(`error: ${message}`);
  });

  it.each([
    // `+` with a string operand is concatenation, so its result is a string even beside a built-in.
    ['Message.A + "!"', 'string'],
    ['"Hi " + Message.A', 'string'],
  ])('%s is a %s, so an integer variable cannot hold it', (expression, type) => {
    expect(outcome(expression, 'integer', { A: 1 })).toBe(
      `flow.type: expression ${JSON.stringify(expression)} is ${type} but a integer is needed here`,
    );
  });
});

describe('comparisons', () => {
  // [left, right, sign of (left - right)]: every comparison operator is checked against the sign.
  const ORDERED: readonly (readonly [string, string, -1 | 0 | 1])[] = [
    ['2', '3', -1],
    ['3', '3', 0],
    ['3', '2', 1],
    ['2.5', '3', -1],
    ['3', '3.0', 0],
    ['Flow.Count', 'Flow.Price', 1],
    ['2.5', '2.75', -1],
    ['"a"', '"b"', -1],
    ['"b"', '"b"', 0],
    ['"b"', '"a"', 1],
    ['"a"', '"ab"', -1],
    // Strings order by UTF-16 code units, case-sensitively (operators.ts's documented rule).
    ['"B"', '"a"', -1],
    ['Flow.HalfMinute', 'Flow.Minute', -1],
    ['Flow.Minute', 'Flow.SixtySeconds', 0],
    ['Flow.Minute', 'Flow.HalfMinute', 1],
  ];
  const HOLDS: Readonly<Record<string, (sign: number) => boolean>> = {
    '==': (sign) => sign === 0,
    '!=': (sign) => sign !== 0,
    '<': (sign) => sign < 0,
    '<=': (sign) => sign <= 0,
    '>': (sign) => sign > 0,
    '>=': (sign) => sign >= 0,
  };

  it.each(ORDERED)('%s against %s', (left, right, sign) => {
    const operators = Object.keys(HOLDS);
    const actual = Object.fromEntries(operators.map((op) => [op, outcome(`${left} ${op} ${right}`)]));
    const expected = Object.fromEntries(operators.map((op) => [op, String(HOLDS[op]!(sign))]));
    expect(actual).toEqual(expected);
  });

  it.each([
    // NOT_SET: `==` is true only against NOT_SET, `!=` its negation, ordering always false.
    ['NOT_SET == 1', 'false'],
    ['1 == NOT_SET', 'false'],
    ['NOT_SET != 1', 'true'],
    ['Flow.Count == Flow.NoNumber', 'false'],
    ['Flow.NoNumber == Flow.Count', 'false'],
    ['3 != Flow.NoNumber', 'true'],
    ['Flow.NoNumber == NOT_SET', 'true'],
    ['NOT_SET < 1', 'false'],
    ['1 >= NOT_SET', 'false'],
    ['1 < Flow.NoNumber', 'false'],
    ['Flow.NoNumber <= 3', 'false'],
    ['3 > Flow.NoNumber', 'false'],
    ['"a" <= Flow.Missing', 'false'],
    ['Flow.Missing >= ""', 'false'],
    // Booleans and durations compare by value.
    ['true == true', 'true'],
    ['true == false', 'false'],
    ['Flow.Flag != false', 'true'],
    ['Flow.Minute == Flow.SixtySeconds', 'true'],
    ['Flow.Minute == Flow.HalfMinute', 'false'],
    ['Flow.HalfMinute != Flow.Minute', 'true'],
    // A queue equals a string naming it, from either side.
    ['"Sales" == Flow.Queue', 'true'],
    ['Flow.Queue != "Support Tier 1"', 'true'],
    ['"General" == Flow.Queue', 'false'],
    ['Flow.Queue == FindQueue("Sales")', 'true'],
    ['Flow.Queue == FindQueue("General")', 'false'],
  ])('%s is %s', (expression, shown) => {
    expect(outcome(expression)).toBe(shown);
  });

  it('caseInsensitiveStringEquals changes string equality but not string order', () => {
    const ignoreCase = { caseInsensitiveStringEquals: true };
    expect(outcome('"Ada" == "ada"')).toBe('false');
    expect(outcome('"Ada" != "ada"')).toBe('true');
    expect(outcome('"Ada" == "ada"', 'boolean', {}, ignoreCase)).toBe('true');
    expect(outcome('"Ada" != "ada"', 'boolean', {}, ignoreCase)).toBe('false');
    expect(outcome('"B" < "a"', 'boolean', {}, ignoreCase)).toBe('true');
    expect(outcome('"a" <= "A"', 'boolean', {}, ignoreCase)).toBe('false');
  });
});

describe('values as the trace shows them', () => {
  it.each([
    ['string', '"say \\"hi\\""', '"say \\"hi\\""'],
    ['string', 'NOT_SET', 'NOT_SET'],
    ['boolean', 'Flow.Flag', 'true'],
    ['boolean', 'NOT_SET', 'NOT_SET'],
    ['integer', '-3', '-3'],
    ['integer', 'Message.A', '5'],
    ['decimal', '2.5', '2.5'],
    ['decimal', '2', '2'],
    ['duration', 'Flow.Minute', 'PT1M'],
    ['queue', 'Flow.Queue', 'queue "Sales" (id q-sales-0002)'],
    ['queue', 'Flow.Nowhere', 'queue "Nowhere" (id unknown)'],
    ['stringCollection', 'MakeList("a", "b")', '["a", "b"]'],
    ['stringCollection', 'MakeList("a", NOT_SET)', '["a", NOT_SET]'],
    ['integerCollection', 'MakeList(1, 2, 3)', '[1, 2, 3]'],
  ] as const)('a %s given %s shows as %s', (target, expression, shown) => {
    expect(outcome(expression, target, { A: 5 })).toBe(shown);
  });
});

describe('ToString of a duration is ISO 8601', () => {
  /** The text ToString gives a duration variable initialised with the literal `duration`. */
  function durationText(duration: Record<string, number>): string {
    const flow = loadFlow({
      yaml: buildFlowYaml({
        variables: [{ durationVariable: { name: 'Flow.D', initialValue: { lit: duration } } }],
        actions: [{ sendResponse: { name: 'Say', messageBody: { exp: 'ToString(Flow.D)' } } }],
      }),
    });
    const host = new RecordingHost();
    runFlow(flow, host, {});
    return host.sent.join('|');
  }

  it.each([
    [{ seconds: 0 }, 'PT0S'],
    [{ milliseconds: 1500 }, 'PT1.5S'],
    [{ seconds: 90 }, 'PT1M30S'],
    [{ minutes: 60 }, 'PT1H'],
    [{ hours: 2, seconds: 5 }, 'PT2H5S'],
    [{ hours: 25 }, 'P1DT1H'],
    [{ days: 1 }, 'P1D'],
    [{ days: 2, minutes: 5 }, 'P2DT5M'],
    [{ days: 1, milliseconds: 500 }, 'P1DT0.5S'],
    [{ days: 1, hours: 2, minutes: 3, seconds: 4.5 }, 'P1DT2H3M4.5S'],
  ])('%j is %s', (duration, text) => {
    expect(durationText(duration)).toBe(text);
  });
});
