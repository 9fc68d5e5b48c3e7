import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../../index.ts';

/** Where Genesys posts Open Messaging deliveries to the service (the integration's webhook URL). */
export const OPEN_MESSAGING_WEBHOOK_PATH = '/v1/openmessaging/webhook';

/**
 * `POST /v1/openmessaging/webhook`: Genesys's signed deliveries for the bridge's Open Messaging
 * configurations. It takes no API key (Genesys cannot send one): the `X-Hub-Signature-256` over the raw
 * bytes is the authentication, so this scope reads the body as bytes, whatever its content type, and the
 * bridge checks and answers it (200 before processing, 401 for a bad or missing signature, 400 for a
 * body that is not JSON).
 */
export async function openMessagingWebhookRoute(app: FastifyInstance, bridge: Bridge): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (_request, body, done) => done(null, body));
    scope.post(OPEN_MESSAGING_WEBHOOK_PATH, async (request, reply) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const answer = bridge.openMessagingWebhook.accept(raw, request.headers['x-hub-signature-256']);
      return reply.status(answer.status).send(answer.body);
    });
  });
}
