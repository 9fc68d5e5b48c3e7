import type {
  CloseSessionFrame,
  ConfigureSessionFrame,
  EchoFrame,
  GetConfigurationFrame,
} from './client-frames.ts';
import type { GuestConnection } from './connections.ts';
import { serves, sessionDurationSeconds } from './deployments.ts';
import type { WebMessagingGateway } from './gateway.ts';
import { guestErrors } from './guest-errors.ts';
import { MAX_CONNECTIONS_PER_SESSION, MAX_CUSTOM_DATA_BYTES } from './limits.ts';
import { connectionClosedEvent, serverFrame, sessionResponse } from './server-frames.ts';
import type { GuestSession } from './sessions.ts';
import { healthCheckBody } from './structured-messages.ts';

/**
 * The session actions of the guest socket (guest-protocols.md §2.4, §2.10): configureSession (new
 * token, existing token, startNew), closeSession, echo, getJwt and getConfiguration. Each checks
 * everything before it changes anything and throws a GuestError for the dispatcher to answer.
 */

/** The session this connection configured for the frame's token. */
export function sessionOf(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  token: string,
): GuestSession {
  const session = gateway.sessions.get(token);
  if (session?.expired && session.deploymentId === connection.deploymentId)
    throw guestErrors.sessionExpired();
  // UNCONFIRMED: every connection must configure before using a session; a token configured only on
  // another socket is "not found" here rather than silently shared.
  if (!session || connection.token !== token) throw guestErrors.sessionNotFound();
  return session;
}

export function configureSession(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: ConfigureSessionFrame,
): void {
  if (frame.deploymentId !== connection.deploymentId) throw guestErrors.deploymentMismatch();
  const deployment = gateway.deployment(connection.deploymentId);
  // The deployment was checked at upgrade; a fixture reload can have removed or disabled it since.
  if (!serves(deployment)) throw guestErrors.deploymentMismatch();
  const existing = gateway.sessions.get(frame.token);
  // UNCONFIRMED code (403): sessions are keyed by token, and a token belongs to one deployment.
  if (existing && existing.deploymentId !== connection.deploymentId) throw guestErrors.otherDeployment();
  if (existing?.expired && !frame.startNew) throw guestErrors.sessionExpired();

  const others = gateway.connections.of(frame.token).filter((c) => c !== connection);
  const resume = existing !== undefined && !existing.expired && !frame.startNew;
  if (resume && others.length >= MAX_CONNECTIONS_PER_SESSION) {
    // A fourth simultaneous connection is refused: it is told why and closed [M1 ConnectionClosed].
    gateway.connections.drop([connection], connectionClosedEvent(), 1000, 'session connection limit reached');
    return;
  }

  if (resume) {
    gateway.sessions.touch(existing);
    gateway.connections.attach(connection, frame.token);
    connection.socket.send(
      sessionResponse(gateway.sessionResponseBody(existing, true, false), frame.tracingId),
    );
    return;
  }
  if (existing && !existing.expired) {
    // startNew: the old session is over. UNCONFIRMED: an interaction still open is ended as if the
    // guest left (clients send startNew after a disconnect, when nothing is open), and the session's
    // other sockets, now attached to nothing, are closed like closeSession{closeAllConnections} does.
    gateway.endByGuest(existing, 'client');
    gateway.connections.drop(others, connectionClosedEvent(), 1000, 'new session started');
  }
  const session = gateway.newSession(frame.token, deployment.id, sessionDurationSeconds(deployment));
  gateway.connections.attach(connection, frame.token);
  connection.socket.send(sessionResponse(gateway.sessionResponseBody(session, true, true), frame.tracingId));
}

/**
 * closeSession: this connection leaves the session (`connected:false`); with closeAllConnections every
 * other socket of the session gets ConnectionClosedEvent and is closed. The conversation stays open:
 * web messaging is persistent, and ending it needs Presence Clear or the agent [M9].
 */
export function closeSession(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: CloseSessionFrame,
): void {
  const session = sessionOf(gateway, connection, frame.token);
  if (frame.closeAllConnections) {
    const others = gateway.connections.of(frame.token).filter((c) => c !== connection);
    gateway.connections.drop(others, connectionClosedEvent(), 1000, 'session closed by another connection');
  }
  gateway.connections.detach(connection);
  connection.socket.send(sessionResponse({ connected: false, readOnly: session.readOnly }, frame.tracingId));
}

/**
 * echo, the health check: the text back as an Inbound StructuredMessage response. UNCONFIRMED: a health
 * check is not guest activity, so it does not extend the session (the TTL counts guest inactivity).
 */
export function echo(gateway: WebMessagingGateway, connection: GuestConnection, frame: EchoFrame): void {
  const session = sessionOf(gateway, connection, frame.token);
  const body = healthCheckBody(
    gateway.runtime.ids.hex(16),
    frame.message?.text ?? 'ping',
    session,
    frame.tracingId,
  );
  connection.socket.send(serverFrame('response', 'StructuredMessage', body, frame.tracingId));
}

export async function getJwt(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: { token: string; tracingId?: string },
): Promise<void> {
  const session = sessionOf(gateway, connection, frame.token);
  const body = await gateway.jwt.issue(session.id, session.deploymentId);
  connection.socket.send(serverFrame('response', 'JwtResponse', body, frame.tracingId));
}

/** The supported-content view of the deployment; needs no session. */
export function getConfiguration(
  gateway: WebMessagingGateway,
  connection: GuestConnection,
  frame: GetConfigurationFrame,
): void {
  if (frame.deploymentId !== undefined && frame.deploymentId !== connection.deploymentId)
    throw guestErrors.deploymentMismatch();
  const deployment = gateway.deployment(connection.deploymentId);
  if (!serves(deployment)) throw guestErrors.deploymentMismatch();
  const body = {
    allowedMedia: {},
    blockedExtensions: [],
    maxCustomDataBytes: MAX_CUSTOM_DATA_BYTES,
    messageRoutingEnabled: true,
    sessionDurationSeconds: sessionDurationSeconds(deployment),
  };
  connection.socket.send(serverFrame('response', 'GetConfigurationResponse', body, frame.tracingId));
}
