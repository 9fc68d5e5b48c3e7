import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { EWT_MEDIA_INTENTS, type EwtMediaType, estimateWait } from '../../domain/routing/estimated-wait.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';

const QueueParams = z.object({ queueId: z.string().min(1) });
const MediaParams = QueueParams.extend({
  mediaType: z.enum(Object.keys(EWT_MEDIA_INTENTS) as [EwtMediaType, ...EwtMediaType[]]),
});
const Query = z.object({ conversationId: z.string().min(1).max(128).optional() });
const MediaQuery = z.object({ labelId: z.string().max(128).optional() });

/**
 * Estimated wait time (platform-extra.md §6.1): `{results: [{intent, formula, estimatedWaitTimeSeconds}]}`
 * from the queue's recent handle times (the formula is in domain/routing/estimated-wait.ts).
 */
export const estimatedWaitTimeRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.get('/api/v2/routing/queues/:queueId/estimatedwaittime', async (request) => {
    const { queueId } = parseInput(QueueParams, request.params, 'params');
    const { conversationId } = parseInput(Query, request.query, 'query');
    const estimate = estimateWait(runtime, runtime.router, queueId, conversationId ? { conversationId } : {});
    return { results: [estimate] };
  });

  app.get('/api/v2/routing/queues/:queueId/mediatypes/:mediaType/estimatedwaittime', async (request) => {
    const { queueId, mediaType } = parseInput(MediaParams, request.params, 'params');
    parseInput(MediaQuery, request.query, 'query');
    return { results: [estimateWait(runtime, runtime.router, queueId, { mediaType })] };
  });
};
