import type { DomainContext } from '../context.ts';
import { conversationsTable } from '../conversations/conversation-store.ts';
import type { Conversation, Participant } from '../conversations/model.ts';
import { customerOf } from '../conversations/model.ts';
import { OFFLINE, PRESENCE_DEFINITIONS } from '../presence/definitions.ts';
import type { PresenceService } from '../presence/presence-service.ts';
import { agentState, ROUTING_STATUSES } from '../routing/agent-state.ts';
import type { AcdRouter } from '../routing/router.ts';

/** QueueObservationQuery metrics ([JAVA] enum, platform-extra.md §6.2). */
export const OBSERVATION_METRICS = [
  'oActiveUsers',
  'oAlerting',
  'oInteracting',
  'oMemberUsers',
  'oOffQueueUsers',
  'oOnQueueUsers',
  'oUserPresences',
  'oUserRoutingStatuses',
  'oWaiting',
] as const;
export type ObservationMetric = (typeof OBSERVATION_METRICS)[number];

/** Metrics about conversations, grouped by queue and media type; the others are about users, by queue. */
export const CONVERSATION_METRICS: readonly ObservationMetric[] = ['oAlerting', 'oInteracting', 'oWaiting'];

/**
 * The media types a conversation metric is reported for: Genesys answers one group per media type of
 * the queue (a public sample shows voice and chat); the emulator reports the usual five, with zeros
 * for the three it does not emulate.
 */
export const OBSERVATION_MEDIA_TYPES = ['voice', 'chat', 'callback', 'email', 'message'] as const;

export interface ObservationPredicate {
  dimension?: string | undefined;
  operator?: 'matches' | 'exists' | 'notExists' | undefined;
  value?: string | undefined;
}

export interface ObservationFilter {
  type: 'and' | 'or';
  predicates?: ObservationPredicate[] | undefined;
  clauses?: { type: 'and' | 'or'; predicates: ObservationPredicate[] }[] | undefined;
}

export interface ObservationQuery {
  filter: ObservationFilter;
  metrics: readonly ObservationMetric[];
  detailMetrics?: readonly ObservationMetric[] | undefined;
}

export interface ObservationValue {
  observationDate: number;
  conversationId: string;
  sessionId: string;
  routingPriority: number;
  participantName: string;
  direction: 'inbound';
  userId?: string;
  requestedRoutings?: string[];
}

export interface ObservationData {
  metric: ObservationMetric;
  qualifier?: string;
  count: number;
  observations?: ObservationValue[];
}

export interface ObservationGroup {
  group: { queueId: string; mediaType?: string };
  data: ObservationData[];
}

function holds(filter: ObservationFilter, group: { queueId: string; mediaType?: string }): boolean {
  const test = (p: ObservationPredicate) => {
    // A user metric's group has no media type: a mediaType predicate does not narrow it.
    if (p.dimension === 'mediaType' && group.mediaType === undefined) return true;
    const value = p.dimension === 'queueId' ? group.queueId : group.mediaType;
    if (p.operator === 'exists') return value !== undefined;
    if (p.operator === 'notExists') return value === undefined;
    return value !== undefined && value.toLowerCase() === (p.value ?? '').toLowerCase();
  };
  const combine = (type: 'and' | 'or', results: boolean[]) =>
    results.length === 0 ? true : type === 'and' ? results.every(Boolean) : results.some(Boolean);
  const results = (filter.predicates ?? []).map(test);
  for (const c of filter.clauses ?? []) results.push(combine(c.type, c.predicates.map(test)));
  return combine(filter.type, results);
}

/**
 * POST /api/v2/analytics/queues/observations/query (platform-extra.md §6.2): what is happening in each
 * queue the filter selects, now. User metrics group by `{queueId}`, conversation metrics by
 * `{queueId, mediaType}`. Qualified metrics (oOnQueueUsers and oUserRoutingStatuses by routing status,
 * oUserPresences by presence definition id) give one entry per qualifier with members in it; when none
 * has any, one unqualified entry with count 0 (UNCONFIRMED, qualifiers beyond IDLE are too).
 * oActiveUsers counts members whose presence is not Offline (every member of a queue is joined here);
 * oOffQueueUsers those of them that are OFF_QUEUE. `detailMetrics` add `observations` to oWaiting,
 * oAlerting and oInteracting.
 */
export function observeQueues(
  ctx: DomainContext,
  router: AcdRouter,
  presence: PresenceService,
  query: ObservationQuery,
): ObservationGroup[] {
  const detailed = new Set(query.detailMetrics ?? []);
  const userMetrics = query.metrics.filter((m) => !CONVERSATION_METRICS.includes(m));
  const conversationMetrics = query.metrics.filter((m) => CONVERSATION_METRICS.includes(m));
  const live = conversationMetrics.length ? liveLegs(ctx) : [];
  const out: ObservationGroup[] = [];
  for (const queue of ctx.org().queues) {
    if (userMetrics.length && holds(query.filter, { queueId: queue.id })) {
      const members = ctx.org().membersOf(queue.id);
      const status = (id: string) => agentState(ctx, id).status;
      const presenceOf = (id: string) => presence.get(id).definitionId;
      const data: ObservationData[] = [];
      for (const metric of userMetrics) {
        switch (metric) {
          case 'oMemberUsers':
            data.push({ metric, count: members.length });
            break;
          case 'oActiveUsers':
            data.push({ metric, count: members.filter((m) => presenceOf(m.id) !== OFFLINE.id).length });
            break;
          case 'oOffQueueUsers':
            data.push({
              metric,
              count: members.filter((m) => presenceOf(m.id) !== OFFLINE.id && status(m.id) === 'OFF_QUEUE')
                .length,
            });
            break;
          case 'oOnQueueUsers':
            data.push(
              ...qualified(
                metric,
                ROUTING_STATUSES.filter((s) => s !== 'OFF_QUEUE'),
                members.map((m) => status(m.id)),
              ),
            );
            break;
          case 'oUserRoutingStatuses':
            data.push(
              ...qualified(
                metric,
                ROUTING_STATUSES,
                members.map((m) => status(m.id)),
              ),
            );
            break;
          case 'oUserPresences':
            data.push(
              ...qualified(
                metric,
                PRESENCE_DEFINITIONS.map((d) => d.id),
                members.map((m) => presenceOf(m.id)),
              ),
            );
            break;
          default:
            break;
        }
      }
      out.push({ group: { queueId: queue.id }, data });
    }
    for (const mediaType of conversationMetrics.length ? OBSERVATION_MEDIA_TYPES : []) {
      const group = { queueId: queue.id, mediaType };
      if (!holds(query.filter, group)) continue;
      const data: ObservationData[] = [];
      for (const metric of conversationMetrics) {
        const values = observations(ctx, router, live, metric, queue.id, mediaType);
        data.push({
          metric,
          count: values.length,
          ...(detailed.has(metric) ? { observations: values } : {}),
        });
      }
      out.push({ group, data });
    }
  }
  return out;
}

function qualified(
  metric: ObservationMetric,
  qualifiers: readonly string[],
  values: readonly string[],
): ObservationData[] {
  const data = qualifiers
    .map((qualifier) => ({ metric, qualifier, count: values.filter((v) => v === qualifier).length }))
    .filter((d) => d.count > 0);
  return data.length ? data : [{ metric, count: 0 }];
}

interface LiveLeg {
  conversation: Conversation;
  leg: Participant;
}

/** Agent legs alerting or connected in live conversations, read once per query. */
function liveLegs(ctx: DomainContext): LiveLeg[] {
  const out: LiveLeg[] = [];
  for (const conversation of conversationsTable(ctx).values()) {
    if (conversation.endTime !== undefined) continue;
    for (const leg of conversation.participants) {
      if (leg.purpose === 'agent' && (leg.state === 'alerting' || leg.state === 'connected'))
        out.push({ conversation, leg });
    }
  }
  return out;
}

function observations(
  ctx: DomainContext,
  router: AcdRouter,
  live: readonly LiveLeg[],
  metric: ObservationMetric,
  queueId: string,
  mediaType: string,
): ObservationValue[] {
  const base = (conversation: Conversation) => {
    const customer = customerOf(conversation);
    return {
      conversationId: conversation.id,
      sessionId: customer.communicationId,
      routingPriority: conversation.priority,
      participantName: customer.name,
      direction: 'inbound' as const,
      requestedRoutings: ['Standard'],
    };
  };
  if (metric === 'oWaiting') {
    const out: ObservationValue[] = [];
    for (const id of router.waitingIn(queueId)) {
      const conversation = conversationsTable(ctx).get(id);
      if (!conversation || conversation.mediaType !== mediaType) continue;
      out.push({ observationDate: conversation.enqueuedAt ?? conversation.startTime, ...base(conversation) });
    }
    return out;
  }
  const state = metric === 'oAlerting' ? 'alerting' : 'connected';
  return live
    .filter(
      ({ conversation, leg }) =>
        leg.queueId === queueId && leg.state === state && conversation.mediaType === mediaType,
    )
    .map(({ conversation, leg }) => ({
      observationDate: (state === 'alerting' ? leg.startAlertingTime : leg.connectedTime) ?? leg.startTime,
      ...base(conversation),
      ...(leg.userId ? { userId: leg.userId } : {}),
    }));
}
