import type {
  ConversationDetail,
  ParticipantDetail,
  SegmentDetail,
  SessionDetail,
} from '../../../domain/analytics/details-model.ts';
import type { ObservationGroup } from '../../../domain/analytics/queue-observations.ts';
import { isoTime } from '../../../domain/clock.ts';
import { PRESENCE_DEFINITIONS } from '../../../domain/presence/definitions.ts';

/**
 * Wire shapes of analytics (platform-extra.md §2.3, §6.2): AnalyticsConversationWithoutAttributes for the
 * query and GET, AnalyticsConversation (participants with `attributes`) for job results,
 * QueueObservationQueryResponse for observations.
 */

function segment(s: SegmentDetail) {
  return {
    segmentStart: isoTime(s.start),
    ...(s.end === undefined ? {} : { segmentEnd: isoTime(s.end) }),
    segmentType: s.segmentType,
    conference: false,
    ...(s.queueId === undefined ? {} : { queueId: s.queueId }),
    ...(s.disconnectType === undefined ? {} : { disconnectType: s.disconnectType }),
    ...(s.wrapUpCode === undefined ? {} : { wrapUpCode: s.wrapUpCode }),
    ...(s.wrapUpNote === undefined ? {} : { wrapUpNote: s.wrapUpNote }),
  };
}

function session(s: SessionDetail) {
  const { metrics, segments, ...rest } = s;
  return {
    ...rest,
    metrics: metrics.map((m) => ({ emitDate: isoTime(m.emitDate), name: m.name, value: m.value })),
    segments: segments.map(segment),
  };
}

function participant(p: ParticipantDetail, withAttributes: boolean) {
  return {
    participantId: p.participantId,
    ...(p.participantName === undefined ? {} : { participantName: p.participantName }),
    purpose: p.purpose,
    ...(p.userId === undefined ? {} : { userId: p.userId }),
    sessions: [session(p.session)],
    ...(withAttributes && Object.keys(p.attributes).length ? { attributes: { ...p.attributes } } : {}),
  };
}

export function presentConversationDetail(c: ConversationDetail, withAttributes = false) {
  return {
    conversationId: c.conversationId,
    conversationStart: isoTime(c.start),
    ...(c.end === undefined ? {} : { conversationEnd: isoTime(c.end) }),
    originatingDirection: 'inbound',
    customerParticipation: c.customerParticipation,
    divisionIds: c.divisionIds,
    participants: c.participants.map((p) => participant(p, withAttributes)),
  };
}

/** Zero-count metrics still carry their `stats`; observations are listed when asked for. */
export function presentQueueObservations(groups: readonly ObservationGroup[], withPresences: boolean) {
  return {
    ...(withPresences
      ? {
          systemToOrganizationMappings: Object.fromEntries(
            PRESENCE_DEFINITIONS.map((d) => [d.upper, [d.id]]),
          ),
        }
      : {}),
    results: groups.map((g) => ({
      group: g.group,
      data: g.data.map((d) => ({
        metric: d.metric,
        ...(d.qualifier === undefined ? {} : { qualifier: d.qualifier }),
        stats: { count: d.count },
        ...(d.observations
          ? {
              observations: d.observations.map(({ observationDate, ...o }) => ({
                observationDate: isoTime(observationDate),
                ...o,
              })),
            }
          : {}),
      })),
    })),
  };
}
