import { describe, expect, it } from 'vitest';
import { BridgeFailure, bridgeError } from '../../../bridge/errors.ts';
import { NotDeliveredFailure } from '../../../bridge/session/channel-adapter.ts';
import {
  agentText,
  fakeBridge,
  settle,
  transfer,
  webChatConfig,
  webMessagingConfig,
} from './fake-adapter.ts';

async function started(config: unknown = webMessagingConfig(), request = transfer()) {
  const bridge = fakeBridge(config);
  const result = await bridge.registry.startTransfer(request);
  return { ...bridge, result, sessionId: result.sessionId };
}

function failureOf(run: () => unknown): BridgeFailure {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof BridgeFailure) return thrown;
    throw thrown;
  }
  throw new Error('expected a BridgeFailure');
}

describe('starting a transfer', () => {
  it('sends the metadata with the first Web Messaging message and reports transfer.accepted once it is confirmed', async () => {
    const { result, adapter, types, sessionId } = await started(
      webMessagingConfig(),
      transfer({ metadata: { tier: 'gold', score: 7 }, initialMessage: 'I need help' }),
    );
    expect(result).toMatchObject({ state: 'queued', created: true, channel: 'webMessaging' });
    expect(adapter().sent[0]).toEqual({
      text: 'I need help',
      attributes: { tier: 'gold', score: '7', QueueName: 'Support' },
    });
    expect(types(sessionId)).toEqual(['transfer.accepted']);
  });

  it('sends the configured handoff text when a Web Messaging transfer has nothing else to say', async () => {
    const { adapter } = await started();
    expect(adapter().sent).toEqual([
      { text: 'Customer transferred from the virtual assistant.', attributes: { QueueName: 'Support' } },
    ]);
  });

  it('puts WebChat metadata into the open request and accepts without a message', async () => {
    const { adapter, result } = await started(webChatConfig(), transfer({ metadata: { a: true } }));
    expect(result.state).toBe('queued');
    expect(adapter().opens[0]).toMatchObject({
      queueName: 'Support',
      attributes: { a: 'true', QueueName: 'Support' },
    });
    expect(adapter().sent).toEqual([]);
  });

  it('replays the same session for the same idempotency key and refuses a different payload under it', async () => {
    const { registry, result, adapters } = await started();
    const again = await registry.startTransfer(transfer());
    expect(again).toMatchObject({ sessionId: result.sessionId, created: false });
    expect(adapters).toHaveLength(1);
    await expect(registry.startTransfer(transfer({ queueName: 'Other' }))).rejects.toMatchObject({
      error: { code: 'IDEMPOTENCY_CONFLICT' },
    });
  });

  it('joins concurrent starts with the same key into one session', async () => {
    const bridge = fakeBridge();
    const [a, b] = await Promise.all([
      bridge.registry.startTransfer(transfer()),
      bridge.registry.startTransfer(transfer()),
    ]);
    expect(a.sessionId).toBe(b.sessionId);
    expect(bridge.adapters).toHaveLength(1);
  });

  it('refuses oversize metadata before any adapter exists, naming the biggest key', async () => {
    const bridge = fakeBridge();
    const request = transfer({ metadata: { notes: 'x'.repeat(3000), small: 'y' } });
    await expect(bridge.registry.startTransfer(request)).rejects.toMatchObject({
      error: { code: 'METADATA_TOO_LARGE', message: expect.stringContaining('notes (3005 bytes)') },
    });
    expect(bridge.adapters).toHaveLength(0);
  });

  it('fails the transfer without sending a message when Genesys announces a smaller budget', async () => {
    const bridge = fakeBridge();
    bridge.next.openResult = { maxCustomDataBytes: 100 };
    const result = await bridge.registry.startTransfer(transfer({ metadata: { notes: 'x'.repeat(200) } }));
    expect(result.state).toBe('failed');
    expect(result.error?.code).toBe('METADATA_TOO_LARGE');
    expect(bridge.adapter().sent).toEqual([]);
    expect(bridge.types(result.sessionId)).toEqual(['error', 'session.ended']);
    expect(bridge.events(result.sessionId).at(-1)).toMatchObject({ reason: 'transferFailed', by: 'system' });
  });

  it('fails with TIMEOUT when Genesys never answers within connectMs', async () => {
    const bridge = fakeBridge(webMessagingConfig({ timeouts: { connectMs: 5000 } }));
    bridge.next.openResult = 'hang';
    const pending = bridge.registry.startTransfer(transfer());
    await settle();
    bridge.clock.advance(5000);
    const result = await pending;
    expect(result).toMatchObject({ state: 'failed', error: { code: 'TIMEOUT' } });
    // No Web Messaging message went out, so there is no Genesys conversation to leave.
    expect(bridge.adapter().closes).toEqual(['detach']);
  });

  it('reports an open failure as a failed transfer', async () => {
    const bridge = fakeBridge();
    bridge.next.openResult = new BridgeFailure(bridgeError('FORBIDDEN', 'deployment refused'));
    const result = await bridge.registry.startTransfer(transfer());
    expect(result).toMatchObject({ state: 'failed', error: { code: 'FORBIDDEN' } });
  });
});

describe('customer messages', () => {
  it('deduplicates by clientMessageId and reports message.status sent with the Genesys id', async () => {
    const { registry, adapter, sessionId, events } = await started();
    const first = registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'hello' });
    const second = registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'hello' });
    expect(first.status).toBe('queued');
    expect(second.status).toBe('duplicate');
    await settle();
    expect(adapter().sent.map((m) => m.text)).toEqual([
      'Customer transferred from the virtual assistant.',
      'hello',
    ]);
    expect(adapter().sent[1]?.attributes).toBeUndefined();
    expect(events(sessionId).at(-1)).toMatchObject({
      type: 'message.status',
      clientMessageId: 'm1',
      status: 'sent',
      providerMessageId: 'p-2',
    });
    expect(registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'hello' })).toMatchObject({
      status: 'duplicate',
      providerMessageId: 'p-2',
    });
  });

  it('starts at most two sends per second', async () => {
    const { registry, adapter, sessionId, clock } = await started();
    for (let i = 0; i < 5; i++)
      registry.sendCustomerMessage(sessionId, { clientMessageId: `m${i}`, text: `t${i}` });
    await settle();
    // The opening message and m0 used this second's two slots.
    expect(adapter().sent).toHaveLength(2);
    clock.advance(1000);
    await settle();
    expect(adapter().sent).toHaveLength(4);
    clock.advance(1000);
    await settle();
    expect(adapter().sent).toHaveLength(6);
  });

  it('waits out retryAfter and resends the refused message once', async () => {
    const { registry, adapter, sessionId, clock, events } = await started();
    clock.advance(1000);
    adapter().autoSend = false;
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'hi' });
    await settle();
    adapter()
      .pending.shift()
      ?.reject(
        new NotDeliveredFailure(
          bridgeError('RATE_LIMITED', 'too fast', { retryable: true, retryAfterMs: 3000 }),
        ),
      );
    await settle();
    clock.advance(2999);
    await settle();
    expect(adapter().sent).toHaveLength(2);
    clock.advance(1);
    await settle();
    expect(adapter().sent).toHaveLength(3);
    adapter().pending.shift()?.resolve({ providerMessageId: 'g-1' });
    await settle();
    const statuses = events(sessionId).filter((e) => e.type === 'message.status');
    expect(statuses).toEqual([expect.objectContaining({ status: 'sent', providerMessageId: 'g-1' })]);
  });

  it('reports a send Genesys never confirms as failed and retryable, without resending', async () => {
    const { registry, adapter, sessionId, clock, events } = await started(
      webMessagingConfig({ timeouts: { sendMs: 2000 } }),
    );
    adapter().autoSend = false;
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'hi' });
    await settle();
    clock.advance(2000);
    await settle();
    expect(events(sessionId).at(-1)).toMatchObject({
      type: 'message.status',
      status: 'failed',
      error: { code: 'TIMEOUT', retryable: true, clientMessageId: 'm1' },
    });
    expect(adapter().sent).toHaveLength(2);
  });

  it('refuses attachments, empty text and too-long text on the call and on the stream', async () => {
    const { registry, sessionId, events } = await started();
    const attach = failureOf(() =>
      registry.sendCustomerMessage(sessionId, {
        clientMessageId: 'a',
        attachments: [{ url: 'u', mimeType: 'image/png' }],
      }),
    );
    expect(attach.error.code).toBe('ATTACHMENTS_UNSUPPORTED');
    expect(
      failureOf(() => registry.sendCustomerMessage(sessionId, { clientMessageId: 'b', text: '  ' })).error
        .code,
    ).toBe('INVALID_REQUEST');
    expect(
      failureOf(() =>
        registry.sendCustomerMessage(sessionId, { clientMessageId: 'c', text: 'x'.repeat(4001) }),
      ).error.code,
    ).toBe('MESSAGE_TOO_LONG');
    expect(
      events(sessionId)
        .filter((e) => e.type === 'message.status')
        .map((e) => e.seq),
    ).toHaveLength(3);
  });

  it('splits long text when configured and confirms after the last part', async () => {
    const { registry, adapter, sessionId, clock } = await started(
      webMessagingConfig({ limits: { maxTextLength: 10, longText: 'split' } }),
    );
    const ack = registry.sendCustomerMessage(sessionId, {
      clientMessageId: 'm',
      text: 'aaaa bbbb cccc dddd',
    });
    expect(ack.parts).toBe(2);
    clock.advance(1000);
    await settle();
    expect(
      adapter()
        .sent.slice(1)
        .map((m) => m.text),
    ).toEqual(['aaaa bbbb ', 'cccc dddd']);
  });

  it('refuses with QUEUE_FULL when too many messages wait', async () => {
    const { registry, adapter, sessionId } = await started(
      webMessagingConfig({ limits: { outboundQueueMax: 2 } }),
    );
    adapter().autoSend = false;
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm0', text: 'x' });
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'x' });
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'x' });
    const full = failureOf(() =>
      registry.sendCustomerMessage(sessionId, { clientMessageId: 'm3', text: 'x' }),
    );
    expect(full.error).toMatchObject({ code: 'QUEUE_FULL', retryable: true });
  });

  it('coalesces and throttles typing', async () => {
    const { registry, adapter, sessionId, clock } = await started();
    const session = registry.require(sessionId);
    clock.advance(1000);
    session.sendTyping(true);
    session.sendTyping(true);
    session.sendTyping(false);
    await settle();
    expect(adapter().typings).toBe(1);
    clock.advance(5000);
    session.sendTyping(true);
    await settle();
    expect(adapter().typings).toBe(2);
  });

  it('queues messages sent while connecting behind the opening message', async () => {
    const bridge = fakeBridge();
    const pending = bridge.registry.startTransfer(transfer({ initialMessage: 'first' }));
    bridge.registry.sendCustomerMessage('s1', { clientMessageId: 'm', text: 'second' });
    await pending;
    bridge.clock.advance(1000);
    await settle();
    expect(bridge.adapter().sent.map((m) => m.text)).toEqual(['first', 'second']);
    expect(bridge.adapter().sent[0]?.attributes).toBeDefined();
  });
});

describe('agent side', () => {
  it('infers agent.joined from the first human message and a transfer from a new nickname', async () => {
    const { adapter, sessionId, clock, events, registry } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.message({ id: 'b1', text: 'Connecting you…', sender: { kind: 'bot' } });
    adapter().events.message(agentText('g1', 'Hi, I am Alex'));
    adapter().events.message(agentText('g2', 'Hello, Sam here', 'Sam'));
    clock.advance(0);
    const shaped = events(sessionId).map((e) => [e.type, e.inferred ?? false]);
    expect(shaped).toEqual([
      ['transfer.accepted', false],
      ['agent.message', false],
      ['agent.joined', true],
      ['agent.message', false],
      ['transfer.changed', true],
      ['agent.joined', true],
      ['agent.message', false],
    ]);
    expect(events(sessionId)[1]).toMatchObject({ origin: 'bot', message: { id: 'b1' } });
    expect(events(sessionId)[4]).toMatchObject({ from: { displayName: 'Alex' }, to: { displayName: 'Sam' } });
    expect(registry.require(sessionId).snapshot()).toMatchObject({
      state: 'agentActive',
      agent: { displayName: 'Sam' },
    });
  });

  it('drops duplicate Genesys message ids and orders by provider time within the window', async () => {
    const { adapter, sessionId, clock, events } = await started();
    const t = clock.now();
    adapter().events.message(agentText('g2', 'second', 'Alex', t + 20));
    adapter().events.message(agentText('g1', 'first', 'Alex', t + 10));
    adapter().events.message(agentText('g2', 'second', 'Alex', t + 20));
    expect(events(sessionId).filter((e) => e.type === 'agent.message')).toHaveLength(0);
    clock.advance(1000);
    const texts = events(sessionId)
      .filter((e) => e.type === 'agent.message')
      .map((e) => (e.type === 'agent.message' ? e.message.text : ''));
    expect(texts).toEqual(['first', 'second']);
  });

  it('reports agent typing with its expiry', async () => {
    const { adapter, sessionId, clock, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const t = clock.now();
    adapter().events.typing({ occurredAt: t, durationMs: 5000 });
    expect(events(sessionId).at(-1)).toMatchObject({
      type: 'agent.typing',
      isTyping: true,
      expiresAt: new Date(t + 5000).toISOString(),
    });
  });

  it('tracks observed WebChat presence through a transfer', async () => {
    const { adapter, sessionId, registry, types } = await started(
      webChatConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const session = registry.require(sessionId);
    adapter().events.agentJoined({ id: 'a1', displayName: 'Alex' });
    expect(session.state).toBe('agentActive');
    adapter().events.agentLeft({ id: 'a1' }, true);
    adapter().events.transferred({ kind: 'unknown', from: { id: 'a1' }, inferred: true });
    expect(session.state).toBe('transferring');
    adapter().events.agentJoined({ id: 'a2', displayName: 'Sam' });
    expect(session.state).toBe('agentActive');
    expect(types(sessionId)).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.left',
      'transfer.changed',
      'agent.joined',
    ]);
  });

  it('emits queue.timeout once when no agent joins in time, without ending the session', async () => {
    const { sessionId, clock, types, registry } = await started(
      webMessagingConfig({ timeouts: { agentWaitMs: 60_000 } }),
    );
    clock.advance(60_000);
    clock.advance(60_000);
    expect(types(sessionId)).toEqual(['transfer.accepted', 'queue.timeout']);
    expect(registry.require(sessionId).ended).toBe(false);
  });
});

describe('ending', () => {
  it('ends exactly once when the agent disconnects, delivering held messages first', async () => {
    const { adapter, sessionId, clock, events, registry } = await started();
    adapter().events.message(agentText('g1', 'bye', 'Alex', clock.now()));
    adapter().events.ended({ reason: 'agentEnded', by: 'agent', occurredAt: clock.now() + 5 });
    adapter().events.ended({ reason: 'sessionExpired', by: 'system' });
    clock.advance(1000);
    const list = events(sessionId);
    expect(list.map((e) => e.type)).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.message',
      'agent.left',
      'session.ended',
    ]);
    expect(list.at(-1)).toMatchObject({ reason: 'agentEnded', by: 'agent' });
    expect(list.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(new Set(list.map((e) => e.eventId)).size).toBe(5);
    expect(adapter().closes).toEqual(['detach']);
    expect(
      failureOf(() => registry.sendCustomerMessage(sessionId, { clientMessageId: 'z', text: 'x' })).error
        .code,
    ).toBe('SESSION_ENDED');
    await registry.require(sessionId).end();
    expect(events(sessionId).filter((e) => e.type === 'session.ended')).toHaveLength(1);
  });

  it('fails waiting messages before session.ended when the bot ends the session', async () => {
    const { registry, adapter, sessionId, events } = await started();
    adapter().autoSend = false;
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'a' });
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'b' });
    await registry.require(sessionId).end('botEnded');
    const tail = events(sessionId).slice(-2);
    expect(tail[0]).toMatchObject({
      type: 'message.status',
      clientMessageId: 'm2',
      status: 'failed',
      error: { code: 'SESSION_ENDED' },
    });
    expect(tail[1]).toMatchObject({ type: 'session.ended', reason: 'botEnded', by: 'bot' });
    expect(adapter().closes).toEqual(['end']);
  });

  it('ends idle sessions after idleMs of silence either way', async () => {
    const { registry, sessionId, clock, events, adapter } = await started(
      webMessagingConfig({ timeouts: { idleMs: 60_000 } }),
    );
    clock.advance(59_000);
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm', text: 'still here' });
    clock.advance(59_000);
    expect(registry.require(sessionId).ended).toBe(false);
    clock.advance(1000);
    await settle();
    expect(events(sessionId).at(-1)).toMatchObject({
      type: 'session.ended',
      reason: 'idleTimeout',
      by: 'system',
    });
    expect(adapter().closes).toEqual(['end']);
  });

  it('marks the session read-only when Genesys says so and refuses later sends', async () => {
    const { adapter, sessionId, clock, registry } = await started();
    adapter().events.ended({ reason: 'readOnly', by: 'system' });
    clock.advance(1000);
    expect(registry.require(sessionId).snapshot()).toMatchObject({
      state: 'ended',
      endReason: 'readOnly',
      provider: { readOnly: true },
    });
  });

  it('forgets ended sessions after endedRetentionMs', async () => {
    const { registry, sessionId, clock } = await started(
      webMessagingConfig({ timeouts: { endedRetentionMs: 10_000 } }),
    );
    await registry.require(sessionId).end();
    clock.advance(10_000);
    expect(registry.get(sessionId)).toBeUndefined();
    expect(failureOf(() => registry.require(sessionId)).error.code).toBe('SESSION_NOT_FOUND');
  });
});

describe('reconnecting', () => {
  it('pauses sends while reconnecting, then catches up from history without duplicates', async () => {
    const { adapter, registry, sessionId, clock, events } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    adapter().events.message(agentText('g1', 'one'));
    adapter().events.connectivity('reconnecting');
    registry.sendCustomerMessage(sessionId, { clientMessageId: 'm', text: 'while down' });
    clock.advance(5000);
    await settle();
    expect(adapter().sent).toHaveLength(1);
    adapter().history = [agentText('g1', 'one'), agentText('g2', 'two')];
    adapter().events.connectivity('online');
    await settle();
    expect(adapter().historyCalls).toBe(1);
    expect(adapter().sent).toHaveLength(2);
    const list = events(sessionId);
    expect(list.filter((e) => e.type === 'agent.message').map((e) => e.providerRef?.messageId)).toEqual([
      'g1',
      'g2',
    ]);
    expect(
      list
        .filter((e) => e.type === 'connection.changed')
        .map((e) => (e.type === 'connection.changed' ? e.connectivity : '')),
    ).toEqual(['reconnecting', 'online']);
  });
});

describe('event stream', () => {
  it('replays after a seq and completes the iterator after session.ended', async () => {
    const { registry, sessionId, adapter, clock } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const log = registry.require(sessionId).log;
    adapter().events.message(agentText('g1', 'one'));
    const seen: number[] = [];
    const reading = (async () => {
      for await (const event of log.iterate(1)) seen.push(event.seq);
    })();
    adapter().events.ended({ reason: 'agentEnded', by: 'agent' });
    clock.advance(0);
    await reading;
    expect(seen).toEqual([2, 3, 4, 5]);
    expect(log.read(3).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('keeps delivering to other listeners when one throws', async () => {
    const { registry, sessionId, adapter, listenerErrors } = await started(
      webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }),
    );
    const log = registry.require(sessionId).log;
    const seen: string[] = [];
    log.subscribe(() => {
      throw new Error('consumer bug');
    });
    log.subscribe((e) => seen.push(e.type), log.lastSeq);
    adapter().events.message(agentText('g1', 'one'));
    expect(seen).toEqual(['agent.joined', 'agent.message']);
    expect(listenerErrors.length).toBeGreaterThan(0);
  });
});
