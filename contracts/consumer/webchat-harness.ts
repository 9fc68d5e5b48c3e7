import { WebChatAdapter } from '../../bridge/channels/webchat.ts';
import { ManualClock } from '../../bridge/clock.ts';
import { resolveBridgeConfig } from '../../bridge/config.ts';
import type { FetchLike } from '../../bridge/http/http-client.ts';
import { EXAMPLE } from './examples.ts';
import { RecordedEvents } from './recorded-events.ts';
import { ScriptedSockets } from './scripted-sockets.ts';

/** How long the bridge waits for the guest's own DISCONNECTED before calling an agent's leaving a transfer. */
export const AGENT_LEFT_GRACE_MS = 2000;
/** With jitter 0 the first reconnect comes after half the initial delay. */
export const RECONNECT_DELAY_MS = 50;

export interface WebChatHarness {
  adapter: WebChatAdapter;
  events: RecordedEvents;
  sockets: ScriptedSockets;
  clock: ManualClock;
  /** open() as the session engine calls it: the example customer, queue and metadata. */
  open(): ReturnType<WebChatAdapter['open']>;
}

/**
 * The bridge's real WebChat adapter: REST through its HttpClient to `apiBase` (the Pact mock server, or a
 * stand-in `fetch` serving the contracts' examples), the event stream scripted.
 */
export function webChatHarness(options: {
  apiBase: string;
  fetch?: FetchLike;
  queueName?: string;
}): WebChatHarness {
  const clock = new ManualClock();
  const queueName = options.queueName ?? EXAMPLE.queueName;
  const config = resolveBridgeConfig({
    loginUrl: options.apiBase,
    organizationId: EXAMPLE.organizationId,
    deploymentId: EXAMPLE.webChatDeploymentId,
    queueName,
    channel: 'webChat',
    webChat: { agentLeftGraceMs: AGENT_LEFT_GRACE_MS },
    timeouts: { reconnectInitialDelayMs: RECONNECT_DELAY_MS * 2, reconnectMaxDelayMs: 1000 },
  });
  const events = new RecordedEvents();
  const sockets = new ScriptedSockets();
  const adapter = new WebChatAdapter(
    { sessionId: 'contract-session', config, clock, events },
    { socketFactory: sockets.factory, fetch: options.fetch ?? fetch, random: () => 0 },
  );
  return {
    adapter,
    events,
    sockets,
    clock,
    open: () =>
      adapter.open({
        customer: { ...EXAMPLE.customer },
        queueName,
        attributes: { ...EXAMPLE.chatAttributes },
      }),
  };
}

/** A stand-in Genesys for stream tests: JSON answers by method and path, anything else is a test bug. */
export function standInFetch(routes: Record<string, Record<string, unknown>>): FetchLike {
  return async (url, init) => {
    const key = `${init.method ?? 'GET'} ${new URL(url).pathname}`;
    const body = routes[key];
    if (!body) throw new Error(`no stand-in answer for ${key}`);
    return new Response(JSON.stringify(body), {
      status: 200,
      headers: { 'Content-Type': 'application/json' },
    });
  };
}
