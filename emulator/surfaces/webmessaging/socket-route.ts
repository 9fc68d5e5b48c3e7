import type { FastifyPluginAsync } from 'fastify';
import type { RawData } from 'ws';
import WebSocket from 'ws';
import { z } from 'zod';
import { ApiError, errors } from '../../domain/errors.ts';
import { sendApiError } from '../error-handler.ts';
import { parseInput } from '../validate.ts';
import type { GuestConnection } from './connections.ts';
import { originAllowed, serves } from './deployments.ts';
import { dispatchFrame } from './dispatch.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { MAX_FRAME_BYTES } from './limits.ts';

const UpgradeQuery = z.object({
  deploymentId: z.string().min(1).max(128),
  /** Client name/version (`TransportSDK-<ver>` and the like); informational only. */
  application: z.string().max(256).optional(),
});

/**
 * The guest WebSocket, `GET /v1?deploymentId=...` (guest-protocols.md §2.1-§2.2). An unknown or
 * inactive deployment, or a browser Origin the deployment does not list, is refused with HTTP 403 at
 * the upgrade: the mobile SDK maps exactly that to "access denied" (the precise rule is UNCONFIRMED).
 * Frames of one socket are handled one after another, in arrival order.
 */
export const guestSocketRoute: FastifyPluginAsync<{ gateway: WebMessagingGateway }> = async (
  app,
  { gateway },
) => {
  app.route({
    method: 'GET',
    url: '/v1',
    preValidation: async (request, reply) => {
      if (!request.ws) return;
      const { deploymentId } = parseInput(UpgradeQuery, request.query, 'query');
      const deployment = gateway.deployment(deploymentId);
      if (!serves(deployment))
        return sendApiError(
          request,
          reply,
          errors.notAuthorized(`Deployment ${deploymentId} is not active.`),
        );
      if (!originAllowed(deployment, request.headers.origin, request.headers.host)) {
        const why = `Origin ${request.headers.origin} is not an allowed domain of deployment ${deploymentId}.`;
        return sendApiError(request, reply, errors.notAuthorized(why));
      }
    },
    // A plain GET (no Upgrade) cannot speak the protocol; say so in Genesys's error shape.
    handler: async () => {
      throw new ApiError(
        400,
        'bad.request',
        'The Web Messaging guest API is a WebSocket: connect to /v1?deploymentId=... with an Upgrade request.',
      );
    },
    wsHandler: (socket, request) => {
      const { deploymentId } = request.query as { deploymentId: string };
      // Test-only (StartEmulatorOptions.unsafeMutateGuestFrame): undefined in every normal run.
      const mutate = gateway.runtime.options.unsafeMutateGuestFrame;
      const connection: GuestConnection = {
        deploymentId,
        socket: {
          send: (text) => {
            if (socket.readyState !== WebSocket.OPEN) return;
            // Write-ahead: what caused this frame is in the data dir's journal before the frame leaves.
            gateway.runtime.beforeOutput();
            socket.send(mutate ? JSON.stringify(mutate(JSON.parse(text) as Record<string, unknown>)) : text);
          },
          close: (code, reason) => socket.close(code, reason),
          terminate: () => socket.terminate(),
        },
      };
      gateway.connections.open(connection);
      let queue = Promise.resolve();
      socket.on('message', (data) => {
        // Oversize frames are refused before parsing, with the standard close code (limits.ts).
        if (byteLength(data) > MAX_FRAME_BYTES) {
          socket.close(1009, 'Message too big');
          return;
        }
        // Frames are JSON text; a binary frame is read as UTF-8 and fails parsing like any bad text.
        const text = rawText(data);
        // In flight until handled, like a request: some frames wait off the event loop (getJwt signs on
        // the thread pool), and a manual-clock wait must not take the emulator for idle meanwhile.
        const activity = gateway.runtime.activity;
        activity.started();
        queue = queue
          .then(() => dispatchFrame(gateway, connection, text, request.log))
          .catch((err: unknown) => request.log.error({ err }, 'web messaging socket failed'))
          .finally(() => activity.finished());
      });
      socket.on('close', () => gateway.connections.closed(connection));
    },
  });
};

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data.byteLength;
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}
