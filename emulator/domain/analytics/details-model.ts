/**
 * Analytics conversation details (platform-extra.md §2.3), as the emulator keeps them before they go on
 * the wire: times are ms so queries can filter and sort; presenters turn them into ISO strings.
 */
export interface SegmentDetail {
  start: number;
  end?: number;
  segmentType: 'alert' | 'interact' | 'wrapup';
  queueId?: string;
  disconnectType?: string;
  wrapUpCode?: string;
  wrapUpNote?: string;
}

export interface MetricDetail {
  name: string;
  value: number;
  emitDate: number;
}

export interface FlowDetail {
  flowId: string;
  flowName: string;
  flowType: string;
  exitReason: string;
  transferType?: string;
  transferTargetAddress?: string;
  transferTargetName?: string;
}

export interface SessionDetail {
  sessionId: string;
  mediaType: 'message' | 'chat';
  messageType?: string;
  direction: 'inbound';
  provider: string;
  addressFrom?: string;
  addressTo?: string;
  remote?: string;
  peerId?: string;
  requestedRoutings?: string[];
  usedRouting?: string;
  selectedAgentId?: string;
  flow?: FlowDetail;
  metrics: MetricDetail[];
  segments: SegmentDetail[];
}

export interface ParticipantDetail {
  participantId: string;
  participantName?: string;
  purpose: string;
  userId?: string;
  /** Participant Data: only the details jobs' results carry it (AnalyticsParticipant). */
  attributes: Record<string, string>;
  session: SessionDetail;
}

export interface ConversationDetail {
  conversationId: string;
  start: number;
  end?: number;
  divisionIds: string[];
  customerParticipation: boolean;
  participants: ParticipantDetail[];
}
