import { isDeepStrictEqual } from 'node:util';
import { WebMessagingAdapter } from '../../bridge/channels/webmessaging.ts';
import { ManualClock } from '../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../bridge/config.ts';
import type { FetchLike } from '../../bridge/http/http-client.ts';
import { EXAMPLE } from './examples.ts';
import { example } from './pact.ts';
import { RecordedEvents } from './recorded-events.ts';
import type { Responder } from './scripted-sockets.ts';
import { ScriptedSockets } from './scripted-sockets.ts';
import { sessionResponse } from './webmessaging-replies.ts';

type Json = Record<string, unknown>;

/** Reconnect pacing of the harness: with jitter 0 the first retry comes after half the initial delay. */
export const RECONNECT_DELAY_MS = 50;

export interface WebMessagingHarness {
  adapter: WebMessagingAdapter;
  events: RecordedEvents;
  sockets: ScriptedSockets;
  clock: ManualClock;
}

export interface HarnessOptions {
  /** Tracing ids the adapter will use, in the order it asks for them (its guest token comes first). */
  tracingIds: readonly string[];
  /** How the scripted Genesys answers each frame; see `exchange`. */
  respond: Responder;
  /** REST base for the history API (the Pact mock server); the socket is scripted either way. */
  apiBase?: string;
  fetch?: FetchLike;
  heartbeatMs?: number;
}

/** The bridge's real Web Messaging adapter on a ManualClock, its sockets scripted, its ids predictable. */
export function webMessagingHarness(options: HarnessOptions): WebMessagingHarness {
  const clock = new ManualClock();
  const config = resolveBridgeConfig({
    loginUrl: options.apiBase ?? 'http://127.0.0.1:9',
    deploymentId: EXAMPLE.messengerDeploymentId,
    channel: 'webMessaging',
    webMessaging: { heartbeatMs: options.heartbeatMs ?? 0 },
    timeouts: { reconnectInitialDelayMs: RECONNECT_DELAY_MS * 2, reconnectMaxDelayMs: 1000 },
  });
  const events = new RecordedEvents();
  const sockets = new ScriptedSockets(options.respond);
  const ids = [EXAMPLE.guestToken, ...options.tracingIds];
  const adapter = new WebMessagingAdapter(
    { sessionId: 'contract-session', config, clock, events },
    {
      socketFactory: sockets.factory,
      fetch: options.fetch ?? noHttp,
      random: () => 0,
      newId: () => {
        const id = ids.shift();
        if (id === undefined) throw new Error('the adapter asked for more ids than the test scripted');
        return id;
      },
    },
  );
  return { adapter, events, sockets, clock };
}

const noHttp: FetchLike = async (url) => {
  throw new Error(`this test expects no HTTP call, but the bridge requested ${url}`);
};

/**
 * A scripted Genesys for one exchange: the frame equal to `request` gets `replies`; any configureSession
 * before it (the opening every test needs) gets the SessionResponse the configureSession contract
 * declares; everything else gets no answer.
 */
export function exchange(request: Json, replies: Json[]): Responder {
  return (sent) => {
    if (isDeepStrictEqual(sent, request)) return replies;
    if (sent['action'] === 'configureSession') return [example(sessionResponse(String(sent['tracingId'])))];
    return [];
  };
}
