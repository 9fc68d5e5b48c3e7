import type { ConversationView } from './world.ts';

interface WireCommunication {
  state?: string;
  startAlertingTime?: string;
}

interface WireParticipant {
  id: string;
  userId?: string;
  purpose?: string;
  endTime?: string;
  alertingTimeoutMs?: number;
  attributes?: Record<string, string>;
  messages?: WireCommunication[];
  chats?: WireCommunication[];
}

/** The generic Conversation of `GET /api/v2/conversations/{id}`, as far as the runner reads it. */
export interface WireConversation {
  id: string;
  endTime?: string;
  participants: WireParticipant[];
}

/**
 * The runner's view of a conversation read through the platform API: a participant's state is its
 * communication's (the generic view carries no participant-level state), Participant Data is the
 * customer's attributes.
 */
export function conversationFromWire(wire: WireConversation): ConversationView {
  const customer = wire.participants.find((p) => p.purpose === 'customer');
  return {
    id: wire.id,
    ended: wire.endTime !== undefined,
    attributes: customer?.attributes ?? {},
    participants: wire.participants.map((p) => {
      const comm = p.messages?.[0] ?? p.chats?.[0];
      const alertedAt =
        comm?.startAlertingTime === undefined ? undefined : Date.parse(comm.startAlertingTime);
      return {
        id: p.id,
        ...(p.userId === undefined ? {} : { userId: p.userId }),
        state: comm?.state ?? (p.endTime === undefined ? 'connected' : 'disconnected'),
        ...(alertedAt === undefined ? {} : { startAlertingTime: alertedAt }),
        ...(p.alertingTimeoutMs === undefined ? {} : { alertingTimeoutMs: p.alertingTimeoutMs }),
      };
    }),
  };
}
