import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ServiceError } from '../errors.ts';
import { afterSeqOf, parse, StreamQuery } from '../schemas.ts';
import { resumePoint } from '../session-feed.ts';
import { StreamConnection, type StreamContext } from '../ws-connection.ts';

/**
 * `GET /v1/stream`: the WebSocket of bridge.md §4.8. The upgrade request is authenticated like any other
 * (API key header). With `?sessionId=&afterSeq=` an unknown session or a bad resume point is refused
 * before the upgrade, as a normal JSON error; a plain GET is told to upgrade (426).
 */
export function streamRoute(app: FastifyInstance, context: StreamContext): void {
  const single = (request: FastifyRequest) => {
    const query = parse(StreamQuery, request.query, 'query');
    return query.sessionId === undefined
      ? undefined
      : { sessionId: query.sessionId, afterSeq: afterSeqOf(query) };
  };
  app.route({
    method: 'GET',
    url: '/v1/stream',
    preValidation: async (request) => {
      const target = single(request);
      if (target) await resumePoint(context.bridge, target.sessionId, target.afterSeq);
    },
    handler: async (_request, reply) => {
      reply.header('upgrade', 'websocket');
      throw new ServiceError(
        'UPGRADE_REQUIRED',
        'GET /v1/stream is a WebSocket: connect with Upgrade: websocket',
      );
    },
    wsHandler: (socket, request) => {
      new StreamConnection(socket, context, single(request));
    },
  });
}
