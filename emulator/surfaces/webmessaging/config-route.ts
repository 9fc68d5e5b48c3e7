import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { MessengerDeployment } from '../../config/fixture-schema.ts';
import { errors } from '../../domain/errors.ts';
import { nameUuid } from '../../domain/ids.ts';
import { parseInput } from '../validate.ts';
import { sessionDurationSeconds } from './deployments.ts';
import type { WebMessagingGateway } from './gateway.ts';

const ConfigParams = z.object({ deploymentId: z.string().min(1).max(128) });

/**
 * The public deployment configuration, `GET /webdeployments/v1/deployments/{id}/config.json`
 * (guest-protocols.md §2.9), which the mobile SDK fetches before it connects. The real file lives on
 * the api-cdn host; here the endpoints it names point back at this emulator. No auth, any origin.
 * An inactive deployment's file is still served, saying `status: "Inactive"`.
 */
export const configRoute: FastifyPluginAsync<{ gateway: WebMessagingGateway }> = async (app, { gateway }) => {
  app.get('/webdeployments/v1/deployments/:deploymentId/config.json', async (request, reply) => {
    const { deploymentId } = parseInput(ConfigParams, request.params, 'params');
    const deployment = gateway.deployment(deploymentId);
    if (!deployment)
      throw errors.notFound(`messenger deployment ${deploymentId}`, { entityId: deploymentId });
    const host = request.headers.host ?? '127.0.0.1';
    reply.header('access-control-allow-origin', '*');
    return deploymentConfig(deployment, `${request.protocol}://${host}`, `ws://${host}`);
  });
};

function deploymentConfig(deployment: MessengerDeployment, apiEndpoint: string, messagingEndpoint: string) {
  return {
    // The configuration's id is not in the fixture; a stable id derived from the deployment stands in.
    id: nameUuid(`messenger-configuration:${deployment.id}`),
    version: '1',
    languages: ['en-us'],
    defaultLanguage: 'en-us',
    apiEndpoint,
    status: deployment.status === 'Active' ? 'Active' : 'Inactive',
    auth: { enabled: false, allowSessionUpgrade: false },
    journeyEvents: { enabled: false },
    messenger: {
      enabled: true,
      styles: { primaryColor: '#ff4f1f' },
      launcherButton: { visibility: 'On' },
      // No supported-content profile is emulated: no attachment uploads.
      fileUpload: { modes: [] },
      apps: {
        conversations: {
          messagingEndpoint,
          showAgentTypingIndicator: true,
          showUserTypingIndicator: true,
          autoStart: { enabled: false },
          conversationDisconnect: deployment.conversationDisconnect,
          // The fixture has no Conversation Clear setting; Clear is always allowed (on-message.ts).
          conversationClear: { enabled: true },
          notifications: { enabled: false },
          markdown: { enabled: true },
          humanize: { enabled: false },
          sessionDurationSeconds: sessionDurationSeconds(deployment),
        },
      },
    },
  };
}
