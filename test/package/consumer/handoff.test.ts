// A user's test, as the README's "Use it from your own tests" shows it: this file is copied into an
// empty project that installed the packed tarball, and run there with that project's vitest.

import type { DomainEvent } from 'genesys-cloud-emulator';
import { createBridge } from 'genesys-cloud-emulator/bridge';
import { useGenesysEmulator } from 'genesys-cloud-emulator/testing';
import { afterAll, beforeAll, expect, test } from 'vitest';

// One emulator for this file, on a manual clock: time moves only when the test (or a wait) moves it.
const emu = useGenesysEmulator({ clock: 'manual', seed: 7, hooks: { beforeAll, afterAll } });

test('the bot hands the customer over with metadata; the queue it names routes; an unanswered alert moves on', async () => {
  const org = emu.fixture;
  const bridge = createBridge(
    {
      channel: 'webMessaging',
      loginUrl: emu.url,
      deploymentId: org.deployments.messenger[0]!.id,
      queueName: 'General',
    },
    // The bridge's timers run on the emulator's clock: one timeline for both.
    { clock: emu.clock },
  );
  try {
    const alda = emu.agent('Alda Moore');
    const mia = emu.agent('Mia Welch');
    await alda.goOnQueue();

    const transfer = await bridge.startTransfer({
      idempotencyKey: 'handoff-1',
      botConversationId: 'bot-1',
      customer: { id: 'customer-1', displayName: 'Pat' },
      metadata: { QueueName: 'Sports Support', orderId: 'A-1001' },
      initialMessage: 'I want to talk to a person',
    });
    expect(transfer, JSON.stringify(transfer.error)).toMatchObject({ state: 'queued' });

    // Alda is offered the conversation and lets the alert run out: Genesys moves it on.
    const first = await alda.nextAlert({ within: 5_000 });
    await mia.goOnQueue();
    await emu.clock.advance(30_000);
    expect(await alda.routingStatus()).toBe('NOT_RESPONDING');

    const second = await mia.nextAlert({ within: 5_000 });
    expect(second.conversationId).toBe(first.conversationId);
    await mia.answer();
    expect(await mia.participantData()).toMatchObject({ QueueName: 'Sports Support', orderId: 'A-1001' });
    expect(await mia.received()).toEqual(['I want to talk to a person']);

    // The flow's decision is on the timeline.
    const flow = (await emu.events.waitFor((e) => e.type === 'flow.run')) as DomainEvent<'flow.run'>;
    expect(flow.data.queue?.name).toBe('Sports Support');

    // The agent's reply reaches the bot.
    await mia.say('Hi Pat, Mia here.');
    const reply = await emu.waitUntil(
      async () =>
        (await bridge.readEvents(transfer.sessionId)).find(
          (e) => e.type === 'agent.message' && e.message.text === 'Hi Pat, Mia here.',
        ),
      { what: "the agent's reply at the bot" },
    );
    expect(reply.type).toBe('agent.message');
  } finally {
    await bridge.close();
  }
});
