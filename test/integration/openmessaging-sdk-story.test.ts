import { describe, expect, it } from 'vitest';
import type { NotificationFrame } from '../support/agents.ts';
import { sdkAgents } from '../support/agents.ts';
import { startEmulator } from '../support/emulators.ts';
import { FrameCollector, openSocket } from '../support/frames.ts';
import { webhookReceiver } from '../support/openmessaging-receiver.ts';
import { platformSdk } from '../support/platform-sdk.ts';

/**
 * Open Messaging end to end with the official platform SDK, as an integrator builds it: the integration
 * created with ConversationsApi (asynchronous, polled until Completed), its inbound message flow attached
 * with RoutingApi, the customer's messages, typing and receipts through the inbound API, and the test's
 * own webhook receiver checking the signature of every delivery. An SDK agent answers and replies.
 */

const SECRET = 'open-messaging-secret-0123';
const ORDER = { QueueName: 'Sports Support', orderId: 'A-1001' };

async function setUp() {
  const emulator = await startEmulator();
  const receiver = await webhookReceiver(SECRET);
  const { platformClient, client } = platformSdk(emulator);
  const fx = emulator.fixture;
  const orgClient = fx.clients.find((c) => c.user === undefined)!;
  const { accessToken } = await client.loginClientCredentialsGrant(orgClient.id, orgClient.secret);
  const asIntegrator = <T>(fn: () => T): T => {
    client.setAccessToken(accessToken);
    return fn();
  };
  const conversations = new platformClient.ConversationsApi();
  const routing = new platformClient.RoutingApi();
  const architect = new platformClient.ArchitectApi();
  const agents = await sdkAgents(emulator);
  return { emulator, receiver, platformClient, conversations, routing, architect, asIntegrator, agents, fx };
}

type World = Awaited<ReturnType<typeof setUp>>;

/** Creates the integration through the SDK, waits for Completed, attaches the org's message flow. */
async function integrate(w: World) {
  const created = await w.asIntegrator(() =>
    w.conversations.postConversationsMessagingIntegrationsOpen({
      name: 'Acme bot handoff',
      outboundNotificationWebhookUrl: w.receiver.url,
      outboundNotificationWebhookSignatureSecretToken: SECRET,
      webhookHeaders: { 'X-Tenant': 'acme' },
    }),
  );
  expect(created.createStatus).toBe('Initiated');
  const integrationId = created.id;
  const completed = await w.emulator.waitUntil(
    async () => {
      const now = await w.asIntegrator(() =>
        w.conversations.getConversationsMessagingIntegrationsOpenIntegrationId(integrationId),
      );
      return now.createStatus === 'Completed' ? now : undefined;
    },
    { what: 'the integration to complete' },
  );
  expect(completed).toMatchObject({ name: 'Acme bot handoff', recipient: { id: integrationId } });
  const flows = await w.asIntegrator(() => w.architect.getFlows({ type: ['inboundshortmessage'] }));
  const flow = flows.entities![0]!;
  const recipient = await w.asIntegrator(() =>
    w.routing.putRoutingMessageRecipient(integrationId, { flow: { id: flow.id! } }),
  );
  expect(recipient).toMatchObject({ id: integrationId, messengerType: 'open', flow: { id: flow.id } });
  return integrationId;
}

function customerMessage(text: string, attributes?: Record<string, string>) {
  return {
    channel: {
      messageId: `provider-${text.length}-${text.slice(0, 8)}`,
      from: { id: 'pat@socialmedia.example', idType: 'Email', nickname: 'Pat' },
      time: '2026-01-01T09:00:00.000Z',
      ...(attributes ? { metadata: { customAttributes: attributes } } : {}),
    },
    text,
  } as Parameters<World['conversations']['postConversationsMessageInboundOpenMessage']>[1];
}

describe('Open Messaging through the official SDK', () => {
  it('an integration made with ConversationsApi and routed with RoutingApi: QueueName picks the queue, the agent answers, every delivery is signed, typing goes both ways, a receipt marks the reply delivered', async () => {
    const w = await setUp();
    const integrationId = await integrate(w);
    const alda = await w.agents.agent('Alda Moore'); // Sports Support
    const dena = await w.agents.agent('Dena Lakin'); // not in Sports Support
    const aldaFrames = await alda.listen();
    await dena.listen();
    await alda.goOnQueue();
    await dena.goOnQueue();

    const first = await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenMessage(
        integrationId,
        customerMessage('I need a person', ORDER),
        { prefetchConversationId: true },
      ),
    );
    expect(first).toMatchObject({ type: 'Text', text: 'I need a person', channel: { id: integrationId } });
    const cid = first.conversationId!;
    const offer = await alda.alert(cid);
    const seen = await alda.conversation(cid);
    const customer = seen.participants!.find((p) => p.purpose === 'customer')!;
    expect(customer.attributes).toMatchObject(ORDER);
    expect(seen.participants!.find((p) => p.id === offer.participantId)?.queueId).toBe(
      w.fx.queues.find((q) => q.name === 'Sports Support')!.id,
    );
    expect(customer.messages![0]).toMatchObject({ type: 'open' });
    await alda.answer(cid, offer.participantId);

    // The customer types: the agent sees it on the inbound typing topic.
    const typingChannel = await alda.as(() =>
      new w.platformClient.NotificationsApi().postNotificationsChannels(),
    );
    await alda.as(() =>
      new w.platformClient.NotificationsApi().putNotificationsChannelSubscriptions(typingChannel.id!, [
        { id: `v2.users.${alda.user.id}.conversations.inbound.typing.event` },
      ]),
    );
    const typingSocket = await openSocket(typingChannel.connectUri!);
    const typingFrames = new FrameCollector<NotificationFrame & { eventBody: { conversationId?: string } }>(
      typingSocket,
    );
    await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenEvent(integrationId, {
        channel: {
          from: { id: 'pat@socialmedia.example', idType: 'Email' },
          time: '2026-01-01T09:00:01.000Z',
        },
        events: [{ eventType: 'Typing' }],
      }),
    );
    const typed = await typingFrames.next(
      (f) => f.topicName.endsWith('.inbound.typing.event'),
      'customer typing',
    );
    expect(typed.eventBody.conversationId).toBe(cid);
    typingSocket.close();

    // The agent types and replies: both reach the webhook, signed, with the integration's headers.
    await alda.typing(cid, offer.communicationId);
    const reply = await alda.send(cid, offer.communicationId, 'Hi Pat, Alda here');
    await w.emulator.waitUntil(() => (w.receiver.deliveries.length >= 2 ? true : undefined), {
      what: 'two deliveries',
    });
    const [typing, text] = w.receiver.deliveries;
    expect(typing!.body).toMatchObject({
      type: 'Event',
      conversationId: cid,
      events: [{ eventType: 'Typing', typing: { type: 'On' } }],
      channel: { id: integrationId, to: { id: 'pat@socialmedia.example' } },
    });
    expect(text!.body).toMatchObject({
      type: 'Text',
      text: 'Hi Pat, Alda here',
      originatingEntity: 'Human',
      direction: 'Outbound',
      conversationId: cid,
      channel: {
        id: integrationId,
        to: { id: 'pat@socialmedia.example' },
        from: { nickname: 'Acme bot handoff' },
      },
    });
    expect(text!.headers['x-tenant']).toBe('acme');
    expect(text!.headers['content-type']).toBe('application/json');

    // The second message joins the same conversation.
    const second = await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenMessage(integrationId, customerMessage('thanks'), {
        prefetchConversationId: true,
      }),
    );
    expect(second.conversationId).toBe(cid);
    expect(aldaFrames.frames.length).toBeGreaterThan(0);

    // A Delivered receipt for the reply: Genesys shows it delivered.
    expect((await alda.as(() => w.conversations.getConversationsMessageMessage(cid, reply.id!))).status).toBe(
      'sent',
    );
    const receipt = await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenReceipt(integrationId, {
        id: text!.body.id,
        channel: { to: { id: 'pat@socialmedia.example' }, time: '2026-01-01T09:00:05.000Z' },
        status: 'Delivered',
        isFinalReceipt: true,
      }),
    );
    expect(receipt).toMatchObject({ type: 'Receipt', status: 'Delivered', direction: 'Outbound' });
    expect((await alda.as(() => w.conversations.getConversationsMessageMessage(cid, reply.id!))).status).toBe(
      'delivery-success',
    );

    // The agent ends it: nothing reaches the webhook (Genesys documents no such delivery).
    const before = w.receiver.deliveries.length;
    await alda.disconnect(cid, offer.participantId);
    await w.emulator.clock.advance(30_000);
    expect(w.receiver.deliveries).toHaveLength(before);
    // The next message after the end starts a new conversation.
    const after = await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenMessage(integrationId, customerMessage('me again'), {
        prefetchConversationId: true,
      }),
    );
    expect(after.conversationId).not.toBe(cid);

    expect(w.receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
    expect(w.receiver.deliveries.length).toBeGreaterThanOrEqual(2);
    await w.agents.closeAll();
  });

  it('a receiver that answers 500 twice gets the message once more after two retries, 5 s apart on the emulator clock, the next message after it, and nothing after', async () => {
    const w = await setUp();
    const integrationId = await integrate(w);
    const alda = await w.agents.agent('Alda Moore');
    await alda.listen();
    await alda.goOnQueue();
    const first = await w.asIntegrator(() =>
      w.conversations.postConversationsMessageInboundOpenMessage(
        integrationId,
        customerMessage('hello', { QueueName: 'Sports Support' }),
        { prefetchConversationId: true },
      ),
    );
    const offer = await alda.alert(first.conversationId!);
    await alda.answer(first.conversationId!, offer.participantId);

    w.receiver.answerNext(500, 500);
    const sentAt = w.emulator.clock.now();
    await alda.send(first.conversationId!, offer.communicationId, 'are you there?');
    // Written while the first is still being retried: it waits its turn (per conversation, in order).
    await alda.send(first.conversationId!, offer.communicationId, 'hello?');
    await w.emulator.waitUntil(() => (w.receiver.deliveries.length >= 4 ? true : undefined), {
      what: 'four attempts',
      within: 20_000,
    });
    await w.emulator.clock.advance(120_000);

    const texts = w.receiver.deliveries.map((d) => `${d.body.text} ${d.status}`);
    expect(texts).toEqual(['are you there? 500', 'are you there? 500', 'are you there? 200', 'hello? 200']);
    expect(w.receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
    // The same bytes every time, so the same signature.
    const first3 = w.receiver.deliveries.slice(0, 3);
    expect(new Set(first3.map((d) => d.raw.toString('base64'))).size).toBe(1);
    expect(new Set(first3.map((d) => d.headers['x-hub-signature-256'])).size).toBe(1);
    const attempts = w.emulator.events.ofType('openmessaging.webhook.attempt');
    expect(attempts.map((a) => [a.data.attempt, a.data.outcome, a.data.status])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'delivered', 200],
      [1, 'delivered', 200],
    ]);
    expect(attempts.map((a) => Date.parse(a.time) - sentAt)).toEqual([0, 5_000, 10_000, 10_000]);
    // The agent sees the message sent (no receipt came), never failed: it was delivered in the end.
    expect(w.emulator.events.ofType('message.failed')).toEqual([]);
    await w.agents.closeAll();
  });
});
