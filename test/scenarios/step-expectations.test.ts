import { describe, expect, it } from 'vitest';
import {
  parseScenario,
  runScenario,
  type ScenarioChannel,
  type ScenarioResult,
} from '../../scenarios/index.ts';

/**
 * The failure side of each step: the library runs every step only where it passes, so nothing there
 * notices an expectation that stops failing, or fails with a message that no longer says what was
 * expected and what happened. Each test here runs a short scenario on the in-process emulator and checks
 * what the author sees: that the run failed, at which step, and the words of the message that matter.
 * A passing step before the failing one shows the branch that must pass still does.
 */

const ACTORS = `actors:
  pat: { customer: {} }
  sam: { customer: {} }
  alda: { agent: Alda Moore }
steps:
`;

/** A bridge pointed at a deployment the org does not have: every transfer is refused with FORBIDDEN. */
const UNKNOWN_DEPLOYMENT = '{ deploymentId: 00000000-0000-4000-8000-000000000000 }';

/** pat is transferred to General and Alda answers. */
const ANSWERED = [
  'onQueue: alda',
  'transfer: { customer: pat, queue: General, message: hi }',
  'expectAlert: { agent: alda }',
  'answer: alda',
];

function run(
  steps: readonly string[],
  options: { channel?: ScenarioChannel; bridge?: string } = {},
): Promise<ScenarioResult> {
  const text = `name: step expectations\n${options.bridge ? `bridge: ${options.bridge}\n` : ''}${ACTORS}${steps.map((s) => `  - ${s}\n`).join('')}`;
  return runScenario(parseScenario(text, 'steps.yaml'), options.channel ?? 'webmessaging');
}

/** The message of a run that must have failed at step `stepIndex` (0-based), a `verb` step. */
function failureAt(result: ScenarioResult, stepIndex: number, verb: string): string {
  expect(result.failure, result.transcript).toMatchObject({ stepIndex, verb });
  return result.failure!.message;
}

describe('transfer', () => {
  it('fails when a transfer expected to fail is accepted, naming the code and what happened', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi, expectFailure: FORBIDDEN }',
    ]);
    expect(failureAt(result, 0, 'transfer')).toMatch(/fail with FORBIDDEN, it is queued$/);
    expect(result.transcript).toMatch(/runner +pat: transfer queued$/m);
  });

  it('fails when the transfer fails with another code than the expected one, naming both', async () => {
    const result = await run(
      ['transfer: { customer: pat, queue: General, message: hi, expectFailure: METADATA_TOO_LARGE }'],
      { bridge: UNKNOWN_DEPLOYMENT },
    );
    expect(failureAt(result, 0, 'transfer')).toMatch(/expected failure METADATA_TOO_LARGE, got FORBIDDEN$/);
    expect(result.failure!.detail).toMatchObject({ code: 'FORBIDDEN' });
  });

  it('fails a refused transfer when no failure is expected, naming the code', async () => {
    const result = await run(['transfer: { customer: pat, queue: General, message: hi }'], {
      bridge: UNKNOWN_DEPLOYMENT,
    });
    expect(failureAt(result, 0, 'transfer')).toMatch(/transfer failed: FORBIDDEN$/);
    expect(result.transcript).toMatch(/runner +pat: transfer failed \(FORBIDDEN\)$/m);
  });
});

describe('a step that needs what an earlier step did', () => {
  it('a customer cannot speak before a transfer', async () => {
    const result = await run(['say: { customer: pat, text: hello? }']);
    expect(failureAt(result, 0, 'say')).toMatch(/^pat has no bridge session \(transfer first\)/);
  });

  it('Participant Data cannot be read when the transfer made no conversation', async () => {
    const result = await run(
      [
        'transfer: { customer: pat, queue: General, message: hi, expectFailure: FORBIDDEN }',
        'expectParticipantData: { customer: pat, contains: { QueueName: General } }',
      ],
      { bridge: UNKNOWN_DEPLOYMENT },
    );
    expect(failureAt(result, 1, 'expectParticipantData')).toMatch(/^pat has no Genesys conversation/);
  });

  it("a customer's socket cannot be dropped before a transfer", async () => {
    const result = await run(['dropCustomerSocket: pat']);
    expect(failureAt(result, 0, 'dropCustomerSocket')).toMatch(/^pat has no conversation whose socket/);
  });

  it('a webhook fault needs an Open Messaging run', async () => {
    const result = await run(['failWebhook: { status: 500 }']);
    expect(failureAt(result, 0, 'failWebhook')).toMatch(
      /needs the Open Messaging webhook; this run is on webmessaging$/,
    );
  });

  it('an alert cannot time out once the agent has answered', async () => {
    const result = await run([...ANSWERED, 'letAlertTimeOut: alda']);
    expect(failureAt(result, 4, 'letAlertTimeOut')).toMatch(/^alda is not being alerted/);
  });
});

describe('expectAlert', () => {
  it('fails after its own `within` when no agent is on queue', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectAlert: { agent: alda, within: 100ms }',
    ]);
    expect(failureAt(result, 1, 'expectAlert')).toMatch(/^timed out after 100 ms .*alert for alda$/);
  });
});

describe('expectBot', () => {
  it('fails when more events arrived than its count, listing what the bot received', async () => {
    const result = await run([
      ...ANSWERED,
      'say: { agent: alda, text: Hello Pat }',
      'say: { agent: alda, text: How can I help? }',
      'expectBot: { customer: pat, text: How can I help? }',
      'expectBot: { customer: pat, event: agent.message, count: 1 }',
    ]);
    const message = failureAt(result, 7, 'expectBot');
    expect(message).toMatch(/^expected 1 x the bot to receive agent\.message, got 2; /);
    expect(message).toMatch(/; the bot received transfer\.accepted, agent\.joined, agent\.message$/);
  });

  it('a count of 0 waits for what is on its way: a message just sent makes it fail', async () => {
    const result = await run([
      ...ANSWERED,
      'say: { agent: alda, text: hello }',
      'expectBot: { customer: pat, text: hello, count: 0 }',
    ]);
    expect(failureAt(result, 5, 'expectBot')).toMatch(/^expected 0 x the bot to receive .*hello.*, got 1; /);
  });

  it('a count of 1 is taken once a second copy could have arrived, not at the first', async () => {
    const result = await run([
      ...ANSWERED,
      'say: { agent: alda, text: hello }',
      'expectBot: { customer: pat, text: hello }',
      'say: { agent: alda, text: hello }',
      'expectBot: { customer: pat, text: hello, count: 1 }',
    ]);
    expect(failureAt(result, 7, 'expectBot')).toMatch(/^expected 1 x the bot to receive .*hello.*, got 2; /);
  });

  it('counts only the session.ended events of the reason it names', async () => {
    const result = await run([
      ...ANSWERED,
      'disconnect: alda',
      'expectBot: { customer: pat, event: session.ended, reason: agentEnded, count: 1 }',
      'expectBot: { customer: pat, event: session.ended, reason: customerEnded, count: 0 }',
      'expectBot: { customer: pat, event: session.ended, reason: agentEnded, count: 0 }',
    ]);
    // The first two pass (one agentEnded, no customerEnded); the third fails on the one that arrived.
    expect(failureAt(result, 7, 'expectBot')).toMatch(
      /^expected 0 x the bot to receive session\.ended \(agentEnded\), got 1; the session ended with reason agentEnded$/,
    );
  });

  it('says the session has not ended when the awaited end never comes', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectBot: { customer: pat, event: session.ended, reason: agentEnded, within: 100ms }',
    ]);
    expect(failureAt(result, 1, 'expectBot')).toMatch(
      /^timed out after 100 ms .*session\.ended \(agentEnded\); the session has not ended$/,
    );
  });

  it('says the bot received nothing when nothing arrived', async () => {
    const result = await run(['expectBot: { customer: pat, within: 100ms }']);
    expect(failureAt(result, 0, 'expectBot')).toMatch(
      /^timed out after 100 ms .*receive an event; the bot received no event$/,
    );
  });
});

describe('expectAgentReceived', () => {
  it("counts only customer messages of the agent's own conversation", async () => {
    const result = await run([
      ...ANSWERED,
      // Sam waits in General with nobody on queue: his message is in another conversation.
      'offQueue: alda',
      'transfer: { customer: sam, queue: General, message: from sam }',
      // Alda's own message is in her conversation, but it is not one she received.
      'say: { agent: alda, text: from alda }',
      'expectAgentReceived: { agent: alda, text: { contains: from }, within: 100ms }',
    ]);
    expect(failureAt(result, 7, 'expectAgentReceived')).toMatch(
      /^timed out after 100 ms .* waiting for alda to receive contains "from"; the nearest of the 1 customer message that arrived: "hi"$/,
    );
  });
});

describe('expectParticipantData', () => {
  const transferred =
    'transfer: { customer: pat, queue: General, metadata: { customerId: C-7 }, message: hi }';

  it('equals passes on exactly the attributes in any key order, and fails on fewer', async () => {
    const result = await run([
      transferred,
      // Written in the other order from the one the attributes are stored in.
      'expectParticipantData: { customer: pat, equals: { QueueName: General, customerId: C-7 } }',
      'expectParticipantData: { customer: pat, equals: { customerId: C-7 } }',
    ]);
    expect(failureAt(result, 2, 'expectParticipantData')).toMatch(/is not exactly \{"customerId":"C-7"\}$/);
    expect(result.failure!.detail).toEqual({ customerId: 'C-7', QueueName: 'General' });
  });

  it('contains fails on a different value, naming the key, the value and the expected one', async () => {
    const result = await run([
      transferred,
      'expectParticipantData: { customer: pat, contains: { customerId: C-8 } }',
    ]);
    expect(failureAt(result, 1, 'expectParticipantData')).toMatch(/ customerId is "C-7", expected "C-8"$/);
  });

  it('metadata fails on a different value under the name WebChat gives it (context.<key>)', async () => {
    const result = await run(
      [transferred, 'expectParticipantData: { customer: pat, metadata: { customerId: C-8 } }'],
      {
        channel: 'webchat',
      },
    );
    expect(failureAt(result, 1, 'expectParticipantData')).toMatch(
      / context\.customerId is "C-7", expected "C-8"$/,
    );
  });

  it('absent fails on a key that is there', async () => {
    const result = await run([transferred, 'expectParticipantData: { customer: pat, absent: [customerId] }']);
    expect(failureAt(result, 1, 'expectParticipantData')).toMatch(/ has customerId, expected it absent$/);
  });
});

describe('expectConversation', () => {
  it('queuedIn fails when the conversation waits in another queue', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectConversation: { customer: pat, queuedIn: Shoes Support, within: 100ms }',
    ]);
    expect(failureAt(result, 1, 'expectConversation')).toMatch(
      /^timed out after 100 ms .*pat's conversation to be queued in Shoes Support$/,
    );
  });

  it('connectedTo fails while the agent is only alerted', async () => {
    const result = await run([
      'onQueue: alda',
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectAlert: { agent: alda }',
      'expectConversation: { customer: pat, connectedTo: alda, within: 100ms }',
    ]);
    expect(failureAt(result, 3, 'expectConversation')).toMatch(
      /waiting for pat's conversation to be connected to alda$/,
    );
  });

  it('connectedTo passes once the agent answered (the run then fails only at the next step)', async () => {
    const result = await run([
      ...ANSWERED,
      'expectConversation: { customer: pat, connectedTo: alda, ended: false, within: 1s }',
      'expectConversation: { customer: pat, ended: true, within: 100ms }',
    ]);
    expect(failureAt(result, 5, 'expectConversation')).toMatch(/waiting for pat's conversation to be ended$/);
  });

  it('ended fails while the conversation is still open, saying every condition', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectConversation: { customer: pat, queuedIn: General, ended: true, within: 100ms }',
    ]);
    expect(failureAt(result, 1, 'expectConversation')).toMatch(
      /waiting for pat's conversation to be queued in General, ended$/,
    );
  });
});

describe('expectFlow', () => {
  it('fails when no flow ran (WebChat routes without one)', async () => {
    const result = await run(
      [
        'transfer: { customer: pat, queue: General, message: hi }',
        'expectFlow: { customer: pat, queue: General }',
      ],
      { channel: 'webchat' },
    );
    expect(failureAt(result, 1, 'expectFlow')).toMatch(/^no flow ran/);
  });

  it('queue fails on another queue, naming the one the flow chose', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: Shoes Support, message: hi }',
      'expectFlow: { customer: pat, queue: General }',
    ]);
    expect(failureAt(result, 1, 'expectFlow')).toMatch(/transferred to Shoes Support, expected General$/);
  });

  it('output passes on the path the flow took and fails on one it did not take', async () => {
    const result = await run([
      // No queue has this name: Transfer to ACD takes its failure path, then the default queue.
      'transfer: { customer: pat, queue: Sports Suport, message: hi }',
      'expectFlow: { customer: pat, queue: General, output: failure }',
      'expectFlow: { customer: pat, output: found }',
    ]);
    expect(failureAt(result, 2, 'expectFlow')).toMatch(/never took the "found" path/);
  });

  it('action passes on an action that ran and fails on one that did not', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: Shoes Support, message: hi }',
      'expectFlow: { customer: pat, action: Transfer to requested queue }',
      'expectFlow: { customer: pat, action: Transfer to default queue }',
    ]);
    expect(failureAt(result, 2, 'expectFlow')).toMatch(
      /never ran an action named "Transfer to default queue"/,
    );
  });
});

describe('expectTimeline', () => {
  it("counts the named customer's entries, or every entry without a customer", async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'transfer: { customer: sam, queue: General, message: hi }',
      'expectTimeline: { customer: pat, type: conversation.created, contains: { mediaType: message }, count: 1 }',
      'expectTimeline: { type: conversation.created, count: 1 }',
    ]);
    expect(failureAt(result, 3, 'expectTimeline')).toMatch(
      /^expected 1 timeline entry of type conversation\.created, found 2$/,
    );
  });

  it('contains fails when no entry has those fields, saying what it looked for', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectTimeline: { customer: pat, type: conversation.created, contains: { mediaType: voice }, count: 1 }',
    ]);
    expect(failureAt(result, 1, 'expectTimeline')).toMatch(
      /conversation\.created containing \{"mediaType":"voice"\}, found 0$/,
    );
  });

  it('without a count, fails when there is no such entry', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectTimeline: { customer: pat, type: agent.noanswer }',
    ]);
    expect(failureAt(result, 1, 'expectTimeline')).toMatch(
      /expected a timeline entry of type agent\.noanswer, found 0$/,
    );
  });
});
