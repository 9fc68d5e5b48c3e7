import { ManualClock } from '../../../bridge/clock.ts';
import { resolveBridgeConfigSet } from '../../../bridge/config.ts';
import { BridgeFailure } from '../../../bridge/errors.ts';
import type {
  AdapterContext,
  AdapterOpenRequest,
  AdapterOpenResult,
  ChannelAdapter,
  ChannelEvents,
  HistoryCatchUp,
  HistorySince,
  OutboundText,
  ProviderMessage,
  SendResult,
} from '../../../bridge/session/channel-adapter.ts';
import { SessionRegistry } from '../../../bridge/session/session-registry.ts';
import type { BridgeEvent, GenesysChannel } from '../../../bridge/types.ts';

/**
 * A scripted ChannelAdapter: tests decide when open and sends settle and push Genesys-side events
 * through `events`. By default open and sends succeed on the next microtask.
 */
export interface PendingSend {
  message: OutboundText;
  resolve: (result: SendResult) => void;
  reject: (error: unknown) => void;
}

export class FakeAdapter implements ChannelAdapter {
  readonly channel: GenesysChannel;
  readonly metadataPlacement: 'open' | 'firstMessage';
  readonly agentPresence: 'observed' | 'inferred';
  readonly events: ChannelEvents;
  readonly opens: AdapterOpenRequest[] = [];
  readonly sent: OutboundText[] = [];
  readonly pending: PendingSend[] = [];
  readonly closes: ('end' | 'detach')[] = [];
  typings = 0;
  autoSend = true;
  openResult: AdapterOpenResult | Error | 'hang' = {};
  history: ProviderMessage[] = [];
  historyCalls = 0;
  /** What each history read was given. */
  readonly historySince: HistorySince[] = [];
  /**
   * Scripted outcomes of the next history reads, in order: an Error rejects, a function answers (it may
   * return a promise the test settles); once empty, reads answer `history`.
   */
  historyScript: (Error | (() => Promise<HistoryCatchUp>))[] = [];
  /** Set to make the adapter able to look up unconfirmed sends (ChannelAdapter.findSent). */
  findSent?: (text: string) => Promise<SendResult | undefined>;
  #ids = 0;

  constructor(context: AdapterContext, channel: GenesysChannel) {
    this.events = context.events;
    this.channel = channel;
    this.metadataPlacement = channel === 'webMessaging' ? 'firstMessage' : 'open';
    this.agentPresence = channel === 'webMessaging' ? 'inferred' : 'observed';
  }

  open(request: AdapterOpenRequest): Promise<AdapterOpenResult> {
    this.opens.push(request);
    const result = this.openResult;
    if (result === 'hang') return new Promise(() => {});
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  }

  sendMessage(message: OutboundText): Promise<SendResult> {
    this.sent.push(message);
    if (this.autoSend) return Promise.resolve({ providerMessageId: `p-${++this.#ids}` });
    return new Promise((resolve, reject) => this.pending.push({ message, resolve, reject }));
  }

  sendTyping(): Promise<void> {
    this.typings += 1;
    return Promise.resolve();
  }

  close(mode: 'end' | 'detach'): Promise<void> {
    this.closes.push(mode);
    return Promise.resolve();
  }

  fetchHistory(since?: HistorySince): Promise<HistoryCatchUp> {
    this.historyCalls += 1;
    if (since) this.historySince.push({ knownIds: new Set(since.knownIds) });
    const next = this.historyScript.shift();
    if (next instanceof Error) return Promise.reject(next);
    if (next) return next();
    return Promise.resolve({ messages: this.history });
  }
}

export const DEPLOYMENT = '11111111-2222-4333-8444-555555555555';
export const ORG = '99999999-8888-4777-8666-555555555555';

export function webMessagingConfig(overrides: Record<string, unknown> = {}) {
  return {
    loginUrl: 'https://login.mypurecloud.ie',
    deploymentId: DEPLOYMENT,
    queueName: 'Support',
    ...overrides,
  };
}

export function webChatConfig(overrides: Record<string, unknown> = {}) {
  return { ...webMessagingConfig(), organizationId: ORG, channel: 'webChat', ...overrides };
}

/**
 * A registry on a manual clock whose adapters are FakeAdapters, kept in creation order; `setup` may script
 * each adapter before anything reaches it.
 */
export function fakeBridge(
  config: unknown = webMessagingConfig(),
  setup: (adapter: FakeAdapter) => void = () => {},
) {
  const clock = new ManualClock();
  const adapters: FakeAdapter[] = [];
  const listenerErrors: unknown[] = [];
  let ids = 0;
  const next: { openResult: FakeAdapter['openResult'] } = { openResult: {} };
  const factory = (channel: GenesysChannel) => (context: AdapterContext) => {
    const adapter = new FakeAdapter(context, channel);
    adapter.openResult = next.openResult;
    setup(adapter);
    adapters.push(adapter);
    return adapter;
  };
  const registry = new SessionRegistry({
    configs: resolveBridgeConfigSet(config),
    adapters: { webMessaging: factory('webMessaging'), webChat: factory('webChat') },
    clock,
    newId: () => `s${++ids}`,
    onListenerError: (e) => listenerErrors.push(e),
  });
  const adapter = (index = 0): FakeAdapter => {
    const found = adapters[index];
    if (!found) throw new Error(`no adapter #${index}`);
    return found;
  };
  const events = (sessionId: string): BridgeEvent[] => registry.require(sessionId).log.read();
  const types = (sessionId: string): string[] => events(sessionId).map((e) => e.type);
  return { clock, registry, adapters, adapter, events, types, listenerErrors, next };
}

/** Lets promise callbacks run (no timers involved). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export function transfer(overrides: Record<string, unknown> = {}) {
  return {
    idempotencyKey: 'k1',
    botConversationId: 'bot-1',
    customer: { id: 'c-1', displayName: 'Jane' },
    ...overrides,
  };
}

export function agentText(id: string, text: string, nickname = 'Alex', occurredAt?: number): ProviderMessage {
  return {
    id,
    text,
    sender: { kind: 'human', agent: { displayName: nickname } },
    ...(occurredAt !== undefined ? { occurredAt } : {}),
  };
}

/** The BridgeFailure `run` throws (anything else thrown is rethrown; not throwing fails the test). */
export function failureOf(run: () => unknown): BridgeFailure {
  try {
    run();
  } catch (thrown) {
    if (thrown instanceof BridgeFailure) return thrown;
    throw thrown;
  }
  throw new Error('expected a BridgeFailure');
}
