import { describe, expect, it } from 'vitest';
import { loadFlow, runFlow } from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, RecordingHost } from './helpers.ts';

/**
 * Get Participant Data on an attribute that exists with an empty value: the variable becomes the empty
 * string, whatever `missingParticipantData` says, because that switch is only about attributes that do
 * not exist. So `IsSet` is true and `IsNotSetOrEmpty` is true, and the flow branches on that. Only a
 * missing attribute follows the switch (NOT_SET, "" or the variable left as it was).
 */

const MODES = ['notSet', 'empty', 'unchanged'] as const;

/** Reads Topic into Flow.Topic (initially "initial"), then reports both checks and the value it holds. */
const flow = loadFlow({
  yaml: buildFlowYaml({
    variables: [{ stringVariable: { name: 'Flow.Topic', initialValue: { lit: 'initial' } } }],
    actions: [
      {
        getParticipantData: {
          name: 'Read Topic',
          attributes: [{ attribute: { name: { lit: 'Topic' }, variable: 'Flow.Topic' } }],
        },
      },
      {
        decision: {
          name: 'Is it set?',
          condition: { exp: 'IsSet(Flow.Topic)' },
          outputs: {
            yes: { actions: [{ sendResponse: { name: 'Set', messageBody: { lit: 'IsSet: yes' } } }] },
            no: { actions: [{ sendResponse: { name: 'Not set', messageBody: { lit: 'IsSet: no' } } }] },
          },
        },
      },
      {
        decision: {
          name: 'Empty?',
          condition: { exp: 'IsNotSetOrEmpty(Flow.Topic)' },
          outputs: {
            yes: {
              actions: [{ sendResponse: { name: 'Empty', messageBody: { lit: 'IsNotSetOrEmpty: yes' } } }],
            },
            no: {
              actions: [{ sendResponse: { name: 'Filled', messageBody: { lit: 'IsNotSetOrEmpty: no' } } }],
            },
          },
        },
      },
      {
        sendResponse: {
          name: 'Value',
          messageBody: { exp: 'If(IsSet(Flow.Topic), "value: [" + Flow.Topic + "]", "value: NOT_SET")' },
        },
      },
    ],
  }),
});

describe('Get Participant Data: an attribute present with an empty value', () => {
  it.each(MODES)('stays an empty string with missingParticipantData %s', (mode) => {
    const host = new RecordingHost({ Topic: '' });
    const run = runFlow(flow, host, {}, { missingParticipantData: mode });
    expect(host.sent).toEqual(['IsSet: yes', 'IsNotSetOrEmpty: yes', 'value: []']);
    // The trace shows the empty value read and assigned, as the timeline's flow.run would.
    expect(run.trace).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'participantDataRead', attribute: 'Topic', value: '' }),
        expect.objectContaining({ kind: 'variableAssigned', variable: 'Flow.Topic', value: '""' }),
      ]),
    );
  });

  it.each(MODES)('a non-empty value is read as it is with missingParticipantData %s', (mode) => {
    const host = new RecordingHost({ Topic: 'billing' });
    runFlow(flow, host, {}, { missingParticipantData: mode });
    expect(host.sent).toEqual(['IsSet: yes', 'IsNotSetOrEmpty: no', 'value: [billing]']);
  });
});

describe('Get Participant Data: a missing attribute follows missingParticipantData', () => {
  it.each([
    ['notSet', ['IsSet: no', 'IsNotSetOrEmpty: yes', 'value: NOT_SET']],
    ['empty', ['IsSet: yes', 'IsNotSetOrEmpty: yes', 'value: []']],
    ['unchanged', ['IsSet: yes', 'IsNotSetOrEmpty: no', 'value: [initial]']],
  ] as const)('with %s', (mode, sent) => {
    const host = new RecordingHost({ Other: '' });
    runFlow(flow, host, {}, { missingParticipantData: mode });
    expect(host.sent).toEqual(sent);
  });
});
