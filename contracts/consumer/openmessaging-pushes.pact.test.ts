import { MatchersV3 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { hubSignature } from '../../bridge/channels/openmessaging-signature.ts';
import {
  OPEN_MESSAGING_NOTIFICATIONS as NOTIFICATIONS,
  OPEN_MESSAGING_WEBHOOKS as WEBHOOKS,
} from '../names.ts';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE } from './examples.ts';
import { openMessagingHarness, openStandIn } from './openmessaging-harness.ts';
import {
  agentParticipant,
  customerParticipant,
  queueTopic,
  signatureHeader,
  time,
} from './openmessaging-replies.ts';
import { contentText, pactWith } from './pact.ts';
import { settle } from './settle.ts';

/**
 * What Genesys sends the bridge's Open Messaging channel unasked, as asynchronous messages: the bodies
 * POSTed to the integration's webhook, with their `X-Hub-Signature-256` header as metadata, and the queue
 * notification frames the bridge learns agent joins, transfers and the end from. Each is handed to the real
 * hub and adapter of an open session (a webhook body signed as Genesys signs it, checked by the bridge's
 * receiver), and the test asserts what the bridge derives.
 */
const { arrayContaining, integer, like } = MatchersV3;
const pact = pactWith('openMessaging');
const { agentName } = EXAMPLE;
const customerId = EXAMPLE.openCustomerId;
const occurredAt = Date.parse(EXAMPLE.time);

const client = state('platformClient', {
  clientId: EXAMPLE.platformClientId,
  clientSecret: EXAMPLE.platformClientSecret,
});
const integration = state('openIntegration', {
  integrationId: EXAMPLE.integrationId,
  secret: EXAMPLE.webhookSecret,
  queueName: EXAMPLE.queueName,
});
const started = state('openCustomer', { customerId, integrationId: EXAMPLE.integrationId });
const answered = state('openAnswered', { agentName, customerId });

type Json = Record<string, unknown>;
type Harness = ReturnType<typeof openMessagingHarness>;

/** An open session on the real adapter, whose conversation the hub follows (learnt from its first message). */
async function openSession(): Promise<Harness> {
  const harness = openMessagingHarness({ apiBase: 'http://127.0.0.1:9', fetch: openStandIn() });
  await harness.open();
  await harness.adapter.sendMessage({ text: EXAMPLE.customerText });
  return harness;
}

/** The webhook body's channel as the bridge reads it: whose integration, which customer, when. */
const channel = { id: like(EXAMPLE.integrationId), to: { id: like(customerId) }, time };

function webhookTest(
  description: string,
  states: GivenState[],
  body: Json,
  assert: (harness: Harness) => Promise<void>,
): Promise<unknown> {
  let interaction = pact.addAsynchronousInteraction();
  for (const given of states) interaction = interaction.given(given.name, given.params);
  return interaction
    .expectsToReceive(description, (b) =>
      b.withJSONContent(body).withMetadata({ 'X-Hub-Signature-256': signatureHeader }),
    )
    .executeTest(async (message) => {
      const text = contentText(message.contents.content);
      expect(String(message.metadata?.['X-Hub-Signature-256'])).toMatch(/^sha256=[A-Za-z0-9+/]{43}=$/);
      const harness = await openSession();
      // Signed the way Genesys signs it: the bridge's receiver checks it, then answers before processing.
      expect(harness.webhook.accept(text, 'sha256=not-the-signature').status).toBe(401);
      expect(harness.webhook.accept(text, hubSignature(EXAMPLE.webhookSecret, text))).toEqual({
        status: 200,
        body: { status: 'accepted' },
      });
      await settle();
      await assert(harness);
      harness.hub.close();
    });
}

function notificationTest(
  description: string,
  states: GivenState[],
  participants: Json[],
  assert: (harness: Harness) => Promise<void>,
): Promise<unknown> {
  let interaction = pact.addAsynchronousInteraction();
  for (const given of states) interaction = interaction.given(given.name, given.params);
  return interaction
    .expectsToReceive(description, (b) =>
      b.withJSONContent({
        topicName: queueTopic,
        // Among others (the flow's and the queue's legs): the ones the bridge reads.
        eventBody: { id: like(EXAMPLE.conversationId), participants: arrayContaining(...participants) },
      }),
    )
    .executeTest(async (message) => {
      const harness = await openSession();
      harness.sockets.current.deliver(contentText(message.contents.content));
      await settle();
      await assert(harness);
      harness.hub.close();
    });
}

describe('Open Messaging: webhook deliveries and what the bridge makes of them', () => {
  it("an agent's text becomes an agent message of the agent who joined", async () => {
    await webhookTest(
      WEBHOOKS.agentText,
      [
        client,
        integration,
        started,
        answered,
        state('openSaid', { agentName, text: EXAMPLE.agentText, customerId }),
      ],
      {
        id: like(EXAMPLE.genesysMessageId),
        channel,
        type: 'Text',
        direction: 'Outbound',
        originatingEntity: 'Human',
        text: like(EXAMPLE.agentText),
        conversationId: like(EXAMPLE.conversationId),
      },
      async ({ events }) => {
        expect((await events.next('message')).message).toEqual({
          id: EXAMPLE.genesysMessageId,
          text: EXAMPLE.agentText,
          occurredAt,
          sender: { kind: 'human' },
        });
      },
    );
  });

  it("the flow's text becomes a bot message", async () => {
    await webhookTest(
      WEBHOOKS.botText,
      [
        client,
        integration,
        state('openFlowGreets', { integrationId: EXAMPLE.integrationId, greeting: EXAMPLE.greeting }),
        started,
      ],
      {
        id: like(EXAMPLE.genesysMessageId),
        channel,
        type: 'Text',
        direction: 'Outbound',
        originatingEntity: 'Bot',
        text: like(EXAMPLE.greeting),
      },
      async ({ events }) => {
        expect((await events.next('message')).message).toEqual({
          id: EXAMPLE.genesysMessageId,
          text: EXAMPLE.greeting,
          occurredAt,
          sender: { kind: 'bot' },
        });
      },
    );
  });

  it('agent typing becomes agent typing for its duration', async () => {
    await webhookTest(
      WEBHOOKS.agentTyping,
      [client, integration, started, answered, state('openTyping', { agentName, customerId })],
      {
        id: like(EXAMPLE.genesysMessageId),
        channel,
        type: 'Event',
        direction: 'Outbound',
        events: [{ eventType: 'Typing', typing: { type: 'On', duration: integer(5000) } }],
      },
      async ({ events }) => {
        expect(await events.next('typing')).toEqual({ kind: 'typing', durationMs: 5000, occurredAt });
      },
    );
  });
});

describe('Open Messaging: queue notifications and what the bridge makes of them', () => {
  it('an agent connected: agent joined, with name and time', async () => {
    await notificationTest(
      NOTIFICATIONS.agentJoined,
      [client, integration, started, answered],
      [customerParticipant('connected'), agentParticipant('connected')],
      async ({ events }) => {
        expect(await events.next('agentJoined')).toEqual({
          kind: 'agentJoined',
          agent: { id: EXAMPLE.agentUserId, displayName: agentName },
          occurredAt,
        });
      },
    );
  });

  it('the agent left with disconnectType transfer and an ACD leg followed: left, transferred to a queue', async () => {
    await notificationTest(
      NOTIFICATIONS.transferred,
      [
        client,
        integration,
        started,
        answered,
        state('openTransferred', { agentName, customerId, queueName: EXAMPLE.transferQueueName }),
      ],
      [
        customerParticipant('connected'),
        agentParticipant('disconnected', { disconnectType: 'transfer', endTime: time }),
        { id: like(EXAMPLE.queueId), purpose: 'acd', state: like('connected'), startTime: time },
      ],
      async ({ events }) => {
        const agent = { id: EXAMPLE.agentUserId, displayName: agentName };
        expect(await events.next('agentLeft')).toEqual({
          kind: 'agentLeft',
          agent,
          conversationContinues: true,
          occurredAt,
        });
        expect(await events.next('transferred')).toEqual({
          kind: 'transferred',
          change: { kind: 'queue', from: agent, inferred: false, occurredAt },
        });
      },
    );
  });

  it('the customer disconnected after the agent ended it: agent left for good, then the end', async () => {
    await notificationTest(
      NOTIFICATIONS.ended,
      [client, integration, started, answered, state('openEnded', { agentName, customerId })],
      [
        { ...customerParticipant('disconnected'), endTime: time },
        agentParticipant('disconnected', { endTime: time }),
      ],
      async ({ events }) => {
        expect(await events.next('agentLeft')).toMatchObject({ conversationContinues: false });
        expect((await events.next('ended')).end).toEqual({ reason: 'agentEnded', by: 'agent', occurredAt });
      },
    );
  });
});
