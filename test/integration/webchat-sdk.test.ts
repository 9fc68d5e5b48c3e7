import { afterEach, describe, expect, it } from 'vitest';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { alertingAgent, chatAgents, type GuestFrame, guestSdk, is, openStream } from '../support/webchat.ts';

/**
 * The official guest chat SDK (purecloud-guest-chat-client 13.2.0) and agents on the official platform
 * SDK, against the emulator, the way an integrator runs them.
 */

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

async function setup() {
  const emulator = await startEmulator();
  const agents = await chatAgents(emulator);
  cleanup = agents.closeAll;
  const { client, api } = guestSdk(emulator);
  const fx = emulator.fixture;
  const queueId = (name: string) => fx.queues.find((q) => q.name === name)!.id;
  const createRequest = (customFields: Record<string, string> = {}) => ({
    organizationId: fx.org.id,
    deploymentId: fx.deployments.webchat[0]!.id,
    routingTarget: { targetType: 'QUEUE', targetAddress: 'Grocery Support', priority: 2 },
    memberInfo: { displayName: 'Jane Guest', customFields },
  });
  return { emulator, agents, client, api, queueId, createRequest };
}

function participantsOf(emulator: TestEmulator, conversationId: string) {
  return emulator.conversations.get(conversationId)!.participants;
}

describe('the guest chat SDK with agents on the platform SDK', () => {
  it('chats, types, transfers to another queue and ends, with the guest stream open throughout', async () => {
    const { emulator, agents, client, api, queueId, createRequest } = await setup();
    const alda = await agents.agent('Alda Moore'); // Grocery Support, Sports Support, General
    const mia = await agents.agent('Mia Welch'); // Sports Support, Shoes Support, General
    await alda.listen();
    await mia.listen();
    await alda.goOnQueue();
    await mia.goOnQueue();

    const chat = await api.postWebchatGuestConversations(createRequest({ customerId: 'C-42' }));
    // The documented workaround for the SDK's header bug, then the guest JWT for every later call.
    client.defaultHeaders = {};
    client.setJwt(chat.jwt);
    const cid = chat.id;
    const guestId = chat.member.id;
    expect(chat.eventStreamUri).toBe(`ws://127.0.0.1:${emulator.port}/v1/token/${chat.jwt}`);

    // Nothing is routed until the stream attaches: the guest is alone in the conversation.
    expect(participantsOf(emulator, cid).map((p) => p.purpose)).toEqual(['customer']);
    expect(emulator.waiting(queueId('Grocery Support'))).toEqual([]);

    const guest = await openStream(chat.eventStreamUri);
    let guestClosed = false;
    guest.socket.on('close', () => {
      guestClosed = true;
    });
    await guest.frames.next(is.member(guestId, 'CONNECTED'), 'the guest CONNECTED');
    await guest.frames.next(is.bodyType('member-join', guestId), "the guest's member-join");
    const offered = await guest.frames.next(alertingAgent(guestId), 'an agent ALERTING');
    const first = await alda.alert(cid);
    expect(offered.eventBody.member!.id).toBe(first.communicationId);

    await alda.answer(cid, first.participantId);
    await guest.frames.next(is.member(first.communicationId, 'CONNECTED'), 'Alda CONNECTED');
    await guest.frames.next(is.bodyType('member-join', first.communicationId), "Alda's member-join");
    const aldaMember = await api.getWebchatGuestConversationMember(cid, first.communicationId);
    expect(aldaMember).toMatchObject({ role: 'AGENT', displayName: 'Alda Moore', state: 'CONNECTED' });

    // Both ways: agent typing and text, guest typing and text (the guest gets its own back too).
    await alda.typing(cid, first.communicationId);
    await guest.frames.next(is.typing(first.communicationId), "Alda's typing");
    await alda.send(cid, first.communicationId, 'Hello, this is Alda');
    await guest.frames.next(is.text('Hello, this is Alda'), "Alda's message");
    const typing = await api.postWebchatGuestConversationMemberTyping(cid, guestId);
    const ownTyping = await guest.frames.next(is.typing(guestId), "the guest's own typing");
    expect(ownTyping.eventBody.id).toBe(typing.id);
    const sent = await api.postWebchatGuestConversationMemberMessages(cid, guestId, { body: 'Thanks!' });
    expect(sent).toMatchObject({ body: 'Thanks!', bodyType: 'standard', sender: { id: guestId } });
    const echo = await guest.frames.next(is.text('Thanks!'), "the guest's own message");
    expect(echo.eventBody.id).toBe(sent.id);
    await emulator.clock.advance(30_000);
    await guest.frames.next(is.heartbeat, 'a heartbeat on the emulator clock');

    // Blind transfer to Shoes Support: Alda leaves, the queue holds the chat, Mia is offered it.
    await alda.transferToQueue(cid, first.participantId, queueId('Shoes Support'));
    await guest.frames.next(is.member(first.communicationId, 'DISCONNECTED'), 'Alda DISCONNECTED');
    await guest.frames.next(is.bodyType('member-leave', first.communicationId), "Alda's member-leave");
    const second = await mia.alert(cid);
    await guest.frames.next(is.member(second.communicationId, 'ALERTING'), 'Mia ALERTING');
    await mia.answer(cid, second.participantId);
    await guest.frames.next(is.member(second.communicationId, 'CONNECTED'), 'Mia CONNECTED');
    await mia.send(cid, second.communicationId, 'Mia here');
    await mia.send(cid, second.communicationId, 'Anything else?');
    await guest.frames.next(is.text('Anything else?'), "Mia's last message");
    expect(guestClosed).toBe(false);

    const agentIds = new Set([first.communicationId, second.communicationId]);
    const fromAgents = (frames: GuestFrame[]) =>
      frames
        .filter((f) => is.bodyType('standard')(f) && agentIds.has(f.eventBody.sender!.id))
        .map((f) => f.eventBody.body);
    expect(fromAgents(guest.frames.frames)).toEqual(['Hello, this is Alda', 'Mia here', 'Anything else?']);
    for (const f of guest.frames.frames) {
      if (f.topicName === 'channel.metadata') continue;
      expect(f).toMatchObject({ version: '2', metadata: { CorrelationId: expect.any(String) } });
      expect(f.topicName).toMatch(new RegExp(`^v2\\.conversations\\.chats\\.${cid}\\.(members|messages)$`));
    }

    // The history has everything in order, member joins and leaves included; empty query values are absent.
    const history = await api.getWebchatGuestConversationMessages(cid, { sortOrder: 'ascending' });
    expect(history.entities.map((m) => (m.bodyType === 'standard' ? m.body : m.bodyType))).toEqual([
      'member-join',
      'member-join',
      'Hello, this is Alda',
      'Thanks!',
      'member-leave',
      'member-join',
      'Mia here',
      'Anything else?',
    ]);

    // The last agent leaves: the guest sees the agent go, then its own DISCONNECTED, then the stream ends.
    await mia.disconnect(cid, second.participantId);
    await guest.frames.next(is.member(second.communicationId, 'DISCONNECTED'), 'Mia DISCONNECTED');
    await guest.frames.next(is.bodyType('member-leave', second.communicationId), "Mia's member-leave");
    await guest.frames.next(is.member(guestId, 'DISCONNECTED'), 'the guest DISCONNECTED');
    expect(await guest.closed).toMatchObject({ code: 1000 });
    await expect(
      api.postWebchatGuestConversationMemberMessages(cid, guestId, { body: 'hello?' }),
    ).rejects.toMatchObject({ status: 400, code: 'chat.error.conversation.state' });
  });

  it('reproduces the SDK header bug as Genesys answers it (401), and the documented workaround succeeds', async () => {
    const { emulator, client, api, createRequest } = await setup();
    const chat = await api.postWebchatGuestConversations(createRequest());
    client.setJwt(chat.jwt);
    // The bug: the logger redacted the shared default headers while logging the anonymous create.
    expect(client.defaultHeaders).toMatchObject({ Authorization: '[REDACTED]' });
    await expect(
      api.postWebchatGuestConversationMemberMessages(chat.id, chat.member.id, { body: 'hello' }),
    ).rejects.toMatchObject({ status: 401, code: 'authentication.required' });
    expect(emulator.conversations.get(chat.id)!.messages).toEqual([]);

    client.defaultHeaders = {};
    const sent = await api.postWebchatGuestConversationMemberMessages(chat.id, chat.member.id, {
      body: 'hello',
    });
    expect(sent).toMatchObject({ body: 'hello', sender: { id: chat.member.id } });
    expect(emulator.conversations.get(chat.id)!.messages.map((m) => m.text)).toEqual(['hello']);
  });

  it('customFields become context.<key> Participant Data that agents read on GET /api/v2/conversations/{id}', async () => {
    const { agents, client, api, createRequest } = await setup();
    const alda = await agents.agent('Alda Moore');
    const chat = await api.postWebchatGuestConversations(
      createRequest({ customerId: 'C-42', botIntent: 'billing', firstName: 'Jane' }),
    );
    client.defaultHeaders = {};
    client.setJwt(chat.jwt);

    const conversation = await alda.conversation(chat.id);
    const customer = conversation.participants!.find((p) => p.purpose === 'customer')!;
    expect(customer.name).toBe('Jane Guest');
    expect(customer.attributes).toEqual({
      'context.customerId': 'C-42',
      'context.botIntent': 'billing',
      'context.firstName': 'Jane',
      'context.genesys.legacyRoutingTargetQueueAddress': 'Grocery Support',
    });
    expect(customer.chats).toHaveLength(1);
    // The guest reads its own fields back as sent, unprefixed.
    const self = await api.getWebchatGuestConversationMember(chat.id, chat.member.id);
    expect(self).toMatchObject({
      role: 'CUSTOMER',
      displayName: 'Jane Guest',
      customFields: { customerId: 'C-42', botIntent: 'billing', firstName: 'Jane' },
    });
  });
});
