import { describe, expect, it } from 'vitest';
import { type OpenMessagingAdapter, openMessagingAdapter } from '../../../bridge/channels/openmessaging.ts';
import { OpenMessagingHub } from '../../../bridge/channels/openmessaging-hub.ts';
import { resolveBridgeConfig } from '../../../bridge/config.ts';
import type { FetchLike } from '../../../bridge/http/http-client.ts';
import { bearerFor, clients } from '../../support/api.ts';
import { bridgeConfig } from '../../support/bridge-story.ts';
import { startEmulator } from '../../support/emulators.ts';
import { SharedTime } from '../../support/shared-time.ts';

/**
 * The Open Messaging adapter against the emulator's real Platform API (no stand-in): what it sends is
 * what Genesys stores (the customer, the metadata as Participant Data, the text), findSent reads the
 * conversation and message shapes Genesys answers with, and end disconnects the customer's participant.
 * The bridge shares the emulator's manual clock through SharedTime.
 */
describe('the Open Messaging adapter against the emulator', () => {
  it('the first message opens a conversation with the metadata as Participant Data; findSent finds a send whose answer was lost; end disconnects the customer', async () => {
    const emulator = await startEmulator();
    const time = new SharedTime(emulator.clock);
    const config = resolveBridgeConfig(bridgeConfig('openMessaging', emulator));
    const requests: string[] = [];
    const fetch: FetchLike = (url, init) => {
      requests.push(`${init.method} ${new URL(url).pathname}`);
      return time.fetch(url, init);
    };
    const hub = new OpenMessagingHub(config, time.clock, {
      fetch,
      ...(time.deps.socketFactory ? { socketFactory: time.deps.socketFactory } : {}),
    });
    const conversations: string[] = [];
    const errors: unknown[] = [];
    const adapter = openMessagingAdapter({ hubFor: () => hub })({
      sessionId: 'customer-1',
      config,
      clock: time.clock,
      events: {
        message: () => {},
        typing: () => {},
        agentJoined: () => {},
        agentLeft: () => {},
        transferred: () => {},
        ended: () => {},
        connectivity: () => {},
        conversation: (id) => conversations.push(id),
        error: (e) => errors.push(e),
      },
    }) as OpenMessagingAdapter;
    try {
      await adapter.open({ customer: { id: 'C-1', displayName: 'Pat Customer' }, attributes: {} });
      const sent = await adapter.sendMessage({
        text: 'I need help',
        attributes: { QueueName: 'Sports Support', intent: 'billing' },
      });
      expect(sent.providerMessageId).toEqual(expect.any(String));
      expect(conversations).toHaveLength(1);
      const cid = conversations[0]!;
      const stored = emulator.conversations.get(cid)!;
      const customer = stored.participants.find((p) => p.purpose === 'customer')!;
      expect(customer.attributes).toMatchObject({ QueueName: 'Sports Support', intent: 'billing' });
      expect(stored.externalAddress).toMatchObject({ id: 'customer-1' });
      expect(stored.messages.map((m) => `${m.purpose}: ${m.text}`)).toEqual(['customer: I need help']);

      // A second message whose answer the bridge never saw: Genesys has it, so findSent claims it (once).
      const integration = emulator.fixture.openMessaging[0]!;
      const lost = await emulator.inject({
        method: 'POST',
        url: `/api/v2/conversations/messages/${integration.id}/inbound/open/message`,
        headers: { authorization: await bearerFor(emulator, clients(emulator).org) },
        payload: {
          channel: {
            messageId: 'lost-1',
            from: { id: 'customer-1', idType: 'Opaque' },
            time: new Date(time.clock.now()).toISOString(),
          },
          text: 'Is anyone there?',
        },
      });
      expect(lost.statusCode).toBe(200);
      const lostId = (lost.json() as { id: string }).id;
      expect(await adapter.findSent('I need help')).toBeUndefined();
      expect(await adapter.findSent(' Is anyone there? ')).toEqual({
        providerMessageId: lostId.replaceAll('-', '').toLowerCase(),
      });
      expect(await adapter.findSent('Is anyone there?')).toBeUndefined();

      await adapter.close('end');
      expect(requests.filter((r) => r.startsWith('PATCH'))).toEqual([
        `PATCH /api/v2/conversations/messages/${cid}/participants/${customer.id}`,
      ]);
      expect(emulator.conversations.get(cid)!.participants.find((p) => p.purpose === 'customer')!.state).toBe(
        'disconnected',
      );
      expect(errors).toEqual([]);
    } finally {
      hub.close();
    }
  });
});
