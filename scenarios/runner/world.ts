import type { Bridge } from '../../bridge/index.ts';
import type { DomainEvent, Fixture, PlatformHosts, ReproPack } from '../../emulator/index.ts';
import type { Transcript } from './transcript.ts';
import type { WebhookFront } from './webhook-front.ts';

export type ScenarioChannel = 'webmessaging' | 'webchat' | 'openmessaging';

/**
 * What a step may need beyond the bridge and the public API: the emulator's control plane
 * (`/__emulator/`: timeline, faults, queue contents), a manual clock to move time, and agent
 * credentials (OAuth clients bound to users) to act as agents and read conversations.
 */
export type Need = 'controlPlane' | 'manualClock' | 'agents';
export type Capabilities = Readonly<Record<Need, boolean>>;

/** One conversation as the runner needs it, whether read from the emulator's store or the platform API. */
export interface ConversationView {
  id: string;
  ended: boolean;
  /** The customer's Participant Data. */
  attributes: Record<string, string>;
  participants: {
    id: string;
    userId?: string;
    /** alerting, connected, disconnected (or terminated, in-process). */
    state: string;
    startAlertingTime?: number;
    alertingTimeoutMs?: number;
  }[];
}

export type { PlatformHosts };

/**
 * One scenario run's surroundings: a bridge pointed at a Genesys (an emulator or a real org), the
 * transcript, and whatever the target lets the runner observe and control. Two implementations: the
 * in-process world (its own emulator on a manual clock, everything available) and the remote world
 * (`--target`), which offers what the target offers.
 */
export interface World {
  readonly transcript: Transcript;
  readonly bridge: Bridge;
  readonly channel: ScenarioChannel;
  /** Open Messaging runs: the bridge's webhook receiver, which can play down, slow, replayed or forged. */
  readonly webhook?: WebhookFront;
  /** The emulator's base URL, for control-plane calls (fault injection, dropped sockets). */
  readonly baseUrl: string;
  readonly hosts: PlatformHosts;
  readonly capabilities: Capabilities;
  /** The org as a fixture (agents' clients, queues, deployments), when the runner knows it. */
  readonly fixture: Fixture | undefined;
  /** The emulator timeline seen so far, oldest first; empty without a control plane. */
  readonly timeline: readonly DomainEvent[];
  /** The run's time (ms since the epoch): the manual clock's, or the system's. */
  now(): number;
  /** Lets in-flight I/O finish. */
  settle(): Promise<void>;
  /**
   * Brings the transcript up to date with what the target did, before the next step's line; only a
   * remote world needs it (in-process, emulator events reach the transcript as they happen).
   */
  catchUp?(): Promise<void>;
  /** Waits until `check` returns a value (not undefined), for at most `withinMs` of the run's time. */
  waitFor<T>(what: string, withinMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T>;
  /**
   * The emulator's whole state as a repro pack (for a failed run), when the target is an emulator that
   * makes one (in-process, or with a control plane).
   */
  reproPack?(): Promise<ReproPack | undefined>;
  /** A conversation's sequence diagram as Mermaid text, when the target draws one. */
  sequence?(conversationId: string): Promise<string | undefined>;
  /** Moves time forward (manual clocks only). */
  advance(ms: number): Promise<void>;
  conversation(id: string): Promise<ConversationView | undefined>;
  /** Conversations waiting in the named queue, best first; undefined when there is no such queue. */
  waitingIn(queueName: string): Promise<readonly string[] | undefined>;
  close(): Promise<void>;
}

/** What the bridge is configured with, beyond the target: the scenario's `bridge:` block. */
export interface BridgeOptions {
  channel: ScenarioChannel;
  seed: number;
  queueName?: string;
  queueMetadataKey?: string;
  deploymentId?: string;
  origin?: string;
}

/** Thrown by a step whose expectation was not met; the runner reports it with the transcript. */
export class ExpectationFailed extends Error {
  constructor(
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
    this.name = 'ExpectationFailed';
  }
}

/**
 * Thrown by a step that finds, once running, that the target cannot answer it (a Web Messaging
 * conversation id a real org never tells the guest); the runner reports the step as skipped.
 */
export class StepSkipped extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'StepSkipped';
  }
}
