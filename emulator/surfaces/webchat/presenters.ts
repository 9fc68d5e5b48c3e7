import { isoTime } from '../../domain/clock.ts';
import type {
  Conversation,
  Participant,
  ParticipantState,
  Purpose,
} from '../../domain/conversations/model.ts';
import type { GuestChat } from './chats.ts';
import type { RoomMessage } from './timeline.ts';

/** The §1.4 models of the guest chat API (guest-protocols.md), built from core state. */

export const GUEST_BASE = '/api/v2/webchat/guest/conversations';

const ROLES: Record<Purpose, string> = {
  customer: 'CUSTOMER',
  agent: 'AGENT',
  acd: 'ACD',
  workflow: 'WORKFLOW',
};

export function memberState(state: ParticipantState): 'ALERTING' | 'CONNECTED' | 'DISCONNECTED' {
  if (state === 'alerting') return 'ALERTING';
  if (state === 'connected') return 'CONNECTED';
  return 'DISCONNECTED';
}

/** WebChatMemberInfo. Only the guest carries profile fields, customFields (as sent) and authenticatedGuest. */
export function memberInfo(chat: GuestChat, p: Participant) {
  const guest = p.purpose === 'customer';
  const left = p.state === 'disconnected' || p.state === 'terminated';
  return {
    id: p.communicationId,
    displayName: p.name,
    ...(guest ? chat.profile : {}),
    role: ROLES[p.purpose],
    joinDate: isoTime(p.connectedTime ?? p.startTime),
    ...(left && p.endTime !== undefined ? { leaveDate: isoTime(p.endTime) } : {}),
    ...(guest ? { authenticatedGuest: chat.authenticated } : {}),
    state: memberState(p.state),
  };
}

function conversationRef(conversationId: string) {
  return { id: conversationId, selfUri: `/api/v2/conversations/${conversationId}` };
}

/** WebChatMessage: the reply to a send and an item of the message list. */
export function webChatMessage(conversationId: string, m: RoomMessage) {
  return {
    id: m.id,
    conversation: conversationRef(conversationId),
    sender: { id: m.memberId },
    body: m.body,
    bodyType: m.bodyType,
    timestamp: isoTime(m.time),
    selfUri: `${GUEST_BASE}/${conversationId}/messages/${m.id}`,
  };
}

/** WebChatTyping: the reply to a typing POST. */
export function webChatTyping(conversationId: string, id: string, memberId: string, time: number) {
  return {
    id,
    conversation: conversationRef(conversationId),
    sender: { id: memberId },
    timestamp: isoTime(time),
  };
}

/** The chat's members in join order, optionally without those who left. */
export function membersOf(conversation: Conversation, excludeDisconnected: boolean): Participant[] {
  return conversation.participants.filter(
    (p) => !excludeDisconnected || p.state === 'alerting' || p.state === 'connected',
  );
}
