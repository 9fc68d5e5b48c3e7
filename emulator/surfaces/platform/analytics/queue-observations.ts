import type { FastifyPluginAsync } from 'fastify';
import { observeQueues } from '../../../domain/analytics/queue-observations.ts';
import type { EmulatorRuntime } from '../../../runtime.ts';
import { parseInput } from '../../validate.ts';
import { presentQueueObservations } from './presenters.ts';
import { QueueObservationQueryBody } from './schemas.ts';

/** POST /api/v2/analytics/queues/observations/query (platform-extra.md §6.2). */
export const queueObservationRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  app.post('/api/v2/analytics/queues/observations/query', async (request) => {
    const body = parseInput(QueueObservationQueryBody, request.body, 'body');
    const groups = observeQueues(runtime, runtime.router, runtime.presence, body);
    return presentQueueObservations(groups, body.metrics.includes('oUserPresences'));
  });
};
