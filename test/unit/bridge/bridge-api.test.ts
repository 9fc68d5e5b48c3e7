import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../bridge/clock.ts';
import { BridgeConfigError, type BridgeEvent, createBridge } from '../../../bridge/index.ts';
import type { AdapterContext } from '../../../bridge/session/channel-adapter.ts';
import { agentText, FakeAdapter, settle, transfer, webMessagingConfig } from './fake-adapter.ts';

function apiBridge(config: unknown = webMessagingConfig({ timeouts: { reorderWindowMs: 0 } })) {
  const clock = new ManualClock();
  const adapters: FakeAdapter[] = [];
  let ids = 0;
  const bridge = createBridge(config, {
    clock,
    newId: () => `id-${++ids}`,
    adapters: {
      webMessaging: (context: AdapterContext) => {
        const adapter = new FakeAdapter(context, 'webMessaging');
        adapters.push(adapter);
        return adapter;
      },
    },
  });
  return { bridge, clock, adapters };
}

describe('createBridge', () => {
  it('throws BridgeConfigError for a configuration that cannot work', () => {
    expect(() => createBridge({ loginUrl: 'nope' })).toThrow(BridgeConfigError);
  });

  it('validates to the chosen channel and its warnings', async () => {
    const { bridge } = apiBridge(webMessagingConfig({ queueName: 'A_B' }));
    expect(await bridge.validate()).toMatchObject({
      ok: true,
      channel: 'webMessaging',
      errors: [],
      warnings: [expect.objectContaining({ code: 'QUEUE_NAME_HAS_UNDERSCORE' })],
    });
  });

  it('runs a transfer end to end through the library API', async () => {
    const { bridge, adapters } = apiBridge();
    const result = await bridge.startTransfer(transfer({ initialMessage: 'hi' }));
    expect(result).toMatchObject({ sessionId: 'id-1', created: true, state: 'queued' });
    const seen: BridgeEvent[] = [];
    const reading = (async () => {
      for await (const event of bridge.events(result.sessionId)) seen.push(event);
    })();
    adapters[0]?.events.message(agentText('g1', 'Hello'));
    await bridge.sendTyping(result.sessionId, { isTyping: true });
    expect(
      await bridge.sendCustomerMessage(result.sessionId, { clientMessageId: 'm1', text: 'thanks' }),
    ).toMatchObject({ status: 'queued' });
    await bridge.endSession(result.sessionId);
    await reading;
    expect(seen.map((e) => e.type)).toEqual([
      'transfer.accepted',
      'agent.joined',
      'agent.message',
      'message.status',
      'session.ended',
    ]);
    expect(seen.map((e) => e.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(await bridge.getSession(result.sessionId)).toMatchObject({
      state: 'ended',
      endReason: 'botEnded',
      lastSeq: 5,
    });
    expect(await bridge.findSession('bot-1')).toMatchObject({ sessionId: 'id-1' });
    expect((await bridge.readEvents(result.sessionId, { afterSeq: 3 })).map((e) => e.seq)).toEqual([4, 5]);
  });

  it('resumes a stream from afterSeq', async () => {
    const { bridge, adapters } = apiBridge();
    const { sessionId } = await bridge.startTransfer(transfer());
    adapters[0]?.events.message(agentText('g1', 'one'));
    const replayed: number[] = [];
    const stop = bridge.subscribe(sessionId, (e) => replayed.push(e.seq), { afterSeq: 1 });
    adapters[0]?.events.message(agentText('g2', 'two'));
    stop();
    adapters[0]?.events.message(agentText('g3', 'three'));
    expect(replayed).toEqual([2, 3, 4]);
  });

  it('delivers new events of every session to onEvent listeners until they unsubscribe', async () => {
    const { bridge, adapters } = apiBridge();
    const seen: string[] = [];
    const stop = bridge.onEvent((e) => seen.push(`${e.sessionId}:${e.type}`));
    await bridge.startTransfer(transfer());
    await bridge.startTransfer(transfer({ idempotencyKey: 'k2', botConversationId: 'bot-2' }));
    stop();
    adapters[1]?.events.message(agentText('g1', 'late'));
    expect(seen).toEqual(['id-1:transfer.accepted', 'id-2:transfer.accepted']);
  });

  it('refuses unknown sessions and odd end reasons with typed errors', async () => {
    const { bridge } = apiBridge();
    await expect(
      bridge.sendCustomerMessage('nope', { clientMessageId: 'a', text: 'x' }),
    ).rejects.toMatchObject({
      error: { code: 'SESSION_NOT_FOUND' },
    });
    const { sessionId } = await bridge.startTransfer(transfer());
    await expect(bridge.endSession(sessionId, { reason: 'agentEnded' as never })).rejects.toMatchObject({
      error: { code: 'INVALID_REQUEST' },
    });
    await expect(
      bridge.startTransfer({ idempotencyKey: '', botConversationId: 'b', customer: { id: 'c' } }),
    ).rejects.toMatchObject({
      error: { code: 'INVALID_REQUEST', message: expect.stringContaining('idempotencyKey') },
    });
  });

  it('ends every live session on close', async () => {
    const { bridge, adapters } = apiBridge();
    const { sessionId } = await bridge.startTransfer(transfer());
    const types: string[] = [];
    bridge.subscribe(sessionId, (e) => types.push(e.type));
    await bridge.close();
    await settle();
    expect(adapters[0]?.closes).toEqual(['end']);
    expect(types).toEqual(['transfer.accepted', 'session.ended']);
    await expect(bridge.startTransfer(transfer({ idempotencyKey: 'x' }))).rejects.toMatchObject({
      error: { code: 'INTERNAL' },
    });
  });
});
