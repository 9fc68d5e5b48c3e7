import { describe, expect, it, onTestFinished } from 'vitest';
import { type BridgeEvent, createBridge, type GenesysChannel } from '../../bridge/index.ts';
import { agentsFor, bridgeConfig, openMessagingReceiver, storyFixture } from '../support/bridge-story.ts';
import { startEmulator } from '../support/emulators.ts';
import { SharedTime } from '../support/shared-time.ts';

/**
 * The bridge library's whole story against the emulator, once per Genesys channel: a transfer whose
 * metadata names the queue, an agent on the official platform SDK who sees that metadata as Participant
 * Data, messages and typing both ways, a blind transfer to another queue answered by a second agent, and
 * the agent ending the conversation, which the bot learns exactly once.
 *
 * Time moves only when the test moves the emulator's manual clock, which the bridge shares: waiting for a
 * bridge event advances it in 50 ms steps while the bridge is idle, so the bridge's 1 s reorder window,
 * its 2 messages/s pacing and WebChat's 2 s transfer grace elapse without any real-time sleep.
 */

const METADATA = { QueueName: 'Sports Support', customerId: 'C-1001', intent: 'billing' };

describe('the bridge library against the emulator', () => {
  it.each<GenesysChannel>(['webMessaging', 'webChat', 'openMessaging'])(
    '%s: metadata routes and becomes Participant Data, messages and typing flow both ways, a queue transfer reaches a second agent, the agent ends it once',
    {
      timeout: 30_000,
    },
    async (channel) => {
      const emulator = await startEmulator({ fixture: storyFixture() });
      const time = new SharedTime(emulator.clock);
      const fx = emulator.fixture;
      const queue = (name: string) => fx.queues.find((q) => q.name === name)!;
      const agent = await agentsFor(channel, emulator);
      const alda = await agent('Alda Moore'); // Sports Support
      const dena = await agent('Dena Lakin'); // Shoes Support
      for (const a of [alda, dena]) {
        await a.listen();
        await a.goOnQueue();
      }

      // Open Messaging: the bridge's webhook listener on loopback, the org's integration pointed at it.
      const receiver =
        channel === 'openMessaging' ? await openMessagingReceiver(emulator, time.seen) : undefined;
      const bridge = createBridge(bridgeConfig(channel, emulator), time.deps);
      receiver?.attach(bridge);
      // Registered after the emulator's own cleanup, so it runs first: open sessions can still leave Genesys.
      onTestFinished(() => bridge.close());

      const started = await bridge.startTransfer({
        idempotencyKey: 'story-1',
        botConversationId: 'bot-conversation-1',
        customer: { id: 'C-1001', displayName: 'Pat Customer' },
        metadata: METADATA,
        initialMessage: 'I would like to talk to a person',
      });
      expect(started).toMatchObject({ channel, state: 'queued', created: true });
      expect(started.metadata.sent.sort()).toEqual(['QueueName', 'customerId', 'intent']);
      const { sessionId } = started;
      const events: BridgeEvent[] = [];
      bridge.subscribe(sessionId, (event) => events.push(event));
      const event = <T extends BridgeEvent['type']>(
        type: T,
        match: (e: Extract<BridgeEvent, { type: T }>) => boolean = () => true,
      ) =>
        time.until(type, () =>
          events.find((e): e is Extract<BridgeEvent, { type: T }> => e.type === type && match(e as never)),
        );
      const agentText = (text: string) => event('agent.message', (e) => e.message.text === text);
      const sent = (clientMessageId: string) =>
        event('message.status', (e) => e.clientMessageId === clientMessageId && e.status === 'sent');

      // The metadata's QueueName picks the queue: Alda (Sports Support) is alerted, Dena (Shoes) is not.
      const snapshot = await bridge.getSession(sessionId);
      const first = await alda.alert(snapshot?.provider.conversationId);
      const cid = first.conversationId;
      const seen = await alda.conversation(cid);
      expect(seen.participants!.find((p) => p.userId === alda.user.id)?.queueId).toBe(
        queue('Sports Support').id,
      );
      // Every metadata key is Participant Data; WebChat custom fields arrive as context.<key>.
      const prefix = channel === 'webChat' ? 'context.' : '';
      const customer = seen.participants!.find((p) => p.purpose === 'customer')!;
      expect(customer.attributes).toMatchObject(
        Object.fromEntries(Object.entries(METADATA).map(([k, v]) => [prefix + k, v])),
      );

      await alda.answer(cid, first.participantId);
      await alda.typing(cid, first.communicationId);
      await event('agent.typing');
      await alda.send(cid, first.communicationId, 'Hi Pat, this is Alda');
      await alda.send(cid, first.communicationId, 'How can I help?');
      await agentText('How can I help?');
      expect(events.find((e) => e.type === 'agent.joined')).toMatchObject({
        agent: { displayName: 'Alda Moore' },
      });

      await bridge.sendTyping(sessionId, { isTyping: true });
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm1', text: 'My bill is wrong' });
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm2', text: 'It says 40 EUR' });
      await sent('m2');
      await time.until('the customer typing in the emulator', () =>
        emulator.events
          .list({ conversationId: cid })
          .find((e) => e.type === 'typing.sent' && e.data.purpose === 'customer'),
      );

      // Blind transfer to Shoes Support: Dena is alerted and takes over; the bot's session carries on.
      await alda.transferToQueue(cid, first.participantId, queue('Shoes Support').id);
      const second = await dena.alert(cid);
      await dena.answer(cid, second.participantId);
      await dena.send(cid, second.communicationId, 'Dena here, I can fix that');
      await agentText('Dena here, I can fix that');
      await bridge.sendCustomerMessage(sessionId, { clientMessageId: 'm3', text: 'Thank you Dena' });
      await sent('m3');

      const transcript = emulator.conversations.get(cid)!.messages.map((m) => `${m.purpose}: ${m.text}`);
      expect(transcript).toEqual([
        'customer: I would like to talk to a person',
        'agent: Hi Pat, this is Alda',
        'agent: How can I help?',
        'customer: My bill is wrong',
        'customer: It says 40 EUR',
        'agent: Dena here, I can fix that',
        'customer: Thank you Dena',
      ]);
      const afterTransfer = await dena.conversation(cid);
      expect(afterTransfer.participants!.find((p) => p.purpose === 'customer')!.attributes).toMatchObject({
        [`${prefix}customerId`]: 'C-1001',
      });

      // The agent ends the conversation: the bot hears it exactly once, and nothing follows.
      await dena.disconnect(cid, second.participantId);
      const ended = await event('session.ended');
      expect(ended).toMatchObject({ reason: 'agentEnded', by: 'agent' });
      const endedAt = emulator.clock.now();
      await time.until('5 s more', () => (emulator.clock.now() >= endedAt + 5_000 ? true : undefined));

      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
      expect(events.at(-1)?.type).toBe('session.ended');
      const agentMessages = events.flatMap((e) => (e.type === 'agent.message' ? [e.message.text] : []));
      expect(agentMessages).toEqual(['Hi Pat, this is Alda', 'How can I help?', 'Dena here, I can fix that']);
      const types = events.map((e) => e.type);
      // The hand-over shows as a transfer before Dena joins, and Dena's message comes after both.
      const deniJoined = events.findIndex(
        (e) => e.type === 'agent.joined' && e.agent.displayName === 'Dena Lakin',
      );
      expect(types.indexOf('transfer.changed')).toBeGreaterThan(-1);
      expect(types.indexOf('transfer.changed')).toBeLessThan(deniJoined);
      expect(deniJoined).toBeLessThan(
        events.findIndex((e) => e.type === 'agent.message' && e.message.text === 'Dena here, I can fix that'),
      );
      expect(events.filter((e) => e.type === 'message.status').map((e) => e.clientMessageId)).toEqual([
        'm1',
        'm2',
        'm3',
      ]);
      expect(await bridge.getSession(sessionId)).toMatchObject({ state: 'ended', endReason: 'agentEnded' });
      await bridge.close();
    },
  );
});
