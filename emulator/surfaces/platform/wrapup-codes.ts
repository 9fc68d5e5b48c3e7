import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { getParticipant } from '../../domain/conversations/conversation-store.ts';
import { errors } from '../../domain/errors.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import { type WrapupCode, wrapupCodes } from '../../domain/wrapup/wrapup-codes.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { listParam, nameFilter } from './name-filter.ts';
import { PagingQuerySchema, pageOf } from './paging.ts';
import { divisionRef } from './presenters.ts';

const multi = z.union([z.string(), z.array(z.string())]).transform(listParam);

const CodesQuery = PagingQuerySchema.extend({
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
  sortBy: z.enum(['name', 'id']).default('name'),
  sortOrder: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['ascending', 'descending', 'asc', 'desc']))
    .default('ascending'),
  name: z.string().max(256).optional(),
  id: multi.optional(),
  divisionId: multi.optional(),
});
const QueueCodesQuery = PagingQuerySchema.extend({
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
  name: z.string().max(256).optional(),
});
const CodeParams = z.object({ codeId: z.string().min(1) });
const QueueParams = z.object({ queueId: z.string().min(1) });
const ParticipantParams = z.object({ conversationId: z.string().min(1), participantId: z.string().min(1) });

/** WrapupCode (platform-extra.md §4). */
export function presentWrapupCode(org: OrgDirectory, code: WrapupCode) {
  return {
    id: code.id,
    name: code.name,
    division: divisionRef(org),
    ...(code.description === undefined ? {} : { description: code.description }),
    selfUri: `/api/v2/routing/wrapupcodes/${code.id}`,
  };
}

const MEDIA_PATHS = { messages: 'message', chats: 'chat' } as const;

/**
 * Wrap-up codes (platform-extra.md §4): the org's list and one code, a queue's codes, and the codes an
 * agent may pick for a participant (a bare array, as Genesys answers it): those of the queue the
 * participant was routed from. PATCH participant `{wrapup: {code}}` checks the code against the same
 * list (domain/wrapup/wrapup-codes.ts).
 */
export const wrapupCodeRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/routing/wrapupcodes', async (request) => {
    const query = parseInput(CodesQuery, request.query, 'query');
    const org = runtime.org();
    const matches = nameFilter(query.name);
    let codes = wrapupCodes(org).all.filter((c) => matches(c.name));
    if (query.id) codes = codes.filter((c) => query.id!.includes(c.id));
    if (query.divisionId && !query.divisionId.includes(org.divisionId)) codes = [];
    const key = query.sortBy === 'id' ? (c: WrapupCode) => c.id : (c: WrapupCode) => c.name.toLowerCase();
    codes = [...codes].sort((a, b) => key(a).localeCompare(key(b)));
    if (query.sortOrder.startsWith('desc')) codes.reverse();
    return pageOf(
      codes.map((c) => presentWrapupCode(org, c)),
      query.pageNumber,
      query.pageSize,
      '/api/v2/routing/wrapupcodes',
      { name: query.name, sortBy: query.sortBy, sortOrder: query.sortOrder },
    );
  });

  app.get('/api/v2/routing/wrapupcodes/:codeId', async (request) => {
    const { codeId } = parseInput(CodeParams, request.params, 'params');
    const code = wrapupCodes(runtime.org()).byId(codeId);
    if (!code) throw errors.notFound(`wrap-up code ${codeId}`, { entityId: codeId });
    return presentWrapupCode(runtime.org(), code);
  });

  app.get('/api/v2/routing/queues/:queueId/wrapupcodes', async (request) => {
    const { queueId } = parseInput(QueueParams, request.params, 'params');
    const query = parseInput(QueueCodesQuery, request.query, 'query');
    const org = runtime.org();
    if (!org.queueById(queueId)) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
    const matches = nameFilter(query.name);
    const codes = wrapupCodes(org)
      .forQueue(queueId)
      .filter((c) => matches(c.name))
      .map((c) => presentWrapupCode(org, c));
    return pageOf(codes, query.pageNumber, query.pageSize, `/api/v2/routing/queues/${queueId}/wrapupcodes`, {
      name: query.name,
    });
  });

  for (const kind of [undefined, 'messages', 'chats'] as const) {
    const prefix = kind === undefined ? '/api/v2/conversations' : `/api/v2/conversations/${kind}`;
    app.get(`${prefix}/:conversationId/participants/:participantId/wrapupcodes`, async (request) => {
      const { conversationId, participantId } = parseInput(ParticipantParams, request.params, 'params');
      const conversation = runtime.conversations.get(conversationId);
      if (kind !== undefined && conversation.mediaType !== MEDIA_PATHS[kind])
        throw errors.notFound(`${kind} conversation ${conversationId}`, { entityId: conversationId });
      const participant = getParticipant(conversation, participantId);
      const org = runtime.org();
      return wrapupCodes(org)
        .forQueue(participant.queueId)
        .map((c) => presentWrapupCode(org, c));
    });
  }
};
