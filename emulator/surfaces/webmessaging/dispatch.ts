import type { FastifyBaseLogger } from 'fastify';
import { type ClientFrame, decodeClientFrame } from './client-frames.ts';
import type { GuestConnection } from './connections.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { GuestError, guestErrors } from './guest-errors.ts';
import { onMessage } from './on-message.ts';
import { errorFrame } from './server-frames.ts';
import { closeSession, configureSession, echo, getConfiguration, getJwt } from './session-actions.ts';

const NOT_EMULATED_WHAT: Record<string, string> = {
  configureAuthenticatedSession: 'Authenticated web messaging (configureAuthenticatedSession)',
  onAttachment: 'Attachments (onAttachment)',
  getAttachment: 'Attachments (getAttachment)',
  deleteAttachment: 'Attachments (deleteAttachment)',
  disconnectCustomer: 'disconnectCustomer',
  resumeToken: 'resumeToken',
};

/**
 * One text frame from a guest socket: decode, run the action, answer. Every failure becomes an error
 * frame carrying the request's tracingId; nothing a guest sends can throw past this point.
 */
export async function dispatchFrame(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  text: string,
  log: FastifyBaseLogger,
): Promise<void> {
  const decoded = decodeClientFrame(text);
  if (!decoded.ok) {
    connection.socket.send(errorFrame(new GuestError(decoded.code, decoded.text), decoded.tracingId));
    return;
  }
  const frame = decoded.frame;
  try {
    await run(gateway, connection, frame);
  } catch (e) {
    const error = e instanceof GuestError ? e : guestErrors.unexpected();
    if (!(e instanceof GuestError)) log.error({ err: e, action: frame.action }, 'web messaging frame failed');
    connection.socket.send(errorFrame(error, frame.tracingId));
  }
}

async function run(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: ClientFrame,
): Promise<void> {
  switch (frame.action) {
    case 'configureSession':
      return configureSession(gateway, connection, frame);
    case 'onMessage':
      return onMessage(gateway, connection, frame);
    case 'echo':
      return echo(gateway, connection, frame);
    case 'getJwt':
      return getJwt(gateway, connection, frame);
    case 'closeSession':
      return closeSession(gateway, connection, frame);
    case 'getConfiguration':
      return getConfiguration(gateway, connection, frame);
    default:
      throw guestErrors.notEmulated(NOT_EMULATED_WHAT[frame.action] ?? frame.action);
  }
}
