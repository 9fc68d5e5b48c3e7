import { MatchersV3 } from '@pact-foundation/pact';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { fromState } from './pact.ts';

const { arrayContaining, fromProviderState, integer, like, regex } = MatchersV3;

/**
 * Open Messaging and Platform API shapes the contracts declare, and the stand-ins the push tests need
 * (the bridge logs in, lists queues and opens its notification channel before it takes a delivery):
 * declared once, so a stand-in is exactly the contract's example (`reify`).
 */
export const inboundPath = (kind: 'message' | 'event' | 'receipt') =>
  `/api/v2/conversations/messages/${EXAMPLE.integrationId}/inbound/open/${kind}`;

/** The bearer token the login answered, as the bridge presents it. */
export const bearer = () =>
  fromProviderState(`Bearer ${fromState('accessToken')}`, `Bearer ${EXAMPLE.accessToken}`);

export const basicAuth = `Basic ${Buffer.from(`${EXAMPLE.platformClientId}:${EXAMPLE.platformClientSecret}`).toString('base64')}`;

export const tokenReply = { access_token: like(EXAMPLE.accessToken), expires_in: integer(86400) };

export const queuesReply = {
  entities: arrayContaining({ id: like(EXAMPLE.queueId) }),
  pageCount: integer(1),
};

export const channelReply = {
  id: like(EXAMPLE.channelId),
  connectUri: regex('^wss?://.+', `wss://streaming.example/channels/${EXAMPLE.channelId}`),
};

export const inboundMessageReply = {
  id: like(EXAMPLE.genesysMessageId),
  conversationId: like(EXAMPLE.conversationId),
};

export const time = regex(ISO_TIME, EXAMPLE.time);

/** A participant as the queue topic and the REST conversation both carry it, reduced to what the bridge reads. */
export const customerParticipant = (state: string) => ({
  id: like(EXAMPLE.customerParticipantId),
  purpose: 'customer',
  state,
});

export const agentParticipant = (state: string, extra: Record<string, unknown> = {}) => ({
  id: like(EXAMPLE.agentMemberId),
  purpose: 'agent',
  state,
  user: { id: like(EXAMPLE.agentUserId), name: like(EXAMPLE.agentName) },
  connectedTime: time,
  ...extra,
});

/** The topic the bridge subscribes to for each queue. */
export const queueTopic = regex(
  '^v2\\.routing\\.queues\\.[^.]+\\.conversations\\.messages$',
  `v2.routing.queues.${EXAMPLE.queueId}.conversations.messages`,
);

/** The signature header of a webhook delivery: `sha256=` and a base64 HMAC-SHA256 (32 bytes). */
export const signatureHeader = regex(
  '^sha256=[A-Za-z0-9+/]{43}=$',
  'sha256=NC5RnOCtbAOja5jus/HRMNtIE7nfTRFg7aSI1xLceO4=',
);
