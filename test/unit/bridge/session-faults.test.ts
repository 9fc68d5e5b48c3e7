import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { BridgeFailure, bridgeError } from '../../../bridge/errors.ts';
import {
  type HistoryCatchUp,
  NotDeliveredFailure,
  UnconfirmedFailure,
} from '../../../bridge/session/channel-adapter.ts';
import { SendQueue, type SendUnit } from '../../../bridge/session/send-queue.ts';
import type { BridgeEvent } from '../../../bridge/types.ts';
import {
  agentText,
  fakeBridge,
  settle,
  transfer,
  webChatConfig,
  webMessagingConfig,
} from './fake-adapter.ts';

/**
 * Nothing accepted is lost across connection drops (issue 14 item 7), piece by piece on a manual clock:
 * the send queue's retry of unconfirmed and refused messages, and the session's gap: agent messages read
 * back from Genesys's history after a reconnect, with newer live ones waiting behind them (within a
 * bound), so the bot sees Genesys's order.
 */

const unavailable = () =>
  new BridgeFailure(bridgeError('PROVIDER_UNAVAILABLE', 'history answered 503', { retryable: true }));
const dropped = () =>
  new UnconfirmedFailure(bridgeError('PROVIDER_UNAVAILABLE', 'the socket dropped', { retryable: true }));

// ---------------------------------------------------------------- the send queue

describe('SendQueue: an accepted message is retried until it is sent or the queue closes', () => {
  interface Script {
    transmits: (Error | undefined)[];
    confirms: (boolean | Error)[];
  }

  function unit(log: string[], name: string, script: Partial<Script> = {}): SendUnit {
    const transmits = [...(script.transmits ?? [])];
    const confirms = [...(script.confirms ?? [])];
    return {
      kind: 'message',
      transmit: async () => {
        log.push(`tx ${name}`);
        const outcome = transmits.shift();
        if (outcome) throw outcome;
      },
      confirm: async () => {
        log.push(`confirm ${name}`);
        const outcome = confirms.shift() ?? false;
        if (outcome instanceof Error) throw outcome;
        return outcome;
      },
      sent: () => log.push(`sent ${name}`),
      failed: (e) => log.push(`failed ${name} ${e.code}: ${e.message}`),
    };
  }

  function queue() {
    const clock = new ManualClock(0);
    return { clock, queue: new SendQueue(clock, { perSecond: 10, max: 10 }) };
  }

  it('looks an unconfirmed message up before anything else goes; found means sent, never sent twice', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    q.enqueueMessages([unit(log, 'a', { transmits: [dropped()], confirms: [true] }), unit(log, 'b')]);
    q.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a', 'sent a', 'tx b', 'sent b']);
  });

  it('sends it again when Genesys does not have it, still before the messages behind it', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    q.enqueueMessages([unit(log, 'a', { transmits: [dropped()], confirms: [false] }), unit(log, 'b')]);
    q.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a', 'tx a', 'sent a', 'tx b', 'sent b']);
  });

  it('waits for the connection before the lookup, and asks again with backoff while it cannot be answered', async () => {
    const { clock, queue: q } = queue();
    const log: string[] = [];
    q.enqueueMessages([
      unit(log, 'a', { transmits: [dropped()], confirms: [unavailable(), unavailable(), true] }),
      unit(log, 'b'),
    ]);
    q.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a']);
    // The connection drops: nothing is asked until it is back.
    q.setConnected(false);
    clock.advance(10_000);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a']);
    q.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a', 'confirm a']);
    // The second failed lookup waits 2 s (1 s, doubling) before the third.
    clock.advance(1999);
    await settle();
    expect(log).toHaveLength(3);
    clock.advance(1);
    await settle();
    expect(log).toEqual(['tx a', 'confirm a', 'confirm a', 'confirm a', 'sent a', 'tx b', 'sent b']);
  });

  it('keeps resending a message Genesys refuses, however many times, until it goes', async () => {
    const { clock, queue: q } = queue();
    const log: string[] = [];
    const refused = () =>
      new NotDeliveredFailure(
        bridgeError('RATE_LIMITED', 'slow down', { retryAfterMs: 1000, retryable: true }),
      );
    q.enqueueMessages([unit(log, 'a', { transmits: Array.from({ length: 8 }, refused) })]);
    q.setConnected(true);
    for (let i = 0; i < 9; i++) {
      await settle();
      clock.advance(1000);
    }
    await settle();
    expect(log.filter((l) => l === 'tx a')).toHaveLength(9);
    expect(log.at(-1)).toBe('sent a');
  });

  it('fails the message being looked up at once, first, with the reason the queue closed for', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    let answer: (found: boolean) => void = () => {};
    q.enqueueMessages([
      {
        ...unit(log, 'a', { transmits: [dropped()] }),
        confirm: () => new Promise<boolean>((resolve) => (answer = resolve)),
      },
      unit(log, 'b'),
    ]);
    q.setConnected(true);
    await settle();
    q.close(bridgeError('SESSION_ENDED', 'session ended (agentEnded)'));
    // Genesys's late answer changes nothing: the message was already reported.
    answer(true);
    await settle();
    expect(log).toEqual([
      'tx a',
      'failed a SESSION_ENDED: session ended (agentEnded)',
      'failed b SESSION_ENDED: session ended (agentEnded)',
    ]);
  });

  it('fails an unconfirmed message at once when it cannot be looked up (no confirm)', async () => {
    const { queue: q } = queue();
    const log: string[] = [];
    const { confirm: _none, ...blind } = unit(log, 'a', { transmits: [dropped()] });
    q.enqueueMessages([blind]);
    q.setConnected(true);
    await settle();
    expect(log).toEqual(['tx a', 'failed a PROVIDER_UNAVAILABLE: the socket dropped']);
  });
});

// ---------------------------------------------------------------- the session, customer side

async function started(config: unknown = webMessagingConfig(), request = transfer()) {
  const bridge = fakeBridge(config);
  const result = await bridge.registry.startTransfer(request);
  return { ...bridge, result, sessionId: result.sessionId };
}

function statuses(events: BridgeEvent[]): string[] {
  return events.flatMap((e) =>
    e.type === 'message.status'
      ? [`${e.clientMessageId} ${e.status}${e.providerMessageId ? ` ${e.providerMessageId}` : ''}`]
      : [],
  );
}

describe('the session keeps customer messages it accepted', () => {
  it('looks up a send the connection dropped, and sends it again only when Genesys does not have it', async () => {
    const { registry, adapter, sessionId, events, clock } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const lookups: string[] = [];
    const genesysHas = new Map([['kept', { providerMessageId: 'g-kept' }]]);
    adapter().findSent = async (text) => {
      lookups.push(text);
      return genesysHas.get(text);
    };
    adapter().autoSend = false;
    expect(registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'kept' }).status).toBe(
      'queued',
    );
    expect(registry.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'lost' }).status).toBe(
      'queued',
    );
    await settle();
    // The socket drops with "kept" in flight: Genesys had taken it.
    adapter().pending.shift()?.reject(dropped());
    adapter().events.connectivity('reconnecting');
    await settle();
    adapter().events.connectivity('online');
    await settle();
    expect(lookups).toEqual(['kept']);
    // Two sends a second: "lost" goes in the next second.
    clock.advance(1000);
    await settle();
    // "lost" goes next, and drops too: Genesys never got it.
    adapter().pending.shift()?.reject(dropped());
    adapter().events.connectivity('reconnecting');
    await settle();
    adapter().events.connectivity('online');
    await settle();
    adapter().pending.shift()?.resolve({ providerMessageId: 'g-lost' });
    await settle();
    expect(lookups).toEqual(['kept', 'lost']);
    expect(
      adapter()
        .sent.map((m) => m.text)
        .slice(1),
    ).toEqual(['kept', 'lost', 'lost']);
    expect(statuses(events(sessionId))).toEqual(['m1 sent g-kept', 'm2 sent g-lost']);
  });

  it('gives a timed-out send one more sendMs to answer before looking it up', async () => {
    const { registry, adapter, sessionId, clock, events } = await started(
      webMessagingConfig({ timeouts: { sendMs: 2000 } }),
    );
    let lookups = 0;
    adapter().findSent = async () => {
      lookups++;
      return undefined;
    };
    adapter().autoSend = false;
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'slow' });
    await settle();
    clock.advance(2000);
    await settle();
    clock.advance(1500);
    adapter().pending.shift()?.resolve({ providerMessageId: 'g-slow' });
    await settle();
    expect(lookups).toBe(0);
    expect(
      adapter()
        .sent.map((m) => m.text)
        .slice(1),
    ).toEqual(['slow']);
    expect(statuses(events(sessionId))).toEqual(['m1 sent g-slow']);
  });

  it('fails a message still waiting when the session ends, saying why it ended', async () => {
    const { registry, adapter, sessionId, clock, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().findSent = async () => undefined;
    adapter().events.connectivity('reconnecting');
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'too late' });
    adapter().events.ended({ reason: 'sessionExpired', by: 'system' });
    clock.advance(0);
    await settle();
    const failed = events(sessionId).find((e) => e.type === 'message.status');
    expect(failed).toMatchObject({
      status: 'failed',
      error: { code: 'SESSION_ENDED', message: expect.stringContaining('sessionExpired') },
    });
  });
});

// ---------------------------------------------------------------- the session, agent side: the gap

function agentTexts(events: BridgeEvent[]): string[] {
  return events.flatMap((e) => (e.type === 'agent.message' && e.message.text ? [e.message.text] : []));
}

const T0 = Date.parse('2026-01-01T09:00:00Z');
const msg = (n: number, nickname = 'Alex') => agentText(`g${n}`, `agent ${n}`, nickname, T0 + n * 1000);

describe('the session fills a reconnect gap from the history, newer live messages waiting behind it', () => {
  it('delivers in Genesys order although the history read fails twice first', async () => {
    const { adapter, sessionId, clock, events } = await started(
      webMessagingConfig({
        timeouts: { reorderWindowMs: 0, reconnectInitialDelayMs: 500, reconnectMaxDelayMs: 5000 },
      }),
    );
    adapter().events.message(msg(1));
    adapter().events.connectivity('reconnecting');
    adapter().historyScript = [unavailable(), unavailable()];
    adapter().history = [msg(1), msg(2), msg(3), msg(4)];
    adapter().events.connectivity('online');
    await settle();
    // Messages 3 and 4 arrive live while the history (with 2 in it) cannot be read: they wait.
    adapter().events.message(msg(3));
    adapter().events.message(msg(4));
    expect(agentTexts(events(sessionId))).toEqual(['agent 1']);
    clock.advance(500);
    await settle();
    expect(adapter().historyCalls).toBe(2);
    expect(agentTexts(events(sessionId))).toEqual(['agent 1']);
    clock.advance(1000);
    await settle();
    expect(adapter().historyCalls).toBe(3);
    expect(agentTexts(events(sessionId))).toEqual(['agent 1', 'agent 2', 'agent 3', 'agent 4']);
    // Every read went back to what the bot had before the drop, not to the messages waiting.
    expect(adapter().historySince.map((s) => [...s.knownIds])).toEqual([['g1'], ['g1'], ['g1']]);
    expect(events(sessionId).filter((e) => e.type === 'history.gap')).toEqual([]);
    // Later live messages flow again.
    adapter().events.message(msg(5));
    expect(agentTexts(events(sessionId)).at(-1)).toBe('agent 5');
  });

  it('puts a waiting message at its place in the history, with what arrived before it', async () => {
    const { adapter, sessionId, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.connectivity('reconnecting');
    let answer: (history: HistoryCatchUp) => void = () => {};
    adapter().historyScript = [() => new Promise((resolve) => (answer = resolve))];
    adapter().events.connectivity('online');
    // Same provider time for all: only the order the merge gives counts.
    const same = (n: number) => agentText(`g${n}`, `agent ${n}`, 'Alex', T0);
    adapter().events.typing({ occurredAt: T0 });
    adapter().events.message(same(3));
    // The history already holds 4, whose live frame comes after the read.
    answer({ messages: [same(1), same(2), same(3), same(4)] });
    await settle();
    adapter().events.message(same(4));
    const seen = events(sessionId).flatMap((e) =>
      e.type === 'agent.message' ? [e.message.text] : e.type === 'agent.typing' ? ['typing'] : [],
    );
    expect(seen).toEqual(['agent 1', 'agent 2', 'typing', 'agent 3', 'agent 4']);
  });

  it('reads again when the connection drops during the read', async () => {
    const { adapter, sessionId, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.message(msg(1));
    adapter().events.connectivity('reconnecting');
    let answer: (history: HistoryCatchUp) => void = () => {};
    adapter().historyScript = [() => new Promise((resolve) => (answer = resolve))];
    adapter().events.connectivity('online');
    adapter().events.message(msg(3));
    adapter().events.connectivity('reconnecting');
    adapter().events.connectivity('online');
    // The first read answers after the second drop: it may miss what was sent during that drop.
    adapter().history = [msg(1), msg(2), msg(3), msg(4), msg(5)];
    answer({ messages: [msg(1), msg(2), msg(3)] });
    await settle();
    adapter().events.message(msg(5));
    await settle();
    expect(adapter().historyCalls).toBe(2);
    expect(agentTexts(events(sessionId))).toEqual(['agent 1', 'agent 2', 'agent 3', 'agent 4', 'agent 5']);
  });

  it('stops waiting after gapHoldMs with a history.gap event; a later read still delivers the gap, late', async () => {
    const { adapter, sessionId, clock, events } = await started(
      webMessagingConfig({
        timeouts: {
          reorderWindowMs: 0,
          gapHoldMs: 5000,
          reconnectInitialDelayMs: 1000,
          reconnectMaxDelayMs: 1000,
        },
      }),
    );
    adapter().events.message(msg(1));
    const droppedAt = clock.now();
    adapter().events.connectivity('reconnecting');
    // Reads at 2 s (the reconnect) and every second after fail until 7 s, when the hold ends.
    adapter().historyScript = Array.from({ length: 6 }, unavailable);
    adapter().history = [msg(1), msg(2), msg(3)];
    clock.advance(2000);
    adapter().events.connectivity('online');
    await settle();
    adapter().events.message(msg(3));
    for (let i = 0; i < 4; i++) {
      clock.advance(1000);
      await settle();
    }
    expect(agentTexts(events(sessionId))).toEqual(['agent 1']);
    clock.advance(1000);
    await settle();
    const gap = events(sessionId).find((e) => e.type === 'history.gap');
    expect(gap).toMatchObject({
      reason: 'holdTimeout',
      since: new Date(droppedAt).toISOString(),
      released: 1,
      error: { code: 'PROVIDER_UNAVAILABLE' },
    });
    expect(agentTexts(events(sessionId))).toEqual(['agent 1', 'agent 3']);
    // Reads go on; when one works, what the gap held arrives (late, after the gap event said so).
    clock.advance(1000);
    await settle();
    expect(agentTexts(events(sessionId))).toEqual(['agent 1', 'agent 3', 'agent 2']);
    expect(events(sessionId).filter((e) => e.type === 'history.gap')).toHaveLength(1);
  });

  it('stops waiting beyond gapHoldMax waiting events', async () => {
    const { adapter, sessionId, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 }, limits: { gapHoldMax: 2 } }),
    );
    adapter().events.connectivity('reconnecting');
    adapter().historyScript = [() => new Promise(() => {})];
    adapter().events.connectivity('online');
    adapter().events.message(msg(1));
    adapter().events.message(msg(2));
    expect(agentTexts(events(sessionId))).toEqual([]);
    adapter().events.message(msg(3));
    expect(events(sessionId).find((e) => e.type === 'history.gap')).toMatchObject({
      reason: 'holdLimit',
      released: 3,
    });
    expect(agentTexts(events(sessionId))).toEqual(['agent 1', 'agent 2', 'agent 3']);
  });

  it('stops waiting at once when Genesys refuses the history for good', async () => {
    const { adapter, sessionId, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.connectivity('reconnecting');
    adapter().historyScript = [new BridgeFailure(bridgeError('FORBIDDEN', 'history is disabled'))];
    adapter().events.connectivity('online');
    adapter().events.message(msg(2));
    await settle();
    expect(events(sessionId).find((e) => e.type === 'history.gap')).toMatchObject({
      reason: 'historyUnavailable',
      released: 1,
      error: { code: 'FORBIDDEN' },
    });
    adapter().events.message(msg(3));
    expect(agentTexts(events(sessionId))).toEqual(['agent 2', 'agent 3']);
    expect(adapter().historyCalls).toBe(1);
  });

  it('lets what the adapter reports while still reconnecting (the outage itself) go first', async () => {
    const { adapter, sessionId, events } = await started(webChatConfig({ timeouts: { reorderWindowMs: 0 } }));
    const sam = { id: 'A1', displayName: 'Sam' };
    const kim = { id: 'A2', displayName: 'Kim' };
    adapter().events.agentJoined(sam);
    adapter().events.connectivity('reconnecting');
    // The member list read on reconnecting: Sam left, Kim took over.
    adapter().events.agentLeft(sam, true);
    adapter().events.transferred({ kind: 'unknown', from: sam, inferred: true });
    adapter().events.agentJoined(kim);
    let answer: (history: HistoryCatchUp) => void = () => {};
    adapter().historyScript = [() => new Promise((resolve) => (answer = resolve))];
    adapter().events.connectivity('online');
    adapter().events.message(msg(3, 'Kim'));
    answer({ messages: [msg(2, 'Kim')] });
    await settle();
    expect(
      events(sessionId)
        .filter((e) => e.type !== 'connection.changed')
        .map((e) => (e.type === 'agent.message' ? e.message.text : e.type)),
    ).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.left',
      'transfer.changed',
      'agent.joined',
      'agent 2',
      'agent 3',
    ]);
  });
});

describe('ending with a gap open', () => {
  it('puts the end behind the gap, reading the history although the connection stays down', async () => {
    const { adapter, sessionId, registry, events } = await started(
      webChatConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const sam = { id: 'A1', displayName: 'Sam' };
    adapter().events.agentJoined(sam);
    adapter().events.message(msg(1, 'Sam'));
    adapter().events.connectivity('reconnecting');
    adapter().history = [msg(1, 'Sam'), msg(2, 'Sam')];
    // The chat ended during the outage; the adapter learns it without getting back online.
    adapter().events.agentLeft(sam, false);
    adapter().events.ended({ reason: 'agentEnded', by: 'agent' });
    await settle();
    expect(adapter().historyCalls).toBe(1);
    expect(
      events(sessionId)
        .slice(-3)
        .map((e) => (e.type === 'agent.message' ? e.message.text : e.type)),
    ).toEqual(['agent 2', 'agent.left', 'session.ended']);
    // Ended: no longer reconnecting.
    expect(registry.require(sessionId).snapshot()).toMatchObject({ state: 'ended', connectivity: 'offline' });
  });

  it('says offline (not reconnecting) after ending while reconnecting, and reports the unfilled gap', async () => {
    const { adapter, sessionId, registry, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.connectivity('reconnecting');
    expect(registry.require(sessionId).snapshot().connectivity).toBe('reconnecting');
    await registry.require(sessionId).end();
    expect(events(sessionId).slice(-2)).toMatchObject([
      { type: 'history.gap', reason: 'sessionEnded', released: 0 },
      { type: 'session.ended', reason: 'botEnded' },
    ]);
    expect(registry.require(sessionId).snapshot()).toMatchObject({ state: 'ended', connectivity: 'offline' });
  });

  it('ends at once, after what waited, when Genesys loses the session (the history is gone too)', async () => {
    const { adapter, sessionId, events, clock } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.connectivity('reconnecting');
    adapter().historyScript = [() => new Promise(() => {})];
    adapter().events.connectivity('online');
    adapter().events.message(msg(3));
    adapter().events.ended({ reason: 'sessionExpired', by: 'system' });
    clock.advance(0);
    await settle();
    expect(
      events(sessionId)
        .slice(-4)
        .map((e) => (e.type === 'agent.message' ? e.message.text : e.type)),
    ).toEqual(['history.gap', 'agent.joined', 'agent 3', 'session.ended']);
  });
});
