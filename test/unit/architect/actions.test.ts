import { describe, expect, it } from 'vitest';
import { FlowLoadError, loadFlow, runFlow } from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, RecordingHost, yamlText } from './helpers.ts';

const GREETING_FLOW = yamlText`
  inboundShortMessage:
    name: Greeting
    startUpRef: ./states/state[Initial State_10]
    variables:
      - stringVariable:
          name: Flow.Customer
          initialValue:
            noValue: true
    states:
      - state:
          name: Initial State
          refId: Initial State_10
          actions:
            - getParticipantData:
                name: Who
                attributes:
                  - attribute:
                      name:
                        lit: CustomerName
                      variable: Flow.Customer
            - decision:
                name: Known customer?
                condition:
                  exp: IsNotSetOrEmpty(Flow.Customer)
                outputs:
                  yes:
                    actions:
                      - sendResponse:
                          name: Anonymous greeting
                          messageBody:
                            lit: Hello there!
                  no:
                    actions:
                      - sendResponse:
                          name: Personal greeting
                          messageBody:
                            exp: 'Append("Hello ", Flow.Customer, ", you wrote: ") + Message.Message.body'
            - disconnect:
                name: Done
`;

describe('sendResponse and decision', () => {
  const flow = loadFlow({ yaml: GREETING_FLOW });

  it('sends text built with Append, concatenation, participant data and a built-in to the customer', () => {
    const host = new RecordingHost({ CustomerName: 'Grace' });
    const run = runFlow(flow, host, { 'Message.Message.body': 'I need help' });
    expect(host.sent).toEqual(['Hello Grace, you wrote: I need help']);
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'action' });
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'outputPath', output: 'no' }));
  });

  it('takes the unquoted yes output when the condition is true', () => {
    const host = new RecordingHost();
    const run = runFlow(flow, host, {});
    expect(host.sent).toEqual(['Hello there!']);
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'outputPath', output: 'yes' }));
  });

  it('accepts true/false as the decision output keys', () => {
    const yaml = buildFlowYaml({
      actions: [
        {
          decision: {
            name: 'Bool keys',
            condition: { exp: '1 < 2' },
            outputs: {
              true: { actions: [{ sendResponse: { name: 'T', messageBody: { lit: 'went yes' } } }] },
              false: { actions: [{ sendResponse: { name: 'F', messageBody: { lit: 'went no' } } }] },
            },
          },
        },
      ],
    });
    const host = new RecordingHost();
    runFlow(loadFlow({ yaml }), host, {});
    expect(host.sent).toEqual(['went yes']);
  });

  it('ends as endOfState when the state runs out of actions', () => {
    const flowWithoutDisconnect = loadFlow({
      yaml: buildFlowYaml({ actions: [{ sendResponse: { name: 'Only', messageBody: { lit: 'bye' } } }] }),
    });
    expect(runFlow(flowWithoutDisconnect, new RecordingHost(), {}).outcome).toEqual({
      kind: 'disconnect',
      reason: 'endOfState',
    });
  });
});

describe('switch', () => {
  const flow = loadFlow({
    yaml: yamlText`
      inboundShortMessage:
        name: Menu
        startUpRef: "/inboundShortMessage/states/state[s]"
        variables:
          - stringVariable:
              name: Flow.Choice
        states:
          - state:
              name: Main
              refId: s
              actions:
                - getParticipantData:
                    name: Read choice
                    attributes:
                      - attribute:
                          name: {lit: Choice}
                          variable: Flow.Choice
                - switch:
                    name: Route by choice
                    evaluate:
                      firstTrue:
                        default:
                          actions:
                            - sendResponse: {name: Other, messageBody: {lit: "default"}}
                        cases:
                          - case:
                              value: {exp: 'Flow.Choice == "1"'}
                              actions:
                                - sendResponse: {name: One, messageBody: {lit: "first"}}
                          - case:
                              value: {exp: 'Flow.Choice == "2" or Flow.Choice == "1"'}
                              actions:
                                - sendResponse: {name: Two, messageBody: {lit: "second"}}
    `,
  });

  it.each([
    ['1', 'first', 'case[0]'],
    ['2', 'second', 'case[1]'],
    ['9', 'default', 'default'],
  ])('choice %s runs only the first true case (%s)', (choice, text, output) => {
    const host = new RecordingHost({ Choice: choice });
    const run = runFlow(flow, host, {});
    expect(host.sent).toEqual([text]);
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'outputPath', output }));
  });
});

describe('updateData, setParticipantData and state variables', () => {
  const flow = loadFlow({
    yaml: buildFlowYaml({
      variables: [
        { integerVariable: { name: 'Flow.Attempts', initialValue: { lit: 1 } } },
        { decimalVariable: { name: 'Flow.Score', initialValue: { noValue: true } } },
      ],
      stateVariables: [{ stringVariable: { name: 'State.Label', initialValue: { lit: 'try' } } }],
      actions: [
        {
          updateData: {
            name: 'Count',
            statements: [
              { integer: { variable: 'Flow.Attempts', value: { exp: 'Flow.Attempts + 1' } } },
              { decimal: { variable: 'Flow.Score', value: { exp: 'Flow.Attempts * 2' } } },
              {
                string: {
                  variable: 'State.Label',
                  value: { exp: 'State.Label + " " + ToString(Flow.Attempts)' },
                },
              },
            ],
          },
        },
        {
          setParticipantData: {
            name: 'Save',
            attributes: [
              { attribute: { name: { lit: 'Label' }, value: { exp: 'State.Label' } } },
              { attribute: { name: { exp: '"Sco" + "re"' }, value: { exp: 'ToString(Flow.Score)' } } },
              { attribute: { name: { lit: 'Nothing' }, value: { noValue: true } } },
            ],
          },
        },
      ],
    }),
  });

  it('assigns in order, widening integers into decimal variables, and writes participant data as strings', () => {
    const host = new RecordingHost();
    const run = runFlow(flow, host, {});
    expect(host.written).toEqual([
      ['Label', 'try 2'],
      ['Score', '4'],
      ['Nothing', ''],
    ]);
    expect(run.trace.filter((entry) => entry.kind === 'variableAssigned')).toEqual([
      expect.objectContaining({ variable: 'Flow.Attempts', value: '2' }),
      expect.objectContaining({ variable: 'Flow.Score', value: '4' }),
      expect.objectContaining({ variable: 'State.Label', value: '"try 2"' }),
    ]);
  });
});

describe('getParticipantData when the attribute is missing', () => {
  const flow = loadFlow({
    yaml: buildFlowYaml({
      variables: [{ stringVariable: { name: 'Flow.Topic', initialValue: { lit: 'initial' } } }],
      actions: [
        {
          getParticipantData: {
            name: 'Read',
            attributes: [{ attribute: { name: { lit: 'Topic' }, variable: { var: 'Flow.Topic' } } }],
          },
        },
        {
          sendResponse: {
            name: 'Echo',
            messageBody: { exp: 'If(IsSet(Flow.Topic), "[" + Flow.Topic + "]", "NOT_SET")' },
          },
        },
      ],
    }),
  });

  it.each([
    ['notSet', 'NOT_SET'],
    ['empty', '[]'],
    ['unchanged', '[initial]'],
  ] as const)('with missingParticipantData %s the variable becomes %s', (mode, text) => {
    const host = new RecordingHost();
    runFlow(flow, host, {}, { missingParticipantData: mode });
    expect(host.sent).toEqual([text]);
  });

  it('defaults to NOT_SET, and options given at load become the flow default', () => {
    const host = new RecordingHost();
    runFlow(flow, host, {});
    const emptyByDefault = loadFlow(
      { yaml: buildFlowYaml({ actions: [] }) },
      { missingParticipantData: 'empty' },
    );
    expect(host.sent).toEqual(['NOT_SET']);
    expect(emptyByDefault.options.missingParticipantData).toBe('empty');
  });
});

describe('findQueue', () => {
  const flow = loadFlow({
    yaml: buildFlowYaml({
      variables: [
        { queueVariable: { name: 'Flow.Target', initialValue: { noValue: true } } },
        { stringVariable: { name: 'Flow.Wanted', initialValue: { noValue: true } } },
      ],
      actions: [
        {
          getParticipantData: {
            name: 'Read',
            attributes: [{ attribute: { name: { lit: 'Wanted' }, variable: 'Flow.Wanted' } }],
          },
        },
        {
          findQueue: {
            name: 'Find',
            findName: { exp: 'Flow.Wanted' },
            findResult: { var: 'Flow.Target' },
            outputs: {
              found: {
                actions: [{ sendResponse: { name: 'F', messageBody: { exp: '"found " + Flow.Target.id' } } }],
              },
              notFound: { actions: [{ sendResponse: { name: 'N', messageBody: { lit: 'not found' } } }] },
            },
          },
        },
        { transferToAcd: { name: 'Go', targetQueue: { exp: 'Flow.Target' } } },
        { disconnect: { name: 'End' } },
      ],
    }),
  });

  it('found: sets the result variable, runs the found actions, and the transfer uses it', () => {
    const host = new RecordingHost({ Wanted: 'support tier 1' });
    const run = runFlow(flow, host, {});
    expect(host.sent).toEqual(['found q-support-0003']);
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { id: 'q-support-0003' } });
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'outputPath', output: 'found' }));
  });

  it('notFound: leaves the result variable NOT_SET, so the transfer fails and the flow disconnects', () => {
    const host = new RecordingHost({ Wanted: 'Nowhere' });
    const run = runFlow(flow, host, {});
    expect(host.sent).toEqual(['not found']);
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'outputPath', output: 'notFound' }));
    expect(
      run.trace.some((entry) => entry.kind === 'variableAssigned' && entry.variable === 'Flow.Target'),
    ).toBe(false);
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'action' });
  });
});

describe('transferToAcd details', () => {
  it('reports priority, skills and language skill, and writes failure outputs on failure', () => {
    const yaml = buildFlowYaml({
      variables: [
        { stringVariable: { name: 'Flow.ErrType' } },
        { stringVariable: { name: 'Flow.ErrMsg' } },
        { stringVariable: { name: 'Flow.Target' } },
      ],
      actions: [
        {
          getParticipantData: {
            name: 'Read',
            attributes: [{ attribute: { name: { lit: 'Target' }, variable: 'Flow.Target' } }],
          },
        },
        {
          transferToAcd: {
            name: 'Try target',
            targetQueue: { lit: { name: 'Closed Queue', id: 'q-closed' } },
            failureOutputs: { errorType: { var: 'Flow.ErrType' }, errorMessage: { var: 'Flow.ErrMsg' } },
          },
        },
        { sendResponse: { name: 'Report', messageBody: { exp: 'Flow.ErrType + ": " + Flow.ErrMsg' } } },
        {
          transferToAcd: {
            name: 'Skilled',
            targetQueue: { exp: 'FindQueue(Flow.Target)' },
            priority: { exp: '2 + 3' },
            acdSkills: [
              { acdSkill: { lit: { name: 'Spanish' } } },
              { acdSkill: { exp: 'Lower("VIP")' } },
              { acdSkill: { noValue: true } },
            ],
            languageSkill: { lit: { name: 'es' } },
          },
        },
      ],
    });
    const host = new RecordingHost({ Target: 'Sales' });
    const run = runFlow(loadFlow({ yaml }), host, {});
    expect(host.sent).toEqual(['QueueNotFound: Queue "Closed Queue" does not exist in the organization.']);
    expect(run.outcome).toEqual({
      kind: 'transfer',
      queue: { id: 'q-sales-0002', name: 'Sales' },
      priority: 5,
      skills: ['Spanish', 'vip'],
      languageSkill: 'es',
    });
  });
});

describe('callTask and endTask', () => {
  const flow = loadFlow({
    yaml: yamlText`
      inboundShortMessage:
        name: Tasks
        startUpRef: "/inboundShortMessage/states/state[Initial State_10]"
        variables:
          - stringVariable:
              name: Flow.Log
              initialValue: {lit: ""}
        states:
          - state:
              name: Initial State
              refId: Initial State_10
              actions:
                - callTask:
                    name: Check hours
                    targetTaskRef: "/inboundShortMessage/tasks/task[Check Hours_20]"
                    outputs:
                      closed:
                        actions:
                          - updateData:
                              statements:
                                - string: {variable: Flow.Log, value: {exp: 'Flow.Log + "closed-path;"'}}
                - sendResponse:
                    name: Report
                    messageBody: {exp: Flow.Log}
                - disconnect: {name: End}
        tasks:
          - task:
              name: Check Hours
              refId: Check Hours_20
              variables:
                - booleanVariable:
                    name: Task.Open
                    initialValue: {lit: false}
              outputPaths:
                - outputPath: {name: closed}
              actions:
                - updateData:
                    name: Note entry
                    statements:
                      - string: {variable: Flow.Log, value: {exp: 'Flow.Log + "in-task;"'}}
                - decision:
                    name: Open?
                    condition: {exp: Task.Open}
                    outputs:
                      no:
                        actions:
                          - endTask: {name: Closed, outputPath: {name: closed}}
                - endTask: {name: Open}
    `,
  });

  it('runs the task, returns through the named output path, then continues after callTask', () => {
    const host = new RecordingHost();
    const run = runFlow(flow, host, {});
    expect(host.sent).toEqual(['in-task;closed-path;']);
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'action' });
    expect(run.trace).toContainEqual(
      expect.objectContaining({ kind: 'taskReturned', task: 'Check Hours', outputPath: 'closed' }),
    );
  });
});

describe('inboundChat flows', () => {
  it('run with Chat.* built-ins', () => {
    const yaml = yamlText`
      inboundChat:
        name: Web chat
        startUpRef: /inboundChat/states/state[chat_1]
        states:
          - state:
              name: Start
              refId: chat_1
              actions:
                - sendResponse:
                    name: Hi
                    messageBody: {exp: '"Chat " + Chat.ConversationId'}
    `;
    const flow = loadFlow({ yaml });
    const host = new RecordingHost();
    runFlow(flow, host, { 'chat.conversationid': 'abc' });
    expect(flow.type).toBe('inboundChat');
    expect(host.sent).toEqual(['Chat abc']);
  });
});

describe('{{key}} substitutions', () => {
  const yaml = yamlText`
    inboundShortMessage:
      name: {{flowName}}
      startUpRef: "/inboundShortMessage/states/state[s]"
      states:
        - state:
            name: Main
            refId: s
            actions:
              - transferToAcd:
                  name: Go
                  targetQueue: {lit: {name: "{{ defaultQueue }}"}}
  `;

  it('are applied to the text before parsing', () => {
    const flow = loadFlow({ yaml, substitutions: { flowName: 'Substituted Flow', defaultQueue: 'Sales' } });
    expect(flow.name).toBe('Substituted Flow');
    expect(runFlow(flow, new RecordingHost(), {}).outcome).toMatchObject({ queue: { name: 'Sales' } });
  });

  it('a placeholder without a value is refused, naming the key and line', () => {
    const attempt = () => loadFlow({ yaml, substitutions: { flowName: 'X' }, sourcePath: 'flows/sub.yaml' });
    expect(attempt).toThrow(FlowLoadError);
    expect(attempt).toThrow(
      'flows/sub.yaml:11: {{defaultQueue}}: no substitution value for {{defaultQueue}}',
    );
  });
});
