import { errors } from '../errors.ts';
import type { ConversationDetail, ParticipantDetail, SegmentDetail } from './details-model.ts';

/** Conversation-level dimensions a ConversationDetailQueryPredicate may name (platform-extra.md §2.2). */
export const CONVERSATION_DIMENSIONS = [
  'accessAttribute',
  'conversationEnd',
  'conversationId',
  'conversationInitiator',
  'conversationStart',
  'customerParticipation',
  'divisionId',
  'externalTag',
  'mediaStatsMinConversationMos',
  'originatingDirection',
  'originatingSocialMediaPublic',
] as const;

/** Segment-level dimensions (a selection of Genesys's list, plus the session and participant ones). */
export const SEGMENT_DIMENSIONS = [
  'addressFrom',
  'addressTo',
  'ani',
  'conference',
  'direction',
  'disconnectType',
  'dnis',
  'externalContactId',
  'flowId',
  'flowName',
  'flowType',
  'mediaType',
  'messageType',
  'participantId',
  'participantName',
  'peerId',
  'provider',
  'purpose',
  'queueId',
  'remote',
  'requestedLanguageId',
  'requestedRoutingSkillId',
  'segmentEnd',
  'segmentType',
  'selectedAgentId',
  'sessionDnis',
  'sessionId',
  'teamId',
  'usedRouting',
  'userId',
  'wrapUpCode',
  'wrapUpNote',
] as const;

export const CONVERSATION_METRICS = ['tConversationDuration'] as const;
export const SEGMENT_METRICS = ['tSegmentDuration'] as const;

export interface NumericRange {
  gt?: number | undefined;
  gte?: number | undefined;
  lt?: number | undefined;
  lte?: number | undefined;
}

export interface DetailPredicate {
  type?: 'dimension' | 'metric' | 'property' | undefined;
  dimension?: string | undefined;
  metric?: string | undefined;
  operator?: 'matches' | 'exists' | 'notExists' | undefined;
  value?: string | undefined;
  range?: NumericRange | undefined;
}

export interface DetailFilter {
  type: 'and' | 'or';
  predicates?: DetailPredicate[] | undefined;
  clauses?: { type: 'and' | 'or'; predicates: DetailPredicate[] }[] | undefined;
}

export interface DetailQuery {
  interval: Interval;
  conversationFilters: readonly DetailFilter[];
  segmentFilters: readonly DetailFilter[];
  order: 'asc' | 'desc' | 'unordered';
  orderBy: 'conversationStart' | 'conversationEnd' | 'segmentStart' | 'segmentEnd';
}

export interface Interval {
  start: number;
  end: number;
}

const DAY_MS = 24 * 3600 * 1000;

/**
 * `interval` is "start/end" in ISO-8601. Genesys allows at most 7 days without filters and 31 days with
 * one (platform-extra.md §2.2, [DC-DET]); a longer or reversed interval is refused.
 */
export function parseInterval(text: string, filtered: boolean): Interval {
  const [a, b, ...rest] = text.split('/');
  const start = Date.parse(a ?? '');
  const end = Date.parse(b ?? '');
  if (rest.length || Number.isNaN(start) || Number.isNaN(end)) {
    throw errors.badRequest(`Invalid interval [${text}]: expected "start/end" in ISO-8601.`, {
      messageParams: { field: 'interval' },
      details: [{ errorCode: 'invalid.value', fieldName: 'interval' }],
    });
  }
  if (end <= start) throw errors.badRequest(`Invalid interval [${text}]: the end must come after the start.`);
  const maxDays = filtered ? 31 : 7;
  if (end - start > maxDays * DAY_MS) {
    throw errors.badRequest(
      `The interval [${text}] is longer than ${maxDays} days, the most a query ${filtered ? 'with' : 'without'} filters may span.`,
      { messageParams: { field: 'interval', maxDays: String(maxDays) } },
    );
  }
  return { start, end };
}

/** One segment with its session's and participant's dimensions, as segment filters see it. */
interface SegmentRow {
  participant: ParticipantDetail;
  segment: SegmentDetail;
}

function segmentDimension(row: SegmentRow, dimension: string): string | undefined {
  const { participant: p, segment: s } = row;
  const session = p.session;
  switch (dimension) {
    case 'purpose':
    case 'participantId':
    case 'participantName':
    case 'userId':
      return p[dimension];
    case 'mediaType':
    case 'messageType':
    case 'direction':
    case 'addressFrom':
    case 'addressTo':
    case 'provider':
    case 'remote':
    case 'peerId':
    case 'sessionId':
    case 'usedRouting':
    case 'selectedAgentId':
      return session[dimension];
    case 'flowId':
    case 'flowName':
    case 'flowType':
      return session.flow?.[dimension];
    case 'segmentType':
    case 'queueId':
    case 'disconnectType':
    case 'wrapUpCode':
    case 'wrapUpNote':
      return s[dimension];
    case 'segmentEnd':
      return s.end === undefined ? undefined : new Date(s.end).toISOString();
    case 'conference':
      return 'false';
    default:
      return undefined;
  }
}

function conversationDimension(c: ConversationDetail, dimension: string): string[] {
  switch (dimension) {
    case 'conversationId':
      return [c.conversationId];
    case 'conversationStart':
      return [new Date(c.start).toISOString()];
    case 'conversationEnd':
      return c.end === undefined ? [] : [new Date(c.end).toISOString()];
    case 'divisionId':
      return c.divisionIds;
    case 'originatingDirection':
      return ['inbound'];
    case 'customerParticipation':
      return [String(c.customerParticipation)];
    default:
      return [];
  }
}

/**
 * `matches` compares case-insensitively: Genesys's own example filters on `purpose` "Customer" where
 * the data says "customer" (platform-extra.md §2.2); exact case rules are UNCONFIRMED.
 */
function matchValues(values: readonly (string | undefined)[], p: DetailPredicate): boolean {
  const present = values.filter((v): v is string => v !== undefined && v !== '');
  if (p.operator === 'exists') return present.length > 0;
  if (p.operator === 'notExists') return present.length === 0;
  const wanted = (p.value ?? '').toLowerCase();
  return present.some((v) => v.toLowerCase() === wanted);
}

function inRange(value: number | undefined, range: NumericRange | undefined): boolean {
  if (value === undefined) return false;
  if (!range) return true;
  if (range.gt !== undefined && !(value > range.gt)) return false;
  if (range.gte !== undefined && !(value >= range.gte)) return false;
  if (range.lt !== undefined && !(value < range.lt)) return false;
  if (range.lte !== undefined && !(value <= range.lte)) return false;
  return true;
}

function combine(type: 'and' | 'or', results: boolean[]): boolean {
  if (results.length === 0) return true;
  return type === 'and' ? results.every(Boolean) : results.some(Boolean);
}

function filterHolds(filter: DetailFilter, test: (p: DetailPredicate) => boolean): boolean {
  const results = (filter.predicates ?? []).map(test);
  for (const clause of filter.clauses ?? []) results.push(combine(clause.type, clause.predicates.map(test)));
  return combine(filter.type, results);
}

function segmentPredicate(row: SegmentRow, p: DetailPredicate): boolean {
  if (p.metric !== undefined) {
    const duration = row.segment.end === undefined ? undefined : row.segment.end - row.segment.start;
    return p.operator === 'exists'
      ? duration !== undefined
      : p.operator === 'notExists'
        ? duration === undefined
        : inRange(duration, p.range);
  }
  return matchValues([segmentDimension(row, p.dimension ?? '')], p);
}

function conversationPredicate(c: ConversationDetail, p: DetailPredicate): boolean {
  if (p.metric !== undefined) {
    const duration = c.end === undefined ? undefined : c.end - c.start;
    return p.operator === 'exists'
      ? duration !== undefined
      : p.operator === 'notExists'
        ? duration === undefined
        : inRange(duration, p.range);
  }
  return matchValues(conversationDimension(c, p.dimension ?? ''), p);
}

function rowsOf(c: ConversationDetail): SegmentRow[] {
  return c.participants.flatMap((participant) =>
    participant.session.segments.map((segment) => ({ participant, segment })),
  );
}

/**
 * The conversations a query selects: started within the interval (UNCONFIRMED: Genesys reads its daily
 * indexes, so a conversation that started earlier on a day the interval touches may show up too), every
 * conversation filter holding, and for each segment filter some segment for which it holds (its
 * predicates see that segment with its session and participant). Then ordered.
 */
export function selectConversations(
  all: readonly ConversationDetail[],
  query: DetailQuery,
): ConversationDetail[] {
  const selected = all.filter((c) => {
    if (c.start < query.interval.start || c.start >= query.interval.end) return false;
    if (!query.conversationFilters.every((f) => filterHolds(f, (p) => conversationPredicate(c, p))))
      return false;
    if (query.segmentFilters.length === 0) return true;
    const rows = rowsOf(c);
    return query.segmentFilters.every((f) =>
      rows.some((row) => filterHolds(f, (p) => segmentPredicate(row, p))),
    );
  });
  if (query.order === 'unordered') return selected;
  const key = sortKey(query.orderBy);
  selected.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    // Conversations without the key (still live, for an end) sort last either way.
    if (ka === undefined || kb === undefined) return ka === kb ? 0 : ka === undefined ? 1 : -1;
    return query.order === 'asc' ? ka - kb : kb - ka;
  });
  return selected;
}

function sortKey(orderBy: DetailQuery['orderBy']): (c: ConversationDetail) => number | undefined {
  switch (orderBy) {
    case 'conversationStart':
      return (c) => c.start;
    case 'conversationEnd':
      return (c) => c.end;
    case 'segmentStart':
      return (c) => Math.min(...rowsOf(c).map((r) => r.segment.start));
    case 'segmentEnd': {
      return (c) => {
        const ends = rowsOf(c).flatMap((r) => (r.segment.end === undefined ? [] : [r.segment.end]));
        return ends.length ? Math.max(...ends) : undefined;
      };
    }
  }
}
