import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation } from '../../domain/conversations/model.ts';
import type { DomainEvent } from '../../domain/events.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import {
  normalizedId,
  outboundDisconnectBody,
  outboundTextBody,
  outboundTypingBody,
} from './normalized-bodies.ts';
import type { WebhookDeliveries } from './webhook-deliveries.ts';

/**
 * Turns the events of Open Messaging conversations into webhook deliveries (platform-extra.md §1.5): an
 * agent's message (`originatingEntity: Human`), the flow's Send Response (`Bot`) and the agent typing.
 * Agent joins, transfers and the end post nothing (Genesys documents no such delivery; integrators
 * follow notifications), unless `fidelity.openMessagingDisconnect` asks for a Presence Disconnect.
 */
export function translateToWebhooks(runtime: EmulatorRuntime, deliveries: WebhookDeliveries): () => void {
  return runtime.events.subscribe((event) => {
    if (event.conversationId === undefined) return;
    if (event.type !== 'message.sent' && event.type !== 'typing.sent' && event.type !== 'conversation.ended')
      return;
    const conversation = findConversation(runtime, event.conversationId);
    if (conversation?.channel !== 'open' || conversation.deploymentId === undefined) return;
    translate(runtime, deliveries, conversation, event);
  });
}

function translate(
  runtime: EmulatorRuntime,
  deliveries: WebhookDeliveries,
  conversation: Conversation,
  event: DomainEvent,
): void {
  const integration = runtime.openIntegrations.find(conversation.deploymentId!);
  if (!integration) return;
  const base = { integrationId: integration.id };
  switch (event.type) {
    case 'message.sent': {
      const message = event.data.message;
      if (message.direction !== 'outbound') return;
      const body = outboundTextBody(integration, conversation, message);
      deliveries.enqueue(conversation.id, {
        ...base,
        kind: 'message',
        id: body.id,
        messageId: message.id,
        body,
      });
      return;
    }
    case 'typing.sent': {
      if (event.data.purpose !== 'agent') return;
      const id = normalizedId(runtime.ids.uuid());
      const body = outboundTypingBody(integration, conversation, id, runtime.clock.now());
      deliveries.enqueue(conversation.id, { ...base, kind: 'typing', id, body });
      return;
    }
    case 'conversation.ended': {
      if (runtime.fidelity.openMessagingDisconnect !== 'presenceEvent') return;
      // The customer's own leaving (an API disconnect of their participant) is not told back to them.
      const customer = conversation.participants.find((p) => p.purpose === 'customer');
      if (customer?.disconnectType === 'client') return;
      const id = normalizedId(runtime.ids.uuid());
      const body = outboundDisconnectBody(integration, conversation, id, runtime.clock.now());
      deliveries.enqueue(conversation.id, { ...base, kind: 'disconnect', id, body });
      return;
    }
    default:
      return;
  }
}
