import type { FastifyPluginAsync } from 'fastify';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import type { OpenInbound } from './inbound.ts';
import {
  InboundEventSchema,
  InboundMessageQuery,
  InboundMessageSchema,
  InboundReceiptSchema,
  IntegrationPath,
} from './inbound-schemas.ts';
import {
  inboundEventAnswer,
  inboundMessageAnswer,
  normalizedId,
  receiptAnswer,
} from './normalized-bodies.ts';

const BASE = '/api/v2/conversations/messages/:integrationId/inbound/open';

/**
 * The integration's side (platform-extra.md §1.3): the customer's messages, typing and receipts for the
 * agent's messages, each answered 200 with its normalized body (status UNCONFIRMED; the SDKs expect a
 * body). The conversation id is in the message answer when `prefetchConversationId=true` (without it,
 * UNCONFIRMED, it is left out).
 */
export const inboundRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime; inbound: OpenInbound }> = async (
  app,
  { runtime, inbound },
) => {
  app.post(`${BASE}/message`, async (request) => {
    const { integrationId } = parseInput(IntegrationPath, request.params, 'params');
    const query = parseInput(InboundMessageQuery, request.query, 'query');
    const body = parseInput(InboundMessageSchema, request.body, 'body');
    const integration = inbound.integration(integrationId);
    const { conversation, message } = inbound.message(integration, body);
    return inboundMessageAnswer(
      integration,
      message,
      {
        from: body.channel.from,
        time: body.channel.time,
        ...(body.channel.messageId === undefined ? {} : { messageId: body.channel.messageId }),
        ...(body.text === undefined ? {} : { text: body.text }),
        ...(body.metadata === undefined ? {} : { metadata: body.metadata }),
      },
      query.prefetchConversationId === 'true' ? conversation.id : undefined,
    );
  });

  app.post(`${BASE}/event`, async (request) => {
    const { integrationId } = parseInput(IntegrationPath, request.params, 'params');
    const body = parseInput(InboundEventSchema, request.body, 'body');
    const integration = inbound.integration(integrationId);
    inbound.event(integration, body);
    return inboundEventAnswer(
      integration,
      normalizedId(runtime.ids.uuid()),
      body.channel.from,
      body.channel.time,
    );
  });

  app.post(`${BASE}/receipt`, async (request) => {
    const { integrationId } = parseInput(IntegrationPath, request.params, 'params');
    const body = parseInput(InboundReceiptSchema, request.body, 'body');
    const integration = inbound.integration(integrationId);
    inbound.receipt(integration, body);
    return receiptAnswer(integration, {
      id: body.id,
      to: body.channel.to,
      time: body.channel.time,
      status: body.status,
      ...(body.reasons === undefined ? {} : { reasons: body.reasons }),
      ...(body.isFinalReceipt === undefined ? {} : { isFinalReceipt: body.isFinalReceipt }),
    });
  });
};
