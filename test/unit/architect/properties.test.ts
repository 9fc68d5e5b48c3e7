import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FlowLoadError, loadFlow, runFlow } from '../../../emulator/domain/architect/index.ts';
import { buildFlowYaml, DYNAMIC_QUEUE_FLOW, RecordingHost } from './helpers.ts';

// A flow that pushes participant values through conversions, comparisons and queue lookups, so odd
// strings reach every kind of run-time failure.
const CONVERSION_FLOW = loadFlow({
  yaml: buildFlowYaml({
    variables: [
      { stringVariable: { name: 'Flow.A' } },
      { stringVariable: { name: 'Flow.B' } },
      { integerVariable: { name: 'Flow.N', initialValue: { lit: 0 } } },
    ],
    actions: [
      {
        getParticipantData: {
          name: 'Read',
          attributes: [
            { attribute: { name: { lit: 'A' }, variable: 'Flow.A' } },
            { attribute: { name: { lit: 'B' }, variable: 'Flow.B' } },
          ],
        },
      },
      {
        decision: {
          name: 'Looks numeric?',
          condition: { exp: 'Contains("0123456789", Trim(Flow.A)) and Length(Trim(Flow.A)) == 1' },
          outputs: {
            yes: {
              actions: [
                {
                  updateData: {
                    statements: [{ integer: { variable: 'Flow.N', value: { exp: 'ToInt(Flow.A) * 2' } } }],
                  },
                },
              ],
            },
          },
        },
      },
      { sendResponse: { name: 'Echo', messageBody: { exp: 'Append(Upper(Flow.A), "/", Lower(Flow.B))' } } },
      {
        setParticipantData: {
          name: 'Save',
          attributes: [{ attribute: { name: { exp: 'Flow.B' }, value: { exp: 'Flow.A' } } }],
        },
      },
      {
        transferToAcd: {
          name: 'Go',
          targetQueue: { exp: 'If(Flow.N > 4, FindQueue(Flow.B), FindQueueById(Flow.A))' },
        },
      },
    ],
  }),
});
const DYNAMIC_FLOW = loadFlow({ yaml: DYNAMIC_QUEUE_FLOW });

const participantData = fc.dictionary(
  fc.constantFrom('A', 'B', 'QueueName', 'queuename'),
  fc.string({ unit: 'grapheme' }),
);

describe('properties', () => {
  it('random participant values never make runFlow throw; it always returns an outcome', () => {
    fc.assert(
      fc.property(participantData, fc.string(), (data, body) => {
        for (const flow of [CONVERSION_FLOW, DYNAMIC_FLOW]) {
          const run = runFlow(flow, new RecordingHost(data), { 'Message.Message.body': body });
          expect(['transfer', 'disconnect']).toContain(run.outcome.kind);
        }
      }),
    );
  });

  it('any queue name of the org, in any letter case and padding, routes to that queue', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('General', 'Sales', 'Support Tier 1'),
        fc.boolean(),
        fc.nat(3),
        (name, upper, pad) => {
          const written = `${' '.repeat(pad)}${upper ? name.toUpperCase() : name.toLowerCase()}`;
          const run = runFlow(DYNAMIC_FLOW, new RecordingHost({ QueueName: written }), {});
          expect(run.outcome).toMatchObject({ kind: 'transfer', queue: { name } });
        },
      ),
    );
  });

  const yamlish = fc.string({
    unit: fc.constantFrom(...'abcXYZ019:-[]{}"\'\n &*!|>#.,()+=_ \t'.split('')),
    maxLength: 200,
  });
  const mutatedFlow = fc
    .tuple(fc.nat(DYNAMIC_QUEUE_FLOW.length), fc.nat(40), yamlish)
    .map(
      ([start, length, insert]) =>
        DYNAMIC_QUEUE_FLOW.slice(0, start) + insert + DYNAMIC_QUEUE_FLOW.slice(start + length),
    );

  it('garbage YAML never makes loadFlow throw anything but FlowLoadError', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ unit: 'grapheme' }), yamlish, mutatedFlow), (yaml) => {
        try {
          const flow = loadFlow({ yaml, substitutions: { key: 'value' } });
          expect(['inboundShortMessage', 'inboundChat']).toContain(flow.type);
        } catch (error) {
          expect(error).toBeInstanceOf(FlowLoadError);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('random expressions either load or are refused with FlowLoadError, and loaded ones always run', () => {
    const expressionText = fc.string({
      unit: fc.constantFrom(
        ...'()",+-*/!<>=&| 0123456789.'.split(''),
        'Flow.A',
        'Flow.N',
        'NOT_SET',
        'true',
        ' and ',
        ' or ',
        'not ',
        'IsSet(',
        'ToString(',
        'Trim(',
        'If(',
        'FindQueue(',
        'Message.Message.body',
      ),
      maxLength: 30,
    });
    fc.assert(
      fc.property(expressionText, fc.string(), (expression, body) => {
        let flow: ReturnType<typeof loadFlow>;
        try {
          flow = loadFlow({
            yaml: buildFlowYaml({
              variables: [{ stringVariable: { name: 'Flow.A' } }, { integerVariable: { name: 'Flow.N' } }],
              actions: [{ sendResponse: { name: 'Say', messageBody: { exp: expression } } }],
            }),
          });
        } catch (error) {
          expect(error).toBeInstanceOf(FlowLoadError);
          return;
        }
        const run = runFlow(flow, new RecordingHost(), { 'Message.Message.body': body });
        expect(['transfer', 'disconnect']).toContain(run.outcome.kind);
      }),
      { numRuns: 500 },
    );
  });
});
