import type { FastifyPluginAsync } from 'fastify';
import { errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { principalOf } from '../platform/auth-hook.ts';
import { nameFilter } from '../platform/name-filter.ts';
import { pageOf } from '../platform/paging.ts';
import { parseInput } from '../validate.ts';
import { inboundMessageFlowById, presentRecipient } from './integration-presenters.ts';
import {
  MESSENGER_TYPES,
  RecipientListQuery,
  RecipientParams,
  RecipientRequestSchema,
} from './integration-schemas.ts';

const BASE = '/api/v2/routing/message/recipients';

/**
 * Message routing (platform-extra.md §1.2): each Open Messaging integration is a recipient (same id,
 * UNCONFIRMED) whose inbound message flow runs on the first message of every new conversation. `PUT`
 * attaches a flow found with `GET /api/v2/flows`; it must be an inbound message flow. Web Messaging is
 * routed by its deployment, not here, so only `open` recipients exist.
 */
export const recipientRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const integrations = runtime.openIntegrations;

  app.get(BASE, async (request) => {
    const query = parseInput(RecipientListQuery, request.query, 'query');
    const type = query.messengerType;
    if (type !== undefined && !(MESSENGER_TYPES as readonly string[]).includes(type))
      throw errors.invalidValue('messengerType', type, MESSENGER_TYPES.join(', '));
    const org = runtime.org();
    const matches = nameFilter(query.name);
    const all =
      type === undefined || type === 'open'
        ? integrations
            .list()
            .filter((r) => matches(r.name))
            .map((r) => presentRecipient(org, r))
        : [];
    return pageOf(all, query.pageNumber, query.pageSize, BASE, { messengerType: type, name: query.name });
  });

  app.get(`${BASE}/:recipientId`, async (request) => {
    const { recipientId } = parseInput(RecipientParams, request.params, 'params');
    const record = integrations.find(recipientId);
    if (!record) throw errors.notFound(`recipient ${recipientId}`, { entityId: recipientId });
    return presentRecipient(runtime.org(), record);
  });

  app.put(`${BASE}/:recipientId`, async (request) => {
    const { recipientId } = parseInput(RecipientParams, request.params, 'params');
    const body = parseInput(RecipientRequestSchema, request.body, 'body');
    if (!integrations.find(recipientId))
      throw errors.notFound(`recipient ${recipientId}`, { entityId: recipientId });
    const org = runtime.org();
    const flow = inboundMessageFlowById(org, body.flow.id);
    if (!flow) {
      throw errors.badRequest(`Flow ${body.flow.id} is not an inbound message flow of this org.`, {
        entityId: body.flow.id,
        details: [{ errorCode: 'invalid.value', fieldName: 'flow.id', entityId: body.flow.id }],
      });
    }
    const principal = principalOf(request);
    const updated = integrations.attachFlow(recipientId, flow.name, principal.userId ?? principal.clientId);
    return presentRecipient(org, updated);
  });
};
