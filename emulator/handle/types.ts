import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import type { Agent } from '../agents/agent.ts';
import type { Fixture, FixtureInput } from '../config/fixture-schema.ts';
import type { Fidelity } from '../config/options.ts';
import type { EventsFilter, HttpFaultSpec, StartCustomerSpec } from '../control/schemas.ts';
import type { TimerHandle } from '../domain/clock.ts';
import type { Conversation, ConversationMessage } from '../domain/conversations/model.ts';
import type { DomainEvent, EventType } from '../domain/events.ts';
import type { HttpFault } from '../domain/faults.ts';
import type { ReproPack } from '../inspect/repro-pack.ts';
import type { SequenceModel } from '../inspect/sequence.ts';
import type { RestoreReport } from '../store/journal/durable-state.ts';
import type { ActivitySource } from './waiting.ts';

/** A Web Messaging server frame as the emulator is about to send it (see `unsafeMutateGuestFrame`). */
export type GuestFrame = Record<string, unknown>;

export interface StartEmulatorOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on (127.0.0.1). */
  host?: string;
  /**
   * The org: a fixture object, YAML/JSON text, or the path of a fixture file (flow files beside it are
   * read). The embedded default org when absent.
   */
  fixture?: FixtureInput | Fixture | string;
  /** `manual`: time moves only through `clock.advance()` (and waits, see `waitUntil`). System by default. */
  clock?: 'system' | 'manual';
  /** Start of a manual clock (2026-01-01T09:00:00Z by default). */
  startTime?: Date | number;
  /** Seed for reproducible ids; random ids when absent. */
  seed?: number;
  /** Also serve the control plane over HTTP (`/__emulator/`), for tools outside this process. */
  controlPlane?: boolean;
  /** Server log level (error by default). */
  logLevel?: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Switches for behaviours the reference marks UNCONFIRMED (see the README's fidelity section). */
  fidelity?: Partial<Fidelity>;
  /** Request body limit in bytes (1 MiB, as Genesys). */
  bodyLimitBytes?: number;
  /**
   * More Host names the console and the control plane answer (`--allow-host`). Loopback names
   * (localhost, *.localhost), IP addresses and `host` are always allowed; `.example.test` allows every
   * subdomain. Other names get 403 `host.not.allowed` (a guard against DNS rebinding); the Genesys API
   * surfaces answer any Host.
   */
  allowedHosts?: readonly string[];
  /** Real ms a request may take to send all its headers before it is cut off with 408 (10 000). */
  headerTimeoutMs?: number;
  /** Real ms a request may take to arrive whole, headers and body, before it is cut off with 408 (30 000). */
  requestTimeoutMs?: number;
  /** Real ms an idle keep-alive connection stays open (30 000). */
  idleTimeoutMs?: number;
  /**
   * `pretty`: one readable line per conversation event (created, flow result, queued, alerted, answered,
   * transferred, ended) on stdout in emulator time, and readable log lines. `json` (the default): pino
   * JSON lines; conversation events are records at level info.
   */
  logFormat?: 'json' | 'pretty';
  /**
   * Real time (ms) a wait on a manual clock still gives outside I/O (your bridge) once no emulator timer
   * is due before its deadline (1000).
   */
  waitGraceMs?: number;
  /**
   * Keep the state in this directory: every operation is journaled before its answer leaves, and a start
   * on a directory that holds a state restores it (conversations, sessions, tokens, queues, alerts, the
   * timeline). A directory started with another fixture is refused unless `resetData`.
   */
  dataDir?: string;
  /** Discard what `dataDir` holds and start afresh. */
  resetData?: boolean;
  /**
   * Start in the state a repro pack holds (a file path, or a pack object): its org, seed, timeline,
   * conversations and clock time. The control plane is on and the clock is manual (resuming at the
   * pack's time) unless `clock` says otherwise; `fixture` cannot be given with it.
   */
  fromPack?: string | ReproPack;
  /**
   * When journal writes are flushed to the disk itself: `interval` (default, once a second), `always`
   * (before every answer) or `never` (the OS decides; a killed process still loses nothing).
   */
  fsync?: 'never' | 'interval' | 'always';
  /**
   * Test-only: rewrites every Web Messaging frame just before it is sent, to prove that a contract or a
   * conformance check notices a wrong field. Never use it to shape normal behaviour.
   */
  unsafeMutateGuestFrame?: (frame: GuestFrame) => GuestFrame;
}

export interface EmulatorClock {
  readonly kind: 'system' | 'manual';
  /** Emulator time, ms since the epoch. */
  now(): number;
  /**
   * Moves a manual clock forward, firing the timers that fall due on the way (alert timeouts, session
   * expiry, heartbeats) and letting the I/O each causes settle before the next fires.
   */
  advance(ms: number): Promise<void>;
  /** When the next emulator timer falls due (manual clock), if any. */
  nextDue(): number | undefined;
  /**
   * Schedules on the emulator's clock. Give the clock to code under test that takes one (the bridge's
   * `clock` dependency does) and a manual clock drives both on one timeline.
   */
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle | undefined): void;
}

export interface WaitForEventOptions {
  /** ms of emulator time on a manual clock, real time otherwise (10 s). */
  within?: number;
  /** Only events after this sequence number (by default the whole timeline is searched). */
  afterSeq?: number;
}

export interface EmulatorEvents {
  /** The timeline, oldest first, filtered. */
  list(filter?: EventsFilter): DomainEvent[];
  /** The events of one type, typed by it. */
  ofType<K extends EventType>(type: K, filter?: Omit<EventsFilter, 'type'>): DomainEvent<K>[];
  readonly lastSeq: number;
  /** Calls the listener with every event from now on; returns the unsubscribe function. */
  subscribe(listener: (event: DomainEvent) => void): () => void;
  /** The first event (in the timeline or to come) that matches. */
  waitFor(predicate: (event: DomainEvent) => boolean, options?: WaitForEventOptions): Promise<DomainEvent>;
}

export interface EmulatorFaults {
  /** Answer (429/503 with Retry-After) or hold (delayMs of emulator time) the next matching requests. */
  http(spec: HttpFaultSpec): HttpFault;
  /** Injected HTTP faults still pending. */
  list(): HttpFault[];
  clear(): void;
  /** Drops the guest's sockets of a conversation like a network failure; how many were dropped. */
  dropGuestSocket(conversationId: string): number;
}

/** A customer scripted on the conversation core (no guest socket): for testing agents alone. */
export interface ScriptedCustomers {
  start(spec: StartCustomerSpec): ConversationSnapshot;
  say(conversationId: string, text: string): ConversationMessage;
  typing(conversationId: string): void;
  leave(conversationId: string): void;
}

/** A copy of one conversation as the emulator holds it (participants, Participant Data, messages). */
export type ConversationSnapshot = Conversation;

export interface EmulatorConversations {
  get(conversationId: string): ConversationSnapshot | undefined;
  /** Every conversation, oldest first. */
  list(): ConversationSnapshot[];
}

export interface WaitUntilOptions {
  /** ms of emulator time on a manual clock, real time otherwise (10 s). */
  within?: number;
  /** What is awaited, for the timeout message. */
  what?: string;
}

/** A running emulator. */
export interface EmulatorHandle {
  /** `http://127.0.0.1:PORT`: the login URL and API base for SDKs, bridges and the console (`/console`). */
  readonly url: string;
  /** `ws://127.0.0.1:PORT`: the Web Messaging guest socket is `${wsUrl}/v1?deploymentId=...`. */
  readonly wsUrl: string;
  readonly port: number;
  /** The loaded org. */
  readonly fixture: Fixture;
  /**
   * With `dataDir`: what the start found there (restored or new, operations replayed, entities per
   * table, a journal line a crash cut short); undefined without a data dir.
   */
  readonly restored: RestoreReport | undefined;
  readonly clock: EmulatorClock;
  readonly events: EmulatorEvents;
  readonly faults: EmulatorFaults;
  readonly customers: ScriptedCustomers;
  readonly conversations: EmulatorConversations;
  /**
   * A repro pack of the whole state, or of one conversation and what it touched: the org, the seed and
   * clock it started from, the state and timeline, each conversation's Mermaid sequence diagram. Save it
   * with `writeReproPack(file, pack)`; `startEmulator({ fromPack })` or `genesys-emulator start
   * --from-pack FILE` opens it.
   */
  reproPack(options?: { conversationId?: string }): ReproPack;
  /**
   * A conversation as a picture: who did what when (customer, flow with the values it read, queues,
   * agents), as a model and as Mermaid `sequenceDiagram` text for an issue tracker.
   */
  sequence(conversationId: string): { model: SequenceModel; mermaid: string };
  /** Conversations waiting in a queue (name or id), best first; undefined when there is no such queue. */
  waiting(queue: string): readonly string[] | undefined;
  /** An agent of the org by user name (or id), acting through the public platform API. */
  agent(nameOrId: string): Agent;
  /** Back to the loaded org: every conversation, token and session is gone. */
  reset(): Promise<void>;
  /** Replaces the org (object, YAML/JSON text or file path) and resets. */
  load(fixture: FixtureInput | Fixture | string): Promise<Fixture>;
  /**
   * Starts over as an emulator started now with this seed (and org, by default the loaded one) would:
   * the same ids, timeline numbering and manual-clock time. Much cheaper than a new emulator for many
   * short runs. With `newPort` it also closes every client connection and listens on a new free port
   * (`url`, `wsUrl` and `port` change), so no client reuses a kept-alive connection of the last run, as
   * with a new emulator: what happens at the same instant then races as it would there. Refused (an
   * Error) when the emulator was started without a seed (nothing changed), or when a manual clock still
   * has timers the emulator did not set once its state is dropped (close your bridges first).
   */
  startOver(options: {
    seed: number;
    fixture?: FixtureInput | Fixture | string;
    newPort?: boolean;
  }): Promise<Fixture>;
  /** Waits until `check` returns something other than undefined (see ClockWaits for manual clocks). */
  waitUntil<T>(check: () => T | undefined | Promise<T | undefined>, options?: WaitUntilOptions): Promise<T>;
  /** Resolves once the emulator (and any watched activity) has been quiet for a moment. */
  settle(): Promise<void>;
  /** Tells manual-clock waits about I/O they cannot see (your bridge's sockets); returns a remover. */
  watchActivity(source: ActivitySource): () => void;
  /** A request answered in memory, without a socket (fastify's inject). */
  inject(request: InjectOptions | string): Promise<LightMyRequestResponse>;
  /** Closes sockets (guests and agents see the server go away) and stops listening. */
  close(): Promise<void>;
}
