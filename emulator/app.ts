import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import { installActivityLog, prettyLogDestination } from './activity/terminal.ts';
import type { EmulatorOptionsInput } from './config/options.ts';
import { EmulatorRuntime } from './runtime.ts';
import type { RestoreReport } from './store/journal/durable-state.ts';
import { clientErrorHandler } from './surfaces/client-errors.ts';
import { consoleSurface } from './surfaces/console/index.ts';
import { installContentParsers } from './surfaces/content-parsers.ts';
import { controlSurface } from './surfaces/control.ts';
import { controlCustomersSurface } from './surfaces/control-customers.ts';
import { frameworkErrorHandler, installErrorHandling } from './surfaces/error-handler.ts';
import { faultRoutes, installFaultInjection } from './surfaces/fault-injection.ts';
import { localOnly } from './surfaces/local-only.ts';
import { loginSurface } from './surfaces/login.ts';
import { notificationsSurface } from './surfaces/notifications/routes.ts';
import { openMessagingSurface } from './surfaces/openmessaging/index.ts';
import { platformSurface } from './surfaces/platform/index.ts';
import { named } from './surfaces/plugin-name.ts';
import { webchatSurface } from './surfaces/webchat/index.ts';
import { webMessagingSurface } from './surfaces/webmessaging/index.ts';

/**
 * Requests in flight and finished, for the handle's waits on a manual clock (runtime.activity). A
 * WebSocket upgrade is in flight too until its socket is open or it is refused: its hooks can wait off
 * the event loop (the WebChat stream verifies its token on the thread pool), and a wait must not take
 * the emulator for idle meanwhile.
 */
function countActivity(app: FastifyInstance, runtime: EmulatorRuntime): void {
  const activity = runtime.activity;
  const pending = new WeakSet<object>();
  // An upgrade ends once, whichever comes first: its socket opens, it is answered (refused), or its
  // client goes first (fastify's onRequestAbort; the socket's close is a backstop for a handshake the
  // websocket plugin drops without either: one left counted would make every later wait slow).
  const endUpgrade = (raw: object) => {
    if (pending.delete(raw)) activity.finished();
  };
  // Callback hooks: every request passes them, and none waits.
  app.addHook('onRequest', (request, _reply, done) => {
    activity.started();
    if (request.headers.upgrade !== undefined) {
      pending.add(request.raw);
      request.raw.socket?.once?.('close', () => endUpgrade(request.raw));
    }
    done();
  });
  const finished = (request: FastifyRequest, _reply: unknown, done: () => void) => {
    if (request.headers.upgrade !== undefined) endUpgrade(request.raw);
    else activity.finished();
    done();
  };
  app.addHook('onResponse', finished);
  app.addHook('onRequestAbort', (request, done) => finished(request, undefined, done));
  // The websocket plugin opens the socket just before it calls the route's wsHandler.
  app.addHook('onReady', (done) => {
    app.websocketServer.on('connection', (_socket: unknown, raw: object) => endUpgrade(raw));
    done();
  });
}

/** How often Node checks the header and request deadlines: a quarter of the shorter one, at most 1 s. */
function checkingInterval(shortestTimeoutMs: number): number {
  return Math.max(10, Math.min(1_000, Math.floor(shortestTimeoutMs / 4)));
}

export interface Emulator {
  app: FastifyInstance;
  runtime: EmulatorRuntime;
  /** What a start with a data dir found there (undefined without one). */
  restored?: RestoreReport | undefined;
}

/**
 * With a data dir, nothing leaves before the journal has it: every answer (onSend runs before the
 * reply is written) commits the operation's changes first. The directory is restored once every surface
 * has registered its restore hooks, and released (after a last snapshot) when the emulator closes.
 */
function keepDurably(app: FastifyInstance, runtime: EmulatorRuntime): void {
  app.addHook('onSend', (_request, _reply, payload, done) => {
    runtime.beforeOutput();
    done(null, payload);
  });
  app.addHook('onClose', async () => runtime.durable?.close());
}

async function openDataDir(
  app: FastifyInstance,
  runtime: EmulatorRuntime,
): Promise<RestoreReport | undefined> {
  try {
    return runtime.openDataDir();
  } catch (e) {
    await app.close();
    throw e;
  }
}

/**
 * Builds a ready emulator that is not listening: tests use `app.inject()`, main.ts and socket tests call
 * `app.listen()`. Surfaces are registered in one ordered list:
 *   1. parsers and error handling first, so every later route shares them;
 *   2. websocket support before any surface that opens sockets;
 *   3. the surfaces (login, platform, control plane last and only when enabled).
 */
export async function buildEmulator(options: EmulatorOptionsInput = {}): Promise<Emulator> {
  const runtime = new EmulatorRuntime(options);
  const o = runtime.options;
  const app = Fastify({
    logger: {
      level: o.logLevel,
      ...(o.logFormat === 'pretty' ? { stream: prettyLogDestination(process.stdout) } : {}),
    },
    bodyLimit: o.bodyLimitBytes,
    genReqId: () => runtime.correlationIds.uuid(),
    // Genesys ids are case-sensitive path segments; keep trailing slashes working as on the real API.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
    // Errors Node's parser finds before routing (431, 400, 408) answer in the Genesys shape too.
    clientErrorHandler: clientErrorHandler(() => runtime.correlationIds.uuid()),
    // Slow clients are cut off: headers and whole requests have deadlines, idle keep-alives close.
    // Node checks the deadlines every connectionsCheckingInterval (30 s by default, which would let a
    // 10 s deadline run to 40 s), so the check runs often enough to keep them.
    http: {
      headersTimeout: o.headerTimeoutMs,
      connectionsCheckingInterval: checkingInterval(o.headerTimeoutMs),
    },
    requestTimeout: o.requestTimeoutMs,
    keepAliveTimeout: o.idleTimeoutMs,
  });
  installErrorHandling(app, { controlPlane: o.controlPlane });
  installActivityLog(runtime, o, app.log);
  countActivity(app, runtime);
  // Fault injection answers before any route, so it must sit on the root instance.
  installFaultInjection(app, runtime);
  await installContentParsers(app);
  // Before the websocket plugin's own pre-close hook, which closes every client bare: root hooks run in
  // the order they were added, before any surface's.
  app.addHook('preClose', async () => runtime.closing());
  await app.register(websocket, { options: { maxPayload: runtime.options.bodyLimitBytes } });

  const surfaces = [
    loginSurface,
    platformSurface,
    openMessagingSurface,
    notificationsSurface,
    webMessagingSurface,
    webchatSurface,
    // The control plane and the console answer only this machine (Host allow-list, CSRF rules).
    ...(runtime.options.controlPlane
      ? [localOnly('control', [controlSurface, controlCustomersSurface, faultRoutes])]
      : []),
    localOnly('console', [consoleSurface]),
  ];
  for (const surface of surfaces) await app.register(named(surface), { runtime });
  if (runtime.durable) keepDurably(app, runtime);
  await app.ready();
  const restored = runtime.durable ? await openDataDir(app, runtime) : undefined;
  return { app, runtime, restored };
}
