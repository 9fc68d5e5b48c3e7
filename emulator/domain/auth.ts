import type { DomainContext } from './context.ts';
import { errors, OAuthError } from './errors.ts';

/** An issued bearer token. Kept after expiry so an expired token is told apart from an unknown one. */
export interface AccessTokenRecord {
  token: string;
  clientId: string;
  userId?: string;
  issuedAt: number;
  expiresAt: number;
}

/** Who a platform call acts as. */
export interface Principal {
  clientId: string;
  /** Set when the client is bound to a user (an agent's login). */
  userId?: string;
  token: string;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
}

const TOKENS = 'auth.tokens';

/** The client-credentials grant (platform-architect.md §1.1). */
export function issueClientCredentialsToken(
  ctx: DomainContext,
  clientId: string,
  secret: string,
): TokenResponse {
  const client = ctx.org().clientById(clientId);
  const status = ctx.fidelity.oauthInvalidClientStatus;
  if (!client) {
    ctx.events.emit('token.rejected', { clientId, reason: 'client not found' });
    throw new OAuthError(status, 'invalid_client', 'client not found');
  }
  if (client.secret !== secret) {
    ctx.events.emit('token.rejected', { clientId, reason: 'authentication failed' });
    throw new OAuthError(status, 'invalid_client', 'authentication failed');
  }
  const now = ctx.clock.now();
  const record: AccessTokenRecord = {
    // Real tokens are opaque base64url strings of about this length.
    token: Buffer.from(ctx.ids.hex(48), 'hex').toString('base64url'),
    clientId,
    ...(client.user === undefined ? {} : { userId: client.user }),
    issuedAt: now,
    expiresAt: now + client.accessTokenValiditySeconds * 1000,
  };
  ctx.store.table<AccessTokenRecord>(TOKENS).set(record.token, record);
  ctx.events.emit('token.issued', {
    clientId,
    ...(record.userId === undefined ? {} : { userId: record.userId }),
    expiresAt: new Date(record.expiresAt).toISOString(),
  });
  return { access_token: record.token, token_type: 'bearer', expires_in: client.accessTokenValiditySeconds };
}

/**
 * Checks an Authorization header on a platform route: missing -> authentication.required, unknown or
 * malformed -> bad.credentials, past expiry on the emulator clock -> credentials.expired.
 */
export function authenticateBearer(ctx: DomainContext, header: string | undefined): Principal {
  if (header === undefined || header.trim() === '') throw errors.authenticationRequired();
  const match = /^bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw errors.authenticationRequired();
  const token = match[1]!;
  const record = ctx.store.table<AccessTokenRecord>(TOKENS).get(token);
  if (!record) throw errors.badCredentials();
  if (ctx.clock.now() >= record.expiresAt) throw errors.credentialsExpired();
  // A fixture reload can remove the client or its user; such tokens stop working.
  const client = ctx.org().clientById(record.clientId);
  if (!client || client.user !== record.userId) throw errors.badCredentials();
  return {
    clientId: record.clientId,
    token,
    ...(record.userId === undefined ? {} : { userId: record.userId }),
  };
}
