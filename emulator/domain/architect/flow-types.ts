// The flow types the emulator runs, and the namespace of read-only built-in variables each one offers.

export type FlowType = 'inboundShortMessage' | 'inboundChat';

export const FLOW_TYPES: readonly FlowType[] = ['inboundShortMessage', 'inboundChat'];

/**
 * Built-ins live under `Message.` (Web Messaging) or `Chat.` (WebChat). Any name in the flow type's namespace
 * is accepted at load; its value comes from the map the caller passes to runFlow, matched ignoring case
 * (real flows spell both `Message.ConversationId` and `Message.ConversationID`), and is NOT_SET when the
 * caller did not supply it.
 */
export const BUILTIN_NAMESPACE: Readonly<Record<FlowType, string>> = {
  inboundShortMessage: 'Message',
  inboundChat: 'Chat',
};
