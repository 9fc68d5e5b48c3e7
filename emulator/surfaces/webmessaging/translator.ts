import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation } from '../../domain/conversations/model.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { serverFrame } from './server-frames.ts';
import {
  agentTypingBody,
  disconnectBody,
  inboundEventBody,
  messageBody,
  outboundId,
} from './structured-messages.ts';

/**
 * Turns conversation events into guest frames for conversations that belong to a Web Messaging session
 * (guest-protocols.md §2.5): every message as a StructuredMessage (the guest's own as an Inbound echo,
 * agents as Human, flows as Bot), agent typing, and Presence Disconnect when the other side ends the
 * conversation. Agent joins and transfers produce no guest frame: Genesys shows only the next
 * message's `channel.from` (§2.5, UNCONFIRMED as a rule but what every client handles).
 *
 * Frames go to the sockets attached now; a guest who is offline reads the messages from history.
 */
export function translateEvents(gateway: WebMessagingGateway): () => void {
  return gateway.runtime.events.subscribe((event) => {
    if (event.conversationId === undefined) return;
    const token = gateway.sessions.tokenOf(event.conversationId);
    if (token === undefined) return;
    const conversation = findConversation(gateway.runtime, event.conversationId);
    if (!conversation) return;
    translate(gateway, token, conversation, event);
  });
}

function translate(
  gateway: WebMessagingGateway,
  token: string,
  conversation: Conversation,
  event: DomainEvent,
): void {
  const { connections, runtime } = gateway;
  const pending = gateway.pendingEcho?.conversationId === conversation.id ? gateway.pendingEcho : undefined;
  switch (event.type) {
    case 'message.sent': {
      const message = event.data.message;
      if (message.direction === 'inbound') {
        const body = messageBody(conversation, message, pending?.extras);
        connections.broadcast(token, serverFrame('message', 'StructuredMessage', body, pending?.tracingId));
        return;
      }
      connections.broadcast(
        token,
        serverFrame('message', 'StructuredMessage', messageBody(conversation, message)),
      );
      // A guest socket took it: the message becomes delivery-success (Genesys waits for the messenger's
      // receipt; UNCONFIRMED exactly when). Marked after the current operation has published `sent`, so
      // agents see both statuses, in order.
      if (connections.of(token).length > 0)
        setImmediate(() => runtime.conversations.messageDelivered(conversation.id, message.id));
      return;
    }
    case 'typing.sent': {
      const now = runtime.clock.now();
      if (event.data.purpose === 'customer') {
        const body = inboundEventBody(runtime.ids.uuid(), now, [
          { eventType: 'Typing', typing: { type: 'On' } },
        ]);
        connections.broadcast(token, serverFrame('message', 'StructuredMessage', body, pending?.tracingId));
        return;
      }
      if (event.data.purpose === 'agent') {
        const body = agentTypingBody(outboundId(runtime.ids.uuid()), now);
        connections.broadcast(token, serverFrame('message', 'StructuredMessage', body));
      }
      return;
    }
    case 'conversation.ended':
      disconnected(gateway, token, conversation);
      return;
    default:
      return;
  }
}

/**
 * The agent or the flow ended the conversation. With the deployment's conversationDisconnect enabled
 * the guest gets Presence Disconnect, and in ReadOnly mode the session turns read-only (until startNew).
 * Disabled: no event, and the next guest message starts a new conversation.
 */
function disconnected(gateway: WebMessagingGateway, token: string, conversation: Conversation): void {
  if (gateway.isGuestEnding(conversation.id)) return;
  const session = gateway.sessions.get(token);
  if (!session || session.expired || session.conversationIds.at(-1) !== conversation.id) return;
  const setting = gateway.deployment(session.deploymentId)?.conversationDisconnect;
  if (!setting?.enabled) return;
  const readOnly = setting.type === 'ReadOnly';
  session.readOnly = readOnly;
  const runtime = gateway.runtime;
  const body = disconnectBody(
    outboundId(runtime.ids.uuid()),
    runtime.clock.now(),
    readOnly,
    endedBy(conversation),
  );
  gateway.connections.broadcast(token, serverFrame('message', 'StructuredMessage', body));
}

/** Who the guest sees leaving: the last agent who was connected, else the flow (a bot). */
function endedBy(conversation: Conversation): { originatingEntity: 'Human' | 'Bot'; nickname: string } {
  const agent = conversation.participants.findLast(
    (p) => p.purpose === 'agent' && p.connectedTime !== undefined,
  );
  if (agent) return { originatingEntity: 'Human', nickname: agent.name };
  const flow = conversation.participants.findLast((p) => p.purpose === 'workflow');
  return { originatingEntity: 'Bot', nickname: flow?.name ?? '' };
}
