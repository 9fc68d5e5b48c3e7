import { describe, expect, it } from 'vitest';
import { loadFlow, runFlow } from '../../../emulator/domain/architect/index.ts';
import { DYNAMIC_QUEUE_FLOW, RecordingHost } from './helpers.ts';

const flow = loadFlow({ yaml: DYNAMIC_QUEUE_FLOW, sourcePath: 'flows/dynamic-queue.yaml' });
const FIRST = 'inboundShortMessage.states[0](Initial State).actions[1].transferToAcd';
const FALLBACK = `${FIRST}.outputs.failure.actions[0].transferToAcd`;

describe('dynamic-queue flow (participant data names the queue)', () => {
  it('loads with its type and name', () => {
    expect(flow.type).toBe('inboundShortMessage');
    expect(flow.name).toBe('Dynamic Queue Routing');
    expect(flow.supportedLanguages).toEqual(['en-us']);
  });

  it('transfers to the queue named in participant data', () => {
    const run = runFlow(flow, new RecordingHost({ QueueName: 'Sales' }), {});
    expect(run.outcome).toEqual({
      kind: 'transfer',
      queue: { id: 'q-sales-0002', name: 'Sales' },
      priority: 0,
      skills: [],
    });
  });

  it('matches the queue name ignoring letter case and surrounding spaces by default', () => {
    const run = runFlow(flow, new RecordingHost({ QueueName: '  sUPPORT tier 1 ' }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name: 'Support Tier 1' } });
  });

  it('with queueNameMatch exact, a different letter case names no queue and the default queue is used', () => {
    const run = runFlow(flow, new RecordingHost({ QueueName: 'sales' }), {}, { queueNameMatch: 'exact' });
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name: 'General' } });
  });

  it('falls back to the literal default queue through the failure path when the attribute is missing', () => {
    const run = runFlow(flow, new RecordingHost({}), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { id: 'q-general-0001', name: 'General' } });
    expect(run.trace).toContainEqual({
      kind: 'participantDataRead',
      path: 'inboundShortMessage.states[0](Initial State).actions[0].getParticipantData',
      attribute: 'QueueName',
      value: undefined,
    });
    expect(run.trace).toContainEqual(
      expect.objectContaining({ kind: 'variableAssigned', variable: 'Flow.QueueName', value: 'NOT_SET' }),
    );
    expect(run.trace).toContainEqual({ kind: 'outputPath', path: FIRST, output: 'failure' });
    expect(run.trace).toContainEqual(expect.objectContaining({ kind: 'queueChosen', path: FALLBACK }));
  });

  it('falls back to the default queue when the name matches no queue', () => {
    const run = runFlow(flow, new RecordingHost({ QueueName: 'Billing' }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name: 'General' } });
    expect(run.trace).toContainEqual(
      expect.objectContaining({ kind: 'transferFailed', path: FIRST, errorType: 'QueueNotSet' }),
    );
  });

  it('attribute names are case-sensitive: "queuename" is not "QueueName"', () => {
    const run = runFlow(flow, new RecordingHost({ queuename: 'Sales' }), {});
    expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name: 'General' } });
  });

  it('records, in order, each action, the value read, the assignment and the queue chosen', () => {
    const run = runFlow(flow, new RecordingHost({ QueueName: 'Sales' }), {});
    expect(run.trace.map((entry) => entry.kind)).toEqual([
      'stateEntered',
      'action',
      'participantDataRead',
      'variableAssigned',
      'action',
      'queueChosen',
    ]);
    expect(run.trace[1]).toMatchObject({
      type: 'getParticipantData',
      name: 'Get Participant Data',
      line: 25,
    });
    expect(run.trace[3]).toMatchObject({ variable: 'Flow.QueueName', value: '"Sales"' });
    expect(run.trace[5]).toEqual({
      kind: 'queueChosen',
      path: FIRST,
      queue: { id: 'q-sales-0002', name: 'Sales' },
      priority: 0,
      skills: [],
    });
  });

  it('disconnects after the transfer actions when even the default queue does not exist', () => {
    const host = new RecordingHost({}, [{ id: 'q-x', name: 'Elsewhere' }]);
    const run = runFlow(flow, host, {});
    expect(run.outcome).toEqual({ kind: 'disconnect', reason: 'action' });
    expect(run.trace).toContainEqual(
      expect.objectContaining({ kind: 'transferFailed', path: FALLBACK, errorType: 'QueueNotFound' }),
    );
  });

  it('is reusable: runs do not leak variables into each other', () => {
    const first = runFlow(flow, new RecordingHost({ QueueName: 'Sales' }), {});
    const second = runFlow(flow, new RecordingHost({}), {});
    expect(first.outcome).toMatchObject({ queue: { name: 'Sales' } });
    expect(second.outcome).toMatchObject({ queue: { name: 'General' } });
    expect(Object.isFrozen(flow)).toBe(true);
  });

  it('asks the host for the queue list at most once per run', () => {
    const host = new RecordingHost({ QueueName: 'Billing' });
    runFlow(flow, host, {});
    expect(host.listQueuesCalls).toBe(1);
  });
});
