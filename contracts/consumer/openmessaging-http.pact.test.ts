import { HTTPResponseStatusClass, MatchersV3, type PactV4 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE } from './examples.ts';
import { openMessagingHarness } from './openmessaging-harness.ts';
import {
  basicAuth,
  bearer,
  channelReply,
  customerParticipant,
  inboundMessageReply,
  inboundPath,
  queuesReply,
  time,
  tokenReply,
} from './openmessaging-replies.ts';
import { booked, fromState, pactWith } from './pact.ts';

/**
 * What the bridge's Open Messaging channel asks of Genesys over HTTP, through its real hub and adapter
 * (their HttpClient against the Pact mock server): the Platform API login, the queues and notification
 * channel it follows agents with, the inbound API (message, typing, receipt), and the conversation it
 * reads and leaves. Requests are exactly the bridge's; responses declare only what it reads.
 */
const { fromProviderState, matchStatus } = MatchersV3;
const pact = pactWith('openMessaging');
const { agentName } = EXAMPLE;
const customerId = EXAMPLE.openCustomerId;

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

type Unconfigured = ReturnType<PactV4['addInteraction']>;
/** pact-js's request builder keeps pact-core's interaction, which takes a text body of any content type. */
type FormRequest = { interaction: { withRequestBody(body: string, contentType: string): boolean } };

function interaction(states: GivenState[]): Unconfigured {
  let result = pact.addInteraction();
  for (const given of states) result = result.given(given.name, given.params);
  return result;
}

/** Every test logs in first, so every test declares this same interaction. */
function loggedIn() {
  return interaction([client])
    .uponReceiving('a client credentials login of the Platform API client')
    .withRequest('POST', '/oauth/token', (r) => {
      r.headers({ Authorization: basicAuth, 'Content-Type': 'application/x-www-form-urlencoded' });
      // A form body as text (the builder's body() is binary, whose content-type sniffing calls a form text/plain).
      (r as unknown as FormRequest).interaction.withRequestBody(
        'grant_type=client_credentials',
        'application/x-www-form-urlencoded',
      );
    })
    .willRespondWith(200, (r) => r.jsonBody(tokenReply));
}

const conversationPath = (suffix = '') =>
  fromProviderState(
    `/api/v2/conversations/messages/${fromState('conversationId')}${suffix}`,
    `/api/v2/conversations/messages/${EXAMPLE.conversationId}${suffix}`,
  );

describe('Open Messaging and the Platform API over HTTP', () => {
  it('ready: logs in, lists the queues, opens a notification channel and subscribes it to their conversations', async () => {
    loggedIn();
    interaction([client])
      .uponReceiving('a request for the queues, a page of 100')
      .withRequest('GET', '/api/v2/routing/queues', (r) =>
        r.query({ pageSize: '100', pageNumber: '1' }).headers({ Authorization: bearer() }),
      )
      .willRespondWith(200, (r) => r.jsonBody(queuesReply));
    interaction([client])
      .uponReceiving('a request for a notification channel')
      .withRequest('POST', '/api/v2/notifications/channels', (r) => r.headers({ Authorization: bearer() }))
      .willRespondWith(200, (r) => r.jsonBody(channelReply));
    await interaction([client, state('notificationChannel', {})])
      .uponReceiving("a subscription of the channel to a queue's message conversations")
      .withRequest(
        'PUT',
        fromProviderState(
          `/api/v2/notifications/channels/${fromState('channelId')}/subscriptions`,
          `/api/v2/notifications/channels/${EXAMPLE.channelId}/subscriptions`,
        ),
        (r) =>
          r.headers({ Authorization: bearer(), 'Content-Type': 'application/json' }).jsonBody([
            {
              id: fromProviderState(
                `v2.routing.queues.${fromState('queueId')}.conversations.messages`,
                `v2.routing.queues.${EXAMPLE.queueId}.conversations.messages`,
              ),
            },
          ]),
      )
      .willRespondWith(200)
      .executeTest(
        booked(pact, async (server) => {
          const { hub, sockets } = openMessagingHarness({ apiBase: server.url });
          await hub.ready();
          expect(sockets.current.url).toBe(`wss://streaming.example/channels/${EXAMPLE.channelId}`);
          hub.close();
        }),
      );
  });

  it('the first customer message carries the metadata as custom attributes: the Genesys message and conversation ids', async () => {
    loggedIn();
    await interaction([client, integration])
      .uponReceiving('a customer message with custom attributes to the inbound API')
      .withRequest('POST', inboundPath('message'), (r) =>
        r
          .query({ prefetchConversationId: 'true' })
          .headers({ Authorization: bearer(), 'Content-Type': 'application/json' })
          .jsonBody({
            channel: {
              messageId: EXAMPLE.openMessageId,
              from: { id: customerId, idType: 'Opaque' },
              time,
              metadata: { customAttributes: { ...EXAMPLE.openAttributes } },
            },
            text: EXAMPLE.customerText,
          }),
      )
      .willRespondWith(200, (r) => r.jsonBody(inboundMessageReply))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter } = openMessagingHarness({ apiBase: server.url });
          expect(
            await adapter.sendMessage({
              text: EXAMPLE.customerText,
              attributes: { ...EXAMPLE.openAttributes },
            }),
          ).toEqual({ providerMessageId: EXAMPLE.genesysMessageId });
        }),
      );
  });

  it('typing: accepted', async () => {
    loggedIn();
    await interaction([client, integration, started])
      .uponReceiving('a customer typing event to the inbound API')
      .withRequest('POST', inboundPath('event'), (r) =>
        r.headers({ Authorization: bearer(), 'Content-Type': 'application/json' }).jsonBody({
          channel: { from: { id: customerId, idType: 'Opaque' }, time },
          events: [{ eventType: 'Typing' }],
        }),
      )
      .willRespondWith(matchStatus(200, HTTPResponseStatusClass.Success))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter } = openMessagingHarness({ apiBase: server.url });
          await expect(adapter.sendTyping()).resolves.toBeUndefined();
        }),
      );
  });

  it("a Delivered receipt for the agent's message it relayed to the bot", async () => {
    loggedIn();
    await interaction([
      client,
      integration,
      started,
      answered,
      state('openSaid', { agentName, text: EXAMPLE.agentText, customerId }),
    ])
      .uponReceiving("a Delivered receipt for an agent's message to the inbound API")
      .withRequest('POST', inboundPath('receipt'), (r) =>
        r.headers({ Authorization: bearer(), 'Content-Type': 'application/json' }).jsonBody({
          id: fromProviderState(fromState('messageId'), EXAMPLE.genesysMessageId),
          channel: { to: { id: customerId, idType: 'Opaque' }, time },
          status: 'Delivered',
          direction: 'Outbound',
          isFinalReceipt: true,
        }),
      )
      .willRespondWith(matchStatus(200, HTTPResponseStatusClass.Success))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, events } = openMessagingHarness({ apiBase: server.url });
          adapter.webhook({
            id: EXAMPLE.genesysMessageId,
            channel: { id: EXAMPLE.integrationId, to: { id: customerId }, time: Date.parse(EXAMPLE.time) },
            type: 'Text',
            direction: 'Outbound',
            originatingEntity: 'Human',
            text: EXAMPLE.agentText,
          });
          expect((await events.next('message')).message.id).toBe(EXAMPLE.genesysMessageId);
        }),
      );
  });

  it("end: the customer's participant is read from the conversation and disconnected", async () => {
    loggedIn();
    interaction([client, integration, started])
      .uponReceiving('a request for the message conversation of the customer')
      .withRequest('GET', conversationPath(), (r) => r.headers({ Authorization: bearer() }))
      .willRespondWith(200, (r) =>
        r.jsonBody({
          id: fromProviderState(fromState('conversationId'), EXAMPLE.conversationId),
          participants: MatchersV3.arrayContaining(customerParticipant('connected')),
        }),
      );
    await interaction([client, integration, started])
      .uponReceiving("a request to disconnect the customer's participant")
      .withRequest(
        'PATCH',
        fromProviderState(
          `/api/v2/conversations/messages/${fromState('conversationId')}/participants/${fromState('customerParticipantId')}`,
          `/api/v2/conversations/messages/${EXAMPLE.conversationId}/participants/${EXAMPLE.customerParticipantId}`,
        ),
        (r) =>
          r
            .headers({ Authorization: bearer(), 'Content-Type': 'application/json' })
            .jsonBody({ state: 'disconnected' }),
      )
      .willRespondWith(matchStatus(202, HTTPResponseStatusClass.Success))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, events } = openMessagingHarness({ apiBase: server.url });
          // The conversation id as a webhook body names it; the participant is then read, then disconnected.
          adapter.webhook({
            id: 'typing-1',
            channel: { id: EXAMPLE.integrationId, to: { id: customerId }, time: Date.parse(EXAMPLE.time) },
            conversationId: EXAMPLE.conversationId,
            type: 'Event',
            direction: 'Outbound',
            events: [{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }],
          });
          await adapter.close('end');
          expect(events.of('error')).toEqual([]);
        }),
      );
  });
});
