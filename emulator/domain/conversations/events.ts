import type { FlowTraceEntry } from '../architect/index.ts';
import type { RoutingDecision } from '../routing/decision.ts';
import type { ConversationMessage, DisconnectType, MediaType, ParticipantState, Purpose } from './model.ts';

/** Conversation and routing events; merged into the emulator's one event union. */
declare module '../events.ts' {
  interface EmulatorEventData {
    'conversation.created': {
      mediaType: MediaType;
      channel: string;
      deploymentId?: string;
      customerParticipantId: string;
    };
    'conversation.ended': { reason: string };
    'participant.added': {
      participantId: string;
      purpose: Purpose;
      state: ParticipantState;
      userId?: string;
      queueId?: string;
    };
    'participant.state.changed': {
      participantId: string;
      purpose: Purpose;
      from: ParticipantState;
      to: ParticipantState;
      userId?: string;
      disconnectType?: DisconnectType;
    };
    'participant.attributes.updated': { participantId: string; attributes: Record<string, string> };
    /** `code` is the wrap-up code's id, `name` its name. */
    'participant.wrapup': {
      participantId: string;
      userId?: string;
      code: string;
      name: string;
      notes?: string;
    };
    'message.sent': { message: ConversationMessage };
    /** A guest's socket took an outbound message: its status is now `delivery-success`. */
    'message.delivered': { messageId: string };
    /** An outbound message could not be delivered: its status is now `delivery-failed`. */
    'message.failed': { messageId: string; reason: string };
    'typing.sent': { participantId: string; purpose: Purpose };
    'flow.run': {
      flow: string;
      outcome: string;
      queue?: { id: string; name: string };
      trace: readonly FlowTraceEntry[];
    };
    'conversation.queued': { queueId: string; queueName: string; priority: number; reason: string };
    'routing.decision': RoutingDecision;
    'agent.alerted': { participantId: string; userId: string; queueId?: string; alertingTimeoutMs: number };
    'agent.noanswer': { participantId: string; userId: string };
    'agent.routingStatus.changed': { userId: string; from: string; to: string };
    'conversation.transferred': {
      fromParticipantId: string;
      target: { type: 'queue'; queueId: string } | { type: 'user'; userId: string };
    };
  }
}
