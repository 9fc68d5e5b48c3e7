import { MatchersV3 } from '@pact-foundation/pact';
import { OpenMessagingAdapter } from '../../bridge/channels/openmessaging.ts';
import { OpenMessagingHub } from '../../bridge/channels/openmessaging-hub.ts';
import { OpenMessagingWebhook } from '../../bridge/channels/openmessaging-webhook.ts';
import { ManualClock } from '../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../bridge/config.ts';
import type { FetchLike } from '../../bridge/http/http-client.ts';
import { EXAMPLE } from './examples.ts';
import { channelReply, inboundMessageReply, tokenReply } from './openmessaging-replies.ts';
import { RecordedEvents } from './recorded-events.ts';
import { ScriptedSockets } from './scripted-sockets.ts';

/**
 * The bridge's real Open Messaging pieces for one customer: the hub (Platform API client, notification
 * channel, webhook routing), the adapter of session `contract-session`, and the webhook receiver, with REST
 * through their HttpClient to `apiBase` (the Pact mock server, or a stand-in fetch serving the contracts'
 * examples) and the notification socket scripted.
 */
export function openMessagingHarness(options: { apiBase: string; fetch?: FetchLike }) {
  const clock = new ManualClock(Date.parse(EXAMPLE.time));
  const config = resolveBridgeConfig({
    loginUrl: options.apiBase,
    channel: 'openMessaging',
    platformApi: { clientId: EXAMPLE.platformClientId, clientSecret: EXAMPLE.platformClientSecret },
    openMessaging: { integrationId: EXAMPLE.integrationId, webhookSecret: EXAMPLE.webhookSecret },
  });
  const events = new RecordedEvents();
  const sockets = new ScriptedSockets();
  const hub = new OpenMessagingHub(config, clock, {
    fetch: options.fetch ?? fetch,
    socketFactory: sockets.factory,
    random: () => 0,
  });
  const adapter = new OpenMessagingAdapter(
    { sessionId: EXAMPLE.openCustomerId, config, clock, events },
    hub,
    () => EXAMPLE.openMessageId,
  );
  const webhook = new OpenMessagingWebhook(
    () => [hub],
    (error) => {
      throw error;
    },
  );
  return {
    hub,
    adapter,
    events,
    sockets,
    clock,
    webhook,
    open: () => adapter.open({ customer: { ...EXAMPLE.customer }, attributes: {} }),
  };
}

/**
 * A stand-in Genesys for the push tests: the login, queue listing, notification channel, subscriptions
 * and the first customer message answer with the contracts' examples; anything else is a test bug.
 */
export function openStandIn(): FetchLike {
  const reify = (declared: unknown) => MatchersV3.reify(declared as never);
  const routes: Record<string, unknown> = {
    'POST /oauth/token': reify(tokenReply),
    // reify does not expand arrayContaining: the listing's one example queue, written out.
    'GET /api/v2/routing/queues': { entities: [{ id: EXAMPLE.queueId }], pageCount: 1 },
    'POST /api/v2/notifications/channels': reify(channelReply),
    [`PUT /api/v2/notifications/channels/${EXAMPLE.channelId}/subscriptions`]: { entities: [] },
    [`POST /api/v2/conversations/messages/${EXAMPLE.integrationId}/inbound/open/message`]:
      reify(inboundMessageReply),
    [`POST /api/v2/conversations/messages/${EXAMPLE.integrationId}/inbound/open/receipt`]: {},
  };
  return async (url, init) => {
    const key = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    if (!(key in routes)) throw new Error(`no stand-in answer for ${key}`);
    return new Response(JSON.stringify(routes[key]), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  };
}
