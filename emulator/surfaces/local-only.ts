import { isIP } from 'node:net';
import type { FastifyInstance, FastifyPluginAsync, FastifyRequest } from 'fastify';
import { ApiError } from '../domain/errors.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { sendApiError } from './error-handler.ts';
import { named } from './plugin-name.ts';

/**
 * The console (/console, its pages and /console/api/*) and the control plane (/__emulator/) are for the
 * developer on this machine. Two browser attacks could otherwise reach them from any web page:
 *
 * - DNS rebinding: a page on evil.example re-points its own name at 127.0.0.1 and then reads
 *   /console/api/agents (client secrets) or /__emulator/fixture as "same origin". Its requests carry
 *   `Host: evil.example`, so only Host names on an allow-list are answered: loopback names
 *   (localhost, *.localhost), IP literals (a rebinding page always uses its own name; a page can only be
 *   "same origin" with an IP address if the emulator served it), the interface the emulator listens on,
 *   and the names the user adds (`--allow-host`, `allowedHosts`).
 * - CSRF: a "simple" cross-site request (a form or `text/plain` POST, sent without a preflight) could
 *   reset the emulator or replace its org. State-changing control requests must carry their body as
 *   application/json (application/yaml for a fixture: not a simple type, so a browser preflights it,
 *   and the emulator never grants a preflight) and, when they carry an `Origin`, it must be the
 *   emulator's own. Tools and tests (fetch in Node, curl, SDKs) send no Origin and keep working.
 *
 * The Genesys API surfaces are not restricted: SDKs and bridges may reach the emulator by any name.
 * The checks are hooks of the console's and the control plane's own plugins (localOnly below), so they
 * run for those routes only, whatever the raw URL looked like (a percent-encoded path cannot slip past).
 */
export interface LocalOnlyOptions {
  /** The interface the emulator listens on (`--host`). */
  host?: string | undefined;
  /** Further names; `.example.test` allows the name and every subdomain. */
  allowedHosts: readonly string[];
}

type Surface = FastifyPluginAsync<{ runtime: EmulatorRuntime }>;

/**
 * Registers `surfaces` behind the checks: the Host allow-list for both; for the control plane also the
 * CSRF rules on state-changing requests.
 */
export function localOnly(kind: 'console' | 'control', surfaces: readonly Surface[]): Surface {
  return async (app, opts) => {
    const { host, allowedHosts } = opts.runtime.options;
    installLocalOnlyGuard(app, { host, allowedHosts }, kind === 'control');
    for (const surface of surfaces) await app.register(named(surface), opts);
  };
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
/** application/json and +json types, and YAML for fixtures: none of them is a CORS "simple" type. */
const CONTROL_BODY_TYPE = /^application\/((.+\+)?json|(x-)?yaml)\s*(;|$)/i;
/** What a Host header may hold: a name or address and a port. Anything else is not a host. */
const HOST_HEADER = /^[a-z0-9.\-_:[\]]+$/i;

/** The hostname of a Host header (lower case, no port, no brackets, no trailing dot), or undefined. */
export function hostnameOf(hostHeader: string): string | undefined {
  if (!HOST_HEADER.test(hostHeader)) return undefined;
  try {
    const { hostname } = new URL(`http://${hostHeader}`);
    return hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
  } catch {
    return undefined;
  }
}

/** Builds the Host check; `undefined` (an HTTP/1.0 request without Host) is no browser's and passes. */
export function hostAllowList(options: LocalOnlyOptions): (hostHeader: string | undefined) => boolean {
  const names = new Set<string>();
  const suffixes: string[] = [];
  const listenHost = options.host === undefined ? undefined : hostnameOf(options.host);
  if (listenHost) names.add(listenHost);
  for (const entry of options.allowedHosts) {
    const name = entry.trim().toLowerCase().replace(/\.$/, '');
    if (name.startsWith('.')) {
      suffixes.push(name);
      names.add(name.slice(1));
    } else if (name) names.add(name);
  }
  return (hostHeader) => {
    if (hostHeader === undefined) return true;
    const name = hostnameOf(hostHeader);
    if (name === undefined) return false;
    if (isIP(name) !== 0) return true;
    if (name === 'localhost' || name.endsWith('.localhost')) return true;
    return names.has(name) || suffixes.some((suffix) => name.endsWith(suffix));
  };
}

export function hostNotAllowed(host: string): ApiError {
  return new ApiError(
    403,
    'host.not.allowed',
    `Host [${host}] is not allowed for the console and the control plane: they answer only loopback names ` +
      '(localhost), IP addresses, the --host the emulator listens on and names added with --allow-host NAME ' +
      '(startEmulator({ allowedHosts })). This keeps other web pages from reaching them through DNS rebinding.',
    { messageParams: { host } },
  );
}

export function originNotAllowed(origin: string, own: string): ApiError {
  return new ApiError(
    403,
    'origin.not.allowed',
    `Origin [${origin}] is not this emulator's origin (${own}): the control plane takes changes only from ` +
      "the emulator's own pages and from clients that send no Origin (tools, tests), so that another web " +
      'page cannot drive it (CSRF).',
    { messageParams: { origin } },
  );
}

export function controlBodyTypeRefused(contentType: string): ApiError {
  return new ApiError(
    415,
    'unsupported.media.type',
    `Content-Type [${contentType}] is not accepted by the control plane: send the body as application/json ` +
      '(a fixture may also be application/yaml). Form and text bodies are refused because any web page can ' +
      'send them (CSRF).',
    { messageParams: { contentType } },
  );
}

/** Whether the request's Origin is the emulator's own (the scheme may differ behind a TLS proxy). */
function sameOrigin(origin: string, hostHeader: string | undefined): boolean {
  if (hostHeader === undefined) return false;
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === hostHeader.toLowerCase();
  } catch {
    return false;
  }
}

function carriesBody(request: FastifyRequest): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The hook refusing what the allow-list and (for the control plane) the CSRF rules do not let through. */
function installLocalOnlyGuard(app: FastifyInstance, options: LocalOnlyOptions, control: boolean): void {
  const allowed = hostAllowList(options);
  // A callback hook: no promise per request.
  app.addHook('onRequest', (request, reply, done) => {
    const refusal = refuse(request, allowed, control);
    if (refusal) sendApiError(request, reply, refusal);
    else done();
  });
}

/** Why a console or control-plane request is refused, or undefined when it may go on. */
function refuse(
  request: FastifyRequest,
  allowed: (host: string | undefined) => boolean,
  control: boolean,
): ApiError | undefined {
  const host = request.headers.host;
  if (!allowed(host)) return hostNotAllowed(host ?? '');
  if (!control || !STATE_CHANGING.has(request.method)) return;
  const origin = request.headers.origin;
  if (origin !== undefined && !sameOrigin(origin, host))
    return originNotAllowed(origin, `http://${host ?? ''}`);
  if (carriesBody(request)) {
    const type = request.headers['content-type'];
    if (type === undefined || !CONTROL_BODY_TYPE.test(type)) return controlBodyTypeRefused(type ?? 'none');
  }
  return undefined;
}
