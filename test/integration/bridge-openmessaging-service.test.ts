import type { AddressInfo } from 'node:net';
import { describe, expect, it, onTestFinished } from 'vitest';
import { type BridgeEvent, hubSignature } from '../../bridge/index.ts';
import { buildBridgeService } from '../../bridge/service/index.ts';
import { bearerFor, clients } from '../support/api.ts';
import { agentsFor, bridgeConfig } from '../support/bridge-story.ts';
import { startEmulator } from '../support/emulators.ts';
import { SharedTime } from '../support/shared-time.ts';

/**
 * The bridge service on Open Messaging: Genesys posts to `POST /v1/openmessaging/webhook`, which takes no
 * API key but refuses a bad or missing signature, and a transfer made through the REST API gets the
 * agent's messages through it.
 */
const KEY = 'test-api-key-0123456789';

describe('the bridge service as an Open Messaging webhook', () => {
  it('mounts POST /v1/openmessaging/webhook without an API key: signed deliveries reach the session, forged ones get 401', async () => {
    const emulator = await startEmulator();
    const time = new SharedTime(emulator.clock);
    const service = await buildBridgeService({
      config: bridgeConfig('openMessaging', emulator),
      apiKeys: [KEY],
      deps: time.deps,
    });
    onTestFinished(() => service.close());
    await service.app.listen({ host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${(service.app.server.address() as AddressInfo).port}`;
    const webhookUrl = `${base}/v1/openmessaging/webhook`;
    const integration = emulator.fixture.openMessaging[0]!;
    const patched = await emulator.inject({
      method: 'PATCH',
      url: `/api/v2/conversations/messaging/integrations/open/${integration.id}`,
      headers: { authorization: await bearerFor(emulator, clients(emulator).org) },
      payload: { outboundNotificationWebhookUrl: webhookUrl },
    });
    expect(patched.statusCode).toBe(200);

    // Forged and malformed deliveries: refused, no API key asked for.
    const forged = JSON.stringify({
      id: 'x',
      channel: { id: integration.id, to: { id: 'y' } },
      type: 'Text',
      text: 'hi',
    });
    const post = (body: string, signature?: string) =>
      fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(signature ? { 'x-hub-signature-256': signature } : {}),
        },
        body,
      });
    expect((await post(forged)).status).toBe(401);
    expect((await post(forged, hubSignature('not-the-secret-0123', forged))).status).toBe(401);
    expect((await post('not json', hubSignature(integration.secret, 'not json'))).status).toBe(400);
    const accepted = await post(forged, hubSignature(integration.secret, forged));
    expect([accepted.status, await accepted.json()]).toEqual([200, { status: 'accepted' }]);

    // A transfer over the REST API; the agent's reply arrives through the webhook route.
    const agent = await agentsFor('openMessaging', emulator);
    const alda = await agent('Alda Moore');
    await alda.listen();
    await alda.goOnQueue();
    const created = await fetch(`${base}/v1/transfers`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        idempotencyKey: 'svc-1',
        botConversationId: 'bot-1',
        customer: { id: 'C-1', displayName: 'Pat' },
        metadata: { QueueName: 'Sports Support' },
        initialMessage: 'hello',
      }),
    });
    const { sessionId } = (await created.json()) as { sessionId: string };
    const events: BridgeEvent[] = [];
    service.bridge.subscribe(sessionId, (e) => events.push(e));
    const snapshot = await service.bridge.getSession(sessionId);
    const offer = await alda.alert(snapshot?.provider.conversationId);
    await alda.answer(offer.conversationId, offer.participantId);
    await alda.send(offer.conversationId, offer.communicationId, 'Alda here');
    const message = await time.until('the agent message', () =>
      events.find((e) => e.type === 'agent.message'),
    );
    expect(message).toMatchObject({ message: { text: 'Alda here' }, agent: { displayName: 'Alda Moore' } });
    await service.close();
  });
});
