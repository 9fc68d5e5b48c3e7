import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { principalOf } from '../platform/auth-hook.ts';
import { pageOf } from '../platform/paging.ts';
import { parseInput } from '../validate.ts';
import { presentIntegration } from './integration-presenters.ts';
import {
  IntegrationGetQuery,
  IntegrationListQuery,
  IntegrationParams,
  OpenIntegrationRequestSchema,
  OpenIntegrationUpdateSchema,
} from './integration-schemas.ts';

const BASE = '/api/v2/conversations/messaging/integrations/open';

/**
 * Open Messaging integration CRUD (platform-extra.md §1.1): POST answers the new integration with
 * `createStatus: Initiated` (Completed a second later on the emulator clock), GET lists or reads, PATCH
 * changes the given fields, DELETE answers 204 (UNCONFIRMED). Every body is checked before anything
 * changes.
 */
export const integrationRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const integrations = runtime.openIntegrations;
  const actor = (request: Parameters<typeof principalOf>[0]) => {
    const principal = principalOf(request);
    return principal.userId ?? principal.clientId;
  };

  app.post(BASE, async (request) => {
    const body = parseInput(OpenIntegrationRequestSchema, request.body, 'body');
    const created = integrations.create(
      {
        name: body.name,
        webhookUrl: body.outboundNotificationWebhookUrl,
        secret: body.outboundNotificationWebhookSignatureSecretToken,
        ...(body.webhookHeaders ? { webhookHeaders: body.webhookHeaders } : {}),
        ...(body.supportedContent ? { supportedContentId: body.supportedContent.id } : {}),
        ...(body.messagingSetting ? { messagingSettingId: body.messagingSetting.id } : {}),
      },
      actor(request),
    );
    return presentIntegration(runtime.org(), created);
  });

  app.get(BASE, async (request) => {
    const query = parseInput(IntegrationListQuery, request.query, 'query');
    const org = runtime.org();
    const all = integrations
      .list()
      .filter(
        (r) =>
          query['supportedContent.id'] === undefined || r.supportedContentId === query['supportedContent.id'],
      )
      .filter(
        (r) =>
          query['messagingSetting.id'] === undefined || r.messagingSettingId === query['messagingSetting.id'],
      )
      .map((r) => presentIntegration(org, r));
    return pageOf(all, query.pageNumber, query.pageSize, BASE);
  });

  app.get(`${BASE}/:integrationId`, async (request) => {
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    parseInput(IntegrationGetQuery, request.query, 'query');
    return presentIntegration(runtime.org(), integrations.get(integrationId));
  });

  app.patch(`${BASE}/:integrationId`, async (request) => {
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    const body = parseInput(OpenIntegrationUpdateSchema, request.body, 'body');
    const updated = integrations.update(
      integrationId,
      {
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.outboundNotificationWebhookUrl === undefined
          ? {}
          : { webhookUrl: body.outboundNotificationWebhookUrl }),
        ...(body.outboundNotificationWebhookSignatureSecretToken === undefined
          ? {}
          : { secret: body.outboundNotificationWebhookSignatureSecretToken }),
        ...(body.webhookHeaders === undefined ? {} : { webhookHeaders: body.webhookHeaders }),
        ...(body.supportedContent === undefined ? {} : { supportedContentId: body.supportedContent.id }),
        ...(body.messagingSetting === undefined ? {} : { messagingSettingId: body.messagingSetting.id }),
      },
      actor(request),
    );
    return presentIntegration(runtime.org(), updated);
  });

  app.delete(`${BASE}/:integrationId`, async (request, reply) => {
    const { integrationId } = parseInput(IntegrationParams, request.params, 'params');
    integrations.delete(integrationId);
    return reply.status(204).send();
  });
};
