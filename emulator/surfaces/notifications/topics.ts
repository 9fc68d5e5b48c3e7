import { isGenesysTopic, topicMatcher } from './genesys-topics.ts';

/**
 * Topics the emulator publishes (platform-architect.md §3.4, platform-extra.md §7). There is no bare
 * v2.conversations.{id} topic in Genesys; clients follow conversations through user or queue topics.
 */
const PUBLISHED = [
  'v2.users.{id}.conversations',
  'v2.users.{id}.conversations.messages',
  'v2.users.{id}.conversations.chats',
  'v2.users.{id}.conversations.inbound.typing.event',
  'v2.users.{id}.routingStatus',
  'v2.users.{id}.presence',
  'v2.routing.queues.{id}.conversations',
  'v2.routing.queues.{id}.conversations.messages',
  'v2.routing.queues.{id}.conversations.chats',
  'v2.conversations.chats.{id}.messages',
].map(topicMatcher);

/**
 * `published`: the emulator sends frames on it. `unpublished`: a topic Genesys has that the emulator
 * never publishes (accepted, and said so in the log and on the timeline). `unknown`: not a Genesys topic
 * (refused with 400, as Genesys refuses it).
 */
export type TopicStatus = 'published' | 'unpublished' | 'unknown';

export function topicStatus(topic: string): TopicStatus {
  if (PUBLISHED.some((re) => re.test(topic))) return 'published';
  return isGenesysTopic(topic) ? 'unpublished' : 'unknown';
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
 * (guest-protocols.md §1.5: `v2.conversations.chats.{id}.messages`); agents subscribe to it per chat.
 */
export function chatMessagesTopic(conversationId: string): string {
  return `v2.conversations.chats.${conversationId}.messages`;
}

/**
 * Customer typing on a message conversation, for each agent on it: the topic Genesys publishes it on
 * (platform-extra.md §7). The emulator's earlier invented per-conversation topic
 * (`v2.conversations.messages.{id}.typing`) is gone; Genesys has no such topic, so it is refused.
 */
export function inboundTypingTopic(userId: string): string {
  return `v2.users.${userId}.conversations.inbound.typing.event`;
}

export function routingStatusTopic(userId: string): string {
  return `v2.users.${userId}.routingStatus`;
}
