import { describe, expect, it } from 'vitest';
import { FlowLoadError, type FlowSource, loadFlow } from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, yamlText } from './helpers.ts';

function refusal(source: FlowSource): FlowLoadError {
  try {
    loadFlow(source);
  } catch (error) {
    if (error instanceof FlowLoadError) return error;
    throw error;
  }
  throw new Error('expected the flow to be refused');
}

/** A flow whose third action (line 13) is `action`. */
function flowWithThirdAction(action: string): string {
  return yamlText`
    inboundShortMessage:
      name: Refused
      startUpRef: ./states/state[s]
      states:
        - state:
            name: Initial State
            refId: s
            actions:
              - sendResponse:
                  name: Hi
                  messageBody: {lit: hi}
              - disconnect: {name: Bye}
              - ${action}:
                  name: Extra
  `;
}

describe('out-of-subset actions are refused at load', () => {
  it.each([
    'callData',
    'callBotFlow',
    'callDigitalBotFlow',
    'callCommonModule',
    'evaluateSchedule',
    'setScreenPop',
    'dataTableLookup',
    'loop',
    'jumpToTask',
    'changeState',
    'somethingNobodyHasHeardOf',
  ])('%s names the action, its path and its line', (action) => {
    const error = refusal({ yaml: flowWithThirdAction(action), sourcePath: 'flows/refused.yaml' });
    expect(error.code).toBe('flow.unsupported.action');
    expect(error.location).toEqual({
      path: `inboundShortMessage.states[0](Initial State).actions[2].${action}`,
      line: 13,
      file: 'flows/refused.yaml',
    });
    expect(error.message).toBe(
      `flows/refused.yaml:13: inboundShortMessage.states[0](Initial State).actions[2].${action}: ` +
        `action "${action}" is not supported by the emulator (supported: sendResponse, transferToAcd, disconnect, ` +
        'decision, switch, updateData, getParticipantData, setParticipantData, findQueue, callTask, endTask)',
    );
  });

  it('is found inside nested outputs too', () => {
    const yaml = yamlText`
      inboundShortMessage:
        name: Nested
        startUpRef: ./states/state[s]
        states:
          - state:
              name: Main
              refId: s
              actions:
                - decision:
                    name: Check
                    condition: {lit: true}
                    outputs:
                      yes:
                        actions:
                          - callData:
                              name: Lookup
    `;
    const error = refusal({ yaml, name: 'nested-flow' });
    expect(error.location).toEqual({
      path: 'inboundShortMessage.states[0](Main).actions[0].decision.outputs.yes.actions[0].callData',
      line: 15,
      file: 'nested-flow',
    });
  });
});

describe('unknown functions and variables are refused at load', () => {
  const yaml = (expression: string): string => yamlText`
    inboundShortMessage:
      name: Expressions
      startUpRef: ./states/state[s]
      variables:
        - stringVariable: {name: Flow.QueueName}
      states:
        - state:
            name: Main
            refId: s
            actions:
              - transferToAcd:
                  name: Go
                  targetQueue:
                    exp: ${expression}
  `;

  it('an unknown function names the function, the action path and the line', () => {
    const error = refusal({ yaml: yaml('FindQueueByName(Flow.QueueName)') });
    expect(error.code).toBe('flow.unknown.function');
    expect(error.detail).toContain('unknown function "FindQueueByName"');
    expect(error.location).toEqual({
      path: 'inboundShortMessage.states[0](Main).actions[0].transferToAcd.targetQueue.exp',
      line: 14,
    });
  });

  it('an undeclared Flow variable is refused', () => {
    const error = refusal({ yaml: yaml('FindQueue(Flow.QueueNmae)') });
    expect(error.code).toBe('flow.unknown.variable');
    expect(error.detail).toContain("Flow.QueueNmae is not declared in the flow's variables");
  });

  it('a string where a queue is needed is refused', () => {
    const error = refusal({ yaml: yaml('Flow.QueueName') });
    expect(error.code).toBe('flow.type');
    expect(error.detail).toContain('is string but a queue is needed');
  });
});

describe('shape problems are refused at load', () => {
  const cases: readonly [string, FlowSource, string, string][] = [
    ['invalid YAML', { yaml: 'inboundShortMessage:\n  name: [unclosed\n' }, 'flow.yaml', 'invalid YAML'],
    ['an empty file', { yaml: '' }, 'flow.yaml', 'the flow file is empty'],
    ['YAML aliases', { yaml: 'a: &x 1\nb: *x\n' }, 'flow.schema', 'must have exactly one key'],
    [
      'an unsupported flow type',
      { yaml: 'inboundCall:\n  name: Voice\n' },
      'flow.type.unsupported',
      'flow type "inboundCall" is not supported',
    ],
    [
      'a blank participant attribute name',
      {
        yaml: buildFlowYaml({
          variables: [{ stringVariable: { name: 'Flow.X' } }],
          actions: [
            {
              getParticipantData: {
                name: 'R',
                attributes: [{ attribute: { name: { lit: '  ' }, variable: 'Flow.X' } }],
              },
            },
          ],
        }),
      },
      'flow.schema',
      'the attribute name is blank',
    ],
    [
      'reading participant data into a non-string variable',
      {
        yaml: buildFlowYaml({
          variables: [{ integerVariable: { name: 'Flow.N' } }],
          actions: [
            {
              getParticipantData: {
                name: 'R',
                attributes: [{ attribute: { name: { lit: 'N' }, variable: 'Flow.N' } }],
              },
            },
          ],
        }),
      },
      'flow.type',
      'Flow.N is a integer variable; a string is needed',
    ],
    [
      'assigning to a built-in',
      {
        yaml: buildFlowYaml({
          actions: [
            {
              updateData: {
                statements: [{ string: { variable: 'Message.Message.body', value: { lit: 'x' } } }],
              },
            },
          ],
        }),
      },
      'flow.type',
      'read-only built-in',
    ],
    [
      'an unknown action property',
      {
        yaml: buildFlowYaml({
          actions: [{ sendResponse: { name: 'S', messageBody: { lit: 'x' }, messageType: 'text' } }],
        }),
      },
      'flow.unsupported.property',
      '"messageType" is not supported in action sendResponse',
    ],
    [
      'preferred agents',
      {
        yaml: buildFlowYaml({
          actions: [
            { transferToAcd: { targetQueue: { lit: { name: 'General' } }, preferredAgents: { lit: [] } } },
          ],
        }),
      },
      'flow.unsupported.property',
      'preferredAgents is not supported by the emulator',
    ],
    [
      'endTask outside a task',
      { yaml: buildFlowYaml({ actions: [{ endTask: { name: 'E' } }] }) },
      'flow.schema',
      'endTask can only be used inside a task',
    ],
    [
      'a call to a missing task',
      {
        yaml: buildFlowYaml({
          actions: [{ callTask: { targetTaskRef: '/inboundShortMessage/tasks/task[nope]' } }],
        }),
      },
      'flow.reference',
      'no task has refId "nope"',
    ],
    [
      'a duplicate variable',
      {
        yaml: buildFlowYaml({
          variables: [{ stringVariable: { name: 'Flow.A' } }, { stringVariable: { name: 'Flow.a' } }],
          actions: [],
        }),
      },
      'flow.duplicate',
      'Flow.a is declared more than once',
    ],
    [
      'a flow variable declared with a State name',
      { yaml: buildFlowYaml({ variables: [{ stringVariable: { name: 'State.A' } }], actions: [] }) },
      'flow.schema',
      'must be named Flow.<Name> here',
    ],
    [
      'an unknown variable type',
      { yaml: buildFlowYaml({ variables: [{ userVariable: { name: 'Flow.U' } }], actions: [] }) },
      'flow.unsupported.property',
      'variable kind "userVariable" is not supported',
    ],
    [
      'a startUpRef to a missing state',
      { yaml: buildFlowYaml({ actions: [] }).replace('state[Initial State_10]', 'state[Elsewhere]') },
      'flow.reference',
      'no state has refId "Elsewhere"',
    ],
    [
      'error handling other than disconnect',
      {
        yaml: buildFlowYaml({ actions: [] }).replace(
          'disconnect:\n        none: true',
          'transferToAcd:\n        targetQueue: {lit: {name: X}}',
        ),
      },
      'flow.unsupported.property',
      'error handling "transferToAcd" is not supported',
    ],
  ];

  it.each(cases)('%s', (_label, source, code, message) => {
    const error = refusal(source);
    expect(error.code).toBe(code);
    expect(error.message).toContain(message);
  });

  it('YAML aliases inside a flow are refused with their line', () => {
    const yaml = buildFlowYaml({ actions: [{ sendResponse: { name: 'S', messageBody: { lit: 'x' } } }] })
      .replace('name: Test Flow', 'name: &n Test Flow')
      .replace('lit: x', 'lit: *n');
    const aliasLine = yaml.split('\n').findIndex((line) => line.includes('*n')) + 1;
    const error = refusal({ yaml });
    expect(error.code).toBe('flow.yaml');
    expect(error.location.line).toBe(aliasLine);
    expect(error.detail).toContain('YAML aliases');
  });
});
