import {
  type BridgeEvent,
  BridgeFailure,
  nodeHttpFetch,
  type StartTransferRequest,
} from '../../bridge/index.ts';
import { planTransfer } from '../../bridge/session/transfer-plan.ts';
import type { Agent, DomainEvent } from '../../emulator/index.ts';
import type { CustomerActor } from './customer-actor.ts';
import type { ScenarioStep } from './load.ts';
import { containsSubset, describeMatch, nearMisses, textMatches } from './matchers.ts';
import { durationMs, type StepArgs, type StepVerb } from './schema.ts';
import { type ConversationView, ExpectationFailed, StepSkipped, type World } from './world.ts';

export interface Cast {
  customers: Map<string, CustomerActor>;
  agents: Map<string, Agent>;
}

type Handler<V extends StepVerb> = (
  world: World,
  cast: Cast,
  args: StepArgs<V>,
  step: ScenarioStep<V>,
) => Promise<void>;

const DEFAULT_WITHIN = 10_000;
const within = (w: string | undefined) => (w ? durationMs(w) : DEFAULT_WITHIN);
/**
 * How long (run time) a step that counts lets pass before counting: what is still on its way (a message
 * the bridge paces at 2 a second or holds for order, a webhook retried, a second copy) lands within it,
 * so a count of 0 or 1 cannot pass just because it was taken too early.
 */
const COUNT_QUIET_MS = 2_000;

/** COUNT_QUIET_MS of run time passes: a manual clock is moved; on a target's system clock, real time. */
async function letStragglersLand(world: World): Promise<void> {
  if (world.capabilities.manualClock) return world.advance(COUNT_QUIET_MS);
  await world
    .waitFor('nothing (letting what is on its way land)', COUNT_QUIET_MS, () => undefined)
    .catch((e: unknown) => {
      if (!(e instanceof ExpectationFailed)) throw e;
    });
}

function customer(cast: Cast, name: string): CustomerActor {
  return cast.customers.get(name)!;
}
function agent(cast: Cast, name: string): Agent {
  return cast.agents.get(name)!;
}
function sessionOf(c: CustomerActor): string {
  if (!c.sessionId) throw new ExpectationFailed(`${c.actor} has no bridge session (transfer first)`);
  return c.sessionId;
}
async function conversationOf(world: World, c: CustomerActor): Promise<ConversationView> {
  if (c.conversationUnknown)
    throw new StepSkipped(
      `${c.actor}'s Genesys conversation id is unknown: Web Messaging does not tell the guest, the target has no control plane, and no agent was alerted for it`,
    );
  const id = c.conversationId;
  const conversation = id ? await world.conversation(id) : undefined;
  if (!conversation) throw new ExpectationFailed(`${c.actor} has no Genesys conversation yet`);
  return conversation;
}

/** Every verb's behaviour; the Record type makes a verb without a handler a compile error. */
export const STEP_HANDLERS: { [V in StepVerb]: Handler<V> } = {
  async transfer(world, cast, args) {
    const c = customer(cast, args.customer);
    const n = ++c.transfers;
    const since = world.timeline.length;
    c.unsubscribe?.();
    // The bridge refuses some transfers up front (a BridgeFailure) and reports others as failed results.
    const request: StartTransferRequest = {
      idempotencyKey: `${c.actor}-transfer-${n}`,
      botConversationId: `${c.actor}-${n}`,
      customer: { id: c.id, displayName: c.displayName },
      ...(args.queue === undefined ? {} : { queueName: args.queue }),
      ...(args.metadata === undefined ? {} : { metadata: args.metadata as never }),
      ...(args.transcript === undefined ? {} : { transcript: args.transcript }),
      ...(args.summary === undefined ? {} : { summary: args.summary }),
      ...(args.message === undefined ? {} : { initialMessage: args.message }),
    };
    const result = await world.bridge.startTransfer(request).catch((e: unknown) => {
      if (!(e instanceof BridgeFailure)) throw e;
      return { state: 'failed' as const, error: e.error, sessionId: '', metadata: undefined, warnings: [] };
    });
    world.transcript.add(
      'runner',
      `${c.actor}: transfer ${result.state}${result.error ? ` (${result.error.code})` : ''}`,
      { metadata: result.metadata, warnings: result.warnings },
    );
    if (args.expectFailure !== undefined) {
      if (result.state !== 'failed')
        throw new ExpectationFailed(
          `expected the transfer to fail with ${args.expectFailure}, it is ${result.state}`,
        );
      if (result.error?.code !== args.expectFailure)
        throw new ExpectationFailed(
          `expected failure ${args.expectFailure}, got ${result.error?.code}`,
          result.error,
        );
      return;
    }
    if (result.state === 'failed')
      throw new ExpectationFailed(`the transfer failed: ${result.error?.code}`, result.error);
    c.sessionId = result.sessionId;
    c.events = [];
    // The texts that open the conversation (transcript or summary, the initial message, or the handoff
    // text), as the bridge plans them: expectNothingLost counts them like any other customer message.
    c.sent.push(...planTransfer(request, world.bridge.configs.default, result.sessionId).startTexts);
    c.unsubscribe = world.bridge.subscribe(result.sessionId, (e) => c.events.push(e));
    if (!world.capabilities.controlPlane) {
      // Without a timeline, only WebChat tells the guest (so the bridge) its conversation id.
      const id = (await world.bridge.getSession(result.sessionId))?.provider.conversationId;
      if (id !== undefined) c.conversationIds.push(id);
      c.conversationUnknown = id === undefined;
      return;
    }
    // The conversation this transfer created is the first one created since the step began.
    const created = await world.waitFor(`${c.actor}'s Genesys conversation`, DEFAULT_WITHIN, () =>
      world.timeline.slice(since).find((e) => e.type === 'conversation.created'),
    );
    c.conversationIds.push(created.conversationId!);
  },

  async say(world, cast, args) {
    if ('customer' in args) {
      const c = customer(cast, args.customer);
      const ack = await world.bridge.sendCustomerMessage(sessionOf(c), {
        clientMessageId: `${c.actor}-m${++c.messages}`,
        text: args.text,
      });
      c.sent.push(args.text);
      world.transcript.add('runner', `${c.actor} says: ${args.text} (${ack.status})`);
      return;
    }
    await agent(cast, args.agent).say(args.text);
  },

  async typing(world, cast, args) {
    if ('customer' in args)
      await world.bridge.sendTyping(sessionOf(customer(cast, args.customer)), { isTyping: true });
    else await agent(cast, args.agent).typing();
  },

  async reconnect(world, cast, args) {
    const who = customer(cast, args.customer);
    // Only an "online" after this drop counts: a second reconnect must not take the first one's.
    const since = who.events.length;
    await dropGuestSocket(world, who);
    await world.waitFor(`${args.customer}'s bridge to reconnect`, DEFAULT_WITHIN, () =>
      who.events.slice(since).findLast((e) => e.type === 'connection.changed' && e.connectivity === 'online'),
    );
  },

  async leave(world, cast, args) {
    // Ending waits for what the customer wrote just before to reach Genesys at its pace, so time has to
    // move while it does (on a manual clock, only waits move it).
    let ended: { error?: unknown } | undefined;
    world.bridge.endSession(sessionOf(customer(cast, args.customer)), { reason: 'customerEnded' }).then(
      () => {
        ended = {};
      },
      (error: unknown) => {
        ended = { error };
      },
    );
    const { error } = await world.waitFor(`${args.customer}'s session to end`, DEFAULT_WITHIN, () => ended);
    if (error !== undefined) throw error;
  },

  async onQueue(_world, cast, name) {
    await agent(cast, name).goOnQueue();
  },

  async offQueue(_world, cast, name) {
    await agent(cast, name).goOffQueue();
  },

  async expectAlert(world, cast, args) {
    const a = agent(cast, args.agent);
    const leg = await a.nextAlert({ within: within(args.within) });
    learnConversation(world, cast, leg.conversationId, a);
  },

  async answer(_world, cast, name) {
    await agent(cast, name).answer();
  },

  async letAlertTimeOut(world, cast, name) {
    const a = agent(cast, name);
    const leg = a.current();
    const participant = (await world.conversation(leg.conversationId))?.participants.find(
      (p) => p.id === leg.participantId,
    );
    if (participant?.state !== 'alerting') throw new ExpectationFailed(`${a.label} is not being alerted`);
    const deadline = (participant.startAlertingTime ?? 0) + (participant.alertingTimeoutMs ?? 0);
    world.transcript.add('runner', `${a.label} lets the alert time out`);
    await world.advance(Math.max(0, deadline - world.now()));
    a.legs = a.legs.filter((l) => l !== leg);
  },

  async transferToQueue(_world, cast, args) {
    await agent(cast, args.agent).transferToQueue(args.queue);
  },

  async transferToAgent(_world, cast, args) {
    await agent(cast, args.agent).transferToAgent(agent(cast, args.to));
  },

  async disconnect(_world, cast, name) {
    await agent(cast, name).disconnect();
  },

  async wrapUp(_world, cast, args) {
    await agent(cast, args.agent).wrapUp(args.code);
  },

  async advance(world, _cast, duration) {
    world.transcript.add('runner', `clock advances ${duration}`);
    await world.advance(durationMs(duration));
  },

  async dropCustomerSocket(world, cast, name) {
    await dropGuestSocket(world, customer(cast, name));
  },

  async failNext(world, _cast, args) {
    await addHttpFault(world, args);
  },

  async slowNext(world, _cast, args) {
    await addHttpFault(world, { path: args.path, count: args.count, delayMs: durationMs(args.delay) });
  },

  async failWebhook(world, _cast, args) {
    webhookOf(world).failNext(args.status, args.count);
  },

  async slowWebhook(world, _cast, args) {
    webhookOf(world).holdNext(durationMs(args.delay), args.count);
  },

  async replayWebhook(world, _cast, args) {
    const front = webhookOf(world);
    for (let i = 0; i < args.count; i++) {
      const status = await front.replayLast();
      world.transcript.add('runner', `the last webhook delivery arrives again: answered ${status}`);
    }
  },

  async forgeWebhook(world, cast, args) {
    const c = customer(cast, args.customer);
    const integration = world.fixture?.openMessaging[0];
    if (!integration) throw new ExpectationFailed('the org has no Open Messaging integration');
    const status = await webhookOf(world).forge(sessionOf(c), integration.id, args.text, args.signature);
    world.transcript.add('runner', `a forged delivery (${args.signature} signature) is answered ${status}`);
    if (status !== 401)
      throw new ExpectationFailed(
        `the bridge answered a forged webhook delivery with ${status}, expected 401`,
      );
  },

  async expectBot(world, cast, args) {
    const c = customer(cast, args.customer);
    const matches = (e: BridgeEvent) =>
      (args.event === undefined || e.type === args.event) &&
      (args.text === undefined || (e.type === 'agent.message' && textMatches(args.text, e.message.text))) &&
      (args.reason === undefined || (e.type === 'session.ended' && e.reason === args.reason));
    const what = `the bot to receive ${args.event ?? 'an event'}${args.text ? ` with text ${describeMatch(args.text)}` : ''}${args.reason ? ` (${args.reason})` : ''}`;
    if (args.count === 0) {
      await letStragglersLand(world);
    } else {
      await world
        .waitFor(what, within(args.within), () => c.events.find(matches))
        .catch((e: unknown) => {
          throw withArrivals(e, whatTheBotGot(c.events, args));
        });
    }
    if (args.count !== undefined) {
      if (args.count > 0) await letStragglersLand(world);
      const n = c.events.filter(matches).length;
      if (n !== args.count)
        throw new ExpectationFailed(
          `expected ${args.count} x ${what}, got ${n}; ${whatTheBotGot(c.events, args)}`,
        );
    }
  },

  async expectAgentReceived(world, cast, args) {
    const a = agent(cast, args.agent);
    const leg = a.current();
    const customerTexts = () =>
      world.timeline.flatMap((e) =>
        e.type === 'message.sent' &&
        e.conversationId === leg.conversationId &&
        e.data.message.purpose === 'customer'
          ? [e.data.message.text]
          : [],
      );
    await world
      .waitFor(`${a.label} to receive ${describeMatch(args.text)}`, within(args.within), () =>
        customerTexts().find((text) => textMatches(args.text, text)),
      )
      .catch((e: unknown) => {
        throw withArrivals(e, nearMisses(args.text, customerTexts(), 'customer message'));
      });
  },

  async expectParticipantData(world, cast, args) {
    await world.settle();
    const { attributes } = await conversationOf(world, customer(cast, args.customer));
    const fail = (what: string) => new ExpectationFailed(`Participant Data ${what}`, attributes);
    if (args.equals && JSON.stringify(sortKeys(attributes)) !== JSON.stringify(sortKeys(args.equals)))
      throw fail(`is not exactly ${JSON.stringify(args.equals)}`);
    // WebChat customFields become Participant Data named context.<key> (guest-protocols.md §1.6).
    const prefix = world.channel === 'webchat' ? 'context.' : '';
    const metadata = Object.fromEntries(
      Object.entries(args.metadata ?? {}).map(([k, v]) => [`${prefix}${k}`, v]),
    );
    for (const [k, v] of Object.entries({ ...metadata, ...args.contains })) {
      if (attributes[k] !== v)
        throw fail(`${k} is ${JSON.stringify(attributes[k])}, expected ${JSON.stringify(v)}`);
    }
    for (const k of args.absent ?? []) if (k in attributes) throw fail(`has ${k}, expected it absent`);
  },

  async expectConversation(world, cast, args) {
    const c = customer(cast, args.customer);
    const describe = [
      args.queuedIn && `queued in ${args.queuedIn}`,
      args.connectedTo && `connected to ${args.connectedTo}`,
      args.ended !== undefined && (args.ended ? 'ended' : 'not ended'),
    ]
      .filter(Boolean)
      .join(', ');
    await world.waitFor(`${c.actor}'s conversation to be ${describe}`, within(args.within), async () => {
      const conversation = await conversationOf(world, c);
      if (args.queuedIn !== undefined) {
        const waiting = await world.waitingIn(args.queuedIn);
        if (!waiting?.includes(conversation.id)) return undefined;
      }
      if (args.connectedTo !== undefined) {
        const a = agent(cast, args.connectedTo);
        if (!conversation.participants.some((p) => p.userId === a.userId && p.state === 'connected'))
          return undefined;
      }
      if (args.ended !== undefined && conversation.ended !== args.ended) return undefined;
      return true;
    });
  },

  async expectFlow(world, cast, args) {
    await world.settle();
    const { id } = await conversationOf(world, customer(cast, args.customer));
    const run = world.timeline
      .filter((e): e is DomainEvent<'flow.run'> => e.type === 'flow.run' && e.conversationId === id)
      .at(-1);
    if (!run) throw new ExpectationFailed('no flow ran for this conversation');
    if (args.queue !== undefined && run.data.queue?.name !== args.queue)
      throw new ExpectationFailed(
        `the flow transferred to ${run.data.queue?.name ?? 'no queue'}, expected ${args.queue}`,
        run.data,
      );
    const trace = run.data.trace;
    if (args.output !== undefined && !trace.some((t) => t.kind === 'outputPath' && t.output === args.output))
      throw new ExpectationFailed(`the flow never took the "${args.output}" path`, trace);
    if (args.action !== undefined && !trace.some((t) => t.kind === 'action' && t.name === args.action))
      throw new ExpectationFailed(`the flow never ran an action named "${args.action}"`, trace);
  },

  async expectRoutingStatus(world, cast, args) {
    await world.settle();
    const status = await agent(cast, args.agent).routingStatus();
    if (status !== args.is) throw new ExpectationFailed(`${args.agent} is ${status}, expected ${args.is}`);
  },

  async expectNothingLost(world, cast, args) {
    await world.settle();
    const c = customer(cast, args.customer);
    const conversationIds = new Set(c.conversationIds);
    const said = (purpose: string) =>
      world.timeline.flatMap((e) =>
        e.type === 'message.sent' &&
        conversationIds.has(e.conversationId ?? '') &&
        e.data.message.purpose === purpose
          ? [e.data.message.text]
          : [],
      );
    const customerTexts = said('customer');
    // Per text, as often as it was sent (a customer may say "ok" twice); a text no step sent is not
    // the bridge's to account for.
    const arrivals = countTexts(customerTexts);
    for (const [text, sent] of countTexts(c.sent)) {
      const n = arrivals.get(text) ?? 0;
      if (n !== sent)
        throw new ExpectationFailed(
          `customer message ${JSON.stringify(text)} ${sent === 1 ? '' : `was sent ${sent} times and `}reached Genesys ${n} time${n === 1 ? '' : 's'}`,
          customerTexts,
        );
    }
    // With the counts equal, the sent texts appearing in order among the arrivals means exactly in order.
    if (!inOrder(c.sent, customerTexts))
      throw new ExpectationFailed('customer messages reached Genesys out of order', customerTexts);
    const agentTexts = said('agent');
    const botTexts = c.events.flatMap((e) =>
      e.type === 'agent.message' && e.origin === 'human' ? [e.message.text ?? ''] : [],
    );
    if (JSON.stringify(botTexts) !== JSON.stringify(agentTexts))
      throw new ExpectationFailed('the bot did not receive every agent message exactly once, in order', {
        agentTexts,
        botTexts,
      });
  },

  async expectTimeline(world, cast, args) {
    if (args.count === undefined) await world.settle();
    else await letStragglersLand(world);
    const conversationIds = args.customer
      ? new Set(customer(cast, args.customer).conversationIds)
      : undefined;
    const found = world.timeline.filter(
      (e) =>
        e.type === args.type &&
        (!conversationIds || conversationIds.has(e.conversationId ?? '')) &&
        (args.contains === undefined || containsSubset(e.data, args.contains)),
    );
    if (args.count !== undefined ? found.length !== args.count : found.length === 0)
      throw new ExpectationFailed(
        `expected ${args.count ?? 'a'} timeline entr${(args.count ?? 1) === 1 ? 'y' : 'ies'} of type ${args.type}${args.contains ? ` containing ${JSON.stringify(args.contains)}` : ''}, found ${found.length}`,
      );
  },
};

/** The bridge's webhook receiver of an openmessaging run. */
function webhookOf(world: World) {
  if (!world.webhook)
    throw new ExpectationFailed(
      `this step needs the Open Messaging webhook; this run is on ${world.channel}`,
    );
  return world.webhook;
}

/**
 * Without a timeline, a Web Messaging customer's conversation is recognised by the agent alert for a
 * conversation no customer is known to have, when exactly one customer is still waiting to learn theirs
 * (scenarios transfer one customer at a time, so the alert that follows a transfer is for it).
 */
function learnConversation(world: World, cast: Cast, conversationId: string, by: Agent): void {
  const customers = [...cast.customers.values()];
  if (customers.some((c) => c.conversationIds.includes(conversationId))) return;
  const waiting = customers.filter((c) => c.conversationUnknown);
  if (waiting.length !== 1) return;
  const c = waiting[0]!;
  c.conversationIds.push(conversationId);
  c.conversationUnknown = false;
  world.transcript.add('runner', `${c.actor}'s conversation is ${conversationId} (from ${by.label}'s alert)`);
}

/** A failed wait with what did arrive added to its message. */
function withArrivals(error: unknown, arrivals: string): unknown {
  if (!(error instanceof ExpectationFailed)) return error;
  return new ExpectationFailed(`${error.message}; ${arrivals}`, error.detail);
}

/** For a failed expectBot: the nearest texts, or the reasons the session ended, or the events received. */
function whatTheBotGot(events: readonly BridgeEvent[], args: StepArgs<'expectBot'>): string {
  if (args.text !== undefined)
    return nearMisses(
      args.text,
      events.flatMap((e) => (e.type === 'agent.message' ? [e.message.text] : [])),
      'agent message',
    );
  if (args.reason !== undefined) {
    const ended = events.find((e) => e.type === 'session.ended');
    return ended ? `the session ended with reason ${ended.reason}` : 'the session has not ended';
  }
  const types = [...new Set(events.map((e) => e.type))];
  return types.length ? `the bot received ${types.join(', ')}` : 'the bot received no event';
}

async function addHttpFault(world: World, fault: Record<string, unknown>): Promise<void> {
  const res = await nodeHttpFetch(`${world.baseUrl}/__emulator/faults/http`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(fault),
  });
  if (res.status >= 300)
    throw new ExpectationFailed(`could not set the fault: ${res.status} ${await res.text()}`);
}

async function dropGuestSocket(world: World, c: CustomerActor): Promise<void> {
  const id = c.conversationId;
  if (!id) throw new ExpectationFailed(`${c.actor} has no conversation whose socket could be dropped`);
  const res = await nodeHttpFetch(`${world.baseUrl}/__emulator/conversations/${id}/drop-guest-socket`, {
    method: 'POST',
  });
  if (res.status >= 300)
    throw new ExpectationFailed(`could not drop ${c.actor}'s socket: ${res.status} ${await res.text()}`);
  world.transcript.add('runner', `${c.actor}'s guest socket dropped by the emulator`);
}

/** Is `sent` a subsequence of `seen` (each text matched once, in order)? */
function inOrder(sent: readonly string[], seen: readonly string[]): boolean {
  let i = 0;
  for (const text of seen) if (text === sent[i]) i++;
  return i === sent.length;
}

function countTexts(texts: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const text of texts) counts.set(text, (counts.get(text) ?? 0) + 1);
  return counts;
}

function sortKeys(o: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(o).sort(([a], [b]) => a.localeCompare(b)));
}
