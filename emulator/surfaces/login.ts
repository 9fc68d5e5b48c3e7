import type { FastifyPluginAsync } from 'fastify';
import { issueClientCredentialsToken } from '../domain/auth.ts';
import { OAuthError } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';

/**
 * POST /oauth/token, the login host's client-credentials grant, as the real SDKs send it
 * (platform-architect.md §1.1): form body `grant_type=client_credentials` with the client in an
 * `Authorization: Basic` header, or `client_id`/`client_secret` form fields. Errors use the OAuth
 * shape `{error, description, error_description}`.
 */
export const loginSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  app.post('/oauth/token', async (request, reply) => {
    const form = formFields(request.headers['content-type'], request.body);
    const grant = single(form, 'grant_type');
    if (grant === undefined || grant === '')
      throw new OAuthError(400, 'invalid_request', 'Missing grant type');
    if (grant !== 'client_credentials') {
      throw new OAuthError(
        400,
        'unsupported_grant_type',
        `Unsupported grant type: ${grant}. The emulator supports client_credentials only.`,
      );
    }
    const { clientId, secret } = clientCredentials(request.headers.authorization, form);
    reply.header('cache-control', 'no-store');
    return issueClientCredentialsToken(runtime, clientId, secret);
  });
};

type Form = Record<string, unknown>;

/** Only a form body carries OAuth parameters; a JSON or text body is ignored like a real OAuth server does. */
function formFields(contentType: string | undefined, body: unknown): Form {
  if (!/^application\/x-www-form-urlencoded/i.test(contentType ?? '')) return {};
  return body && typeof body === 'object' && !Array.isArray(body) ? (body as Form) : {};
}

function single(form: Form, key: string): string | undefined {
  const value = form[key];
  if (value === undefined) return undefined;
  if (typeof value !== 'string')
    throw new OAuthError(400, 'invalid_request', `Parameter ${key} must be given once`);
  return value;
}

function clientCredentials(
  authorization: string | undefined,
  form: Form,
): { clientId: string; secret: string } {
  if (authorization !== undefined) {
    const match = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization);
    if (!match) throw new OAuthError(400, 'invalid_request', 'Malformed Basic authorization header');
    const decoded = Buffer.from(match[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) throw new OAuthError(400, 'invalid_request', 'Malformed Basic authorization header');
    return { clientId: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
  }
  const clientId = single(form, 'client_id');
  const secret = single(form, 'client_secret');
  if (!clientId || secret === undefined)
    throw new OAuthError(
      401,
      'invalid_client',
      'Client authentication is required (Basic header or client_id/client_secret)',
    );
  return { clientId, secret };
}
