import { hasRoomForMessage } from '../../domain/conversations/message-limit.ts';
import type { InboundEvent, InboundMessage, OnMessageFrame } from './client-frames.ts';
import type { GuestConnection } from './connections.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { guestErrors } from './guest-errors.ts';
import { customDataBytes, MAX_CUSTOM_DATA_BYTES, MAX_TEXT_LENGTH } from './limits.ts';
import { recordMessage, retryAfterSeconds } from './rate-limit.ts';
import { serverFrame, sessionClearedEvent } from './server-frames.ts';
import { sessionOf } from './session-actions.ts';
import type { GuestSession } from './sessions.ts';
import { type InboundExtras, inboundEventBody } from './structured-messages.ts';

/**
 * UNCONFIRMED: the name an anonymous guest's participant gets. Genesys shows no real name for an
 * unauthenticated Messenger guest; a fixed, recognisable one keeps agent views readable.
 */
const GUEST_NAME = 'Web Messaging Guest';

/**
 * onMessage (guest-protocols.md §2.4): Text and Structured messages, Typing, Presence Join and Clear.
 * Every check (session, read-only, text length, attribute size, rate) runs before anything changes, so
 * a refused frame leaves the session, the conversation and even the rate limiter as they were. The first
 * message (or Join) starts the conversation with the custom attributes as Participant Data and runs the
 * deployment's inbound message flow, so Get Participant Data and FindQueue see them.
 */
export function onMessage(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: OnMessageFrame,
): void {
  const session = sessionOf(gateway, connection, frame.token);
  const message = frame.message;
  const attributes = customAttributes(frame);
  const text = message.type === 'Event' ? undefined : textOf(message);

  if (message.type !== 'Event' && message.content?.some((c) => c.contentType === 'Attachment'))
    throw guestErrors.notEmulated('Attachment content');
  if (message.type !== 'Event' && (text === undefined || text === ''))
    throw guestErrors.badRequest('A Text or Structured message needs text or a ButtonResponse.');
  if (text !== undefined && text.length > MAX_TEXT_LENGTH) throw guestErrors.messageTooLong();
  if (attributes && customDataBytes(attributes) > MAX_CUSTOM_DATA_BYTES)
    throw guestErrors.customAttributesTooLarge();
  // Clear is still allowed on a read-only session: it is how the guest wipes the ended conversation.
  if (session.readOnly && !(message.type === 'Event' && message.events.every(isClear)))
    throw guestErrors.readOnly();
  const open = message.type === 'Event' ? undefined : gateway.openConversation(session);
  if (open && !hasRoomForMessage(gateway.runtime, open))
    throw guestErrors.messageLimit(gateway.runtime.fidelity.maxMessagesPerConversation);
  const now = gateway.runtime.clock.now();
  const retryAfter = retryAfterSeconds(session.recent, now);
  if (retryAfter > 0) throw guestErrors.tooManyRequests(retryAfter);

  recordMessage(session.recent, now);
  gateway.sessions.touch(session);
  const extras = extrasOf(message, attributes);
  if (message.type !== 'Event') {
    sendText(gateway, session, text!, attributes, { tracingId: frame.tracingId, extras });
    return;
  }
  for (const event of message.events) {
    handleEvent(gateway, session, event, attributes, frame.tracingId);
    // Clear ends the session's conversation; whatever follows it in the same frame is moot.
    if (isClear(event)) return;
  }
}

function sendText(
  gateway: WebMessagingGateway,
  session: GuestSession,
  text: string,
  attributes: Record<string, string> | undefined,
  echo: { tracingId?: string; extras?: InboundExtras },
): void {
  const core = gateway.runtime.conversations;
  const say = (conversationId: string) => {
    const message = gateway.withEcho({ conversationId, ...echo }, () =>
      core.customerMessage(conversationId, text),
    );
    if (echo.extras) gateway.sessions.setExtras(message.id, echo.extras);
  };
  const open = gateway.openConversation(session);
  if (open) {
    // UNCONFIRMED: attributes sent after routing update the existing Participant Data (§2.7).
    if (attributes) core.setCustomerAttributes(open.id, attributes);
    say(open.id);
    return;
  }
  startConversation(gateway, session, attributes, say);
}

function handleEvent(
  gateway: WebMessagingGateway,
  session: GuestSession,
  event: InboundEvent,
  attributes: Record<string, string> | undefined,
  tracingId: string | undefined,
): void {
  const core = gateway.runtime.conversations;
  const open = gateway.openConversation(session);
  if (event.eventType === 'Typing') {
    if (open) gateway.withEcho({ conversationId: open.id, tracingId }, () => core.customerTyping(open.id));
    else echoEvent(gateway, session, event, tracingId);
    return;
  }
  if (event.presence.type === 'Join') {
    // Auto start: Join opens the conversation without text; on an open one it only carries attributes.
    if (open) {
      if (attributes) core.setCustomerAttributes(open.id, attributes);
      echoEvent(gateway, session, event, tracingId);
      return;
    }
    startConversation(gateway, session, attributes, () => echoEvent(gateway, session, event, tracingId));
    return;
  }
  // Presence Clear ends the conversation and wipes the guest's transcript; every socket of the session is
  // told with SessionClearedEvent [M1, M9]. The session itself lives on, empty and writable.
  gateway.endByGuest(session, 'client');
  session.conversationIds = [];
  session.readOnly = false;
  gateway.connections.broadcast(session.token, sessionClearedEvent());
}

/**
 * A new conversation for the session: created with the attributes as the customer's Participant Data,
 * then `first` (the guest's first message, or the Join echo), then the deployment's inbound flow.
 */
function startConversation(
  gateway: WebMessagingGateway,
  session: GuestSession,
  attributes: Record<string, string> | undefined,
  first: (conversationId: string) => void,
): void {
  const deployment = gateway.deployment(session.deploymentId);
  if (!deployment) throw guestErrors.deploymentMismatch();
  const core = gateway.runtime.conversations;
  const conversation = core.start({
    mediaType: 'message',
    channel: 'webmessaging',
    deploymentId: deployment.id,
    customerName: GUEST_NAME,
    attributes: attributes ?? {},
  });
  gateway.sessions.addConversation(session, conversation.id);
  first(conversation.id);
  core.route(conversation, { flow: deployment.flow });
}

function echoEvent(
  gateway: WebMessagingGateway,
  session: GuestSession,
  event: InboundEvent,
  tracingId: string | undefined,
): void {
  const body = inboundEventBody(gateway.runtime.ids.uuid(), gateway.runtime.clock.now(), [event]);
  gateway.connections.broadcast(session.token, serverFrame('message', 'StructuredMessage', body, tracingId));
}

/** Legacy top-level attributes first, then the message's own, which win on a shared key [M5]. */
function customAttributes(frame: OnMessageFrame): Record<string, string> | undefined {
  const legacy = frame.channel?.metadata?.customAttributes;
  const current = frame.message.channel?.metadata?.customAttributes;
  if (!legacy && !current) return undefined;
  return { ...legacy, ...current };
}

/** The text the agent sees: the message text, else a button response's text or payload. */
function textOf(message: Exclude<InboundMessage, { type: 'Event' }>): string | undefined {
  if (message.text !== undefined && message.text !== '') return message.text;
  for (const content of message.content ?? []) {
    if (content.contentType === 'ButtonResponse')
      return content.buttonResponse.text ?? content.buttonResponse.payload;
  }
  return message.text;
}

function extrasOf(
  message: InboundMessage,
  attributes: Record<string, string> | undefined,
): InboundExtras | undefined {
  if (message.type === 'Event') return undefined;
  const extras: InboundExtras = {
    ...(message.type === 'Structured' ? { type: 'Structured' as const } : {}),
    ...(message.content?.length ? { content: message.content } : {}),
    ...(attributes ? { customAttributes: attributes } : {}),
    ...(message.metadata && Object.keys(message.metadata).length ? { metadata: message.metadata } : {}),
  };
  return Object.keys(extras).length ? extras : undefined;
}

function isClear(event: InboundEvent): boolean {
  return event.eventType === 'Presence' && event.presence.type === 'Clear';
}
