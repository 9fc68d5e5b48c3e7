import { describe, expect, it } from 'vitest';
import { resolveBridgeConfigSet } from '../../bridge/config.ts';
import { type Bridge, BridgeFailure } from '../../bridge/index.ts';
import type { Agent, AgentLeg, DomainEvent, Fixture } from '../../emulator/index.ts';
import {
  parseScenario,
  runScenario,
  type ScenarioChannel,
  type ScenarioResult,
} from '../../scenarios/index.ts';
import { CustomerActor } from '../../scenarios/runner/customer-actor.ts';
import { InProcessWorld } from '../../scenarios/runner/in-process-world.ts';
import type { ScenarioStep } from '../../scenarios/runner/load.ts';
import type { StepVerb } from '../../scenarios/runner/schema.ts';
import { type Cast, STEP_HANDLERS } from '../../scenarios/runner/steps.ts';
import { Transcript } from '../../scenarios/runner/transcript.ts';
import {
  type ConversationView,
  ExpectationFailed,
  StepSkipped,
  type World,
} from '../../scenarios/runner/world.ts';
import { startEmulator } from '../support/emulators.ts';

/**
 * What each step does and says, beyond what the library's stories and step-expectations.test.ts show:
 * the transcript lines a step writes (the story a failed run is read by), the run time a step lets pass,
 * and the branches only a target without a control plane or a misbehaving bridge reaches. Two kinds of
 * test: short scenarios on the in-process emulator (what an author sees), and single steps run against
 * a hand-built world (a target or a bridge in a state the in-process emulator never gets into), as
 * expect-nothing-lost.test.ts does.
 */

// ---- short scenarios on the in-process emulator

const ACTORS = `actors:
  pat: { customer: {} }
  sam: { customer: {} }
  alda: { agent: Alda Moore }
  mia: { agent: Mia Welch }
steps:
`;

function run(steps: readonly string[], channel: ScenarioChannel = 'webmessaging'): Promise<ScenarioResult> {
  const text = `name: step bites\n${ACTORS}${steps.map((s) => `  - ${s}\n`).join('')}`;
  return runScenario(parseScenario(text, 'bites.yaml'), channel);
}

function passed(result: ScenarioResult): ScenarioResult {
  expect(result.failure, result.transcript).toBeUndefined();
  return result;
}

function failureAt(result: ScenarioResult, stepIndex: number, verb: string): string {
  expect(result.failure, result.transcript).toMatchObject({ stepIndex, verb });
  return result.failure!.message;
}

/** The time (hh:mm:ss.mmm) of the transcript line of step `n` (1-based, as the transcript numbers it). */
function stepTime(result: ScenarioResult, n: number): string {
  const line = result.transcript.split('\n').find((l) => new RegExp(`^\\S+ step +${n}\\. `).test(l));
  expect(line, result.transcript).toBeDefined();
  return line!.slice(0, 12);
}

/** The transcript lines, trimmed of their time, in order. */
function lines(result: ScenarioResult): string[] {
  return result.transcript.split('\n').map((l) => l.slice(13));
}

const ANSWERED = [
  'onQueue: alda',
  'transfer: { customer: pat, queue: General, message: hi }',
  'expectAlert: { agent: alda }',
  'answer: alda',
];

describe('transfer', () => {
  it('gives the bridge the bot conversation id <actor>-<n>, so the bot finds the session by it', async () => {
    const world = await InProcessWorld.create({ channel: 'webmessaging', seed: 1 });
    try {
      const pat = new CustomerActor('pat', 'Pat', 'customer-1');
      const cast: Cast = { customers: new Map([['pat', pat]]), agents: new Map() };
      await step(world, cast, 'transfer', { customer: 'pat', queue: 'General', message: 'hi' });
      const session = await world.bridge.findSession('pat-1');
      expect(session?.sessionId).toBe(pat.sessionId);
      expect(session?.botConversationId).toBe('pat-1');
      pat.unsubscribe?.();
    } finally {
      await world.close();
    }
  });

  it("records the bridge's metadata report and warnings in the transcript", async () => {
    const result = passed(await run(['transfer: { customer: pat, queue: General, metadata: { who: pat } }']));
    expect(result.fullTranscript).toMatch(
      /runner +pat: transfer queued\n +\{"metadata":\{"sent":\["who","QueueName"\],.*\},"warnings":\[\]\}\n/,
    );
  });

  it('a transfer the bridge refuses up front has no metadata report and no warnings', async () => {
    // A blank queue name is refused before anything is sent (INVALID_REQUEST, thrown by startTransfer).
    const result = passed(
      await run(['transfer: { customer: pat, queue: " ", message: hi, expectFailure: INVALID_REQUEST }']),
    );
    expect(result.fullTranscript).toMatch(
      /runner +pat: transfer failed \(INVALID_REQUEST\)\n +\{"warnings":\[\]\}$/,
    );
  });

  it("a second customer's transfer is matched to its own conversation, not the first one's", async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, metadata: { who: pat }, message: hi }',
      'transfer: { customer: sam, queue: General, metadata: { who: sam }, message: hello }',
      'expectParticipantData: { customer: sam, contains: { who: sam } }',
      'expectParticipantData: { customer: pat, contains: { who: pat } }',
      'expectParticipantData: { customer: sam, contains: { who: pat } }',
    ]);
    expect(failureAt(result, 4, 'expectParticipantData')).toBe(
      'Participant Data who is "sam", expected "pat"',
    );
  });

  it("is matched to the conversation it created, not to what another customer's conversation did meanwhile", async () => {
    passed(
      await run([
        'onQueue: alda',
        'transfer: { customer: sam, queue: General, message: hi }',
        'expectAlert: { agent: alda }',
        'answer: alda',
        // Sam's message reaches Genesys while Pat's transfer is under way, before Pat's conversation exists.
        'say: { customer: sam, text: one }',
        'transfer: { customer: pat, queue: General, metadata: { who: pat }, message: hello }',
        'expectParticipantData: { customer: pat, contains: { who: pat } }',
      ]),
    );
  });
});

describe('say', () => {
  it('numbers each customer message <actor>-m<n> and says in the transcript how the bridge took it', async () => {
    const result = passed(
      await run([
        ...ANSWERED,
        'say: { customer: pat, text: first }',
        'say: { customer: pat, text: second }',
        'expectAgentReceived: { agent: alda, text: second }',
      ]),
    );
    const said = lines(result);
    expect(said).toContain('runner   pat says: first (queued)');
    expect(said).toContain('runner   pat says: second (queued)');
    expect(result.transcript).toMatch(/bridge +#\d+ message\.status: pat-m1 sent$/m);
    expect(result.transcript).toMatch(/bridge +#\d+ message\.status: pat-m2 sent$/m);
  });
});

describe('typing', () => {
  it("a customer's typing reaches Genesys as the customer typing", async () => {
    const result = await run([
      ...ANSWERED,
      'typing: { customer: pat }',
      'expectTimeline: { customer: pat, type: typing.sent, contains: { purpose: customer }, count: 1 }',
    ]);
    passed(result);
  });
});

describe('agents', () => {
  it('offQueue takes the agent off queue', async () => {
    const result = await run([
      'onQueue: alda',
      'expectRoutingStatus: { agent: alda, is: IDLE }',
      'offQueue: alda',
      'expectRoutingStatus: { agent: alda, is: IDLE }',
    ]);
    expect(failureAt(result, 3, 'expectRoutingStatus')).toBe('alda is OFF_QUEUE, expected IDLE');
  });

  it("letAlertTimeOut moves time to the alert's deadline and leaves the agent on the conversation they hold", async () => {
    const result = passed(
      await run([
        'onQueue: alda',
        'transfer: { customer: sam, queue: General, message: hi }',
        'expectAlert: { agent: alda }',
        'answer: alda',
        'transfer: { customer: pat, queue: General, message: hello }',
        'expectAlert: { agent: alda }',
        'letAlertTimeOut: alda',
        // Alda's current conversation is Sam's again: the alert that timed out is no longer hers.
        'say: { agent: alda, text: still with you }',
        'expectBot: { customer: sam, text: still with you }',
      ]),
    );
    expect(lines(result)).toContain('runner   alda lets the alert time out');
    // General's alerting timeout is 30 s: the alert times out then, and nothing later happens first.
    expect(stepTime(result, 7)).toBe('09:00:00.000');
    expect(stepTime(result, 8)).toBe('09:00:30.000');
    expect(result.transcript).toMatch(/^09:00:30\.000 emulator .* Alda Moore did not answer$/m);
  });
});

describe('advance', () => {
  it('says in the transcript how far the clock moves, and moves it that far', async () => {
    const result = passed(await run(['advance: 30s', 'advance: 1500ms', 'onQueue: alda']));
    const said = lines(result);
    expect(said).toContain('runner   clock advances 30s');
    expect(said).toContain('runner   clock advances 1500ms');
    expect(stepTime(result, 3)).toBe('09:00:31.500');
  });
});

describe('sockets and faults', () => {
  it('dropCustomerSocket says the emulator dropped it, and the bridge reconnects', async () => {
    const result = passed(
      await run([
        ...ANSWERED,
        'dropCustomerSocket: pat',
        'expectBot: { customer: pat, event: connection.changed }',
      ]),
    );
    expect(lines(result)).toContain("runner   pat's guest socket dropped by the emulator");
  });

  it('reconnect ends only once the bridge is back online', async () => {
    const result = passed(
      await run([...ANSWERED, 'reconnect: { customer: pat }', 'say: { customer: pat, text: back }']),
    );
    const said = lines(result);
    const online = said.findIndex((l) => /^bridge +#\d+ connection\.changed: online$/.test(l));
    const next = said.findIndex((l) => l.startsWith('step     6. say'));
    expect(said.findIndex((l) => /connection\.changed: reconnecting$/.test(l))).toBeGreaterThan(-1);
    expect(online, result.transcript).toBeGreaterThan(-1);
    expect(next).toBeGreaterThan(online);
  });

  it('a second reconnect waits for its own "online", not the first one\'s', async () => {
    const result = passed(
      await run([
        ...ANSWERED,
        'reconnect: { customer: pat }',
        'reconnect: { customer: pat }',
        'say: { customer: pat, text: back }',
      ]),
    );
    const said = lines(result);
    const onlines = said.flatMap((l, i) => (/^bridge +#\d+ connection\.changed: online$/.test(l) ? [i] : []));
    const next = said.findIndex((l) => l.startsWith('step     7. say'));
    expect(onlines, result.transcript).toHaveLength(2);
    expect(next, result.transcript).toBeGreaterThan(onlines[1]!);
  });

  it('failNext and slowNext pass when the emulator takes the fault', async () => {
    passed(
      await run([
        'failNext: { path: /api/v2/conversations, status: 429, retryAfterSeconds: 5 }',
        'slowNext: { path: /api/v2/conversations, delay: 2s }',
      ]),
    );
  });

  it('failNext fails with what the emulator said when it refuses the fault', async () => {
    const result = await run([
      'failNext: { path: /api/v2/conversations, status: 429, retryAfterSeconds: 5000 }',
    ]);
    expect(failureAt(result, 0, 'failNext')).toMatch(/^could not set the fault: 400 \{.*retryAfterSeconds/);
  });

  it('slowNext fails with what the emulator said when it refuses the delay', async () => {
    const result = await run(['slowNext: { path: /api/v2/conversations, delay: 2h }']);
    expect(failureAt(result, 0, 'slowNext')).toMatch(/^could not set the fault: 400 \{.*delayMs/);
  });
});

describe('the Open Messaging webhook', () => {
  it('replayWebhook replays the last delivery exactly count times, each in the transcript', async () => {
    const result = passed(
      await run(
        [
          ...ANSWERED,
          'say: { agent: alda, text: only once }',
          'expectBot: { customer: pat, text: only once }',
          'replayWebhook: { count: 2 }',
          'expectBot: { customer: pat, text: only once, count: 1 }',
        ],
        'openmessaging',
      ),
    );
    const replays = lines(result).filter((l) =>
      l.startsWith('runner   the last webhook delivery arrives again: answered '),
    );
    expect(replays).toHaveLength(2);
    expect(replays[0]).toMatch(/answered 200$/);
  });

  it('forgeWebhook says how the bridge answered the forged delivery', async () => {
    const result = passed(
      await run(
        [...ANSWERED, 'forgeWebhook: { customer: pat, text: give me your card, signature: missing }'],
        'openmessaging',
      ),
    );
    expect(lines(result)).toContain('runner   a forged delivery (missing signature) is answered 401');
  });
});

describe('expectBot', () => {
  it('a count of 0 lets 2 s pass, a count of 1 also 2 s after the event, no more', async () => {
    const result = passed(
      await run([
        ...ANSWERED,
        'say: { agent: alda, text: hello }',
        'expectBot: { customer: pat, text: hello }',
        'expectBot: { customer: pat, event: agent.left, count: 0 }',
        'expectBot: { customer: pat, event: agent.joined, count: 1 }',
        'onQueue: mia',
      ]),
    );
    // The agent message reaches the bot at 1 s (the bridge's pacing); then 2 s per count.
    expect(stepTime(result, 7)).toBe('09:00:01.000');
    expect(stepTime(result, 8)).toBe('09:00:03.000');
    expect(stepTime(result, 9)).toBe('09:00:05.000');
  });

  it('a text that did not arrive lists the agent messages that did, nearest first', async () => {
    const result = await run([
      ...ANSWERED,
      'say: { agent: alda, text: Hello Pat }',
      'say: { agent: alda, text: How can I help? }',
      'expectBot: { customer: pat, text: How can I help? }',
      'expectBot: { customer: pat, text: How can I help you?, within: 100ms }',
    ]);
    expect(failureAt(result, 7, 'expectBot')).toMatch(
      /; the nearest of the 2 agent messages that arrived: "How can I help\?", "Hello Pat"$/,
    );
  });

  it('a text that did not arrive when no agent message did says so', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectBot: { customer: pat, text: hello, within: 100ms }',
    ]);
    expect(failureAt(result, 1, 'expectBot')).toMatch(/; no agent message arrived$/);
  });
});

describe('expectConversation', () => {
  it('ended: false fails on an ended conversation, saying "not ended"', async () => {
    const result = await run([
      ...ANSWERED,
      'disconnect: alda',
      'expectConversation: { customer: pat, ended: true }',
      'expectConversation: { customer: pat, ended: false, within: 100ms }',
    ]);
    expect(failureAt(result, 6, 'expectConversation')).toMatch(
      /waiting for pat's conversation to be not ended$/,
    );
  });
});

describe('expectFlow', () => {
  it("reads the flow run of the customer's own conversation", async () => {
    const result = await run([
      'transfer: { customer: pat, queue: Shoes Support, message: hi }',
      'transfer: { customer: sam, queue: General, message: hi }',
      'expectFlow: { customer: pat, queue: Shoes Support }',
      'expectFlow: { customer: sam, queue: General }',
      'expectFlow: { customer: pat, queue: General }',
    ]);
    expect(failureAt(result, 4, 'expectFlow')).toBe(
      'the flow transferred to Shoes Support, expected General',
    );
  });
});

describe('expectTimeline', () => {
  it('a count other than 1 is worded as entries', async () => {
    const result = await run([
      'transfer: { customer: pat, queue: General, message: hi }',
      'expectTimeline: { customer: pat, type: conversation.created, count: 2 }',
    ]);
    expect(failureAt(result, 1, 'expectTimeline')).toBe(
      'expected 2 timeline entries of type conversation.created, found 1',
    );
  });

  it('with a count it lets 2 s pass first, so messages the bridge paces are counted; without, no time passes', async () => {
    const result = passed(
      await run([
        ...ANSWERED,
        'say: { customer: pat, text: a }',
        'say: { customer: pat, text: b }',
        'say: { customer: pat, text: c }',
        // hi, a and b go at once; c one second later (2 messages a second).
        'expectTimeline: { customer: pat, type: message.sent, contains: { message: { purpose: customer } }, count: 4 }',
        'expectTimeline: { customer: pat, type: conversation.created }',
        'onQueue: mia',
      ]),
    );
    expect(stepTime(result, 8)).toBe('09:00:00.000');
    expect(stepTime(result, 9)).toBe('09:00:02.000');
    expect(stepTime(result, 10)).toBe('09:00:02.000');
  });
});

// ---- single steps against a hand-built world

type AnyHandler = (world: World, cast: Cast, args: unknown, step: ScenarioStep) => Promise<void>;

function step(world: World, cast: Cast, verb: StepVerb, args: unknown): Promise<void> {
  return (STEP_HANDLERS[verb] as AnyHandler)(world, cast, args, { verb, args, index: 0 } as ScenarioStep);
}

const START = Date.UTC(2026, 0, 1, 9);

interface FakeOptions {
  controlPlane?: boolean;
  manualClock?: boolean;
  bridge?: Partial<Bridge>;
  timeline?: DomainEvent[];
  fixture?: Fixture;
  webhook?: unknown;
  baseUrl?: string;
  conversation?: (id: string) => Promise<ConversationView | undefined>;
  waitingIn?: (queue: string) => Promise<readonly string[] | undefined>;
  waitFor?: World['waitFor'];
}

/**
 * A world as a target offers it: waits check once and time out at once (naming what they waited for),
 * a manual clock moves only when told, a system clock cannot be moved.
 */
function fakeWorld(o: FakeOptions = {}): World {
  let now = START;
  const manualClock = o.manualClock ?? true;
  const world = {
    channel: 'webmessaging',
    capabilities: { controlPlane: o.controlPlane ?? true, manualClock, agents: true },
    timeline: o.timeline ?? [],
    fixture: o.fixture,
    webhook: o.webhook,
    baseUrl: o.baseUrl ?? 'http://127.0.0.1:9',
    hosts: { loginBase: 'http://127.0.0.1:9', apiBase: 'http://127.0.0.1:9' },
    transcript: new Transcript(() => now),
    bridge: o.bridge,
    now: () => now,
    settle: async () => {},
    advance: async (ms: number) => {
      if (!manualClock) throw new Error('the target runs on the system clock');
      now += ms;
    },
    waitFor:
      o.waitFor ??
      (async <T>(what: string, withinMs: number, check: () => T | undefined | Promise<T | undefined>) => {
        const value = await check();
        if (value !== undefined) return value;
        throw new ExpectationFailed(`timed out after ${withinMs} ms waiting for ${what}`);
      }),
    conversation: o.conversation ?? (async () => undefined),
    waitingIn: o.waitingIn ?? (async () => undefined),
    close: async () => {},
  };
  return world as unknown as World;
}

function castOf(...customers: CustomerActor[]): Cast {
  return { customers: new Map(customers.map((c) => [c.actor, c])), agents: new Map() };
}

function customerActor(name: string, init: Partial<CustomerActor> = {}): CustomerActor {
  return Object.assign(new CustomerActor(name, name, `id-${name}`), init);
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => {
      throw new Error('the step passed');
    },
    (e: unknown) => e,
  );
}

const CONFIGS = resolveBridgeConfigSet({
  loginUrl: 'https://login.mypurecloud.ie',
  organizationId: '388927e4-41d2-4d15-8c32-9cd2812bcec3',
  deploymentId: 'a008543f-0580-4aa7-ab7f-f3c35d0bab79',
  channel: 'webMessaging',
  queueName: 'General',
});

/** A bridge that accepts every transfer as session s-1 and reports the given conversation id. */
function acceptingBridge(providerConversationId?: string, over: Partial<Bridge> = {}): Partial<Bridge> {
  return {
    configs: CONFIGS,
    startTransfer: async () => ({
      sessionId: 's-1',
      channel: 'webMessaging',
      state: 'queued',
      created: true,
      metadata: { sent: [], dropped: [], usedBytes: 0 },
      warnings: [],
    }),
    subscribe: () => () => {},
    getSession: async () =>
      ({
        provider: providerConversationId === undefined ? {} : { conversationId: providerConversationId },
      }) as Awaited<ReturnType<Bridge['getSession']>>,
    ...over,
  };
}

describe('letting stragglers land (a count)', () => {
  const countZero = { customer: 'pat', event: 'agent.message', count: 0 };

  it('moves a manual clock by 2 s', async () => {
    const world = fakeWorld();
    await step(world, castOf(customerActor('pat')), 'expectBot', countZero);
    expect(world.now() - START).toBe(2_000);
  });

  it('on a system clock, waits instead: the wait running out is the expected end', async () => {
    const world = fakeWorld({ manualClock: false });
    await step(world, castOf(customerActor('pat')), 'expectBot', countZero);
    expect(world.now()).toBe(START);
  });

  it('on a system clock, a wait that breaks for another reason fails the step with that error', async () => {
    const broken = new Error('target unreachable');
    const world = fakeWorld({
      manualClock: false,
      waitFor: async () => {
        throw broken;
      },
    });
    expect(await rejection(step(world, castOf(customerActor('pat')), 'expectBot', countZero))).toBe(broken);
  });
});

describe('expectBot on a broken wait', () => {
  it('fails with the error itself, not dressed as an expectation', async () => {
    const broken = new Error('target unreachable');
    const world = fakeWorld({
      waitFor: async () => {
        throw broken;
      },
    });
    const error = await rejection(
      step(world, castOf(customerActor('pat')), 'expectBot', { customer: 'pat' }),
    );
    expect(error).toBe(broken);
  });
});

describe('a customer whose conversation id the target never told', () => {
  it('skips the steps that read the conversation, saying why', async () => {
    const pat = customerActor('pat', { conversationUnknown: true, sessionId: 's-1' });
    const error = await rejection(
      step(fakeWorld(), castOf(pat), 'expectParticipantData', { customer: 'pat', contains: { a: 'b' } }),
    );
    expect(error).toBeInstanceOf(StepSkipped);
    expect((error as StepSkipped).reason).toBe(
      "pat's Genesys conversation id is unknown: Web Messaging does not tell the guest, the target has no control plane, and no agent was alerted for it",
    );
  });
});

describe('transfer against a target without a control plane', () => {
  it('takes the conversation id the bridge learned (WebChat)', async () => {
    const pat = customerActor('pat');
    const world = fakeWorld({ controlPlane: false, bridge: acceptingBridge('c-9') });
    await step(world, castOf(pat), 'transfer', { customer: 'pat', message: 'hi' });
    expect(pat.conversationIds).toEqual(['c-9']);
    expect(pat.conversationUnknown).toBe(false);
    expect(pat.sent).toEqual(['hi']);
  });

  it('without one (Web Messaging) records no conversation and waits to learn it', async () => {
    const pat = customerActor('pat');
    const world = fakeWorld({ controlPlane: false, bridge: acceptingBridge(undefined) });
    await step(world, castOf(pat), 'transfer', { customer: 'pat', message: 'hi' });
    expect(pat.conversationIds).toEqual([]);
    expect(pat.conversationUnknown).toBe(true);
  });

  it('a session the bridge no longer has is a conversation not known either', async () => {
    const pat = customerActor('pat');
    const bridge = acceptingBridge(undefined, { getSession: async () => undefined });
    await step(fakeWorld({ controlPlane: false, bridge }), castOf(pat), 'transfer', { customer: 'pat' });
    expect(pat.conversationUnknown).toBe(true);
  });
});

describe('transfer when the bridge misbehaves', () => {
  it('an error that is not a bridge refusal fails the step as it is', async () => {
    const broken = new TypeError('fetch failed');
    const bridge = acceptingBridge('c-1', {
      startTransfer: async () => {
        throw broken;
      },
    });
    const error = await rejection(
      step(fakeWorld({ bridge }), castOf(customerActor('pat')), 'transfer', { customer: 'pat' }),
    );
    expect(error).toBe(broken);
  });

  it('a refusal is a failed transfer, named by its code', async () => {
    const bridge = acceptingBridge('c-1', {
      startTransfer: async () => {
        throw new BridgeFailure({ code: 'FORBIDDEN', message: 'no', retryable: false } as never);
      },
    });
    const error = await rejection(
      step(fakeWorld({ bridge }), castOf(customerActor('pat')), 'transfer', { customer: 'pat' }),
    );
    expect((error as Error).message).toBe('the transfer failed: FORBIDDEN');
  });

  it('a failed result without an error says undefined instead of crashing', async () => {
    const failed = acceptingBridge('c-1', {
      startTransfer: async () =>
        ({ sessionId: '', state: 'failed', warnings: [] }) as unknown as Awaited<
          ReturnType<Bridge['startTransfer']>
        >,
    });
    const world = fakeWorld({ bridge: failed });
    expect(
      ((await rejection(step(world, castOf(customerActor('pat')), 'transfer', { customer: 'pat' }))) as Error)
        .message,
    ).toBe('the transfer failed: undefined');
    const expecting = await rejection(
      step(world, castOf(customerActor('pat')), 'transfer', { customer: 'pat', expectFailure: 'FORBIDDEN' }),
    );
    expect((expecting as Error).message).toBe('expected failure FORBIDDEN, got undefined');
    expect(world.transcript.entries.map((e) => e.text)).toEqual([
      'pat: transfer failed',
      'pat: transfer failed',
    ]);
  });

  it('with a control plane, fails naming the conversation it waited for when none was created', async () => {
    const world = fakeWorld({ bridge: acceptingBridge('c-1') });
    const error = await rejection(step(world, castOf(customerActor('pat')), 'transfer', { customer: 'pat' }));
    expect((error as Error).message).toBe("timed out after 10000 ms waiting for pat's Genesys conversation");
  });
});

describe('leave', () => {
  it('fails with the error the bridge ended the session with', async () => {
    const broken = new Error('store down');
    const bridge: Partial<Bridge> = {
      endSession: async () => {
        throw broken;
      },
    };
    const world = fakeWorld({ bridge, waitFor: settledWait });
    const pat = customerActor('pat', { sessionId: 's-1' });
    expect(await rejection(step(world, castOf(pat), 'leave', { customer: 'pat' }))).toBe(broken);
  });

  it('passes once the bridge has ended the session', async () => {
    let reason: unknown;
    const bridge: Partial<Bridge> = {
      endSession: async (_id, options) => {
        reason = options?.reason;
      },
    };
    const world = fakeWorld({ bridge, waitFor: settledWait });
    await step(world, castOf(customerActor('pat', { sessionId: 's-1' })), 'leave', { customer: 'pat' });
    expect(reason).toBe('customerEnded');
  });

  it('fails naming the session when the end never comes', async () => {
    const bridge: Partial<Bridge> = { endSession: () => new Promise<void>(() => {}) };
    const world = fakeWorld({ bridge, waitFor: settledWait });
    const error = await rejection(
      step(world, castOf(customerActor('pat', { sessionId: 's-1' })), 'leave', { customer: 'pat' }),
    );
    expect((error as Error).message).toBe("timed out after 10000 ms waiting for pat's session to end");
  });
});

/** A wait that checks once after pending promise callbacks have run (a bridge call that settles at once). */
async function settledWait<T>(
  what: string,
  withinMs: number,
  check: () => T | undefined | Promise<T | undefined>,
): Promise<T> {
  await new Promise((resolve) => setImmediate(resolve));
  const value = await check();
  if (value !== undefined) return value;
  throw new ExpectationFailed(`timed out after ${withinMs} ms waiting for ${what}`);
}

function fakeAgent(label: string, leg: AgentLeg): Agent {
  return { label, legs: [leg], current: () => leg, nextAlert: async () => leg } as unknown as Agent;
}

const LEG: AgentLeg = {
  conversationId: 'c-1',
  participantId: 'p-alda',
  communicationId: 'm-1',
  media: 'message',
};

describe('letAlertTimeOut', () => {
  it('fails when the conversation cannot be read', async () => {
    const cast = castOf();
    cast.agents.set('alda', fakeAgent('alda', LEG));
    const error = await rejection(step(fakeWorld(), cast, 'letAlertTimeOut', 'alda'));
    expect((error as Error).message).toBe('alda is not being alerted');
  });

  it("fails when the agent's participant is not in the conversation", async () => {
    const cast = castOf();
    cast.agents.set('alda', fakeAgent('alda', LEG));
    const conversation = async (): Promise<ConversationView> => ({
      id: 'c-1',
      ended: false,
      attributes: {},
      participants: [{ id: 'p-customer', state: 'connected' }],
    });
    const error = await rejection(step(fakeWorld({ conversation }), cast, 'letAlertTimeOut', 'alda'));
    expect((error as Error).message).toBe('alda is not being alerted');
  });
});

describe('expectAlert without a timeline: learning a customer conversation from the alert', () => {
  function alerted(conversationId: string, ...customers: CustomerActor[]) {
    const cast = castOf(...customers);
    cast.agents.set('alda', fakeAgent('alda', { ...LEG, conversationId }));
    const world = fakeWorld({ controlPlane: false });
    return { cast, world, run: () => step(world, cast, 'expectAlert', { agent: 'alda' }) };
  }
  const learned = (world: World) => world.transcript.entries.filter((e) => / conversation is /.test(e.text));

  it('the one customer waiting to learn theirs gets it', async () => {
    const pat = customerActor('pat', { conversationUnknown: true });
    const { world, run } = alerted('c-1', pat);
    await run();
    expect(pat.conversationIds).toEqual(['c-1']);
    expect(pat.conversationUnknown).toBe(false);
    expect(learned(world).map((e) => `${e.source} ${e.text}`)).toEqual([
      "runner pat's conversation is c-1 (from alda's alert)",
    ]);
  });

  it("an alert for another customer's known conversation teaches nothing", async () => {
    const pat = customerActor('pat', { conversationUnknown: true });
    const sam = customerActor('sam', { conversationIds: ['c-sam'] });
    const { world, run } = alerted('c-sam', pat, sam);
    await run();
    expect(pat.conversationIds).toEqual([]);
    expect(pat.conversationUnknown).toBe(true);
    expect(learned(world)).toEqual([]);
  });

  it('with two customers waiting, the alert could be either: neither learns it', async () => {
    const pat = customerActor('pat', { conversationUnknown: true });
    const sam = customerActor('sam', { conversationUnknown: true });
    const { run } = alerted('c-1', pat, sam);
    await run();
    expect([pat.conversationIds, sam.conversationIds]).toEqual([[], []]);
  });

  it('a customer not waiting to learn one is not given it', async () => {
    const pat = customerActor('pat');
    const { run } = alerted('c-1', pat);
    await run();
    expect(pat.conversationIds).toEqual([]);
  });
});

describe('forgeWebhook', () => {
  const forge = { customer: 'pat', text: 'forged', signature: 'bad' };
  const pat = () => castOf(customerActor('pat', { sessionId: 's-1' }));

  it('fails when the org is not known to have an Open Messaging integration', async () => {
    const noFixture = await rejection(step(fakeWorld({ webhook: {} }), pat(), 'forgeWebhook', forge));
    expect((noFixture as Error).message).toBe('the org has no Open Messaging integration');
    const none = { openMessaging: [] } as unknown as Fixture;
    const noIntegration = await rejection(
      step(fakeWorld({ webhook: {}, fixture: none }), pat(), 'forgeWebhook', forge),
    );
    expect((noIntegration as Error).message).toBe('the org has no Open Messaging integration');
  });

  it('fails when the bridge takes a forged delivery', async () => {
    const fixture = { openMessaging: [{ id: 'om-1', secret: 's' }] } as unknown as Fixture;
    const webhook = { forge: async () => 200 };
    const error = await rejection(step(fakeWorld({ webhook, fixture }), pat(), 'forgeWebhook', forge));
    expect((error as Error).message).toBe(
      'the bridge answered a forged webhook delivery with 200, expected 401',
    );
  });
});

describe('expectConversation', () => {
  it('queuedIn a queue the target does not have waits and times out, naming the queue', async () => {
    const conversation = async (id: string): Promise<ConversationView> => ({
      id,
      ended: false,
      attributes: {},
      participants: [],
    });
    const world = fakeWorld({ conversation, waitingIn: async () => undefined });
    const pat = customerActor('pat', { conversationIds: ['c-1'] });
    const error = await rejection(
      step(world, castOf(pat), 'expectConversation', { customer: 'pat', queuedIn: 'Nowhere', within: '1s' }),
    );
    expect((error as Error).message).toBe(
      "timed out after 1000 ms waiting for pat's conversation to be queued in Nowhere",
    );
  });
});

describe('expectFlow on a flow that transferred to no queue', () => {
  it('says the flow transferred to no queue', async () => {
    const run = {
      seq: 1,
      time: new Date(START).toISOString(),
      type: 'flow.run',
      conversationId: 'c-1',
      data: { flow: 'Bot Handoff', outcome: 'disconnect', trace: [] },
    } as unknown as DomainEvent;
    const world = fakeWorld({
      timeline: [run],
      conversation: async (id) => ({ id, ended: true, attributes: {}, participants: [] }),
    });
    const pat = customerActor('pat', { conversationIds: ['c-1'] });
    const error = await rejection(
      step(world, castOf(pat), 'expectFlow', { customer: 'pat', queue: 'General' }),
    );
    expect((error as Error).message).toBe('the flow transferred to no queue, expected General');
  });
});

describe("a customer's guest socket, through the emulator's control plane", () => {
  it('a drop the emulator refuses fails with its answer', async () => {
    const emulator = await startEmulator();
    const world = fakeWorld({ baseUrl: emulator.url });
    const pat = customerActor('pat', { conversationIds: ['00000000-0000-4000-8000-00000000dead'] });
    const error = await rejection(step(world, castOf(pat), 'dropCustomerSocket', 'pat'));
    expect((error as Error).message).toMatch(/^could not drop pat's socket: 404 \{/);
  });

  it('reconnect fails naming the reconnect it waited for when the bridge never comes back', async () => {
    const emulator = await startEmulator();
    const conversation = emulator.customers.start({ queueName: 'General', text: 'hi' });
    const world = fakeWorld({ baseUrl: emulator.url });
    const pat = customerActor('pat', { conversationIds: [conversation.id] });
    const error = await rejection(step(world, castOf(pat), 'reconnect', { customer: 'pat' }));
    expect((error as Error).message).toBe("timed out after 10000 ms waiting for pat's bridge to reconnect");
    expect(world.transcript.entries.map((e) => e.text)).toEqual([
      "pat's guest socket dropped by the emulator",
    ]);
  });
});

describe('expectNothingLost on an agent message without text', () => {
  it('counts it as an empty text on both sides (Genesys records "", the bot gets no text)', async () => {
    const sent = {
      seq: 1,
      time: new Date(START).toISOString(),
      type: 'message.sent',
      conversationId: 'c-1',
      data: {
        message: {
          id: 'g-1',
          participantId: 'p-agent',
          purpose: 'agent',
          text: '',
          time: START,
          direction: 'outbound',
        },
      },
    } as unknown as DomainEvent;
    const pat = customerActor('pat', { sessionId: 's-1', conversationIds: ['c-1'] });
    pat.events = [
      {
        eventId: 's-1:1',
        sessionId: 's-1',
        seq: 1,
        occurredAt: new Date(START).toISOString(),
        observedAt: new Date(START).toISOString(),
        channel: 'webMessaging',
        source: 'guestApi',
        type: 'agent.message',
        origin: 'human',
        message: { id: 'g-1', attachments: [{ url: 'https://example.com/a.png' }] },
      },
    ];
    await step(fakeWorld({ timeline: [sent] }), castOf(pat), 'expectNothingLost', { customer: 'pat' });
  });
});
