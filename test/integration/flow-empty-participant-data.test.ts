import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import { buildFlowYaml } from '../support/flow-yaml.ts';
import { Guest } from '../support/webmessaging.ts';

/**
 * The whole path of an empty custom attribute: a Web Messaging guest sends `Topic: ""`, it becomes
 * Participant Data, and the deployment's flow reads it with Get Participant Data as an empty string (set,
 * but empty), not NOT_SET; the guest sees which branches the flow took in its Send Response texts.
 */
const FLOW = buildFlowYaml({
  variables: [{ stringVariable: { name: 'Flow.Topic', initialValue: { noValue: true } } }],
  actions: [
    {
      getParticipantData: {
        name: 'Read Topic',
        attributes: [{ attribute: { name: { lit: 'Topic' }, variable: 'Flow.Topic' } }],
      },
    },
    {
      sendResponse: {
        name: 'Report',
        messageBody: {
          exp: 'If(IsSet(Flow.Topic), "set", "not set") + ", " + If(IsNotSetOrEmpty(Flow.Topic), "empty", "filled")',
        },
      },
    },
  ],
});

async function flowReport(attributes: Record<string, string>): Promise<string> {
  const emulator = await startEmulator({
    fixture: withMessengerFlow(FLOW, { flowName: 'Test Flow', deploymentId: 'empty-attribute' }),
  });
  const guest = await Guest.connect(emulator, randomUUID(), { deploymentId: 'empty-attribute' });
  try {
    expect((await guest.configure()).code).toBe(200);
    expect((await guest.say('hello', attributes)).code).toBe(200);
    const report = await guest.next(
      (f) => f.class === 'StructuredMessage' && f.body?.direction === 'Outbound' && f.body?.type === 'Text',
      'the flow report',
    );
    return report.body.text as string;
  } finally {
    await guest.close();
  }
}

describe('Web Messaging custom attribute with an empty value, read by the inbound flow', () => {
  it('is an empty string: IsSet is true and IsNotSetOrEmpty is true', async () => {
    expect(await flowReport({ Topic: '' })).toBe('set, empty');
  });

  it('a missing attribute is NOT_SET, a filled one is filled', async () => {
    expect(await flowReport({ Other: 'x' })).toBe('not set, empty');
    expect(await flowReport({ Topic: 'billing' })).toBe('set, filled');
  });
});
