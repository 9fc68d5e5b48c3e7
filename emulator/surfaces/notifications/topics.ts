/**
 * Topics the emulator publishes (platform-architect.md §3.4). There is no bare v2.conversations.{id}
 * topic in Genesys; clients follow conversations through user or queue topics.
 */
const PATTERNS: { re: RegExp; kind: string }[] = [
  { re: /^v2\.users\.([^.]+)\.conversations$/, kind: 'user.conversations' },
  { re: /^v2\.users\.([^.]+)\.conversations\.messages$/, kind: 'user.conversations.messages' },
  { re: /^v2\.users\.([^.]+)\.conversations\.chats$/, kind: 'user.conversations.chats' },
  { re: /^v2\.users\.([^.]+)\.routingStatus$/, kind: 'user.routingStatus' },
  { re: /^v2\.routing\.queues\.([^.]+)\.conversations$/, kind: 'queue.conversations' },
  { re: /^v2\.routing\.queues\.([^.]+)\.conversations\.messages$/, kind: 'queue.conversations.messages' },
  { re: /^v2\.routing\.queues\.([^.]+)\.conversations\.chats$/, kind: 'queue.conversations.chats' },
  { re: /^v2\.conversations\.chats\.([^.]+)\.messages$/, kind: 'chat.messages' },
  { re: /^v2\.conversations\.messages\.([^.]+)\.typing$/, kind: 'message.typing' },
];

export function isSupportedTopic(topic: string): boolean {
  return PATTERNS.some((p) => p.re.test(topic));
}

/** Topics that carry a conversation's updates, for the users and queues involved and its media type. */
export function conversationTopics(
  userIds: Iterable<string>,
  queueIds: Iterable<string>,
  media: 'message' | 'chat',
): string[] {
  const suffix = media === 'chat' ? 'chats' : 'messages';
  const out: string[] = [];
  for (const id of userIds)
    out.push(`v2.users.${id}.conversations`, `v2.users.${id}.conversations.${suffix}`);
  for (const id of queueIds)
    out.push(`v2.routing.queues.${id}.conversations`, `v2.routing.queues.${id}.conversations.${suffix}`);
  return out;
}

export function isMediaTopic(topic: string): boolean {
  return topic.endsWith('.messages') || topic.endsWith('.chats');
}

/**
 * A chat's messages and typing indicators, the topic WebChat frames are named after
 * (guest-protocols.md §1.10: `v2.conversations.chats.{id}.messages`); agents subscribe to it per chat.
 */
export function chatMessagesTopic(conversationId: string): string {
  return `v2.conversations.chats.${conversationId}.messages`;
}

/**
 * Customer typing on a message conversation. Genesys's topic for this is UNCONFIRMED (the reference
 * lists none); this name follows the chat topic's pattern so an agent UI can show typing at all.
 */
export function messageTypingTopic(conversationId: string): string {
  return `v2.conversations.messages.${conversationId}.typing`;
}

export function routingStatusTopic(userId: string): string {
  return `v2.users.${userId}.routingStatus`;
}
