import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { sdkAgents } from '../support/agents.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import { fullHistory, Guest, type Wire } from '../support/webmessaging.ts';

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const queueId = (emulator: TestEmulator, name: string) =>
  emulator.fixture.queues.find((q) => q.name === name)!.id;

/** The customer participant's message ids, as an agent reads them from the generic conversation. */
function customerMessageIds(conversation: {
  participants?: { purpose?: string; messages?: { messages?: { messageId?: string }[] }[] }[];
}): string[] {
  const customer = conversation.participants!.find((p) => p.purpose === 'customer')!;
  return (customer.messages![0]!.messages ?? []).map((m) => m.messageId!);
}

describe('Web Messaging guest API: a whole conversation over a raw WebSocket', () => {
  it('configure, route by QueueName, agent chat and typing both ways, queue transfer, disconnect to read-only, startNew', async () => {
    const emulator = await startEmulator();
    const agents = await sdkAgents(emulator);
    cleanup = agents.closeAll;
    const maida = await agents.agent('Maida Moen'); // Grocery Support, Shoes Support
    const mia = await agents.agent('Mia Welch'); // Sports Support, Shoes Support, General
    await maida.listen();
    await mia.listen();
    await maida.goOnQueue();
    await mia.goOnQueue();

    const token = randomUUID();
    const guest = await Guest.connect(emulator, token, { origin: 'https://shop.example' });
    const configured = await guest.configure({ startNew: false });
    expect(configured).toMatchObject({
      type: 'response',
      class: 'SessionResponse',
      code: 200,
      body: { connected: true, newSession: true, readOnly: false, maxCustomDataBytes: 2048 },
    });
    expect(configured.body.expirationDate).toBeGreaterThan(emulator.clock.now() / 1000);

    // The first message carries the bot's metadata; the flow reads QueueName and routes there.
    const echo = await guest.say('Bot handoff: invoice 123 dispute', {
      QueueName: 'Grocery Support',
      customerId: 'C-42',
    });
    expect(echo).toMatchObject({
      type: 'message',
      class: 'StructuredMessage',
      code: 200,
      body: { type: 'Text', direction: 'Inbound', text: 'Bot handoff: invoice 123 dispute' },
    });
    const first = await maida.alert();
    const cid = first.conversationId;
    const routed = await maida.conversation(cid);
    expect(routed.participants!.find((p) => p.purpose === 'customer')!.attributes).toEqual({
      QueueName: 'Grocery Support',
      customerId: 'C-42',
    });
    expect(routed.participants!.find((p) => p.purpose === 'acd')!.queueId).toBe(
      queueId(emulator, 'Grocery Support'),
    );
    await maida.answer(cid, first.participantId);

    // Agent typing and text reach the guest; the text names the agent in channel.from.
    await maida.typing(cid, first.communicationId);
    const typing = await guest.outboundEvent('Typing');
    expect(typing.body.events).toEqual([{ eventType: 'Typing', typing: { type: 'On', duration: 5000 } }]);
    await maida.send(cid, first.communicationId, "Hi, I'm Maida from groceries.");
    const hello = await guest.outboundText("Hi, I'm Maida from groceries.");
    expect(hello).toMatchObject({
      type: 'message',
      body: { originatingEntity: 'Human', channel: { from: { nickname: 'Maida Moen' } } },
    });
    expect(hello.body.id).toMatch(/^[0-9a-f]{32}$/);

    // Guest typing and text reach the agent side (a second apart: onMessage is limited to 2 per second).
    await emulator.clock.advance(1000);
    const typingEcho = await guest.typing();
    expect(typingEcho.body).toMatchObject({
      type: 'Event',
      direction: 'Inbound',
      events: [{ eventType: 'Typing' }],
    });
    expect(
      emulator.events
        .list({ conversationId: cid, type: ['typing.sent'] })
        .map((e) => (e.data as { purpose: string }).purpose),
    ).toEqual(['agent', 'customer']);
    await emulator.clock.advance(1000);
    expect((await guest.say('Thanks Maida')).code).toBe(200);
    const ids = customerMessageIds(await maida.conversation(cid));
    const seen = await maida.as(() => maida.conversations.getConversationsMessageMessage(cid, ids.at(-1)!));
    // textBody is on the wire though the SDK's MessageData type omits it.
    expect((seen as { textBody?: string }).textBody).toBe('Thanks Maida');

    // Transfer to another queue: no guest frame; the next agent's message shows the new name.
    const framesBeforeTransfer = guest.frames.length;
    await maida.transferToQueue(cid, first.participantId, queueId(emulator, 'Sports Support'));
    const second = await mia.alert(cid);
    await mia.answer(cid, second.participantId);
    expect(guest.frames.length).toBe(framesBeforeTransfer);
    await mia.send(cid, second.communicationId, 'Hello, Mia here.');
    const fromMia = await guest.outboundText('Hello, Mia here.');
    expect(fromMia.body.channel.from.nickname).toBe('Mia Welch');
    expect((await guest.say('Hi Mia')).code).toBe(200);

    // The agent disconnects: Presence Disconnect with readOnly "true"; sending is refused from now on.
    await mia.disconnect(cid, second.participantId);
    const disconnect = await guest.outboundEvent('Presence');
    expect(disconnect.body).toMatchObject({
      metadata: { readOnly: 'true' },
      events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
      originatingEntity: 'Human',
    });
    expect(await guest.say('are you there?')).toMatchObject({ class: 'string', code: 409 });
    const again = await guest.configure();
    expect(again.body).toMatchObject({ connected: true, newSession: false, readOnly: true });

    // The whole transcript, in order, exactly once (read newest first, page by page).
    const { jwt } = await guest.jwt();
    const transcript = (await fullHistory(emulator, jwt)).reverse().map((m) => `${m.direction}: ${m.text}`);
    expect(transcript).toEqual([
      'Inbound: Bot handoff: invoice 123 dispute',
      "Outbound: Hi, I'm Maida from groceries.",
      'Inbound: Thanks Maida',
      'Outbound: Hello, Mia here.',
      'Inbound: Hi Mia',
    ]);

    // A fresh interaction: closeSession, then startNew. The old conversation is never resumed.
    const closed = await guest.request({ action: 'closeSession', closeAllConnections: true });
    expect(closed).toMatchObject({ class: 'SessionResponse', body: { connected: false, readOnly: true } });
    const fresh = await guest.configure({ startNew: true });
    expect(fresh.body).toMatchObject({ connected: true, newSession: true, readOnly: false });
    await guest.say('A new question about shoes', { QueueName: 'Shoes Support' });
    const next = await maida.alert();
    expect(next.conversationId).not.toBe(cid);
    const nextConversation = emulator.conversations.get(next.conversationId)!;
    expect(nextConversation.messages.map((m) => m.text)).toEqual(['A new question about shoes']);
    expect(emulator.conversations.get(cid)!.endTime).toBeDefined();
    const { jwt: freshJwt } = await guest.jwt();
    expect((await fullHistory(emulator, freshJwt)).map((m) => m.text)).toEqual([
      'A new question about shoes',
    ]);
    await guest.close();
  });

  it('a flow greets the guest as a Bot, a flow that hangs up sends Disconnect, and in Send mode the next message starts over', async () => {
    const emulator = await startEmulator({ fixture: fixtureWithGreetingFlow() });
    const guest = await Guest.connect(emulator, randomUUID(), { deploymentId: 'greeting-deployment' });
    await guest.configure();

    await guest.say('hello', { intent: 'help' });
    const greeting = await guest.outboundText('Connecting you to an agent…');
    expect(greeting.body).toMatchObject({
      originatingEntity: 'Bot',
      direction: 'Outbound',
      channel: { from: { nickname: 'Greeting Flow' } },
    });

    const guest2 = await Guest.connect(emulator, randomUUID(), { deploymentId: 'greeting-deployment' });
    await guest2.configure();
    await guest2.say('bye', { intent: 'goodbye' });
    await guest2.outboundText('Goodbye!');
    const hangUp = await guest2.outboundEvent('Presence');
    expect(hangUp.body).toMatchObject({
      originatingEntity: 'Bot',
      events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
    });
    expect(hangUp.body.metadata).toBeUndefined(); // Send mode: not read-only

    // Send mode: the guest may keep writing; the next message starts a new conversation.
    const echo = await guest2.say('one more thing', { intent: 'help' });
    expect(echo.code).toBe(200);
    await guest2.outboundText('Connecting you to an agent…');
    const created = emulator.events.ofType('conversation.created');
    expect(created).toHaveLength(3);
    await guest.close();
    await guest2.close();
  });

  it('Presence Clear ends the conversation, wipes the transcript and tells every socket of the session', async () => {
    const emulator = await startEmulator();
    const token = randomUUID();
    const tab1 = await Guest.connect(emulator, token);
    const tab2 = await Guest.connect(emulator, token);
    await tab1.configure();
    await tab2.configure();
    await tab1.say('please forget me');
    const cid = emulator.events.ofType('conversation.created')[0]!.conversationId!;

    tab1.presence('Clear');
    for (const tab of [tab1, tab2]) {
      const cleared = await tab.next((f) => f.class === 'SessionClearedEvent', 'SessionClearedEvent');
      expect(cleared).toMatchObject({ type: 'message', code: 200, body: {} });
    }
    const conversation = emulator.conversations.get(cid)!;
    expect(conversation.endTime).toBeDefined();
    expect(conversation.participants.find((p) => p.purpose === 'customer')).toMatchObject({
      state: 'disconnected',
      disconnectType: 'client',
    });
    // No Disconnect presence for the guest's own ending.
    expect(tab1.frames.some((f) => f.body?.events?.[0]?.presence?.type === 'Disconnect')).toBe(false);
    const { jwt } = await tab1.jwt();
    expect(await fullHistory(emulator, jwt)).toEqual([]);
    await tab1.close();
    await tab2.close();
  });

  it('Join auto-starts with attributes; structured replies and the legacy attribute location are accepted', async () => {
    const emulator = await startEmulator();
    const guest = await Guest.connect(emulator, randomUUID());
    await guest.configure();
    const join = await guest.request({
      action: 'onMessage',
      message: {
        type: 'Event',
        events: [{ eventType: 'Presence', presence: { type: 'Join' } }],
        channel: { metadata: { customAttributes: { QueueName: 'Shoes Support' } } },
      },
    });
    expect(join.body).toMatchObject({ direction: 'Inbound', events: [{ presence: { type: 'Join' } }] });
    const [created] = emulator.events.ofType('conversation.created');
    const cid = created!.conversationId!;
    expect(emulator.conversations.get(cid)!.queueId).toBe(queueId(emulator, 'Shoes Support'));

    // Deprecated top-level channel.metadata still lands as Participant Data.
    const reply = await guest.request({
      action: 'onMessage',
      channel: { metadata: { customAttributes: { plan: 'gold' } } },
      message: {
        type: 'Structured',
        content: [
          {
            contentType: 'ButtonResponse',
            buttonResponse: { text: 'Yes please', payload: 'yes', type: 'QuickReply' },
          },
        ],
      },
    });
    expect(reply.body).toMatchObject({
      type: 'Structured',
      text: 'Yes please',
      content: [{ contentType: 'ButtonResponse', buttonResponse: { payload: 'yes' } }],
    });
    const customer = emulator.conversations.get(cid)!.participants.find((p) => p.purpose === 'customer')!;
    expect(customer.attributes).toEqual({ QueueName: 'Shoes Support', plan: 'gold' });
    const { jwt } = await guest.jwt();
    expect((await fullHistory(emulator, jwt))[0]).toMatchObject({ type: 'Structured', text: 'Yes please' });
    await guest.close();
  });

  it('serves config.json for a deployment, with its disconnect setting and endpoints on this emulator', async () => {
    const emulator = await startEmulator();
    const id = emulator.fixture.deployments.messenger[0]!.id;
    const res = await fetch(`${emulator.url}/webdeployments/v1/deployments/${id}/config.json`);
    expect(res.status).toBe(200);
    const config = (await res.json()) as Wire;
    expect(config).toMatchObject({
      status: 'Active',
      apiEndpoint: emulator.url,
      messenger: {
        enabled: true,
        apps: {
          conversations: {
            messagingEndpoint: `ws://127.0.0.1:${emulator.port}`,
            conversationDisconnect: { enabled: true, type: 'ReadOnly' },
          },
        },
      },
    });
    const missing = await fetch(`${emulator.url}/webdeployments/v1/deployments/nope/config.json`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as Wire).code).toBe('not.found');
  });
});

/** The default org plus a flow that greets (Send Response) and either routes or hangs up, in Send mode. */
function fixtureWithGreetingFlow() {
  const flow = stringify({
    inboundShortMessage: {
      name: 'Greeting Flow',
      startUpRef: './states/state[Start_1]',
      defaultLanguage: 'en-us',
      settingsErrorHandling: { errorHandling: { disconnect: { none: true } } },
      variables: [{ stringVariable: { name: 'Flow.Intent', initialValue: { noValue: true } } }],
      states: [
        {
          state: {
            name: 'Start',
            refId: 'Start_1',
            actions: [
              {
                getParticipantData: {
                  name: 'Read intent',
                  attributes: [{ attribute: { name: { lit: 'intent' }, variable: 'Flow.Intent' } }],
                },
              },
              {
                decision: {
                  name: 'Leaving?',
                  condition: { exp: 'Flow.Intent == "goodbye"' },
                  outputs: {
                    yes: {
                      actions: [
                        { sendResponse: { name: 'Bye', messageBody: { lit: 'Goodbye!' } } },
                        { disconnect: { name: 'Hang up' } },
                      ],
                    },
                  },
                },
              },
              { sendResponse: { name: 'Greet', messageBody: { lit: 'Connecting you to an agent…' } } },
              { transferToAcd: { name: 'General', targetQueue: { lit: { name: 'General' } } } },
              { disconnect: { name: 'Disconnect' } },
            ],
          },
        },
      ],
    },
  });
  return withMessengerFlow(flow, {
    flowName: 'Greeting Flow',
    deploymentId: 'greeting-deployment',
    deployment: { conversationDisconnect: { enabled: true, type: 'Send' } },
  });
}
