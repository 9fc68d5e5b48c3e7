import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { FixtureError } from '../../emulator/index.ts';
import { startCustomer } from '../support/agents.ts';
import { injectableEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';

function fixtureWithFlow(flowYaml: string) {
  return withMessengerFlow(flowYaml, { flowName: 'Test Flow', deploymentId: 'test-deployment' });
}

const TRIAGE_FLOW = stringify({
  inboundShortMessage: {
    name: 'Triage',
    startUpRef: './states/state[Start_1]',
    defaultLanguage: 'en-us',
    settingsErrorHandling: { errorHandling: { disconnect: { none: true } } },
    variables: [{ stringVariable: { name: 'Flow.Intent', initialValue: { noValue: true } } }],
    states: [
      {
        state: {
          name: 'Start',
          refId: 'Start_1',
          actions: [
            {
              getParticipantData: {
                name: 'Read intent',
                attributes: [{ attribute: { name: { lit: 'intent' }, variable: 'Flow.Intent' } }],
              },
            },
            {
              sendResponse: {
                name: 'Greet',
                messageBody: { exp: 'Append("Thanks, ", Message.Message.body, " - routing you now")' },
              },
            },
            {
              switch: {
                name: 'By intent',
                evaluate: {
                  firstTrue: {
                    default: {
                      actions: [
                        { transferToAcd: { name: 'General', targetQueue: { lit: { name: 'General' } } } },
                      ],
                    },
                    cases: [
                      {
                        case: {
                          value: { exp: 'Lower(Flow.Intent) == "sports"' },
                          actions: [
                            {
                              transferToAcd: {
                                name: 'Sports',
                                targetQueue: { lit: { name: 'Sports Support' } },
                              },
                            },
                          ],
                        },
                      },
                      {
                        case: {
                          value: { exp: 'Flow.Intent == "goodbye"' },
                          actions: [
                            { sendResponse: { name: 'Bye', messageBody: { lit: 'Goodbye!' } } },
                            { disconnect: { name: 'Hang up' } },
                          ],
                        },
                      },
                    ],
                  },
                },
              },
            },
            { disconnect: { name: 'Disconnect' } },
          ],
        },
      },
    ],
  },
});

describe('inbound message flows on the conversation core', () => {
  it.each([
    [
      'QueueName names a queue',
      { QueueName: 'Shoes Support' },
      'Shoes Support',
      'Transfer to requested queue',
    ],
    [
      'QueueName in another letter case',
      { QueueName: 'shoes support' },
      'Shoes Support',
      'Transfer to requested queue',
    ],
    ['QueueName missing', {}, 'General', 'Transfer to default queue'],
    ['QueueName names no queue', { QueueName: 'No Such Queue' }, 'General', 'Transfer to default queue'],
  ])('the default flow routes dynamically: %s', async (_name, attributes, queueName, transferAction) => {
    const emulator = await injectableEmulator();
    const deploymentId = emulator.fixture.deployments.messenger[0]!.id;
    const cid = await startCustomer(emulator, { deploymentId, attributes, text: 'hi' });

    const queue = emulator.fixture.queues.find((q) => q.name === queueName)!;
    expect(emulator.waiting(queue.id)).toEqual([cid]);
    const [run] = emulator.events.ofType('flow.run', { conversationId: cid });
    expect(run?.data).toMatchObject({ outcome: 'transfer', queue: { id: queue.id, name: queueName } });
    const trace = run!.data.trace;
    const read = trace.find((t) => t.kind === 'participantDataRead');
    expect(read?.kind === 'participantDataRead' && read.value).toBe(
      (attributes as Record<string, string>).QueueName ?? undefined,
    );
    const actions = trace.filter((t) => t.kind === 'action');
    expect(actions.at(-1)?.name).toBe(transferAction);

    // The routing decision names every member it considered and why each was passed over.
    const decision = emulator.events.ofType('routing.decision', { conversationId: cid })[0]!;
    expect(decision.data).toMatchObject({ queueName, outcome: 'waiting' });
    const candidates = decision.data.candidates;
    // The queue's members as the org defines them (a user's queues name queues exactly; the fixture checks).
    const members = emulator.fixture.users.filter((u) => u.queues.includes(queueName));
    expect(candidates.length).toBe(members.length);
    expect(candidates.every((c) => c.skipped === 'OFF_QUEUE')).toBe(true);
  });

  it('runs decision/switch flows, and Send Response text reaches the customer before routing', async () => {
    const emulator = await injectableEmulator({ fixture: fixtureWithFlow(TRIAGE_FLOW) });
    const sports = emulator.fixture.queues.find((q) => q.name === 'Sports Support')!;
    const cid = await startCustomer(emulator, {
      deploymentId: 'test-deployment',
      attributes: { intent: 'SPORTS' },
      text: 'ball?',
    });
    expect(emulator.waiting(sports.id)).toEqual([cid]);
    const messages = emulator.conversations.get(cid)!.messages.map((m) => [m.purpose, m.text]);
    expect(messages).toEqual([
      ['customer', 'ball?'],
      ['workflow', 'Thanks, ball? - routing you now'],
    ]);
    const trace = emulator.events.ofType('flow.run', { conversationId: cid })[0]!.data.trace;
    expect(trace.flatMap((t) => (t.kind === 'outputPath' ? [t.output] : []))).toEqual(['case[0]']);

    const bye = await startCustomer(emulator, {
      deploymentId: 'test-deployment',
      attributes: { intent: 'goodbye' },
      text: 'bye',
    });
    const ended = emulator.conversations.get(bye)!;
    expect(ended.endTime).toBeDefined();
    expect(ended.messages.map((m) => m.text)).toEqual(['bye', 'Thanks, bye - routing you now', 'Goodbye!']);
  });

  it('refuses at load a fixture whose flow uses an unsupported action, naming the flow and where', () => {
    const flow = parse(TRIAGE_FLOW) as {
      inboundShortMessage: { states: { state: { actions: unknown[] } }[] };
    };
    flow.inboundShortMessage.states[0]!.state.actions.splice(1, 0, {
      callData: { name: 'Look up customer', timeout: { lit: { minutes: 1 } } },
    });
    return expect(injectableEmulator({ fixture: fixtureWithFlow(stringify(flow)) })).rejects.toSatisfy(
      (e: unknown) => {
        expect(e).toBeInstanceOf(FixtureError);
        const message = (e as Error).message;
        expect(message).toContain('Test Flow');
        expect(message).toContain('callData');
        expect(message).toMatch(/:\d+: inboundShortMessage\.states\[0\]\(Start\)\.actions\[1\]\.callData/);
        return true;
      },
    );
  });
});
