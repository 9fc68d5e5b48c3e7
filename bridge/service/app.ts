import { randomUUID } from 'node:crypto';
import websocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { SystemClock } from '../clock.ts';
import { BridgeConfigError, type ConfigIssue } from '../config.ts';
import { type Bridge, type BridgeDeps, createBridge, type FetchLike, validateConfig } from '../index.ts';
import { installApiKeyAuth } from './auth.ts';
import { clientErrorHandler } from './client-errors.ts';
import { sessionCommands } from './commands.ts';
import { installJsonParser } from './content-parser.ts';
import { frameworkErrorHandler, installErrorHandling, sendError } from './error-handler.ts';
import { ServiceError } from './errors.ts';
import { Lifecycle } from './lifecycle.ts';
import { eventRoutes } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { openMessagingWebhookRoute } from './routes/openmessaging-webhook.ts';
import { streamRoute } from './routes/stream.ts';
import { transferRoutes } from './routes/transfers.ts';
import { checkServiceSettings, type ServiceSettings, type ServiceSettingsInput } from './settings.ts';
import { WebhookDispatcher, type WebhookFailure } from './webhooks.ts';

/**
 * The HTTP/WebSocket front of the bridge (bridge.md §4.8) as a fastify instance that is ready but not
 * listening: tests inject requests or listen on 127.0.0.1 port 0, the CLI listens where it is told.
 * Registration order matters: the request id, then the websocket plugin, then the shutdown guard and the
 * API key, all before any route, so an unauthenticated caller learns nothing (not even which paths exist).
 */
export interface BridgeServiceDeps extends BridgeDeps {
  /** HTTP for webhook deliveries; defaults to global fetch. */
  webhookFetch?: FetchLike;
  /** Told when a webhook delivery gives up (also logged). */
  onWebhookGiveUp?: (failure: WebhookFailure) => void;
}

export interface BridgeServiceOptions {
  /** A bridge configuration or configuration set, as createBridge takes it. */
  config: unknown;
  /** Keys callers present as `Authorization: Bearer <key>` or `X-API-Key`; at least one. */
  apiKeys: readonly string[];
  webhooks?: ServiceSettingsInput['webhooks'];
  /**
   * Connection deadlines (real ms): `headerTimeoutMs` (10 000) and `requestTimeoutMs` (30 000) cut off
   * slow clients with 408 REQUEST_TIMEOUT; `idleTimeoutMs` (30 000) closes idle keep-alive connections.
   */
  http?: ServiceSettingsInput['http'];
  deps?: BridgeServiceDeps;
  /** fastify's logger option; off by default. */
  logger?: FastifyServerOptions['logger'];
  /** Heartbeats on idle streams (SSE comment, WebSocket frame); default 20 s (bridge.md §4.8). */
  heartbeatMs?: number;
  /** Largest request body or WebSocket frame; default 1 MiB. */
  bodyLimit?: number;
  /**
   * Where sessions live (createBridge's `store`): memory by default, or `{ redis: { url } }` for sessions
   * that survive a restart and several instances behind a load balancer. The store is connected before
   * the service is returned: an unreachable one throws STORE_UNAVAILABLE naming it.
   */
  store?: BridgeDeps['store'];
}

export interface BridgeService {
  app: FastifyInstance;
  bridge: Bridge;
  webhooks?: WebhookDispatcher;
  /** Ends the sessions (leaving Genesys), closes streams and sockets, drains webhooks. */
  close(): Promise<void>;
}

const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** Throws BridgeConfigError naming every bad setting (bridge configuration and service options at once). */
export async function buildBridgeService(options: BridgeServiceOptions): Promise<BridgeService> {
  const settings = checkOptions(options);
  const deps = options.deps ?? {};
  const clock = deps.clock ?? new SystemClock();
  const lifecycle = new Lifecycle(clock);
  const heartbeatMs = options.heartbeatMs ?? 20_000;
  const bodyLimit = options.bodyLimit ?? 1024 * 1024;

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit,
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
    },
    // Closing is answered by the guard below, in the service's error shape.
    return503OnClosing: false,
    frameworkErrors: frameworkErrorHandler,
    // Errors Node's parser finds before routing (431, 400, 408) answer in the service's shape too.
    clientErrorHandler,
    // Slow clients are cut off and idle keep-alives close. Node checks the deadlines every
    // connectionsCheckingInterval (30 s by default, which would let a 10 s deadline run to 40 s).
    http: {
      headersTimeout: settings.http.headerTimeoutMs,
      connectionsCheckingInterval: Math.max(
        10,
        Math.min(1_000, Math.floor(settings.http.headerTimeoutMs / 4)),
      ),
    },
    requestTimeout: settings.http.requestTimeoutMs,
    keepAliveTimeout: settings.http.idleTimeoutMs,
  });
  const bridge = createBridge(options.config, {
    ...deps,
    ...(options.store !== undefined ? { store: options.store } : {}),
    clock,
    // A stream or webhook listener that throws is a bug to log, never a reason to crash the service.
    onListenerError:
      deps.onListenerError ?? ((error) => app.log.error({ err: error }, 'an event listener failed')),
  });
  const webhooks = settings.webhooks
    ? new WebhookDispatcher(settings.webhooks, {
        source: bridge,
        ...(bridge.outbox ? { outbox: bridge.outbox } : {}),
        clock,
        fetch: deps.webhookFetch ?? (globalThis.fetch as FetchLike),
        ...(deps.random ? { random: deps.random } : {}),
        onGiveUp: (failure) => {
          app.log.warn({ failure }, 'webhook delivery gave up; the events stay readable from the service');
          deps.onWebhookGiveUp?.(failure);
        },
      })
    : undefined;
  if (webhooks) bridge.onEvent((event) => webhooks.notify(event));

  installErrorHandling(app);
  // Before the websocket plugin's own preClose (hooks run in registration order): sessions end first, so
  // connected streams still carry their session.ended, then whatever is still open is closed.
  app.addHook('preClose', async () => {
    lifecycle.beginClosing();
    // With a shared store the sessions move to another instance, which delivers their webhooks from the
    // stored cursor: this one stops delivering first, so a session's events never go out from two places.
    if (bridge.outbox) await webhooks?.close();
    await bridge.close();
    lifecycle.close();
  });
  app.addHook('onClose', async () => {
    await webhooks?.close();
  });
  // Before the guards below: the plugin's own onRequest hook marks upgrade requests, so that an upgrade
  // refused with an HTTP error (401, 503) still has its socket closed after the answer.
  await app.register(websocket, { options: { maxPayload: bodyLimit } });
  app.addHook('onRequest', async (request, reply) => {
    if (lifecycle.closing) {
      return sendError(request, reply, new ServiceError('SERVICE_CLOSING', 'the service is shutting down'));
    }
  });
  installApiKeyAuth(app, settings.apiKeys);
  installJsonParser(app);

  const commands = sessionCommands(bridge, app.log);
  healthRoutes(app, bridge, lifecycle);
  transferRoutes(app, bridge, commands);
  eventRoutes(app, bridge, lifecycle, heartbeatMs);
  streamRoute(app, { bridge, commands, lifecycle, heartbeatMs });
  await openMessagingWebhookRoute(app, bridge);
  await app.ready();
  try {
    await bridge.start();
  } catch (thrown) {
    await app.close();
    throw thrown;
  }

  let closing: Promise<void> | undefined;
  return {
    app,
    bridge,
    ...(webhooks ? { webhooks } : {}),
    close: () => {
      closing ??= app.close();
      return closing;
    },
  };
}

function checkOptions(options: BridgeServiceOptions): ServiceSettings {
  const issues: ConfigIssue[] = [...validateConfig(options.config).errors];
  const service = checkServiceSettings(
    {
      apiKeys: options.apiKeys,
      ...(options.webhooks ? { webhooks: options.webhooks } : {}),
      ...(options.http ? { http: options.http } : {}),
    },
    '',
  );
  if (!service.ok) issues.push(...service.issues);
  if (issues.length > 0 || !service.ok) throw new BridgeConfigError(issues);
  return service.settings;
}
