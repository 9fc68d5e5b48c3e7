import type { Conversation, ConversationMessage } from '../../domain/conversations/model.ts';
import { type GuestChat, type MemberNote, participantById } from './chats.ts';

/** One message as the chat room shows it: conversation messages and member-join/leave alike. */
export interface RoomMessage {
  id: string;
  memberId: string;
  body: string;
  bodyType: string;
  time: number;
}

export function fromConversationMessage(conversation: Conversation, m: ConversationMessage): RoomMessage {
  return {
    id: m.id,
    memberId: participantById(conversation, m.participantId)?.communicationId ?? m.participantId,
    body: m.text,
    bodyType: m.bodyType ?? 'standard',
    time: m.time,
  };
}

/** Join and leave messages carry no text (UNCONFIRMED what Genesys puts in their body). */
export function fromNote(note: MemberNote): RoomMessage {
  return { id: note.id, memberId: note.memberId, body: '', bodyType: note.bodyType, time: note.time };
}

/** The whole room history, oldest first: each note goes after the messages that existed when it happened. */
export function roomTimeline(chat: GuestChat, conversation: Conversation): RoomMessage[] {
  const out: RoomMessage[] = [];
  let n = 0;
  for (const [i, m] of conversation.messages.entries()) {
    while (n < chat.notes.length && chat.notes[n]!.at <= i) out.push(fromNote(chat.notes[n++]!));
    out.push(fromConversationMessage(conversation, m));
  }
  while (n < chat.notes.length) out.push(fromNote(chat.notes[n++]!));
  return out;
}

export function findRoomMessage(
  chat: GuestChat,
  conversation: Conversation,
  messageId: string,
): RoomMessage | undefined {
  const m = conversation.messages.find((x) => x.id === messageId);
  if (m) return fromConversationMessage(conversation, m);
  const note = chat.notes.find((x) => x.id === messageId);
  return note && fromNote(note);
}

export interface RoomPageQuery {
  after?: string;
  before?: string;
  sortOrder: 'ascending' | 'descending';
  maxResults: number;
}

export type RoomPage<T = RoomMessage> =
  | { ok: true; entities: T[]; hasOlder: boolean; hasNewer: boolean }
  | { ok: false; unknownCursor: 'after' | 'before' };

/**
 * Cursor paging over the room (WebChatMessageEntityList; exact semantics UNCONFIRMED): `after` and
 * `before` are message ids bounding the window; a page is the `maxResults` messages nearest to the
 * cursor given (`before` alone: the ones just before it), or the oldest (ascending) / newest
 * (descending) without one; `sortOrder` orders the page.
 */
export function roomPage<T extends { id: string }>(timeline: readonly T[], q: RoomPageQuery): RoomPage<T> {
  let lo = 0;
  let hi = timeline.length;
  if (q.after !== undefined) {
    const i = timeline.findIndex((m) => m.id === q.after);
    if (i < 0) return { ok: false, unknownCursor: 'after' };
    lo = i + 1;
  }
  if (q.before !== undefined) {
    const i = timeline.findIndex((m) => m.id === q.before);
    if (i < 0) return { ok: false, unknownCursor: 'before' };
    hi = Math.max(lo, i);
  }
  const fromEnd = q.after === undefined && (q.before !== undefined || q.sortOrder === 'descending');
  const start = fromEnd ? Math.max(lo, hi - q.maxResults) : lo;
  const end = fromEnd ? hi : Math.min(hi, lo + q.maxResults);
  const page = timeline.slice(start, end);
  if (q.sortOrder === 'descending') page.reverse();
  return { ok: true, entities: page, hasOlder: start > 0, hasNewer: end < timeline.length };
}

/**
 * The links of a page at `base` (the guest's or the agent's messages URI): `next` continues in the sort
 * direction, `previousPage` goes back (both URIs, UNCONFIRMED), `selfUri` repeats the request's cursors.
 */
export function roomPageLinks(
  base: string,
  q: RoomPageQuery,
  page: { entities: readonly { id: string }[]; hasOlder: boolean; hasNewer: boolean },
): { previousPage?: string; next?: string; selfUri: string } {
  const uri = (cursor: Record<string, string | undefined>) => {
    const query = new URLSearchParams();
    for (const [k, v] of Object.entries(cursor)) if (v !== undefined) query.set(k, v);
    query.set('sortOrder', q.sortOrder);
    query.set('maxResults', String(q.maxResults));
    return `${base}?${query.toString()}`;
  };
  const first = page.entities[0]?.id;
  const last = page.entities.at(-1)?.id;
  const ascending = q.sortOrder === 'ascending';
  const hasNext = ascending ? page.hasNewer : page.hasOlder;
  const hasPrevious = ascending ? page.hasOlder : page.hasNewer;
  return {
    ...(hasPrevious && first ? { previousPage: uri(ascending ? { before: first } : { after: first }) } : {}),
    ...(hasNext && last ? { next: uri(ascending ? { after: last } : { before: last }) } : {}),
    selfUri: uri({ after: q.after, before: q.before }),
  };
}
