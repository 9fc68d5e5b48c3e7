import platformClient from 'purecloud-platform-client-v2';
import { expect } from 'vitest';
import { startEmulator } from '../support/emulators.ts';
import { webhookReceiver } from '../support/openmessaging-receiver.ts';
import type { Recorder } from './recorder.ts';
import { queueTopics, recordingAgents, userTopics } from './sdk-agents.ts';

const SECRET = 'conformance-open-messaging-secret';

/**
 * The Open Messaging conversation the conformance harness records: an integrator (an org-level OAuth
 * client on the official SDK) creates the integration, waits for it to complete, lists and changes it,
 * attaches the message flow through the routing recipients, and plays the customer through the inbound
 * API (message with QueueName, typing, a receipt); agents answer, write, type and hand over exactly as on
 * Web Messaging, then the integration is deleted. Every API answer and notification is recorded.
 */
export async function openMessagingConversation(recorder: Recorder): Promise<void> {
  recorder.story = 'openmessaging';
  const emulator = await startEmulator();
  const agents = await recordingAgents(emulator, recorder);
  const receiver = await webhookReceiver(SECRET);
  try {
    const fx = emulator.fixture;
    const queue = (name: string) => fx.queues.find((q) => q.name === name)!;
    const orgClient = fx.clients.find((c) => c.user === undefined)!;
    const { accessToken } = await agents.client.loginClientCredentialsGrant(orgClient.id, orgClient.secret);
    const integrator = <T>(fn: () => T): T => {
      agents.client.setAccessToken(accessToken);
      return fn();
    };
    const conversations = new platformClient.ConversationsApi();
    const routing = new platformClient.RoutingApi();
    const architect = new platformClient.ArchitectApi();

    const created = await integrator(() =>
      conversations.postConversationsMessagingIntegrationsOpen({
        name: 'Conformance bot',
        outboundNotificationWebhookUrl: receiver.url,
        outboundNotificationWebhookSignatureSecretToken: SECRET,
        webhookHeaders: { 'X-Bot': 'conformance' },
      }),
    );
    const id = created.id;
    await emulator.clock.advance(1_000);
    await integrator(() => conversations.getConversationsMessagingIntegrationsOpenIntegrationId(id));
    await integrator(() => conversations.getConversationsMessagingIntegrationsOpen({ pageSize: 10 }));
    await integrator(() =>
      conversations.patchConversationsMessagingIntegrationsOpenIntegrationId(id, {
        name: 'Conformance bot v2',
      }),
    );
    const flows = await integrator(() => architect.getFlows({ type: ['inboundshortmessage'] }));
    await integrator(() => routing.getRoutingMessageRecipients({ messengerType: 'open' }));
    await integrator(() => routing.putRoutingMessageRecipient(id, { flow: { id: flows.entities![0]!.id! } }));
    await integrator(() => routing.getRoutingMessageRecipient(id));

    const sports = queue('Sports Support');
    const shoes = queue('Shoes Support');
    const alda = await agents.agent('Alda Moore');
    const mia = await agents.agent('Mia Welch');
    await alda.listen([...userTopics(alda.user.id), ...queueTopics(sports.id)]);
    await mia.listen([...userTopics(mia.user.id), ...queueTopics(shoes.id)]);
    await alda.as(() => alda.api.users.putUserRoutingstatus(alda.user.id, { status: 'IDLE' }));

    const from = { id: '+15550100', idType: 'Phone', nickname: 'Sam', firstName: 'Sam', lastName: 'Lee' };
    const first = await integrator(() =>
      conversations.postConversationsMessageInboundOpenMessage(
        id,
        {
          channel: {
            messageId: 'provider-1',
            from,
            time: '2026-01-01T09:00:00.000Z',
            metadata: { customAttributes: { QueueName: 'Sports Support' } } as never,
          },
          text: 'My running shoes are too small',
          metadata: { source: 'conformance' },
        },
        { prefetchConversationId: true },
      ),
    );
    const cid = first.conversationId!;
    const offer = await alda.alert('messages', cid);
    await alda.as(() => alda.api.conversations.getConversationsMessage(cid));
    await alda.as(() => alda.api.conversations.getConversation(cid));
    await alda.as(() =>
      alda.api.conversations.patchConversationsMessageParticipant(cid, offer.participantId, {
        body: { state: 'connected' },
      }),
    );
    await integrator(() =>
      conversations.postConversationsMessageInboundOpenEvent(id, {
        channel: { from: { id: from.id, idType: from.idType }, time: '2026-01-01T09:00:01.000Z' },
        events: [{ eventType: 'Typing' }],
      }),
    );
    await alda.next(
      (f) => f.topicName === `v2.users.${alda.user.id}.conversations.inbound.typing.event`,
      'the customer typing',
    );
    await alda.as(() =>
      alda.api.conversations.postConversationsMessageCommunicationTyping(cid, offer.communicationId, {
        typing: { type: 'On' },
      }),
    );
    const reply = await alda.as(() =>
      alda.api.conversations.postConversationsMessageCommunicationMessages(cid, offer.communicationId, {
        textBody: 'Alda here: which size do you need?',
      }),
    );
    await emulator.waitUntil(() => (receiver.deliveries.length >= 2 ? true : undefined));
    const delivered = receiver.deliveries.find((d) => d.body.type === 'Text')!;
    await integrator(() =>
      conversations.postConversationsMessageInboundOpenReceipt(id, {
        id: delivered.body.id,
        channel: { to: { id: from.id, idType: from.idType }, time: '2026-01-01T09:00:02.000Z' },
        status: 'Delivered',
        isFinalReceipt: true,
      }),
    );
    await alda.as(() => alda.api.conversations.getConversationsMessageMessage(cid, reply.id!));

    await mia.as(() => mia.api.users.putUserRoutingstatus(mia.user.id, { status: 'IDLE' }));
    await alda.as(() =>
      alda.api.conversations.postConversationsMessageParticipantReplace(cid, offer.participantId, {
        queueId: shoes.id,
      }),
    );
    const second = await mia.alert('messages', cid);
    await mia.as(() =>
      mia.api.conversations.patchConversationsMessageParticipant(cid, second.participantId, {
        body: { state: 'connected' },
      }),
    );
    await mia.as(() =>
      mia.api.conversations.postConversationsMessageCommunicationMessages(cid, second.communicationId, {
        textBody: 'Mia from shoes: a 43 is on its way.',
      }),
    );
    await mia.as(() =>
      mia.api.conversations.patchConversationsMessageParticipant(cid, second.participantId, {
        body: { state: 'disconnected' },
      }),
    );
    await mia.as(() => mia.api.conversations.getConversationsMessage(cid));
    for (const agent of [alda, mia]) {
      await agent.as(() => agent.api.users.putUserRoutingstatus(agent.user.id, { status: 'OFF_QUEUE' }));
      await agent.ping();
    }
    await integrator(() => conversations.deleteConversationsMessagingIntegrationsOpenIntegrationId(id));
    expect(receiver.deliveries.every((d) => d.signatureValid)).toBe(true);
  } finally {
    await agents.closeAll();
    await emulator.close();
  }
}
