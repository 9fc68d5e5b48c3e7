import { describe, expect, it } from 'vitest';
import { loadFlow, runFlow } from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, RecordingHost, yamlText } from './helpers.ts';

describe('run-time errors apply the flow error handling (disconnect)', () => {
  it('arithmetic on NOT_SET disconnects with reason error, naming the action path', () => {
    const flow = loadFlow({
      yaml: buildFlowYaml({
        variables: [{ integerVariable: { name: 'Flow.Count' } }],
        actions: [
          { sendResponse: { name: 'Before', messageBody: { lit: 'one' } } },
          {
            updateData: {
              name: 'Bump',
              statements: [{ integer: { variable: 'Flow.Count', value: { exp: 'Flow.Count + 1' } } }],
            },
          },
          { sendResponse: { name: 'After', messageBody: { lit: 'two' } } },
        ],
      }),
    });
    const host = new RecordingHost();
    const run = runFlow(flow, host, {});
    const path = 'inboundShortMessage.states[0](Initial State).actions[1].updateData';
    expect(run.outcome).toEqual({
      kind: 'disconnect',
      reason: 'error',
      error: '"+" on NOT_SET (NOT_SET + 1)',
      errorPath: path,
    });
    expect(host.sent).toEqual(['one']);
    expect(run.trace.at(-1)).toEqual({ kind: 'error', path, message: '"+" on NOT_SET (NOT_SET + 1)' });
  });

  it('a failing initial value expression is reported at the variable declaration', () => {
    const flow = loadFlow({
      yaml: buildFlowYaml({
        variables: [{ integerVariable: { name: 'Flow.N', initialValue: { exp: 'ToInt("ten")' } } }],
        actions: [{ disconnect: { name: 'End' } }],
      }),
    });
    expect(runFlow(flow, new RecordingHost(), {}).outcome).toMatchObject({
      reason: 'error',
      errorPath: 'inboundShortMessage.variables[0].integerVariable.initialValue',
    });
  });

  it('a blank participant attribute name computed at run time disconnects', () => {
    const flow = loadFlow({
      yaml: buildFlowYaml({
        actions: [
          {
            setParticipantData: {
              name: 'Save',
              attributes: [{ attribute: { name: { exp: 'Trim("  ")' }, value: { lit: 'v' } } }],
            },
          },
        ],
      }),
    });
    expect(runFlow(flow, new RecordingHost(), {}).outcome).toMatchObject({
      reason: 'error',
      error: 'the attribute name is blank',
    });
  });
});

describe('the action cap', () => {
  // Two tasks calling each other forever: only the cap ends the run.
  const pingPong = loadFlow({
    yaml: yamlText`
      inboundShortMessage:
        name: Ping pong
        startUpRef: ./states/state[s]
        states:
          - state:
              name: Main
              refId: s
              actions:
                - callTask: {name: Start, targetTaskRef: "./tasks/task[ping]"}
        tasks:
          - task:
              name: Ping
              refId: ping
              actions:
                - callTask: {name: To pong, targetTaskRef: "./tasks/task[pong]"}
          - task:
              name: Pong
              refId: pong
              actions:
                - callTask: {name: To ping, targetTaskRef: "/inboundShortMessage/tasks/task[ping]"}
    `,
  });

  it('stops endless task recursion after 10,000 actions by default', () => {
    const run = runFlow(pingPong, new RecordingHost(), {});
    expect(run.outcome).toEqual({
      kind: 'disconnect',
      reason: 'error',
      error: 'the flow ran more than 10000 actions',
      errorPath: 'inboundShortMessage.tasks[1](Pong).actions[0].callTask',
    });
    expect(run.trace.filter((entry) => entry.kind === 'action')).toHaveLength(10_000);
  });

  it('is configurable per run', () => {
    const run = runFlow(pingPong, new RecordingHost(), {}, { maxActions: 5 });
    expect(run.trace.filter((entry) => entry.kind === 'action')).toHaveLength(5);
    expect(run.outcome).toMatchObject({ reason: 'error', error: 'the flow ran more than 5 actions' });
  });

  it('does not trigger when the flow finishes within the cap', () => {
    const flow = loadFlow({ yaml: buildFlowYaml({ actions: [{ disconnect: { name: 'End' } }] }) });
    expect(runFlow(flow, new RecordingHost(), {}, { maxActions: 1 }).outcome).toEqual({
      kind: 'disconnect',
      reason: 'action',
    });
  });

  it('rejects a cap that is not a positive whole number', () => {
    const flow = loadFlow({ yaml: buildFlowYaml({ actions: [] }) });
    expect(() => runFlow(flow, new RecordingHost(), {}, { maxActions: 0 })).toThrow(RangeError);
  });
});
