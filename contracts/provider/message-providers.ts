import type { MessageDescriptor, MessageProviders } from '@pact-foundation/pact';
import {
  OPEN_MESSAGING_NOTIFICATIONS,
  OPEN_MESSAGING_WEBHOOKS,
  WEB_CHAT_FRAMES,
  WEB_MESSAGING_EXCHANGES,
  WEB_MESSAGING_PUSHES,
} from '../names.ts';
import type { Stage } from './stage.ts';
import { outbound, outboundEvent } from './wire/messaging-guest.ts';

type Json = Record<string, unknown>;

/**
 * What produces each message of the pacts. Nothing here writes a frame: every frame is one the provider
 * sent on a real socket of a real session, after the provider states put that session in the pact's
 * situation. A synchronous message replays the bridge's request from the pact on the session and returns
 * Genesys's reply; an asynchronous one returns the frame Genesys pushed.
 */
export function messageProviders(stage: () => Stage): MessageProviders {
  const replay = (message: MessageDescriptor) => stage().messaging.replay(message.content as Json);
  const pushed = (match: (frame: Json) => boolean, description: string) => () =>
    stage().messaging.pushed(match, description);
  const fromOrigin = (entity: string) => outbound('Text', (body) => body['originatingEntity'] === entity);

  return {
    ...Object.fromEntries(Object.values(WEB_MESSAGING_EXCHANGES).map((description) => [description, replay])),

    [WEB_MESSAGING_PUSHES.agentText]: pushed(fromOrigin('Human'), 'an agent text message'),
    [WEB_MESSAGING_PUSHES.botText]: pushed(fromOrigin('Bot'), 'a flow text message'),
    [WEB_MESSAGING_PUSHES.agentTyping]: pushed(outboundEvent('Typing'), 'agent typing'),
    [WEB_MESSAGING_PUSHES.disconnect]: pushed(outboundEvent('Presence', 'Disconnect'), 'Presence Disconnect'),
    [WEB_MESSAGING_PUSHES.sessionExpired]: pushed(
      (f) => f['class'] === 'SessionExpiredEvent',
      'SessionExpiredEvent',
    ),
    [WEB_MESSAGING_PUSHES.connectionClosed]: () => stage().messaging.refusal(),

    [WEB_CHAT_FRAMES.agentConnected]: () => stage().chat.firstAgentChange('CONNECTED'),
    [WEB_CHAT_FRAMES.agentAlerting]: () => stage().chat.nextAgentAlerting(),
    [WEB_CHAT_FRAMES.agentDisconnected]: () => stage().chat.firstAgentChange('DISCONNECTED'),
    [WEB_CHAT_FRAMES.guestDisconnected]: () => stage().chat.guestChange('DISCONNECTED'),
    [WEB_CHAT_FRAMES.agentMessage]: () => stage().chat.fromAgent('message'),
    [WEB_CHAT_FRAMES.agentTyping]: () => stage().chat.fromAgent('typing-indicator'),
    [WEB_CHAT_FRAMES.heartbeat]: () => stage().chat.heartbeat(),

    // Open Messaging: the bodies the integration's webhook got (the signature header as metadata), and
    // the queue notifications about the customer's conversation.
    [OPEN_MESSAGING_WEBHOOKS.agentText]: () =>
      stage().open.delivery(webhookText('Human'), "an agent's text") as never,
    [OPEN_MESSAGING_WEBHOOKS.botText]: () =>
      stage().open.delivery(webhookText('Bot'), "the flow's text") as never,
    [OPEN_MESSAGING_WEBHOOKS.agentTyping]: () =>
      stage().open.delivery((b) => b['type'] === 'Event', 'agent typing') as never,
    [OPEN_MESSAGING_NOTIFICATIONS.agentJoined]: () =>
      stage().open.notified(
        (ps) => ps.some((p) => p['purpose'] === 'agent' && p['state'] === 'connected'),
        'an agent connected',
      ),
    [OPEN_MESSAGING_NOTIFICATIONS.transferred]: () =>
      stage().open.notified(
        (ps) => ps.some((p) => p['purpose'] === 'agent' && p['disconnectType'] === 'transfer'),
        'the agent transferring',
      ),
    [OPEN_MESSAGING_NOTIFICATIONS.ended]: () =>
      stage().open.notified(
        (ps) => ps.some((p) => p['purpose'] === 'customer' && p['state'] === 'disconnected'),
        'the customer disconnected',
      ),
  };
}

function webhookText(entity: 'Human' | 'Bot') {
  return (body: Json) => body['type'] === 'Text' && body['originatingEntity'] === entity;
}
