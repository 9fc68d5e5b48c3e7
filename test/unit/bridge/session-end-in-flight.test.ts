import { describe, expect, it } from 'vitest';
import { BridgeFailure, bridgeError } from '../../../bridge/errors.ts';
import { NotDeliveredFailure } from '../../../bridge/session/channel-adapter.ts';
import type { BridgeEvent } from '../../../bridge/types.ts';
import { fakeBridge, settle, transfer, webMessagingConfig } from './fake-adapter.ts';

/**
 * What the bot sees of a customer message that is on its way to Genesys when the session ends, and of
 * typing Genesys refuses. Every accepted message gets exactly one status, before `session.ended`; an
 * answer Genesys gives after the end changes nothing and throws nowhere.
 */

function statusesAndEnd(events: BridgeEvent[]): string[] {
  return events.flatMap((e) => {
    if (e.type === 'message.status')
      return [`${e.clientMessageId} ${e.status} ${e.error?.code ?? ''}`.trim()];
    if (e.type === 'session.ended') return [`ended ${e.reason}`];
    return [];
  });
}

async function inFlight() {
  // No reorder window: Genesys's end is taken at once, not after the window.
  const b = fakeBridge(webMessagingConfig({ timeouts: { reorderWindowMs: 0 } }));
  await b.registry.startTransfer(transfer());
  const adapter = b.adapter();
  adapter.autoSend = false;
  b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'on its way' });
  b.registry.sendCustomerMessage('s1', { clientMessageId: 'm2', text: 'waiting behind it' });
  await settle();
  expect(adapter.pending.map((p) => p.message.text)).toEqual(['on its way']);
  const session = b.registry.require('s1');
  return { ...b, adapter, session };
}

describe('a customer message in flight when the session ends', () => {
  it('the bot ends the session: the message fails before session.ended, and a late confirmation is ignored', async () => {
    const b = await inFlight();
    await b.session.end('botEnded');
    b.adapter.pending.shift()?.resolve({ providerMessageId: 'g-late' });
    await settle();
    expect(statusesAndEnd(b.session.log.read())).toEqual([
      'm1 failed SESSION_ENDED',
      'm2 failed SESSION_ENDED',
      'ended botEnded',
    ]);
    // Asking again tells the bot the outcome it was given, not a different one.
    expect(b.registry.sendCustomerMessage('s1', { clientMessageId: 'm1', text: 'on its way' })).toMatchObject(
      {
        status: 'duplicate',
      },
    );
    expect(b.listenerErrors).toEqual([]);
  });

  it('the agent ends the conversation: the same, and a late refusal is ignored too', async () => {
    const b = await inFlight();
    b.adapter.events.ended({ reason: 'agentEnded', by: 'agent' });
    await settle();
    b.adapter.pending
      .shift()
      ?.reject(new NotDeliveredFailure(bridgeError('FORBIDDEN', 'conversation ended')));
    await settle();
    expect(statusesAndEnd(b.session.log.read())).toEqual([
      'm1 failed SESSION_ENDED',
      'm2 failed SESSION_ENDED',
      'ended agentEnded',
    ]);
  });
});

describe('typing Genesys refuses', () => {
  it('is reported once per session as an error event; rate limits and timeouts are not', async () => {
    const b = fakeBridge(webMessagingConfig());
    await b.registry.startTransfer(transfer());
    const adapter = b.adapter();
    const session = b.registry.require('s1');
    const refusals: BridgeFailure[] = [
      new NotDeliveredFailure(bridgeError('RATE_LIMITED', 'slow down', { retryAfterMs: 1000 })),
      new BridgeFailure(bridgeError('FORBIDDEN', 'typing is disabled for this deployment')),
      new BridgeFailure(bridgeError('FORBIDDEN', 'typing is disabled for this deployment')),
    ];
    adapter.sendTyping = () => {
      adapter.typings += 1;
      const next = refusals.shift();
      return next ? Promise.reject(next) : Promise.resolve();
    };
    const errors = () => session.log.read().flatMap((e) => (e.type === 'error' ? [e.error.code] : []));
    for (let i = 0; i < 3; i++) {
      b.clock.advance(10_000);
      session.sendTyping(true);
      await settle();
    }
    expect(adapter.typings).toBe(3);
    expect(errors()).toEqual(['FORBIDDEN']);
    expect(session.snapshot().state).not.toBe('ended');
  });
});
