import { describe, expect, it, onTestFinished } from 'vitest';
import { type BridgeEvent, createBridge, type GenesysChannel } from '../../bridge/index.ts';
import { type Fixture, parseFixtureSource } from '../../emulator/index.ts';
import { agentsFor, bridgeConfig, storyFixture } from '../support/bridge-story.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { SharedTime } from '../support/shared-time.ts';

/**
 * The bridge under faults, against the emulator (issue 14 item 7): while the customer (through the
 * bridge) and the agent (through the platform API) each send a numbered message every second, the
 * guest socket (Web Messaging) or event stream (WebChat) is dropped every second, and the history read
 * the bridge uses to fill the gap after a reconnect fails twice (every HTTP attempt of two whole reads
 * answers 503). Nothing the bridge accepted may be lost, duplicated or reordered, either as the bot sees
 * the agent's messages or as Genesys (the agent) sees the customer's. On Web Messaging some customer
 * messages also lose their confirmation: Genesys takes the message, but the socket drops before its
 * echo arrives (the echo frame loses its tracingId, then the socket drops), so the bridge must find out
 * from Genesys whether to send it again. Then, while the socket is down, the
 * agent says a last word and ends the conversation: the bot gets that word, then the end, and the ended
 * session's snapshot says it is offline, not reconnecting.
 *
 * The Messenger deployment disconnects in ReadOnly mode: that is how a guest that was away when the agent
 * ended learns it on reconnecting (the emulator's history holds messages, not the Presence Disconnect).
 *
 * Time is the emulator's manual clock, shared with the bridge (SharedTime): no real-time sleep.
 */

/** Messages each way, two a second: 20 s of socket drops. */
const MESSAGES = 40;
/** The bridge's HTTP client tries a 503 four times before a read counts as failed. */
const HTTP_ATTEMPTS_PER_READ = 4;
const FAILED_HISTORY_READS = 2;

/** The story org, with the Messenger deployment's conversation disconnect in ReadOnly mode. */
function faultFixture(): Fixture {
  const base = storyFixture();
  const [messenger, ...others] = base.deployments.messenger;
  return parseFixtureSource({
    ...base,
    deployments: {
      ...base.deployments,
      messenger: [{ ...messenger!, conversationDisconnect: { enabled: true, type: 'ReadOnly' } }, ...others],
    },
  });
}

interface SideCounts {
  sent: number;
  received: number;
  lost: number;
  duplicated: number;
  reordered: number;
}

/** Compares what arrived with what was sent, by text: lost, duplicated, and arrivals after a later one. */
function count(sent: string[], received: string[]): SideCounts {
  const position = new Map(sent.map((text, i) => [text, i]));
  const seen = new Set<string>();
  let duplicated = 0;
  let reordered = 0;
  let highest = -1;
  for (const text of received) {
    if (seen.has(text)) {
      duplicated++;
      continue;
    }
    seen.add(text);
    const at = position.get(text) ?? -1;
    if (at < highest) reordered++;
    highest = Math.max(highest, at);
  }
  return {
    sent: sent.length,
    received: received.length,
    lost: sent.filter((t) => !seen.has(t)).length,
    duplicated,
    reordered,
  };
}

describe('the bridge under repeated socket drops and failing history reads', () => {
  it.each<GenesysChannel>(['webMessaging', 'webChat'])(
    '%s: nothing accepted is lost, duplicated or reordered, either way',
    { timeout: 120_000 },
    async (channel) => {
      // Customer messages whose echo is lost: Genesys has them, the bridge cannot tell from the socket.
      const loseEchoOf = new Set(Array.from({ length: MESSAGES / 4 }, (_, k) => `customer ${4 * k + 2}`));
      let echoesLost = 0;
      const emulator: TestEmulator = await startEmulator({
        fixture: faultFixture(),
        unsafeMutateGuestFrame: (frame) => {
          const body = frame['body'] as { direction?: string; text?: string } | undefined;
          if (frame['class'] !== 'StructuredMessage' || body?.direction !== 'Inbound') return frame;
          if (!loseEchoOf.delete(body.text ?? '')) return frame;
          echoesLost++;
          // The echo goes out without the request's tracingId (it confirms nothing), and the socket drops.
          setImmediate(() => emulator.faults.dropGuestSocket(cid));
          const { tracingId: _lost, ...rest } = frame;
          return rest;
        },
      });
      let cid = '';
      const time = new SharedTime(emulator.clock);
      const agent = await agentsFor(channel, emulator);
      const alda = await agent('Alda Moore'); // Sports Support
      await alda.listen();
      await alda.goOnQueue();
      const bridge = createBridge(bridgeConfig(channel, emulator), time.deps);
      onTestFinished(() => bridge.close());

      const started = await bridge.startTransfer({
        idempotencyKey: 'fault-story',
        botConversationId: 'bot-fault-story',
        customer: { id: 'C-1', displayName: 'Pat Customer' },
        metadata: { QueueName: 'Sports Support' },
        initialMessage: 'customer 0',
      });
      expect(started.state).toBe('queued');
      const { sessionId } = started;
      const events: BridgeEvent[] = [];
      bridge.subscribe(sessionId, (event) => events.push(event));
      const first = await alda.alert((await bridge.getSession(sessionId))?.provider.conversationId);
      cid = first.conversationId;
      await alda.answer(cid, first.participantId);

      // The catch-up read after a reconnect fails twice before it works.
      emulator.faults.http({
        method: 'GET',
        path:
          channel === 'webMessaging'
            ? '/api/v2/webmessaging/messages'
            : `/api/v2/webchat/guest/conversations/${cid}/messages`,
        status: 503,
        count: FAILED_HISTORY_READS * HTTP_ATTEMPTS_PER_READ,
      });

      const customerTexts = ['customer 0'];
      const agentTexts: string[] = [];
      let drops = 0;
      // Both sides write every half second; the socket drops at the start of every second, so some
      // messages cross an open socket and others a dropped or reconnecting one.
      for (let i = 1; i <= MESSAGES; i++) {
        if (i % 2 === 1) drops += emulator.faults.dropGuestSocket(cid);
        const text = `customer ${i}`;
        const ack = await bridge.sendCustomerMessage(sessionId, { clientMessageId: `c${i}`, text });
        expect(ack.status).toBe('queued');
        customerTexts.push(text);
        await alda.send(cid, first.communicationId, `agent ${i}`);
        agentTexts.push(`agent ${i}`);
        const from = emulator.clock.now();
        await time.until('half a second', () => (emulator.clock.now() >= from + 500 ? true : undefined));
      }
      expect(drops).toBeGreaterThan(MESSAGES / 4);
      if (channel === 'webMessaging') expect(echoesLost).toBeGreaterThan(MESSAGES / 8);

      const botTexts = () =>
        events.flatMap((e) =>
          e.type === 'agent.message' && e.message.text !== undefined ? [e.message.text] : [],
        );
      const genesysTexts = () =>
        (emulator.conversations.get(cid)?.messages ?? [])
          .filter((m) => m.purpose === 'customer')
          .map((m) => m.text);
      const statuses = () => events.filter((e) => e.type === 'message.status');
      // Wait for everything to settle (or for the wait's budget, so that the counts can be reported).
      await time
        .until('every message both ways', () =>
          new Set(botTexts()).size >= MESSAGES &&
          new Set(genesysTexts()).size >= MESSAGES + 1 &&
          statuses().length >= MESSAGES
            ? true
            : undefined,
        )
        .catch(() => {});
      const settledAt = emulator.clock.now();
      await time.until('5 s more', () => (emulator.clock.now() >= settledAt + 5000 ? true : undefined));

      const toBot = count(agentTexts, botTexts());
      const toGenesys = count(customerTexts, genesysTexts());
      const failed = statuses().filter((e) => e.type === 'message.status' && e.status === 'failed');
      const history = emulator.events.ofType('fault.injected').length;
      console.info(
        `${channel} fault story: ${drops} socket drops, ${echoesLost} echoes lost, ${history} history 503s; agent→bot ${JSON.stringify(toBot)}; customer→Genesys ${JSON.stringify(toGenesys)}; ${failed.length} message.status failed`,
      );
      expect(history).toBe(FAILED_HISTORY_READS * HTTP_ATTEMPTS_PER_READ);
      expect(toBot).toEqual({ sent: MESSAGES, received: MESSAGES, lost: 0, duplicated: 0, reordered: 0 });
      expect(toGenesys).toEqual({
        sent: MESSAGES + 1,
        received: MESSAGES + 1,
        lost: 0,
        duplicated: 0,
        reordered: 0,
      });
      expect(failed).toEqual([]);
      // Every accepted message is reported sent exactly once, in the order it was written.
      expect(
        statuses().map((e) => (e.type === 'message.status' ? `${e.clientMessageId}:${e.status}` : '')),
      ).toEqual(customerTexts.slice(1).map((_, i) => `c${i + 1}:sent`));
      expect(events.filter((e) => e.type === 'history.gap')).toEqual([]);

      // While the guest's socket is down the agent says a last word and ends the conversation: the bot
      // gets the word, then the end (once), and the ended session no longer says it is reconnecting.
      expect(emulator.faults.dropGuestSocket(cid)).toBeGreaterThan(0);
      await alda.send(cid, first.communicationId, 'agent: goodbye');
      await alda.disconnect(cid, first.participantId);
      const ended = await time.until('session.ended', () => events.find((e) => e.type === 'session.ended'));
      expect(ended).toMatchObject({ reason: channel === 'webChat' ? 'agentEnded' : 'readOnly' });
      expect(botTexts().at(-1)).toBe('agent: goodbye');
      expect(count([...agentTexts, 'agent: goodbye'], botTexts())).toMatchObject({ lost: 0, reordered: 0 });
      expect(events.filter((e) => e.type === 'session.ended')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'history.gap')).toEqual([]);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(await bridge.getSession(sessionId)).toMatchObject({ state: 'ended', connectivity: 'offline' });
      await bridge.close();
    },
  );
});
