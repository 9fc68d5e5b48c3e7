import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { type Bridge, type BridgeEvent, createBridge } from '../../../bridge/index.ts';
import { WebhookSettingsSchema } from '../../../bridge/service/settings.ts';
import { WebhookDispatcher } from '../../../bridge/service/webhooks.ts';
import type {
  AdapterContext,
  AdapterResumeContext,
  HistoryCatchUp,
} from '../../../bridge/session/channel-adapter.ts';
import { MemoryStore } from '../../../bridge/store/memory-store.ts';
import { type SessionStore, storeUnavailable } from '../../../bridge/store/session-store.ts';
import type { JsonValue } from '../../../bridge/types.ts';
import { agentText, FakeAdapter, settle, transfer, webMessagingConfig } from './fake-adapter.ts';

/**
 * The engine on a shared store, in one process: two bridges ("instances" A and B) share a MemoryStore on
 * one ManualClock, with scripted adapters. Ownership, commands through the store, takeover after an owner
 * stops answering (its store access is cut, as a dead process's would be), handover on close, and the end.
 * The same engine on Redis across processes is test/integration/bridge-cluster.test.ts.
 */
const TTL = 3000;

class ResumableAdapter extends FakeAdapter {
  token: string;
  readonly resumes: { state: JsonValue; context: AdapterResumeContext }[] = [];

  constructor(context: AdapterContext, token: string) {
    super(context, 'webMessaging');
    this.token = token;
  }

  resumeState(): JsonValue {
    return { token: this.token };
  }

  resume(state: JsonValue, context: AdapterResumeContext) {
    this.resumes.push({ state, context });
    this.token = (state as { token: string }).token;
    return Promise.resolve({});
  }
}

/** A store whose access can be cut: every call then fails as an unreachable store would. */
function cuttable(store: SessionStore) {
  let cut = false;
  const proxy = new Proxy(store, {
    get(target, key, receiver) {
      const value = Reflect.get(target, key, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        if (cut && key !== 'watch' && key !== 'onReleased' && key !== 'onAvailability') {
          return Promise.reject(storeUnavailable('memory', 'cut'));
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    store: proxy,
    cut: () => {
      cut = true;
    },
    heal: () => {
      cut = false;
    },
  };
}

function cluster() {
  const clock = new ManualClock();
  const store = new MemoryStore({ clock });
  const adapters: ResumableAdapter[] = [];
  let ids = 0;
  let tokens = 0;
  const history: {
    next: HistoryCatchUp['messages'];
    /** Given to the adapters made from now on (what Genesys holds of the customer's messages). */
    findSent?: FakeAdapter['findSent'];
  } = { next: [] };
  const instance = (name: string) => {
    const access = cuttable(store);
    const bridge = createBridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }), {
      clock,
      newId: () => `${name}-id-${++ids}`,
      store: { shared: access.store, leaseTtlMs: TTL, instanceId: name },
      adapters: {
        webMessaging: (context: AdapterContext) => {
          const adapter = new ResumableAdapter(context, `token-${++tokens}`);
          adapter.history = history.next;
          if (history.findSent) adapter.findSent = history.findSent;
          adapters.push(adapter);
          return adapter;
        },
      },
    });
    return { bridge, ...access };
  };
  /** Moves the clock in steps, letting the in-process store's promises run between them. */
  const pass = async (ms: number) => {
    for (let left = ms; left > 0; left -= 100) {
      clock.advance(Math.min(100, left));
      await settle();
    }
  };
  return { clock, store, adapters, instance, pass, history };
}

const texts = (events: BridgeEvent[]) =>
  events.flatMap((e) => (e.type === 'agent.message' ? [e.message.text ?? ''] : []));

async function started(bridge: Bridge, overrides: Record<string, unknown> = {}) {
  const result = await bridge.startTransfer(transfer({ initialMessage: 'hello', ...overrides }));
  await settle();
  return result;
}

describe('the bridge on a shared store', () => {
  it('serves reads and commands for a session from any instance; only the owner holds Genesys', async () => {
    const { adapters, instance } = cluster();
    const a = instance('A');
    const b = instance('B');
    const { sessionId, state } = await started(a.bridge);
    expect(state).toBe('queued');
    expect(adapters).toHaveLength(1);
    adapters[0]!.events.message(agentText('g1', 'Hi, I am Alex'));
    await settle();
    expect(texts(await b.bridge.readEvents(sessionId))).toEqual(['Hi, I am Alex']);
    expect(await b.bridge.getSession(sessionId)).toMatchObject({ state: 'agentActive', lastSeq: 3 });
    expect((await b.bridge.findSession('bot-1'))?.sessionId).toBe(sessionId);

    // A message given to B goes to A's Genesys connection; B answers at once.
    expect(
      await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'my order' }),
    ).toEqual({
      clientMessageId: 'm1',
      status: 'queued',
      parts: 1,
    });
    await settle();
    expect(adapters[0]!.sent.map((m) => m.text)).toEqual(['hello', 'my order']);
    expect(
      await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'my order' }),
    ).toMatchObject({
      status: 'duplicate',
    });
    // Followed from B while A logs.
    const seen: string[] = [];
    b.bridge.subscribe(sessionId, (e) => seen.push(e.type), { afterSeq: 3 });
    await settle();
    expect(seen).toEqual(['message.status']);
    await b.bridge.endSession(sessionId);
    expect(adapters[0]!.closes).toEqual(['end']);
    expect(seen).toEqual(['message.status', 'session.ended']);
    expect(adapters).toHaveLength(1);
    await a.bridge.close();
    await b.bridge.close();
  });

  it('takes over the sessions of an instance that stopped answering: same conversation, nothing missed or repeated', async () => {
    const { adapters, instance, pass, history } = cluster();
    const a = instance('A');
    const b = instance('B');
    await b.bridge.start();
    const { sessionId } = await started(a.bridge);
    adapters[0]!.events.message(agentText('g1', 'one'));
    await settle();
    await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'first' });
    await settle();

    // A stops answering (as a dead process would). Meanwhile the agent writes, the bot sends through B.
    a.cut();
    adapters[0]!.autoSend = false;
    history.next = [agentText('g1', 'one'), agentText('g2', 'two')];
    await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'second' });
    expect(adapters).toHaveLength(1);
    await pass(TTL + TTL / 3 + 100);

    // B took it over: the same guest token, what it missed from the history, the waiting message sent.
    expect(adapters).toHaveLength(2);
    const taken = adapters[1]!;
    expect(taken.resumes.map((r) => r.state)).toEqual([{ token: 'token-1' }]);
    await settle();
    expect(taken.historySince[0]?.knownIds.has('g1')).toBe(true);
    const events = await b.bridge.readEvents(sessionId);
    expect(texts(events)).toEqual(['one', 'two']);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(
      events
        .filter((e) => e.type === 'connection.changed')
        .map((e) => e.type === 'connection.changed' && e.connectivity),
    ).toEqual(['reconnecting', 'online']);
    expect(taken.sent.map((m) => m.text)).toEqual(['second']);
    expect(
      events
        .filter((e) => e.type === 'message.status')
        .map((e) => e.type === 'message.status' && `${e.clientMessageId}:${e.status}`),
    ).toEqual(['m1:sent', 'm2:sent']);

    // A comes back: told it lost the lease, it lets the session go without writing or leaving Genesys.
    a.heal();
    await pass(TTL);
    expect(adapters[0]!.closes).toEqual(['detach']);
    expect((await b.bridge.readEvents(sessionId)).length).toBe(events.length);
    expect(a.bridge.health().sessions).toBe(0);
    expect(b.bridge.health().sessions).toBe(1);
    await b.bridge.close();
    await a.bridge.close();
  });

  it('hands its sessions over on close, without waiting for the lease to expire', async () => {
    const { adapters, instance } = cluster();
    const a = instance('A');
    const b = instance('B');
    await b.bridge.start();
    const { sessionId } = await started(a.bridge);
    await a.bridge.close();
    await settle(20);
    expect(adapters[0]!.closes).toEqual(['detach']);
    expect(adapters).toHaveLength(2);
    expect(adapters[1]!.resumes).toHaveLength(1);
    // A clean handover: nothing to look up, the session goes on at B.
    await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'still there?' });
    await settle();
    expect(adapters[1]!.sent.map((m) => m.text)).toEqual(['still there?']);
    expect((await b.bridge.getSession(sessionId))?.state).toBe('queued');
    await b.bridge.close();
  });

  it('forgets an ended session after its retention', async () => {
    const { instance, pass } = cluster();
    const a = instance('A');
    const { sessionId } = await started(a.bridge);
    await a.bridge.endSession(sessionId);
    expect((await a.bridge.getSession(sessionId))?.state).toBe('ended');
    await pass(3_600_000 + 100);
    expect(await a.bridge.getSession(sessionId)).toBeUndefined();
    await expect(a.bridge.readEvents(sessionId)).rejects.toMatchObject({
      error: { code: 'SESSION_NOT_FOUND' },
    });
    await a.bridge.close();
  });

  it('delivers webhooks from the owner, in order, and the next owner resumes from the stored cursor', async () => {
    const { adapters, instance, pass, history, clock } = cluster();
    const a = instance('A');
    const b = instance('B');
    await b.bridge.start();
    // One receiver; it refuses A's deliveries once told to (A is about to die and cannot get them through).
    const received: { from: string; seq: number; type: string }[] = [];
    let refuseA = false;
    const dispatcher = (name: string, bridge: Bridge) => {
      const d = new WebhookDispatcher(
        WebhookSettingsSchema.parse({
          url: 'https://bot.example/hooks',
          secret: 'webhook-secret-0123456789',
          maxAttempts: 2,
          drainMs: 0,
        }),
        {
          source: bridge,
          ...(bridge.outbox ? { outbox: bridge.outbox } : {}),
          clock,
          random: () => 0.5,
          fetch: async (_url, init) => {
            const event = JSON.parse(String(init.body)) as BridgeEvent;
            if (name === 'A' && refuseA) return new Response(null, { status: 503 });
            received.push({ from: name, seq: event.seq, type: event.type });
            return new Response(null, { status: 200 });
          },
        },
      );
      bridge.onEvent((e) => d.notify(e));
      return d;
    };
    const hooksA = dispatcher('A', a.bridge);
    const hooksB = dispatcher('B', b.bridge);
    const { sessionId } = await started(a.bridge);
    adapters[0]!.events.message(agentText('g1', 'one'));
    await settle();
    expect(received).toEqual([
      { from: 'A', seq: 1, type: 'transfer.accepted' },
      { from: 'A', seq: 2, type: 'agent.joined' },
      { from: 'A', seq: 3, type: 'agent.message' },
    ]);
    refuseA = true;
    adapters[0]!.events.message(agentText('g2', 'two'));
    await settle();
    a.cut();
    history.next = [agentText('g1', 'one'), agentText('g2', 'two'), agentText('g3', 'three')];
    await pass(TTL + TTL / 3 + 100);
    await settle(20);
    // B delivers from the first event A could not: 4 (A's, undelivered), then its own, in order, once.
    const types = (await b.bridge.readEvents(sessionId)).map((e) => `${e.seq}:${e.type}`);
    expect(received.map((r) => `${r.from}:${r.seq}`)).toEqual([
      'A:1',
      'A:2',
      'A:3',
      ...types.slice(3).map((t) => `B:${t.split(':')[0]}`),
    ]);
    expect(types.slice(3)).toEqual([
      '4:agent.message',
      '5:connection.changed',
      '6:connection.changed',
      '7:agent.message',
    ]);
    // A comes back and learns it lost the session: its dispatcher stops delivering it.
    a.heal();
    await pass(TTL);
    expect(received.filter((r) => r.from === 'A')).toHaveLength(3);
    await hooksA.close();
    await hooksB.close();
    await b.bridge.close();
    await a.bridge.close();
  });

  it('looks up in Genesys what the dead owner may have sent before sending it again', async () => {
    const { adapters, instance, pass, history } = cluster();
    const a = instance('A');
    const b = instance('B');
    await b.bridge.start();
    const { sessionId } = await started(a.bridge);
    // A writes m1 to Genesys and dies before the answer: did it arrive? Genesys has it.
    adapters[0]!.autoSend = false;
    await a.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'first' });
    await settle();
    expect(adapters[0]!.pending.map((p) => p.message.text)).toEqual(['first']);
    a.cut();
    await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'second' });
    await b.bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm3', text: 'third' });
    const lookedUp: string[] = [];
    history.findSent = async (text) => {
      lookedUp.push(text);
      return text === 'first' ? { providerMessageId: 'genesys-1' } : undefined;
    };
    await pass(TTL + TTL / 3 + 100);
    await settle(20);
    // m1 was found (not sent twice); m2 and m3 were not, so each was sent once (m3 is not mistaken for
    // m2, whose answer came just before its lookup).
    expect(lookedUp).toEqual(['first', 'second', 'third']);
    expect(adapters[1]!.sent.map((m) => m.text)).toEqual(['second', 'third']);
    const status = (await b.bridge.readEvents(sessionId)).filter((e) => e.type === 'message.status');
    expect(
      status.map((e) => e.type === 'message.status' && [e.clientMessageId, e.status, e.providerMessageId]),
    ).toEqual([
      ['m1', 'sent', 'genesys-1'],
      ['m2', 'sent', 'p-1'],
      ['m3', 'sent', 'p-2'],
    ]);
    a.heal();
    await pass(TTL);
    await b.bridge.close();
    await a.bridge.close();
  });

  it('ends a session the bot ended while nobody owned it, once the next owner reconnected', async () => {
    const { adapters, instance, pass } = cluster();
    const a = instance('A');
    const b = instance('B');
    await b.bridge.start();
    const { sessionId } = await started(a.bridge);
    a.cut();
    let ended = false;
    const ending = b.bridge.endSession(sessionId).then(() => {
      ended = true;
    });
    await settle();
    expect(ended).toBe(false);
    await pass(TTL + TTL / 3 + 100);
    await ending;
    // B reconnected first, then left the Genesys conversation (Presence Clear), then the session ended.
    expect(adapters[1]!.resumes).toHaveLength(1);
    expect(adapters[1]!.closes).toEqual(['end']);
    const events = await b.bridge.readEvents(sessionId);
    expect(events.slice(-3).map((e) => (e.type === 'connection.changed' ? e.connectivity : e.type))).toEqual([
      'reconnecting',
      'online',
      'session.ended',
    ]);
    a.heal();
    await pass(TTL);
    await b.bridge.close();
    await a.bridge.close();
  });
});
