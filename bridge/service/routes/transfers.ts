import type { FastifyInstance } from 'fastify';
import { bridgeError } from '../../errors.ts';
import { type Bridge, validateConfig } from '../../index.ts';
import type { SessionCommands } from '../commands.ts';
import { ServiceError } from '../errors.ts';
import { FindQuery, IdempotencyHeader, parse, SessionParams, TransferBody } from '../schemas.ts';

/**
 * The REST half of bridge.md §4.8: create a transfer, read it, find it by bot conversation, and the
 * per-session commands (message, typing, end). Bodies are JSON; every answer is JSON.
 */
export function transferRoutes(app: FastifyInstance, bridge: Bridge, commands: SessionCommands): void {
  app.post('/v1/config/validate', async (request) => validateConfig(request.body));

  app.post('/v1/transfers', async (request, reply) => {
    const header = parse(IdempotencyHeader, request.headers['idempotency-key'], 'headers.Idempotency-Key');
    const body = parse(TransferBody, request.body, 'body');
    if (header !== undefined && body.idempotencyKey !== undefined && header !== body.idempotencyKey) {
      throw new ServiceError('INVALID_REQUEST', 'the Idempotency-Key header and body.idempotencyKey differ');
    }
    const idempotencyKey = header ?? body.idempotencyKey;
    if (idempotencyKey === undefined) {
      throw new ServiceError(
        'INVALID_REQUEST',
        'an idempotency key is required: send the Idempotency-Key header or body.idempotencyKey',
      );
    }
    const result = await bridge.startTransfer({ ...body, idempotencyKey });
    if (result.state === 'failed') {
      // The session exists (readable with its events), but the transfer did not reach Genesys.
      throw ServiceError.of(result.error ?? bridgeError('INTERNAL', 'the transfer failed'), {
        sessionId: result.sessionId,
      });
    }
    reply.header('location', `/v1/transfers/${encodeURIComponent(result.sessionId)}`);
    return reply.code(result.created ? 201 : 200).send(result);
  });

  app.get('/v1/transfers', async (request) => {
    const { botConversationId } = parse(FindQuery, request.query, 'query');
    const snapshot = await bridge.findSession(botConversationId);
    return snapshot ? [snapshot] : [];
  });

  app.get('/v1/transfers/:sessionId', async (request) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    const snapshot = await bridge.getSession(sessionId);
    if (!snapshot) {
      throw new ServiceError(
        'SESSION_NOT_FOUND',
        `no session ${sessionId} (it may have ended and been forgotten)`,
      );
    }
    return snapshot;
  });

  app.post('/v1/transfers/:sessionId/messages', async (request, reply) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    const ack = await commands.sendMessage(sessionId, request.body);
    return reply.code(ack.status === 'duplicate' ? 200 : 202).send(ack);
  });

  app.post('/v1/transfers/:sessionId/typing', async (request, reply) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    return reply.code(202).send(await commands.typing(sessionId, request.body));
  });

  app.post('/v1/transfers/:sessionId/end', async (request, reply) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    return reply.code(202).send(await commands.end(sessionId, request.body));
  });
}
