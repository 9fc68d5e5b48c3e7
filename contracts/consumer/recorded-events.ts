import type { ChannelEvents, ProviderEnd, ProviderMessage } from '../../bridge/session/channel-adapter.ts';
import type { AgentInfo, BridgeError, Connectivity } from '../../bridge/types.ts';

/** What an adapter reported, in order: the bridge's derivation the consumer tests assert on. */
export type Recorded =
  | { kind: 'message'; message: ProviderMessage }
  | { kind: 'typing'; occurredAt?: number; durationMs?: number }
  | { kind: 'agentJoined'; agent: AgentInfo; occurredAt?: number }
  | { kind: 'agentLeft'; agent: AgentInfo; conversationContinues: boolean; occurredAt?: number }
  | {
      kind: 'transferred';
      change: {
        kind: 'agent' | 'queue' | 'unknown';
        from?: AgentInfo;
        inferred: boolean;
        occurredAt?: number;
      };
    }
  | { kind: 'ended'; end: ProviderEnd }
  | { kind: 'connectivity'; state: Connectivity }
  | { kind: 'error'; error: BridgeError };

type Kind = Recorded['kind'];
type Of<K extends Kind> = Extract<Recorded, { kind: K }>;

/** ChannelEvents that record everything and let a test wait for the next event of a kind, without sleeping. */
export class RecordedEvents implements ChannelEvents {
  readonly log: Recorded[] = [];
  #taken = new Set<Recorded>();
  #waiters: { kind: Kind; resolve: (event: Recorded) => void }[] = [];

  message(message: ProviderMessage): void {
    this.#push({ kind: 'message', message });
  }
  typing(typing: { occurredAt?: number; durationMs?: number }): void {
    this.#push({ kind: 'typing', ...typing });
  }
  agentJoined(agent: AgentInfo, occurredAt?: number): void {
    this.#push({ kind: 'agentJoined', agent, ...(occurredAt === undefined ? {} : { occurredAt }) });
  }
  agentLeft(agent: AgentInfo, conversationContinues: boolean, occurredAt?: number): void {
    this.#push({
      kind: 'agentLeft',
      agent,
      conversationContinues,
      ...(occurredAt === undefined ? {} : { occurredAt }),
    });
  }
  transferred(change: Of<'transferred'>['change']): void {
    this.#push({ kind: 'transferred', change });
  }
  ended(end: ProviderEnd): void {
    this.#push({ kind: 'ended', end });
  }
  connectivity(state: Connectivity): void {
    this.#push({ kind: 'connectivity', state });
  }
  error(error: BridgeError): void {
    this.#push({ kind: 'error', error });
  }

  of<K extends Kind>(kind: K): Of<K>[] {
    return this.log.filter((e): e is Of<K> => e.kind === kind);
  }

  /** The first event of this kind not returned before, recorded already or still to come. */
  next<K extends Kind>(kind: K): Promise<Of<K>> {
    const found = this.log.find((e) => e.kind === kind && !this.#taken.has(e));
    if (found) {
      this.#taken.add(found);
      return Promise.resolve(found as Of<K>);
    }
    return new Promise((resolve) => {
      this.#waiters.push({ kind, resolve: (event) => resolve(event as Of<K>) });
    });
  }

  #push(event: Recorded): void {
    this.log.push(event);
    const waiter = this.#waiters.find((w) => w.kind === event.kind);
    if (!waiter) return;
    this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
    this.#taken.add(event);
    waiter.resolve(event);
  }
}
