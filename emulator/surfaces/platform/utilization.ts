import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { errors } from '../../domain/errors.ts';
import {
  effectiveUtilization,
  orgUtilization,
  resetAgentUtilization,
  resetOrgUtilization,
  setAgentUtilization,
  setOrgUtilization,
  UTILIZATION_MEDIA,
} from '../../domain/routing/utilization.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';

const MediaUtilization = z.object({
  maximumCapacity: z.number().int().min(0).max(25),
  interruptableMediaTypes: z.array(z.enum(UTILIZATION_MEDIA)).default([]),
  includeNonAcd: z.boolean().default(false),
});

const UtilizationBody = z.object({
  utilization: z.partialRecord(z.enum(UTILIZATION_MEDIA), MediaUtilization).default({}),
  labelUtilizations: z.record(z.string(), z.unknown()).optional(),
});

const UserParams = z.object({ userId: z.string().min(1) });

/** Org and agent utilization (platform-architect.md §2.4): PUT lists only customised media types. */
export const utilizationRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const knownUser = (userId: string) => {
    if (!runtime.org().userById(userId)) throw errors.notFound(`user ${userId}`, { entityId: userId });
  };

  app.get('/api/v2/routing/utilization', async () => ({
    utilization: orgUtilization(runtime),
    labelUtilizations: {},
  }));

  app.put('/api/v2/routing/utilization', async (request) => {
    const body = parseInput(UtilizationBody, request.body, 'body');
    setOrgUtilization(runtime, body.utilization);
    return { utilization: orgUtilization(runtime), labelUtilizations: {} };
  });

  app.delete('/api/v2/routing/utilization', async (_request, reply) => {
    resetOrgUtilization(runtime);
    return reply.status(204).send();
  });

  app.get('/api/v2/routing/users/:userId/utilization', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    knownUser(userId);
    const { utilization, level } = effectiveUtilization(runtime, userId);
    return { utilization, labelUtilizations: {}, level };
  });

  app.put('/api/v2/routing/users/:userId/utilization', async (request) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    knownUser(userId);
    const body = parseInput(UtilizationBody, request.body, 'body');
    setAgentUtilization(runtime, userId, body.utilization);
    const { utilization, level } = effectiveUtilization(runtime, userId);
    return { utilization, labelUtilizations: {}, level };
  });

  app.delete('/api/v2/routing/users/:userId/utilization', async (request, reply) => {
    const { userId } = parseInput(UserParams, request.params, 'params');
    knownUser(userId);
    resetAgentUtilization(runtime, userId);
    return reply.status(204).send();
  });
};
