import { MatchersV3 } from '@pact-foundation/pact';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { fromState } from './pact.ts';

const { fromProviderState, like, regex } = MatchersV3;

/**
 * WebChat REST shapes the contracts declare and the stream tests need as stand-ins (a stream test must
 * create its chat, and the bridge looks up who sent a frame): declared once, so a stand-in is exactly the
 * contract's example (`reify`).
 */
export const CHATS = '/api/v2/webchat/guest/conversations';

/** A path under the chat: the provider's ids through `fromProviderState`, the examples for the mock server. */
export function chatPath(suffix = '', exampleSuffix = suffix) {
  return fromProviderState(
    `${CHATS}/${fromState('conversationId')}${suffix}`,
    `${CHATS}/${EXAMPLE.conversationId}${exampleSuffix}`,
  );
}

/** The guest's JWT from the created chat, as the bridge presents it. */
export const chatAuth = () => fromProviderState(`Bearer ${fromState('jwt')}`, `Bearer ${EXAMPLE.chatJwt}`);

/** The create reply: everything the bridge needs to address the chat and open its stream. */
export const createdChat = {
  id: like(EXAMPLE.conversationId),
  jwt: like(EXAMPLE.chatJwt),
  eventStreamUri: regex('^wss?://.+', `wss://streaming.example/v1/token/${EXAMPLE.chatJwt}`),
  member: { id: like(EXAMPLE.guestMemberId) },
};

/** A member as the bridge looks it up: its role decides agent or bot, its name is shown to the bot. */
export const agentMember = {
  id: like(EXAMPLE.agentMemberId),
  role: 'AGENT',
  displayName: like(EXAMPLE.agentName),
};

/** A member-change frame of the event stream: only the member's id and state, and when it happened. */
export function memberChange(memberId: string, state: string) {
  return {
    metadata: { type: 'member-change' },
    eventBody: { member: { id: like(memberId), state }, timestamp: regex(ISO_TIME, EXAMPLE.time) },
  };
}
