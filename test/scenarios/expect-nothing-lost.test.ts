import { describe, expect, it } from 'vitest';
import type { BridgeEvent } from '../../bridge/index.ts';
import type { DomainEvent } from '../../emulator/index.ts';
import { CustomerActor } from '../../scenarios/runner/customer-actor.ts';
import type { ScenarioStep } from '../../scenarios/runner/load.ts';
import { parseScenario } from '../../scenarios/runner/load.ts';
import { runScenario } from '../../scenarios/runner/run.ts';
import { type Cast, STEP_HANDLERS } from '../../scenarios/runner/steps.ts';
import { ExpectationFailed, type World } from '../../scenarios/runner/world.ts';

/**
 * `expectNothingLost` is the library's loss-and-duplicate guarantee: every customer message reached
 * Genesys exactly once, in order, and the bot got every agent message exactly once, in order. A run never
 * has a duplicate unless something is broken, so these runs are built by hand: the emulator timeline
 * (`message.sent` entries) and the bot's bridge events of one conversation, as a run records them, then
 * the same with one message arriving twice, in each direction. The step must pass the clean run and fail
 * each broken one with a message that says what arrived how often.
 */

const CONVERSATION = 'c0ffee00-0000-4000-8000-000000000001';
const SESSION = 'session-1';
let seq = 0;
let messageIds = 0;

function sent(purpose: 'customer' | 'agent', text: string, conversationId = CONVERSATION): DomainEvent {
  seq += 1;
  messageIds += 1;
  const event: DomainEvent<'message.sent'> = {
    seq,
    time: new Date(Date.UTC(2026, 0, 1, 9, 0, seq)).toISOString(),
    type: 'message.sent',
    conversationId,
    data: {
      message: {
        id: `m-${messageIds}`,
        participantId: purpose === 'customer' ? 'p-customer' : 'p-agent',
        purpose,
        text,
        time: Date.UTC(2026, 0, 1, 9, 0, seq),
        direction: purpose === 'customer' ? 'inbound' : 'outbound',
      },
    },
  };
  return event;
}

let botSeq = 0;
/** What the bot receives for an agent message; `providerId` is Genesys's message id. */
function agentMessage(text: string, providerId: string, origin: 'human' | 'bot' = 'human'): BridgeEvent {
  botSeq += 1;
  return {
    eventId: `${SESSION}:${botSeq}`,
    sessionId: SESSION,
    seq: botSeq,
    occurredAt: '2026-01-01T09:00:00.000Z',
    observedAt: '2026-01-01T09:00:00.000Z',
    channel: 'webMessaging',
    source: 'guestApi',
    type: 'agent.message',
    origin,
    agent: { displayName: 'Alda Moore' },
    message: { id: providerId, text },
  };
}

interface Run {
  timeline: DomainEvent[];
  botEvents: BridgeEvent[];
  customerSent: string[];
  conversationIds?: string[];
}

/** A clean run: two customer messages, a flow greeting, two agent replies, each once and in order. */
function cleanRun(): Run {
  return {
    timeline: [
      sent('customer', 'I would like to talk to a person'),
      sent('customer', 'My bill is wrong'),
      sent('agent', 'Hi Pat, this is Alda'),
      sent('customer', 'Thanks'),
      sent('agent', 'Let me check that'),
    ],
    botEvents: [
      agentMessage('Connecting you to an agent…', 'g-1', 'bot'),
      agentMessage('Hi Pat, this is Alda', 'g-2'),
      agentMessage('Let me check that', 'g-3'),
    ],
    customerSent: ['My bill is wrong', 'Thanks'],
  };
}

async function expectNothingLost(run: Run): Promise<void> {
  const pat = new CustomerActor('pat', 'Pat', 'C-1001');
  pat.sessionId = SESSION;
  pat.conversationIds = run.conversationIds ?? [CONVERSATION];
  pat.events = run.botEvents;
  pat.sent = run.customerSent;
  const cast: Cast = { customers: new Map([['pat', pat]]), agents: new Map() };
  // The step reads the timeline after letting in-flight I/O settle; nothing else of the world.
  const world = { timeline: run.timeline, settle: async () => {} } as unknown as World;
  const step: ScenarioStep<'expectNothingLost'> = {
    verb: 'expectNothingLost',
    args: { customer: 'pat' },
    index: 0,
  };
  await STEP_HANDLERS.expectNothingLost(world, cast, step.args, step);
}

async function failureOf(run: Run): Promise<ExpectationFailed> {
  const error = await expectNothingLost(run).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, 'expectNothingLost passed a run with a duplicate or a loss').toBeInstanceOf(
    ExpectationFailed,
  );
  return error as ExpectationFailed;
}

describe('expectNothingLost', () => {
  it('passes a run where every message arrived once, in order', async () => {
    await expect(expectNothingLost(cleanRun())).resolves.toBeUndefined();
  });

  it('fails when a customer message reaches Genesys twice', async () => {
    const run = cleanRun();
    // The bridge's send was taken twice by Genesys: two messages, two ids, the same text.
    run.timeline.splice(2, 0, sent('customer', 'My bill is wrong'));
    const failure = await failureOf(run);
    expect(failure.message).toBe('customer message "My bill is wrong" reached Genesys 2 times');
    expect(failure.detail).toEqual([
      'I would like to talk to a person',
      'My bill is wrong',
      'My bill is wrong',
      'Thanks',
    ]);
  });

  it('fails when a customer message reaches Genesys twice across two conversations of the customer', async () => {
    const run = cleanRun();
    const second = 'c0ffee00-0000-4000-8000-000000000002';
    run.conversationIds = [CONVERSATION, second];
    run.timeline.push(sent('customer', 'Thanks', second));
    const failure = await failureOf(run);
    expect(failure.message).toBe('customer message "Thanks" reached Genesys 2 times');
  });

  it('fails when the bot receives an agent message twice', async () => {
    const run = cleanRun();
    // The same Genesys message (same id) delivered to the bot a second time.
    run.botEvents.push(agentMessage('Let me check that', 'g-3'));
    const failure = await failureOf(run);
    expect(failure.message).toBe('the bot did not receive every agent message exactly once, in order');
    expect(failure.detail).toEqual({
      agentTexts: ['Hi Pat, this is Alda', 'Let me check that'],
      botTexts: ['Hi Pat, this is Alda', 'Let me check that', 'Let me check that'],
    });
  });

  it('fails when the bot receives an agent message twice even if its order is otherwise right', async () => {
    const run = cleanRun();
    run.botEvents.splice(2, 0, agentMessage('Hi Pat, this is Alda', 'g-2'));
    const failure = await failureOf(run);
    expect(failure.message).toMatch(/did not receive every agent message exactly once/);
  });

  it('fails when a message is lost, either way', async () => {
    const lostCustomer = cleanRun();
    lostCustomer.timeline = lostCustomer.timeline.filter(
      (e) => e.type !== 'message.sent' || e.data.message.text !== 'Thanks',
    );
    expect((await failureOf(lostCustomer)).message).toBe('customer message "Thanks" reached Genesys 0 times');
    const lostAgent = cleanRun();
    lostAgent.botEvents.pop();
    expect((await failureOf(lostAgent)).message).toMatch(/did not receive every agent message exactly once/);
  });

  it('passes a run where the customer legitimately says the same text twice', async () => {
    const run = cleanRun();
    run.timeline.push(sent('customer', 'ok'), sent('customer', 'ok'));
    run.customerSent.push('ok', 'ok');
    await expect(expectNothingLost(run)).resolves.toBeUndefined();
  });

  it('fails when a text said twice reaches Genesys three times, or once', async () => {
    const thrice = cleanRun();
    thrice.timeline.push(sent('customer', 'ok'), sent('customer', 'ok'), sent('customer', 'ok'));
    thrice.customerSent.push('ok', 'ok');
    expect((await failureOf(thrice)).message).toBe(
      'customer message "ok" was sent 2 times and reached Genesys 3 times',
    );
    const once = cleanRun();
    once.timeline.push(sent('customer', 'ok'));
    once.customerSent.push('ok', 'ok');
    expect((await failureOf(once)).message).toBe(
      'customer message "ok" was sent 2 times and reached Genesys 1 time',
    );
  });

  it("fails when the transfer's opening text reaches Genesys twice", async () => {
    const run = cleanRun();
    // The transfer step records the opening texts it had the bridge send (here the initial message).
    run.customerSent.unshift('I would like to talk to a person');
    run.timeline.splice(1, 0, sent('customer', 'I would like to talk to a person'));
    expect((await failureOf(run)).message).toBe(
      'customer message "I would like to talk to a person" reached Genesys 2 times',
    );
  });

  it('fails when customer messages reach Genesys out of order', async () => {
    const run = cleanRun();
    run.customerSent = ['Thanks', 'My bill is wrong'];
    expect((await failureOf(run)).message).toBe('customer messages reached Genesys out of order');
  });
});

/**
 * Real runs: the transfer step counts the texts that open the conversation (the initial message, or
 * the handoff text when there is none), so a customer who then says the same text again is two sends
 * and two arrivals, not a duplicate.
 */
describe('expectNothingLost in a real run', () => {
  const story = (transfer: string, text: string) => `name: the same text twice
actors:
  pat: { customer: {} }
  alda: { agent: Alda Moore }
steps:
  - onQueue: alda
  - transfer: ${transfer}
  - expectAlert: { agent: alda }
  - answer: alda
  - say: { customer: pat, text: "${text}" }
  - say: { customer: pat, text: "${text}" }
  - expectAgentReceived: { agent: alda, text: "${text}" }
  - say: { agent: alda, text: ok }
  - say: { agent: alda, text: ok }
  - expectBot: { customer: pat, text: ok, count: 2 }
  - expectNothingLost: { customer: pat }
`;

  it.each(['webmessaging', 'webchat'] as const)(
    'passes when the customer says the initial message again, twice [%s]',
    async (channel) => {
      const scenario = parseScenario(story('{ customer: pat, message: ok }', 'ok'), 'same-text.yaml');
      const result = await runScenario(scenario, channel);
      expect(result.passed, result.failure?.message).toBe(true);
    },
  );

  it('passes when the customer says the handoff text that opened the conversation', async () => {
    const handoff = 'Customer transferred from the virtual assistant.';
    const scenario = parseScenario(story('{ customer: pat }', handoff), 'handoff-text.yaml');
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.passed, result.failure?.message).toBe(true);
  });
});
