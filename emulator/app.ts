import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type { EmulatorOptionsInput } from './config/options.ts';
import { EmulatorRuntime } from './runtime.ts';
import { consoleSurface } from './surfaces/console/index.ts';
import { installContentParsers } from './surfaces/content-parsers.ts';
import { controlSurface } from './surfaces/control.ts';
import { controlCustomersSurface } from './surfaces/control-customers.ts';
import { frameworkErrorHandler, installErrorHandling } from './surfaces/error-handler.ts';
import { faultRoutes, installFaultInjection } from './surfaces/fault-injection.ts';
import { loginSurface } from './surfaces/login.ts';
import { notificationsSurface } from './surfaces/notifications/routes.ts';
import { platformSurface } from './surfaces/platform/index.ts';
import { webchatSurface } from './surfaces/webchat/index.ts';
import { webMessagingSurface } from './surfaces/webmessaging/index.ts';

/** Requests in flight and finished, for the handle's waits on a manual clock (runtime.activity). */
function countActivity(app: FastifyInstance, runtime: EmulatorRuntime): void {
  const activity = runtime.activity;
  // A WebSocket upgrade is hijacked and never answered like a request, so it is not in flight.
  const upgrade = (request: FastifyRequest) => request.headers.upgrade !== undefined;
  const done = async (request: FastifyRequest) => {
    if (!upgrade(request)) activity.inFlight = Math.max(0, activity.inFlight - 1);
    activity.count++;
  };
  app.addHook('onRequest', async (request) => {
    if (!upgrade(request)) activity.inFlight++;
    activity.count++;
  });
  app.addHook('onResponse', done);
  app.addHook('onRequestAbort', done);
}

export interface Emulator {
  app: FastifyInstance;
  runtime: EmulatorRuntime;
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
  const app = Fastify({
    logger: { level: runtime.options.logLevel },
    bodyLimit: runtime.options.bodyLimitBytes,
    genReqId: () => runtime.correlationIds.uuid(),
    // Genesys ids are case-sensitive path segments; keep trailing slashes working as on the real API.
    routerOptions: { ignoreTrailingSlash: true },
    frameworkErrors: frameworkErrorHandler,
  });
  installErrorHandling(app);
  countActivity(app, runtime);
  // Fault injection answers before any route, so it must sit on the root instance.
  installFaultInjection(app, runtime);
  await installContentParsers(app);
  await app.register(websocket, { options: { maxPayload: runtime.options.bodyLimitBytes } });

  const surfaces = [
    loginSurface,
    platformSurface,
    notificationsSurface,
    webMessagingSurface,
    webchatSurface,
    ...(runtime.options.controlPlane ? [controlSurface, controlCustomersSurface, faultRoutes] : []),
    consoleSurface,
  ];
  for (const surface of surfaces) await app.register(surface, { runtime });
  await app.ready();
  return { app, runtime };
}
