import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import { agentState } from '../../domain/routing/agent-state.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { PagingQuerySchema, pageOf } from './paging.ts';
import { presentQueue, presentQueueMember } from './presenters.ts';

const multi = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')));

const QueueListQuery = PagingQuerySchema.extend({
  sortOrder: z.enum(['asc', 'desc', 'ASC', 'DESC']).default('asc'),
  name: z.string().max(256).optional(),
  id: multi.optional(),
  divisionId: multi.optional(),
});

const MemberListQuery = PagingQuerySchema.extend({
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  name: z.string().max(256).optional(),
  sortOrder: z.enum(['asc', 'desc', 'ASC', 'DESC']).default('asc'),
  routingStatus: multi.optional(),
  joined: z.enum(['true', 'false']).optional(),
  memberBy: z.enum(['user', 'group']).optional(),
});

const QueueParams = z.object({ queueId: z.string().min(1) });

/**
 * The `name` filter allows leading and trailing `*` wildcards (platform-architect.md §2.1). Without a
 * wildcard the match is exact; whether Genesys folds case is UNCONFIRMED, so the fidelity switch
 * `queueNameMatch` decides (case-insensitive by default).
 */
function nameMatcher(pattern: string, caseInsensitive: boolean): (name: string) => boolean {
  const fold = (s: string) => (caseInsensitive ? s.toLowerCase() : s);
  const p = fold(pattern);
  const starts = p.startsWith('*');
  const ends = p.endsWith('*') && p.length > 1;
  const core = p.slice(starts ? 1 : 0, ends ? -1 : undefined);
  return (name) => {
    const n = fold(name);
    if (starts && ends) return n.includes(core);
    if (starts) return n.endsWith(core);
    if (ends) return n.startsWith(core);
    return n === core;
  };
}

/** GET /api/v2/routing/queues, /{queueId} and /{queueId}/members. */
export const routingQueuesRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/routing/queues', async (request) => {
    const query = parseInput(QueueListQuery, request.query, 'query');
    const org = runtime.org();
    const caseInsensitive = runtime.fidelity.queueNameMatch === 'caseInsensitive';
    const matches = query.name === undefined ? () => true : nameMatcher(query.name, caseInsensitive);
    let queues = org.queues.filter((q) => matches(q.name));
    if (query.id) queues = queues.filter((q) => query.id!.includes(q.id));
    if (query.divisionId && !query.divisionId.includes(org.divisionId)) queues = [];
    queues = [...queues].sort((a, b) => a.name.localeCompare(b.name));
    if (query.sortOrder.toLowerCase() === 'desc') queues.reverse();
    const entities = queues.map((q) => presentQueue(org, q));
    return pageOf(entities, query.pageNumber, query.pageSize, '/api/v2/routing/queues', { name: query.name });
  });

  app.get('/api/v2/routing/queues/:queueId', async (request) => {
    const { queueId } = parseInput(QueueParams, request.params, 'params');
    const queue = runtime.org().queueById(queueId);
    if (!queue) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
    return presentQueue(runtime.org(), queue);
  });

  app.get('/api/v2/routing/queues/:queueId/members', async (request) => {
    const { queueId } = parseInput(QueueParams, request.params, 'params');
    const query = parseInput(MemberListQuery, request.query, 'query');
    const org = runtime.org();
    const queue = org.queueById(queueId);
    if (!queue) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
    const needle = query.name?.toLowerCase();
    // Every fixture member is joined and a member by user (see presentQueue).
    const members = org
      .membersOf(queue.id)
      .map((user) => ({ user, state: agentState(runtime, user.id) }))
      .filter(() => query.joined !== 'false' && (query.memberBy === undefined || query.memberBy === 'user'))
      .filter(({ user }) => needle === undefined || user.name.toLowerCase().includes(needle))
      .filter(({ state }) => !query.routingStatus || query.routingStatus.includes(state.status))
      .sort((a, b) => a.user.name.localeCompare(b.user.name))
      .map(({ user, state }) => presentQueueMember(org, queue.id, user, state));
    if (query.sortOrder.toLowerCase() === 'desc') members.reverse();
    // QueueMemberEntityListing has no total, pageCount or lastUri.
    const {
      total: _t,
      pageCount: _p,
      lastUri: _l,
      ...page
    } = pageOf(members, query.pageNumber, query.pageSize, `/api/v2/routing/queues/${queue.id}/members`);
    return page;
  });
};
