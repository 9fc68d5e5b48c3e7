import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { isoTime } from '../../domain/clock.ts';
import { errors } from '../../domain/errors.ts';
import {
  PRESENCE_DEFINITIONS,
  presenceDefinition,
  type SystemPresenceDefinition,
} from '../../domain/presence/definitions.ts';
import type { UserPresenceRecord } from '../../domain/presence/presence-service.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { PagingQuerySchema, pageOf } from './paging.ts';

const UserSourceParams = z.object({ userId: z.string().min(1), sourceId: z.string().min(1) });
const DefinitionParams = z.object({ presenceId: z.string().min(1) });

/** UserPresence as a PATCH body: a definition (only its id counts), a message, or primary: true. */
const UserPresenceBody = z
  .object({
    presenceDefinition: z.object({ id: z.string().min(1).max(128) }).optional(),
    message: z.string().max(1024).optional(),
    primary: z.boolean().optional(),
  })
  .refine((b) => b.presenceDefinition !== undefined || b.message !== undefined || b.primary !== undefined, {
    message:
      'the body must set presenceDefinition, message or primary (SDK users: pass the UserPresence body)',
  });

const DefinitionsQuery = PagingQuerySchema.extend({
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  deleted: z
    .string()
    .transform((v) => v.toUpperCase())
    .pipe(z.enum(['TRUE', 'FALSE', 'ALL']))
    .default('FALSE'),
  localeCode: z.string().max(16).optional(),
});

/** The PURECLOUD source is the only one emulated; custom (third-party) presence sources are not. */
const PURECLOUD = 'PURECLOUD';

export function definitionRef(d: SystemPresenceDefinition) {
  return { id: d.id, systemPresence: d.systemPresence, selfUri: `/api/v2/presencedefinitions/${d.id}` };
}

/** UserPresence (platform-extra.md §3.1). */
export function presentUserPresence(record: UserPresenceRecord) {
  return {
    source: PURECLOUD,
    primary: true,
    presenceDefinition: definitionRef(presenceDefinition(record.definitionId)!),
    message: record.message,
    modifiedDate: isoTime(record.modifiedAt),
    selfUri: `/api/v2/users/${record.userId}/presences/${PURECLOUD}`,
  };
}

/** OrganizationPresence, as the real /api/v2/presencedefinitions capture shows it (platform-extra.md §3.2). */
function presentDefinition(d: SystemPresenceDefinition) {
  return {
    id: d.id,
    languageLabels: { en_US: d.systemPresence },
    systemPresence: d.systemPresence,
    deactivated: false,
    primary: true,
    selfUri: `/api/v2/presencedefinitions/${d.id}`,
  };
}

/**
 * Presence (platform-extra.md §3): a user's PURECLOUD presence (GET, PATCH), the org's presence
 * definitions (the ten system ones) and the system presences. Choosing On Queue puts the agent on queue
 * and any other presence takes them off (domain/presence/presence-service.ts).
 */
export const presenceRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const userOf = (params: unknown) => {
    const { userId, sourceId } = parseInput(UserSourceParams, params, 'params');
    if (sourceId.toUpperCase() !== PURECLOUD) throw errors.notEmulated('presence source', sourceId);
    if (!runtime.org().userById(userId)) throw errors.notFound(`user ${userId}`, { entityId: userId });
    return userId;
  };

  app.get('/api/v2/users/:userId/presences/:sourceId', async (request) =>
    presentUserPresence(runtime.presence.get(userOf(request.params))),
  );

  app.patch('/api/v2/users/:userId/presences/:sourceId', async (request) => {
    const userId = userOf(request.params);
    const body = parseInput(UserPresenceBody, request.body, 'body');
    const record = runtime.presence.set(userId, {
      ...(body.presenceDefinition ? { definitionId: body.presenceDefinition.id } : {}),
      ...(body.message === undefined ? {} : { message: body.message }),
    });
    return presentUserPresence(record);
  });

  app.get('/api/v2/presencedefinitions', async (request) => {
    const query = parseInput(DefinitionsQuery, request.query, 'query');
    // The system definitions are never deleted: deleted=TRUE lists none.
    const entities = query.deleted === 'TRUE' ? [] : PRESENCE_DEFINITIONS.map(presentDefinition);
    return pageOf(entities, query.pageNumber, query.pageSize, '/api/v2/presencedefinitions', {
      deleted: query.deleted === 'FALSE' ? undefined : query.deleted,
    });
  });

  app.get('/api/v2/presencedefinitions/:presenceId', async (request) => {
    const { presenceId } = parseInput(DefinitionParams, request.params, 'params');
    const definition = presenceDefinition(presenceId);
    if (!definition) throw errors.notFound(`presence definition ${presenceId}`, { entityId: presenceId });
    return presentDefinition(definition);
  });

  // UNCONFIRMED values (platform-extra.md §8 point 9): one entry per system presence, its id the
  // upper-case name notifications use.
  app.get('/api/v2/systempresences', async () =>
    PRESENCE_DEFINITIONS.map((d) => ({
      id: d.upper,
      name: d.systemPresence,
      selfUri: `/api/v2/systempresences/${d.upper}`,
    })),
  );
};
