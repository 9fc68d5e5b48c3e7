import { z } from 'zod';
import {
  CONVERSATION_DIMENSIONS,
  CONVERSATION_METRICS,
  SEGMENT_DIMENSIONS,
  SEGMENT_METRICS,
} from '../../../domain/analytics/details-query.ts';
import { OBSERVATION_METRICS } from '../../../domain/analytics/queue-observations.ts';

/** Request bodies of the analytics API (platform-extra.md §2.2, §6.2), validated at the edge. */

const NumericRange = z.strictObject({
  gt: z.number().optional(),
  gte: z.number().optional(),
  lt: z.number().optional(),
  lte: z.number().optional(),
});

const operator = z.enum(['matches', 'exists', 'notExists']).optional();

/**
 * One predicate: a dimension (with a value, or exists/notExists) or a metric (with a range). Property
 * predicates (custom segment properties) are not emulated and refused by name.
 */
function predicate(dimensions: readonly [string, ...string[]], metrics: readonly [string, ...string[]]) {
  return z
    .object({
      type: z.enum(['dimension', 'property', 'metric']).optional(),
      dimension: z.enum(dimensions).optional(),
      metric: z.enum(metrics).optional(),
      property: z.string().optional(),
      propertyType: z.string().optional(),
      operator,
      value: z.string().max(1024).optional(),
      range: NumericRange.optional(),
    })
    .refine((p) => p.type !== 'property' && p.property === undefined, {
      message: 'property predicates are not emulated by the Genesys Cloud emulator',
    })
    .refine((p) => (p.dimension === undefined) !== (p.metric === undefined), {
      message: 'a predicate names exactly one dimension or metric',
    })
    .refine(
      (p) =>
        p.operator === 'exists' ||
        p.operator === 'notExists' ||
        (p.dimension !== undefined ? p.value !== undefined : p.range !== undefined),
      {
        message:
          'a dimension predicate needs a value and a metric predicate a range (or operator exists/notExists)',
      },
    );
}

const ConversationPredicate = predicate(CONVERSATION_DIMENSIONS, CONVERSATION_METRICS);
const SegmentPredicate = predicate(SEGMENT_DIMENSIONS, SEGMENT_METRICS);
const combine = z.enum(['and', 'or']);

function filter<P extends z.ZodType>(p: P) {
  return z.object({
    type: combine,
    predicates: z.array(p).max(50).optional(),
    clauses: z
      .array(z.object({ type: combine, predicates: z.array(p).min(1).max(50) }))
      .max(50)
      .optional(),
  });
}

/** Evaluation, survey and resolution filters name data the emulator never has. */
const notEmulated = (what: string) =>
  z
    .array(z.unknown())
    .max(0, { message: `${what} are not emulated by the Genesys Cloud emulator` })
    .optional();

const common = {
  interval: z.string().min(1).max(100),
  conversationFilters: z.array(filter(ConversationPredicate)).max(50).default([]),
  segmentFilters: z.array(filter(SegmentPredicate)).max(50).default([]),
  evaluationFilters: notEmulated('evaluation filters'),
  surveyFilters: notEmulated('survey filters'),
  resolutionFilters: notEmulated('resolution filters'),
  order: z.enum(['asc', 'desc', 'unordered']).default('asc'),
  orderBy: z
    .enum(['conversationStart', 'conversationEnd', 'segmentStart', 'segmentEnd'])
    .default('conversationStart'),
};

/**
 * ConversationQuery. `paging.pageSize` defaults to 25; its maximum is UNCONFIRMED (a Genesys blog sample
 * sends 200 as "maximum"), so 1-200 are accepted. Aggregations are not emulated.
 */
export const ConversationQueryBody = z.object({
  ...common,
  paging: z
    .object({
      pageSize: z.number().int().min(1).max(200).default(25),
      pageNumber: z.number().int().min(1).default(1),
    })
    .default({ pageSize: 25, pageNumber: 1 }),
  aggregations: notEmulated('aggregations'),
});

/** AsyncConversationQuery: no paging; `limit` caps the conversations the job returns. */
export const AsyncConversationQueryBody = z.object({
  ...common,
  limit: z.number().int().min(1).max(1_000_000).optional(),
  startOfDayIntervalMatching: z.boolean().optional(),
});

export const JobParams = z.object({ jobId: z.string().min(1) });
export const ConversationParams = z.object({ conversationId: z.string().min(1) });
export const ConversationIdsQuery = z.object({
  id: z
    .union([z.string(), z.array(z.string())])
    .transform((v) => (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).filter(Boolean))
    .pipe(z.array(z.string()).min(1).max(100)),
});
/** Results pages: `cursor` from the previous page; `pageSize` UNCONFIRMED default and maximum (1,000). */
export const JobResultsQuery = z.object({
  cursor: z.string().min(1).max(256).optional(),
  pageSize: z.coerce.number().int().min(1).max(1000).default(1000),
});

const ObservationPredicate = z
  .object({
    type: z.enum(['dimension']).optional(),
    dimension: z.enum(['queueId', 'mediaType']),
    operator,
    value: z.string().max(256).optional(),
  })
  .refine((p) => p.operator === 'exists' || p.operator === 'notExists' || p.value !== undefined, {
    message: 'a predicate needs a value (or operator exists/notExists)',
  });

/** QueueObservationQuery: a filter on queueId / mediaType and the metrics wanted. */
export const QueueObservationQueryBody = z.object({
  filter: filter(ObservationPredicate),
  metrics: z.array(z.enum(OBSERVATION_METRICS)).min(1).max(OBSERVATION_METRICS.length),
  detailMetrics: z.array(z.enum(['oWaiting', 'oInteracting', 'oAlerting'])).optional(),
});
