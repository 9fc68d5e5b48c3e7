import { isoTime } from '../../domain/clock.ts';
import type { Conversation, ConversationMessage } from '../../domain/conversations/model.ts';
import type { OpenIntegrationRecord } from '../../domain/openmessaging/integrations.ts';
import type { OpenFrom } from './inbound-schemas.ts';
import { TYPING_DURATION_MS } from './limits.ts';

/**
 * Open Messaging's normalized bodies (platform-extra.md §1.3, §1.5): the answers of the inbound API and
 * what the webhook receives. Message ids are Genesys's 32-hex form (the conversation core's UUID without
 * dashes, as captures show them); every API that takes a message id accepts either form.
 */

export function normalizedId(id: string): string {
  return id.replaceAll('-', '');
}

/** The integration as the sender of outbound bodies and the recipient of inbound ones. */
function integrationParty(integration: Pick<OpenIntegrationRecord, 'id' | 'name'>) {
  return { nickname: integration.name, id: integration.id, idType: 'Opaque' };
}

function fromOf(from: OpenFrom) {
  return {
    nickname: from.nickname,
    id: from.id,
    idType: from.idType,
    firstName: from.firstName,
    lastName: from.lastName,
    image: from.image,
    email: from.email,
  };
}

/** OpenMessageNormalizedMessage: the answer to an inbound message. */
export function inboundMessageAnswer(
  integration: OpenIntegrationRecord,
  message: ConversationMessage,
  input: {
    from: OpenFrom;
    time: string;
    messageId?: string;
    text?: string;
    metadata?: Record<string, string>;
  },
  conversationId: string | undefined,
) {
  return {
    id: normalizedId(message.id),
    channel: {
      id: integration.id,
      platform: 'Open',
      type: 'Private',
      messageId: input.messageId,
      to: { id: integration.id },
      from: fromOf(input.from),
      time: input.time,
    },
    type: 'Text',
    text: input.text,
    metadata: input.metadata,
    conversationId,
  };
}

/** OpenEventNormalizedMessage: the answer to a typing event. */
export function inboundEventAnswer(
  integration: OpenIntegrationRecord,
  id: string,
  from: OpenFrom,
  time: string,
) {
  return {
    id,
    channel: {
      id: integration.id,
      platform: 'Open',
      type: 'Private',
      to: { id: integration.id },
      from: fromOf(from),
      time,
    },
    type: 'Event',
    events: [{ eventType: 'Typing', typing: { type: 'On', duration: TYPING_DURATION_MS } }],
  };
}

/** OpenReceiptNormalizedMessage: the answer to a receipt. */
export function receiptAnswer(
  integration: OpenIntegrationRecord,
  receipt: {
    id: string;
    to: { id: string; idType?: string };
    time: string;
    status: string;
    reasons?: { code?: string; message: string }[];
    isFinalReceipt?: boolean;
  },
) {
  return {
    id: receipt.id,
    channel: {
      id: integration.id,
      platform: 'Open',
      type: 'Private',
      to: { id: receipt.to.id, idType: receipt.to.idType },
      from: integrationParty(integration),
      time: receipt.time,
    },
    type: 'Receipt',
    status: receipt.status,
    reasons: receipt.reasons,
    isFinalReceipt: receipt.isFinalReceipt ?? true,
    direction: 'Outbound',
  };
}

function outboundChannel(
  integration: OpenIntegrationRecord,
  conversation: Conversation,
  id: string,
  time: number,
) {
  const to = conversation.externalAddress;
  return {
    id: integration.id,
    messageId: id,
    platform: 'Open',
    type: 'Private',
    to: { id: to?.id ?? '', idType: to?.idType ?? 'Opaque' },
    from: integrationParty(integration),
    time: isoTime(time),
  };
}

/** An agent's (Human) or the flow's (Bot) text, as the webhook gets it ([GCX] outbound text capture). */
export function outboundTextBody(
  integration: OpenIntegrationRecord,
  conversation: Conversation,
  message: ConversationMessage,
) {
  const id = normalizedId(message.id);
  return {
    id,
    channel: outboundChannel(integration, conversation, id, message.time),
    conversationId: conversation.id,
    direction: 'Outbound',
    originatingEntity: message.purpose === 'agent' ? 'Human' : 'Bot',
    type: 'Text',
    text: message.text,
    content: [],
    reasons: [],
    relatedMessages: [],
  };
}

/** An outbound Event body carrying one event. */
function outboundEventBody(
  integration: OpenIntegrationRecord,
  conversation: Conversation,
  id: string,
  time: number,
  event: Record<string, unknown>,
) {
  return {
    id,
    channel: outboundChannel(integration, conversation, id, time),
    conversationId: conversation.id,
    type: 'Event',
    events: [event],
    direction: 'Outbound',
  };
}

/** The agent is typing ([GCX] outbound typing event capture). */
export function outboundTypingBody(
  integration: OpenIntegrationRecord,
  conversation: Conversation,
  id: string,
  time: number,
) {
  return outboundEventBody(integration, conversation, id, time, {
    eventType: 'Typing',
    typing: { type: 'On', duration: TYPING_DURATION_MS },
  });
}

/** Only with fidelity.openMessagingDisconnect `presenceEvent`: the conversation ended (UNCONFIRMED). */
export function outboundDisconnectBody(
  integration: OpenIntegrationRecord,
  conversation: Conversation,
  id: string,
  time: number,
) {
  return outboundEventBody(integration, conversation, id, time, {
    eventType: 'Presence',
    presence: { type: 'Disconnect' },
  });
}
