import type { FastifyPluginAsync } from 'fastify';
import { buildConversationDetails } from '../../../domain/analytics/build-details.ts';
import {
  type DetailQuery,
  parseInterval,
  selectConversations,
} from '../../../domain/analytics/details-query.ts';
import { isoTime } from '../../../domain/clock.ts';
import { ApiError, errors } from '../../../domain/errors.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { presentConversationDetail } from './presenters.ts';
import {
  AsyncConversationQueryBody,
  ConversationIdsQuery,
  ConversationParams,
  ConversationQueryBody,
  JobParams,
  JobResultsQuery,
} from './schemas.ts';

type QueryInput = Pick<DetailQuery, 'conversationFilters' | 'segmentFilters' | 'order' | 'orderBy'> & {
  interval: string;
};

function detailQuery(body: QueryInput): DetailQuery {
  const filtered = body.conversationFilters.length > 0 || body.segmentFilters.length > 0;
  return {
    interval: parseInterval(body.interval, filtered),
    conversationFilters: body.conversationFilters,
    segmentFilters: body.segmentFilters,
    order: body.order,
    orderBy: body.orderBy,
  };
}

/** A results cursor: the offset of the next page, opaque to clients. */
function encodeCursor(jobId: string, offset: number): string {
  return Buffer.from(`${jobId}:${offset}`).toString('base64url');
}

function decodeCursor(jobId: string, cursor: string): number {
  const [id, offset] = Buffer.from(cursor, 'base64url').toString().split(':');
  const n = Number(offset);
  if (id !== jobId || !Number.isInteger(n) || n < 0)
    throw new ApiError(400, 'bad.request', `Invalid cursor [${cursor}] for job ${jobId}.`, {
      details: [{ errorCode: 'invalid.value', fieldName: 'cursor' }],
    });
  return n;
}

/**
 * Conversation details (platform-extra.md §2): the synchronous query (interval, filters, order,
 * paging; `totalHits`; `conversations` left out when nothing matches, as real answers do, UNCONFIRMED),
 * one conversation by id, several by `?id=`, and the asynchronous jobs whose results carry Participant
 * Data. Everything is built from the event log (domain/analytics/build-details.ts).
 */
export const conversationDetailsRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const base = '/api/v2/analytics/conversations';

  app.post(`${base}/details/query`, async (request) => {
    const body = parseInput(ConversationQueryBody, request.body, 'body');
    const query = detailQuery(body);
    const selected = selectConversations(buildConversationDetails(runtime), query);
    const { pageSize, pageNumber } = body.paging;
    const page = selected.slice((pageNumber - 1) * pageSize, pageNumber * pageSize);
    return {
      ...(page.length ? { conversations: page.map((c) => presentConversationDetail(c)) } : {}),
      totalHits: selected.length,
    };
  });

  app.get(`${base}/details`, async (request) => {
    const { id } = parseInput(ConversationIdsQuery, request.query, 'query');
    const details = buildConversationDetails(runtime, { conversationIds: new Set(id) });
    const byId = new Map(details.map((d) => [d.conversationId, d]));
    return {
      conversations: id.flatMap((cid) => {
        const d = byId.get(cid);
        return d ? [presentConversationDetail(d)] : [];
      }),
    };
  });

  app.get(`${base}/:conversationId/details`, async (request) => {
    const { conversationId } = parseInput(ConversationParams, request.params, 'params');
    const [detail] = buildConversationDetails(runtime, { conversationIds: new Set([conversationId]) });
    if (!detail) throw errors.notFound(`conversation ${conversationId}`, { entityId: conversationId });
    return presentConversationDetail(detail);
  });

  app.post(`${base}/details/jobs`, async (request, reply) => {
    const body = parseInput(AsyncConversationQueryBody, request.body, 'body');
    const job = runtime.detailsJobs.submit(detailQuery(body), body.limit);
    return reply.status(202).send({ jobId: job.id });
  });

  app.get(`${base}/details/jobs/:jobId`, async (request) => {
    const { jobId } = parseInput(JobParams, request.params, 'params');
    const status = runtime.detailsJobs.status(runtime.detailsJobs.get(jobId));
    return {
      state: status.state,
      submissionDate: isoTime(status.submissionDate),
      ...(status.completionDate === undefined ? {} : { completionDate: isoTime(status.completionDate) }),
      expirationDate: isoTime(status.expirationDate),
    };
  });

  app.delete(`${base}/details/jobs/:jobId`, async (request, reply) => {
    const { jobId } = parseInput(JobParams, request.params, 'params');
    runtime.detailsJobs.cancel(jobId);
    return reply.status(204).send();
  });

  app.get(`${base}/details/jobs/:jobId/results`, async (request) => {
    const { jobId } = parseInput(JobParams, request.params, 'params');
    const { cursor, pageSize } = parseInput(JobResultsQuery, request.query, 'query');
    const offset = cursor === undefined ? 0 : decodeCursor(jobId, cursor);
    const { conversations, completedAt } = runtime.detailsJobs.results(jobId);
    const page = conversations.slice(offset, offset + pageSize);
    const next = offset + pageSize;
    return {
      conversations: page.map((c) => presentConversationDetail(c, true)),
      ...(next < conversations.length ? { cursor: encodeCursor(jobId, next) } : {}),
      dataAvailabilityDate: isoTime(completedAt),
    };
  });
};
