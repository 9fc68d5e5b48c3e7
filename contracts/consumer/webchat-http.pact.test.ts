import { HTTPResponseStatusClass, MatchersV3, type PactV4 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { BridgeFailure } from '../../bridge/errors.ts';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { booked, fromState, pactWith } from './pact.ts';
import { RECONNECT_DELAY_MS, webChatHarness } from './webchat-harness.ts';
import { agentMember, CHATS, chatAuth, chatPath, createdChat } from './webchat-replies.ts';

/**
 * The WebChat v2 guest REST API as the bridge's real WebChat adapter calls it (its HttpClient against the
 * Pact mock server, the event stream scripted): create, send, typing, leave, members, messages, and the
 * refusals it maps. Requests are exactly the bridge's; responses declare only what it reads.
 */
const { arrayContaining, fromProviderState, like, matchStatus, regex } = MatchersV3;
const pact = pactWith('webChat');
const { agentName, queueName } = EXAMPLE;
const guest = EXAMPLE.guestMemberId;

const deployment = state('webChatDeployment', {
  deploymentId: EXAMPLE.webChatDeploymentId,
  organizationId: EXAMPLE.organizationId,
  queueName,
});
const chat = state('guestChat', { deploymentId: EXAMPLE.webChatDeploymentId });
const answered = state('chatAnswered', { agentName });

type Unconfigured = ReturnType<PactV4['addInteraction']>;

function interaction(states: GivenState[]): Unconfigured {
  let result = pact.addInteraction();
  for (const given of states) result = result.given(given.name, given.params);
  return result;
}

/** The create request the bridge sends for the example customer; the provider supplies its ids. */
function createRequest(targetAddress: unknown) {
  return {
    organizationId: fromProviderState(fromState('organizationId'), EXAMPLE.organizationId),
    deploymentId: fromProviderState(fromState('deploymentId'), EXAMPLE.webChatDeploymentId),
    routingTarget: { targetType: 'QUEUE', targetAddress },
    memberInfo: { displayName: EXAMPLE.customer.displayName, customFields: { ...EXAMPLE.chatAttributes } },
  };
}

/** Every test opens its chat first, so every test declares this same interaction. */
function chatCreated() {
  return interaction([deployment])
    .uponReceiving('a request to create a guest chat')
    .withRequest('POST', CHATS, (r) =>
      r
        .headers({ 'Content-Type': 'application/json' })
        .jsonBody(createRequest(fromProviderState(fromState('queueName'), queueName))),
    )
    .willRespondWith(200, (r) => r.jsonBody(createdChat));
}

/** A path under the guest's own member resource. */
const guestPath = (suffix = '') =>
  chatPath(`/members/${fromState('memberId')}${suffix}`, `/members/${guest}${suffix}`);

const agentMemberLookup = (states: GivenState[]) =>
  interaction(states)
    .uponReceiving('a request for a member of the chat who is an agent')
    .withRequest(
      'GET',
      chatPath(`/members/${fromState('agentMemberId')}`, `/members/${EXAMPLE.agentMemberId}`),
      (r) => r.headers({ Authorization: chatAuth() }),
    )
    .willRespondWith(200, (r) => r.jsonBody(agentMember));

async function rejection(promise: Promise<unknown>): Promise<BridgeFailure> {
  const thrown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(BridgeFailure);
  return thrown as BridgeFailure;
}

describe('WebChat guest REST API', () => {
  it('create: the chat id, and the stream the bridge opens at eventStreamUri', async () => {
    await chatCreated().executeTest(
      booked(pact, async (server) => {
        const { open, sockets } = webChatHarness({ apiBase: server.url });
        expect(await open()).toEqual({ conversationId: EXAMPLE.conversationId });
        expect(sockets.current.url).toBe(`wss://streaming.example/v1/token/${EXAMPLE.chatJwt}`);
      }),
    );
  });

  it('create for a queue the organization does not have: QUEUE_NOT_FOUND', async () => {
    const missing = 'No Such Queue';
    await interaction([
      deployment,
      state('noSuchQueue', { organizationId: EXAMPLE.organizationId, queueName: missing }),
    ])
      .uponReceiving('a request to create a guest chat for a queue that does not exist')
      .withRequest('POST', CHATS, (r) =>
        r.headers({ 'Content-Type': 'application/json' }).jsonBody(createRequest(missing)),
      )
      .willRespondWith(400, (r) =>
        r.jsonBody({
          code: regex(
            '^chat\\.error\\.(invalid\\.queue|createconversationrequest\\.routingtarget)$',
            'chat.error.invalid.queue',
          ),
        }),
      )
      .executeTest(
        booked(pact, async (server) => {
          const { open } = webChatHarness({ apiBase: server.url, queueName: missing });
          expect((await rejection(open())).error.code).toBe('QUEUE_NOT_FOUND');
        }),
      );
  });

  it('send a message: the provider message id', async () => {
    chatCreated();
    await interaction([deployment, chat])
      .uponReceiving('a request to send a guest message')
      .withRequest('POST', guestPath('/messages'), (r) =>
        r
          .headers({ Authorization: chatAuth(), 'Content-Type': 'application/json' })
          .jsonBody({ body: EXAMPLE.customerText, bodyType: 'standard' }),
      )
      .willRespondWith(200, (r) => r.jsonBody({ id: like(EXAMPLE.chatMessageId) }))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, open } = webChatHarness({ apiBase: server.url });
          await open();
          expect(await adapter.sendMessage({ text: EXAMPLE.customerText })).toEqual({
            providerMessageId: EXAMPLE.chatMessageId,
          });
        }),
      );
  });

  it('typing: accepted', async () => {
    chatCreated();
    await interaction([deployment, chat])
      .uponReceiving('a request to show the guest typing')
      .withRequest('POST', guestPath('/typing'), (r) => r.headers({ Authorization: chatAuth() }))
      .willRespondWith(matchStatus(200, HTTPResponseStatusClass.Success))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, open } = webChatHarness({ apiBase: server.url });
          await open();
          await expect(adapter.sendTyping()).resolves.toBeUndefined();
        }),
      );
  });

  it('leave: the guest leaves the chat and the bridge reports nothing wrong', async () => {
    chatCreated();
    await interaction([deployment, chat])
      .uponReceiving('a request for the guest to leave the chat')
      .withRequest('DELETE', guestPath(), (r) => r.headers({ Authorization: chatAuth() }))
      .willRespondWith(matchStatus(204, HTTPResponseStatusClass.Success))
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, events, open, sockets } = webChatHarness({ apiBase: server.url });
          await open();
          await adapter.close('end');
          expect(events.of('error')).toEqual([]);
          expect(sockets.current.closed).toBe(true);
        }),
      );
  });

  it('messages since the start, and the sender looked up: an agent message', async () => {
    chatCreated();
    agentMemberLookup([deployment, chat, answered]);
    await interaction([deployment, chat, answered, state('chatSaid', { agentName, text: EXAMPLE.agentText })])
      .uponReceiving('a request for the messages of the chat, oldest first')
      .withRequest('GET', chatPath('/messages'), (r) =>
        r.query({ sortOrder: 'ascending', maxResults: '100' }).headers({ Authorization: chatAuth() }),
      )
      .willRespondWith(200, (r) =>
        r.jsonBody({
          entities: arrayContaining({
            id: like(EXAMPLE.chatMessageId),
            sender: { id: like(EXAMPLE.agentMemberId) },
            body: like(EXAMPLE.agentText),
            bodyType: 'standard',
            timestamp: regex(ISO_TIME, EXAMPLE.time),
          }),
        }),
      )
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, open } = webChatHarness({ apiBase: server.url });
          await open();
          expect(await adapter.fetchHistory()).toEqual({
            messages: [
              {
                id: EXAMPLE.chatMessageId,
                text: EXAMPLE.agentText,
                occurredAt: Date.parse(EXAMPLE.time),
                sender: { kind: 'human', agent: { id: EXAMPLE.agentMemberId, displayName: agentName } },
              },
            ],
          });
        }),
      );
  });

  it('members after a reconnect: the agent who joined meanwhile', async () => {
    chatCreated();
    await interaction([deployment, chat, answered])
      .uponReceiving('a request for the connected members of the chat')
      .withRequest('GET', chatPath('/members'), (r) =>
        r
          .query({ pageSize: '25', pageNumber: '1', excludeDisconnectedMembers: 'true' })
          .headers({ Authorization: chatAuth() }),
      )
      .willRespondWith(200, (r) =>
        r.jsonBody({
          entities: arrayContaining(
            { id: like(guest), state: 'CONNECTED' },
            { ...agentMember, state: 'CONNECTED' },
          ),
        }),
      )
      .executeTest(
        booked(pact, async (server) => {
          const { events, open, sockets, clock } = webChatHarness({ apiBase: server.url });
          await open();
          sockets.current.drop();
          expect(await events.next('connectivity')).toMatchObject({ state: 'reconnecting' });
          clock.advance(RECONNECT_DELAY_MS);
          expect((await events.next('agentJoined')).agent).toEqual({
            id: EXAMPLE.agentMemberId,
            displayName: agentName,
          });
          expect(await events.next('connectivity')).toMatchObject({ state: 'online' });
        }),
      );
  });

  it('send after the agent ended the chat: refused, the session is over', async () => {
    chatCreated();
    await interaction([deployment, chat, answered, state('chatEnded', { agentName })])
      .uponReceiving('a request to send a guest message after the chat ended')
      .withRequest('POST', guestPath('/messages'), (r) =>
        r
          .headers({ Authorization: chatAuth(), 'Content-Type': 'application/json' })
          .jsonBody({ body: 'Hello?', bodyType: 'standard' }),
      )
      .willRespondWith(400, (r) =>
        r.jsonBody({
          code: regex('^chat\\.error\\.(conversation|member)\\.state$', 'chat.error.conversation.state'),
        }),
      )
      .executeTest(
        booked(pact, async (server) => {
          const { adapter, events, open } = webChatHarness({ apiBase: server.url });
          await open();
          expect((await rejection(adapter.sendMessage({ text: 'Hello?' }))).error.code).toBe('SESSION_ENDED');
          expect((await events.next('ended')).end).toMatchObject({ reason: 'error', by: 'system' });
        }),
      );
  });
});
