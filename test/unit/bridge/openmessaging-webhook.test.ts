import { describe, expect, it } from 'vitest';
import type { HubSession } from '../../../bridge/channels/openmessaging-hub.ts';
import { OpenMessagingHub } from '../../../bridge/channels/openmessaging-hub.ts';
import { hubSignature } from '../../../bridge/channels/openmessaging-signature.ts';
import { OpenMessagingWebhook } from '../../../bridge/channels/openmessaging-webhook.ts';
import type { WebhookBody } from '../../../bridge/channels/openmessaging-wire.ts';
import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';

/**
 * The bridge's Open Messaging webhook receiver: signature first, JSON next, 200 before any processing,
 * routing by the customer id, and a retried delivery dropped by its id.
 */
const INTEGRATION = '0f8e2d7a-1b2c-4d3e-9f00-123456789abc';
const SECRET = 'the-integration-secret-0123';

function setUp(dedupeWindow = 100) {
  const config = resolveBridgeConfig({
    loginUrl: 'http://127.0.0.1:9',
    channel: 'openMessaging',
    platformApi: { clientId: 'client', clientSecret: 'secret' },
    openMessaging: { integrationId: INTEGRATION, webhookSecret: SECRET, dedupeWindow },
  });
  const hub = new OpenMessagingHub(config, new ManualClock(), {
    fetch: async () => {
      throw new Error('no HTTP in this test');
    },
  });
  const received: WebhookBody[] = [];
  const session: HubSession = { webhook: (b) => received.push(b), conversation: () => {}, error: () => {} };
  hub.attachCustomer('customer-1', session);
  const errors: unknown[] = [];
  const webhook = new OpenMessagingWebhook(
    () => [hub],
    (e) => errors.push(e),
  );
  return { hub, webhook, received, errors };
}

const body = (id: string, to = 'customer-1', integration = INTEGRATION) =>
  JSON.stringify({
    id,
    channel: { id: integration, to: { id: to }, time: '2026-01-01T09:00:00.000Z' },
    type: 'Text',
    direction: 'Outbound',
    originatingEntity: 'Human',
    text: `message ${id}`,
  });

const flush = () => new Promise<void>((resolve) => queueMicrotask(resolve));

describe('the Open Messaging webhook receiver', () => {
  it('answers 401 to a missing or wrong signature and 400 to a body that is not JSON; nothing is processed', async () => {
    const { webhook, received } = setUp();
    expect(webhook.accept(body('1'), undefined)).toMatchObject({ status: 401 });
    expect(webhook.accept(body('1'), hubSignature('another-secret-0123', body('1')))).toMatchObject({
      status: 401,
    });
    expect(webhook.accept(body('1'), hubSignature(SECRET, body('2')))).toMatchObject({ status: 401 });
    expect(webhook.accept('not json', hubSignature(SECRET, 'not json'))).toMatchObject({ status: 400 });
    await flush();
    expect(received).toEqual([]);
  });

  it('answers 200 before processing, then hands the body to the customer it is for', async () => {
    const { webhook, received } = setUp();
    const raw = body('1');
    expect(webhook.accept(raw, hubSignature(SECRET, raw))).toEqual({
      status: 200,
      body: { status: 'accepted' },
    });
    expect(received).toEqual([]);
    await flush();
    expect(received.map((b) => b.id)).toEqual(['1']);
    expect(received[0]!.channel.time).toBe(Date.UTC(2026, 0, 1, 9));
  });

  it('drops a retried delivery by its id, and forgets the oldest ids beyond the window', async () => {
    const { webhook, received } = setUp(100);
    const send = (id: string) => webhook.accept(body(id), hubSignature(SECRET, body(id)));
    for (const id of ['1', '2', '1', '2', '1']) expect(send(id).status).toBe(200);
    await flush();
    expect(received.map((b) => b.id)).toEqual(['1', '2']);
    for (let i = 3; i <= 101; i++) send(String(i));
    send('2'); // still remembered (the window holds the last 100)
    send('1'); // forgotten: it was the oldest
    await flush();
    expect(received.filter((b) => b.id === '2')).toHaveLength(1);
    expect(received.filter((b) => b.id === '1')).toHaveLength(2);
  });

  it("accepts what it cannot use (another customer, another integration's body, a receipt) without processing it", async () => {
    const { webhook, received } = setUp();
    const others = [
      body('x', 'someone-else'),
      body('y', 'customer-1', '11111111-2222-4333-8444-555555555555'),
      '{"type":"Receipt"}',
    ];
    for (const raw of others) expect(webhook.accept(raw, hubSignature(SECRET, raw)).status).toBe(200);
    await flush();
    expect(received).toEqual([]);
  });
});
