import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { alertingAgent, guestSdk, is, openStream, webchatFixture } from '../support/webchat.ts';
import { Guest } from '../support/webmessaging.ts';
import type { Recorder } from './recorder.ts';
import { type Frame, queueTopics, type RecordingAgent, recordingAgents, userTopics } from './sdk-agents.ts';

/**
 * The two conversations the conformance harness records, one per guest channel, each the whole life of
 * a handoff: routing by the flow on QueueName, an agent answers, messages and typing both ways, a blind
 * transfer to another queue answered by a second agent, disconnect, wrap-up. Agents act through the
 * official platform SDK; the WebChat guest through the official guest SDK; the Web Messaging guest
 * through a raw socket (there is no official Node client for it). Every API answer and notification is
 * recorded; the story asserts only what it needs to move on.
 */

const queueOf = (emulator: TestEmulator, name: string) =>
  emulator.fixture.queues.find((q) => q.name === name)!;

/** What an agent desktop reads when it starts: itself with expands, the org, its queues and members. */
async function lookAround(agent: RecordingAgent, queueId: string) {
  const { api, as, user } = agent;
  const me = await as(() => api.users.getUsersMe({ expand: ['presence', 'routingStatus', 'organization'] }));
  // The SDK repeats the parameter (expand=a&expand=b); the emulator must honour it that way too.
  expect(Object.keys(me)).toEqual(expect.arrayContaining(['presence', 'routingStatus', 'organization']));
  await as(() => api.users.getUser(user.id));
  await as(() => api.users.getUserRoutingstatus(user.id));
  await as(() => api.organization.getOrganizationsMe());
  await as(() => api.routing.getRoutingQueues({ pageSize: 2 }));
  await as(() => api.routing.getRoutingQueue(queueId));
  await as(() => api.routing.getRoutingQueueMembers(queueId));
  await as(() => api.routing.getRoutingUserUtilization(user.id));
}

/** Waits until everything each agent's channel was sent so far has arrived (ping, then its pong). */
async function settle(agents: RecordingAgent[]) {
  for (const agent of agents) {
    await agent.ping();
  }
}

/** The wrap-up codes the agent may pick for this leg, as an agent desktop asks for them; the first. */
async function firstWrapupCode(
  agent: RecordingAgent,
  media: 'messages' | 'generic',
  cid: string,
  pid: string,
) {
  const { api, as } = agent;
  const codes =
    media === 'messages'
      ? await as(() => api.conversations.getConversationsMessageParticipantWrapupcodes(cid, pid))
      : await as(() => api.conversations.getConversationParticipantWrapupcodes(cid, pid));
  expect(codes.length, 'the leg has wrap-up codes').toBeGreaterThan(0);
  return codes[0]!.id!;
}

const onTopic = (topic: string, conversationId: string) => (f: Frame) =>
  f.topicName === topic &&
  (f.eventBody?.id === conversationId || f.eventBody?.conversationId === conversationId);

/** The outbound message `messageId` shows `status` on a `.messages` topic frame. */
const messageStatus = (messageId: string, status: string) => (f: Frame) =>
  (f.eventBody?.participants ?? []).some(
    (p: { messages?: { message?: { id?: string }; messageStatus?: string }[] }) =>
      (p.messages ?? []).some((m) => m.message?.id === messageId && m.messageStatus === status),
  );

/** The customer's message ids on the generic topic (participants[].messages[].messages[].messageId). */
function customerMessageIds(f: Frame): string[] {
  const customer = (f.eventBody?.participants ?? []).find(
    (p: { purpose: string }) => p.purpose === 'customer',
  );
  return (customer?.messages?.[0]?.messages ?? []).map((m: { messageId: string }) => m.messageId);
}

export async function webMessagingConversation(recorder: Recorder): Promise<void> {
  recorder.story = 'webmessaging';
  const emulator = await startEmulator();
  const agents = await recordingAgents(emulator, recorder);
  try {
    const sports = queueOf(emulator, 'Sports Support');
    const shoes = queueOf(emulator, 'Shoes Support');
    const alda = await agents.agent('Alda Moore'); // Grocery, Sports, General
    const mia = await agents.agent('Mia Welch'); // Sports, Shoes, General
    await lookAround(alda, sports.id);
    await lookAround(mia, shoes.id);
    await alda.listen([...userTopics(alda.user.id), ...queueTopics(sports.id)]);
    await mia.listen([...userTopics(mia.user.id), ...queueTopics(shoes.id)]);
    await alda.as(() => alda.api.users.putUserRoutingstatus(alda.user.id, { status: 'IDLE' }));

    // The bot hands over with QueueName; the Messenger flow routes on it.
    const guest = await Guest.connect(emulator, randomUUID());
    // Web Messaging allows a guest 2 onMessage a second (on the emulator clock): one second between them.
    const pace = () => emulator.clock.advance(1_000);
    await guest.configure();
    await guest.say('I need help with my running shoes', { QueueName: 'Sports Support', customerId: 'C-7' });
    const first = await alda.alert('messages');
    const cid = first.conversationId;
    await alda.as(() => alda.api.conversations.getConversation(cid));
    await alda.as(() => alda.api.conversations.getConversationsMessage(cid));
    await alda.as(() =>
      alda.api.conversations.patchConversationsMessageParticipant(cid, first.participantId, {
        body: { state: 'connected' },
      }),
    );

    // Typing and messages both ways. The customer's typing reaches the agent on the real topic.
    await pace();
    await guest.typing();
    await alda.next(
      onTopic(`v2.users.${alda.user.id}.conversations.inbound.typing.event`, cid),
      'the customer typing',
    );
    await alda.as(() =>
      alda.api.conversations.postConversationsMessageCommunicationTyping(cid, first.communicationId, {
        typing: { type: 'On' },
      }),
    );
    await guest.outboundEvent('Typing');
    const sent = await alda.as(() =>
      alda.api.conversations.postConversationsMessageCommunicationMessages(cid, first.communicationId, {
        textBody: 'Hi, Alda here. Which size?',
      }),
    );
    await guest.outboundText('Hi, Alda here. Which size?');
    // Sent, then delivery-success once the guest's socket took it.
    await alda.next(messageStatus(sent.id!, 'delivery-success'), 'the reply delivered');
    await pace();
    await guest.say('Size 42, please');
    const said = await alda.next(
      (f) => onTopic(`v2.users.${alda.user.id}.conversations`, cid)(f) && customerMessageIds(f).length === 2,
      "the customer's second message",
    );
    const customerMessageId = customerMessageIds(said).at(-1)!;
    await alda.as(() => alda.api.conversations.getConversationsMessageMessage(cid, customerMessageId));
    // A test tool finds the conversation from a message id alone.
    await alda.as(() => alda.api.conversations.getConversationsMessageDetails(customerMessageId));
    await alda.as(() => alda.api.conversations.getConversationsMessageMessage(cid, sent.id!));
    const customer = (
      await alda.as(() => alda.api.conversations.getConversationsMessage(cid))
    ).participants!.find((p) => p.purpose === 'customer')!;
    await alda.as(() =>
      alda.api.conversations.patchConversationsMessageParticipantAttributes(cid, customer.id!, {
        body: { attributes: { shoeSize: '42' } },
      }),
    );
    await alda.as(() => alda.api.conversations.getConversationsMessages());
    await alda.as(() => alda.api.conversations.getConversations());

    // A blind transfer to Shoes Support, answered there by Mia.
    await mia.as(() => mia.api.users.putUserRoutingstatus(mia.user.id, { status: 'IDLE' }));
    await alda.as(() =>
      alda.api.conversations.postConversationsMessageParticipantReplace(cid, first.participantId, {
        queueId: shoes.id,
      }),
    );
    const second = await mia.alert('messages', cid);
    await mia.as(() =>
      mia.api.conversations.patchConversationsMessageParticipant(cid, second.participantId, {
        body: { state: 'connected' },
      }),
    );
    await pace();
    await guest.typing();
    await mia.next(
      onTopic(`v2.users.${mia.user.id}.conversations.inbound.typing.event`, cid),
      'the customer typing',
    );
    await mia.as(() =>
      mia.api.conversations.postConversationsMessageCommunicationTyping(cid, second.communicationId, {
        typing: { type: 'On' },
      }),
    );
    await guest.outboundEvent('Typing');
    await mia.as(() =>
      mia.api.conversations.postConversationsMessageCommunicationMessages(cid, second.communicationId, {
        textBody: 'Mia from shoes: 42 is in stock.',
      }),
    );
    await guest.outboundText('Mia from shoes: 42 is in stock.');
    await pace();
    await guest.say('Great, thanks!');

    // Alda wraps up her transferred leg; Mia ends the conversation and wraps up.
    const aldaCode = await firstWrapupCode(alda, 'messages', cid, first.participantId);
    await alda.as(() =>
      alda.api.conversations.patchConversationsMessageParticipant(cid, first.participantId, {
        body: { wrapup: { code: aldaCode, notes: 'transferred to shoes' } },
      }),
    );
    await mia.as(() =>
      mia.api.conversations.patchConversationsMessageParticipant(cid, second.participantId, {
        body: { state: 'disconnected' },
      }),
    );
    await guest.outboundEvent('Presence');
    const miaCode = await firstWrapupCode(mia, 'messages', cid, second.participantId);
    await mia.as(() =>
      mia.api.conversations.patchConversationsMessageParticipant(cid, second.participantId, {
        body: { wrapup: { code: miaCode, notes: 'sold a pair' } },
      }),
    );
    await mia.as(() => mia.api.conversations.getConversation(cid));
    await mia.as(() => mia.api.conversations.getConversationsMessage(cid));
    for (const agent of [alda, mia])
      await agent.as(() => agent.api.users.putUserRoutingstatus(agent.user.id, { status: 'OFF_QUEUE' }));
    await settle([alda, mia]);
    await guest.close();
  } finally {
    await agents.closeAll();
    await emulator.close();
  }
}

/** Chat communications are `participants[].chats[]`; the ACD chat routes have no SDK 262 methods. */
const CHAT = '/api/v2/conversations/chats/{conversationId}';

export async function webChatConversation(recorder: Recorder): Promise<void> {
  recorder.story = 'webchat';
  const emulator = await startEmulator({ fixture: webchatFixture() });
  const agents = await recordingAgents(emulator, recorder);
  const { client: guestClient, api: guestApi } = guestSdk(emulator);
  recorder.wrap(guestClient as never);
  try {
    const fx = emulator.fixture;
    const sports = queueOf(emulator, 'Sports Support');
    const shoes = queueOf(emulator, 'Shoes Support');
    const alda = await agents.agent('Alda Moore');
    const mia = await agents.agent('Mia Welch');
    await lookAround(alda, sports.id);
    await alda.listen([...userTopics(alda.user.id), ...queueTopics(sports.id)]);
    await mia.listen([...userTopics(mia.user.id), ...queueTopics(shoes.id)]);
    await alda.as(() => alda.api.users.putUserRoutingstatus(alda.user.id, { status: 'IDLE' }));

    // The guest's customField QueueName steers the deployment's inbound chat flow.
    const chat = await guestApi.postWebchatGuestConversations({
      organizationId: fx.org.id,
      deploymentId: 'webchat-flow',
      routingTarget: { targetType: 'QUEUE', targetAddress: 'General' },
      memberInfo: { displayName: 'Jane Guest', customFields: { QueueName: 'Sports Support' } },
    });
    guestClient.defaultHeaders = {};
    guestClient.setJwt(chat.jwt);
    const cid = chat.id;
    const guestId = chat.member.id;
    const stream = await openStream(chat.eventStreamUri);
    await stream.frames.next(alertingAgent(guestId), 'an agent ALERTING');
    const first = await alda.alert('chats', cid);
    const chatTopic = [`v2.conversations.chats.${cid}.messages`];
    await alda.subscribe(chatTopic);
    await alda.as(() => alda.api.conversations.getConversation(cid));
    await alda.callApi('GET', CHAT, { conversationId: cid });
    await alda.as(() =>
      alda.api.conversations.patchConversationParticipant(cid, first.participantId, { state: 'connected' }),
    );
    await stream.frames.next(is.member(first.communicationId, 'CONNECTED'), 'Alda CONNECTED');
    await guestApi.getWebchatGuestConversationMember(cid, first.communicationId);

    // Typing and messages both ways, on the chat's own topic for the agent.
    await guestApi.postWebchatGuestConversationMemberTyping(cid, guestId);
    await alda.next(
      (f) => f.topicName === chatTopic[0] && f.metadata?.type === 'typing-indicator',
      'the guest typing',
    );
    await alda.callApi('POST', `${CHAT}/communications/{communicationId}/typing`, {
      conversationId: cid,
      communicationId: first.communicationId,
    });
    await stream.frames.next(is.typing(first.communicationId), "Alda's typing");
    await alda.callApi(
      'POST',
      `${CHAT}/communications/{communicationId}/messages`,
      { conversationId: cid, communicationId: first.communicationId },
      { body: 'Hi Jane, Alda here.', bodyType: 'standard' },
    );
    await stream.frames.next(is.text('Hi Jane, Alda here.'), "Alda's message");
    await guestApi.postWebchatGuestConversationMemberMessages(cid, guestId, { body: 'My order is late' });
    await alda.next(
      (f) => f.topicName === chatTopic[0] && f.eventBody?.body === 'My order is late',
      "the guest's message",
    );
    await guestApi.getWebchatGuestConversationMembers(cid);
    await guestApi.getWebchatGuestConversationMessages(cid);
    await alda.callApi('GET', `${CHAT}/messages`, { conversationId: cid });
    await alda.as(() =>
      alda.api.conversations.patchConversationParticipantAttributes(cid, first.participantId, {
        attributes: { orderState: 'late' },
      }),
    );

    // A blind transfer to Shoes Support, answered by Mia.
    await mia.as(() => mia.api.users.putUserRoutingstatus(mia.user.id, { status: 'IDLE' }));
    await alda.as(() =>
      alda.api.conversations.postConversationParticipantReplaceQueue(cid, first.participantId, {
        queueId: shoes.id,
      }),
    );
    const second = await mia.alert('chats', cid);
    await mia.subscribe(chatTopic);
    await mia.as(() =>
      mia.api.conversations.patchConversationParticipant(cid, second.participantId, { state: 'connected' }),
    );
    await stream.frames.next(is.member(second.communicationId, 'CONNECTED'), 'Mia CONNECTED');
    await guestApi.postWebchatGuestConversationMemberTyping(cid, guestId);
    await mia.next(
      (f) => f.topicName === chatTopic[0] && f.metadata?.type === 'typing-indicator',
      'the guest typing',
    );
    await mia.callApi(
      'POST',
      `${CHAT}/communications/{communicationId}/messages`,
      { conversationId: cid, communicationId: second.communicationId },
      { body: 'Mia here, it ships today.', bodyType: 'standard' },
    );
    await stream.frames.next(is.text('Mia here, it ships today.'), "Mia's message");
    await guestApi.postWebchatGuestConversationMemberMessages(cid, guestId, { body: 'Thank you' });
    await mia.next((f) => f.topicName === chatTopic[0] && f.eventBody?.body === 'Thank you', 'the thanks');

    // Alda wraps up; Mia disconnects and wraps up.
    const aldaCode = await firstWrapupCode(alda, 'generic', cid, first.participantId);
    await alda.as(() =>
      alda.api.conversations.patchConversationParticipant(cid, first.participantId, {
        wrapup: { code: aldaCode, notes: 'transferred' },
      }),
    );
    await mia.as(() =>
      mia.api.conversations.patchConversationParticipant(cid, second.participantId, {
        state: 'disconnected',
      }),
    );
    await stream.frames.next(is.member(second.communicationId, 'DISCONNECTED'), 'Mia DISCONNECTED');
    const miaCode = await firstWrapupCode(mia, 'generic', cid, second.participantId);
    await mia.as(() =>
      mia.api.conversations.patchConversationParticipant(cid, second.participantId, {
        wrapup: { code: miaCode, notes: 'shipped' },
      }),
    );
    await mia.as(() => mia.api.conversations.getConversation(cid));
    for (const agent of [alda, mia])
      await agent.as(() => agent.api.users.putUserRoutingstatus(agent.user.id, { status: 'OFF_QUEUE' }));
    await settle([alda, mia]);
    stream.socket.close();
  } finally {
    await agents.closeAll();
    await emulator.close();
  }
}
