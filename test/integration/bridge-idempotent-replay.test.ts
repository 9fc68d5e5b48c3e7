import { describe, expect, it, onTestFinished } from 'vitest';
import { createBridge } from '../../bridge/index.ts';
import { buildBridgeService } from '../../bridge/service/index.ts';
import { bridgeConfig, storyFixture } from '../support/bridge-story.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { SharedTime } from '../support/shared-time.ts';

/**
 * A bot platform that retries a start-transfer (a timeout, a crash before it saw the answer) sends the
 * same Idempotency-Key and the same request, but JSON objects have no key order: its serialiser may write
 * the metadata (and nested objects in it, and the customer) in another order. That is the same request:
 * a replay that returns the first session, never a 409 IDEMPOTENCY_CONFLICT, and never a second Genesys
 * conversation. A request that really differs under the same key is still a conflict.
 */

function firstRequest(idempotencyKey: string) {
  return {
    idempotencyKey,
    botConversationId: `bot-${idempotencyKey}`,
    customer: { id: 'C-1001', displayName: 'Pat Customer', email: 'pat@example.com' },
    metadata: {
      QueueName: 'Sports Support',
      customerId: 'C-1001',
      intent: 'billing',
      profile: { tier: 'gold', since: 2019, tags: ['vip', 'early'] },
    },
    initialMessage: 'I would like to talk to a person',
  };
}

/** The same request with every object's keys in reverse order (arrays keep theirs: order matters there). */
function reordered(idempotencyKey: string) {
  return {
    initialMessage: 'I would like to talk to a person',
    metadata: {
      profile: { tags: ['vip', 'early'], since: 2019, tier: 'gold' },
      intent: 'billing',
      customerId: 'C-1001',
      QueueName: 'Sports Support',
    },
    customer: { email: 'pat@example.com', displayName: 'Pat Customer', id: 'C-1001' },
    botConversationId: `bot-${idempotencyKey}`,
    idempotencyKey,
  };
}

function conversationsCreated(emulator: TestEmulator): number {
  return emulator.events.ofType('conversation.created').length;
}

describe('start-transfer retried with the same key and the same metadata in another key order', () => {
  it('the library replays the first session and Genesys gets one conversation', async () => {
    const emulator = await startEmulator({ fixture: storyFixture() });
    const time = new SharedTime(emulator.clock);
    const bridge = createBridge(bridgeConfig('webMessaging', emulator), time.deps);
    onTestFinished(() => bridge.close());

    const first = await bridge.startTransfer(firstRequest('retry-1'));
    expect(first).toMatchObject({ state: 'queued', created: true });
    const again = await bridge.startTransfer(reordered('retry-1'));
    expect(again).toMatchObject({ sessionId: first.sessionId, created: false });
    expect(conversationsCreated(emulator)).toBe(1);

    // A real difference under the same key is still refused.
    const changed = reordered('retry-1');
    changed.metadata.profile.tier = 'silver';
    await expect(bridge.startTransfer(changed)).rejects.toMatchObject({
      error: { code: 'IDEMPOTENCY_CONFLICT' },
    });
    expect(conversationsCreated(emulator)).toBe(1);
  });

  it('the service answers the retry 200 with the first session, not 409', async () => {
    const emulator = await startEmulator({ fixture: storyFixture() });
    const time = new SharedTime(emulator.clock);
    const key = 'service-api-key-0123456789';
    const service = await buildBridgeService({
      config: bridgeConfig('webMessaging', emulator),
      apiKeys: [key],
      deps: time.deps,
    });
    onTestFinished(() => service.close());
    const post = async (body: Record<string, unknown>) => {
      const { idempotencyKey, ...rest } = body;
      const res = await service.app.inject({
        method: 'POST',
        url: '/v1/transfers',
        headers: { authorization: `Bearer ${key}`, 'idempotency-key': String(idempotencyKey) },
        payload: rest,
      });
      return { status: res.statusCode, body: res.json() };
    };

    const created = await post(firstRequest('svc-retry-1'));
    expect(created).toMatchObject({ status: 201, body: { created: true } });
    const replay = await post(reordered('svc-retry-1'));
    expect(replay).toMatchObject({
      status: 200,
      body: { sessionId: created.body.sessionId, created: false },
    });
    expect(conversationsCreated(emulator)).toBe(1);

    const changed = reordered('svc-retry-1');
    changed.metadata.intent = 'refund';
    expect(await post(changed)).toMatchObject({
      status: 409,
      body: { error: { code: 'IDEMPOTENCY_CONFLICT' } },
    });
  });
});
