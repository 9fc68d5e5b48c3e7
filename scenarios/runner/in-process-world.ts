import type { Bridge } from '../../bridge/index.ts';
import {
  type DomainEvent,
  type EmulatorHandle,
  type Fixture,
  type ReproPack,
  WaitTimeout,
} from '../../emulator/index.ts';
import { ActivityProbe } from './activity.ts';
import { scenarioBridge } from './bridge-setup.ts';
import { describeEmulatorEvent, type OrgNames } from './describe-event.ts';
import { type EmulatorKeeper, newScenarioEmulator } from './emulator-keeper.ts';
import { observeBridge } from './observe-bridge.ts';
import { Transcript } from './transcript.ts';
import { WebhookFront } from './webhook-front.ts';
import {
  type BridgeOptions,
  type Capabilities,
  type ConversationView,
  ExpectationFailed,
  type PlatformHosts,
  type ScenarioChannel,
  type World,
} from './world.ts';

const EVERYTHING: Capabilities = { controlPlane: true, manualClock: true, agents: true };

/**
 * One scenario run: an in-process emulator (manual clock, control plane, seeded ids) listening on
 * loopback, and a real bridge pointed at it that shares the emulator's clock, so one timeline drives
 * alert timeouts, session expiry, the bridge's 2 messages/s pacing and its reconnect backoff. Nothing
 * waits in real time: when the run is idle and a condition is not yet met, time jumps to the next
 * timer that is due.
 */
export class InProcessWorld implements World {
  readonly transcript: Transcript;
  readonly emulatorEvents: DomainEvent[] = [];
  readonly capabilities = EVERYTHING;
  readonly hosts: PlatformHosts;
  webhook?: WebhookFront;
  /** What this run attached to the emulator (its listeners), undone when the run gives it back. */
  readonly #detach: (() => void)[] = [];

  private constructor(
    readonly emulator: EmulatorHandle,
    readonly bridge: Bridge,
    readonly channel: ScenarioChannel,
    probe: ActivityProbe,
    readonly keeper: EmulatorKeeper | undefined,
  ) {
    this.hosts = { loginBase: emulator.url, apiBase: emulator.url };
    this.transcript = new Transcript(() => emulator.clock.now());
    const names: OrgNames = {
      userName: (id) => emulator.fixture.users.find((u) => u.id === id)?.name,
      queueName: (id) => emulator.fixture.queues.find((q) => q.id === id)?.name,
    };
    this.#detach.push(
      emulator.events.subscribe((event) => {
        this.emulatorEvents.push(event);
        const text = describeEmulatorEvent(event, names);
        if (text) this.transcript.add('emulator', text, event.data);
      }),
      emulator.watchActivity(probe),
    );
    observeBridge(bridge, this.transcript, probe);
  }

  /** A new world; with a keeper, on an emulator it lends (started over for this run), else a new one. */
  static async create(
    options: BridgeOptions & { fixture?: Fixture },
    keeper?: EmulatorKeeper,
  ): Promise<InProcessWorld> {
    const emulatorOptions = { seed: options.seed, ...(options.fixture ? { fixture: options.fixture } : {}) };
    const emulator = await (keeper ? keeper.borrow(emulatorOptions) : newScenarioEmulator(emulatorOptions));
    const probe = new ActivityProbe();
    let n = 0;
    const seed = options.seed.toString(16).padStart(8, '0').slice(-8);
    try {
      const bridge = scenarioBridge(emulator.url, emulator.fixture, options, {
        // The bridge shares the emulator's clock: one timeline for both.
        clock: emulator.clock,
        newId: () => `${seed}-0000-4000-8000-${(++n).toString(16).padStart(12, '0')}`,
        random: () => 0.5,
        socketFactory: probe.socketFactory,
        fetch: probe.fetch,
      });
      const world = new InProcessWorld(emulator, bridge, options.channel, probe, keeper);
      if (options.channel === 'openmessaging') {
        // The bridge's webhook receiver on loopback, and the org's integration pointed at it.
        world.webhook = new WebhookFront(bridge, emulator.clock, probe, (line) =>
          world.transcript.add('runner', line),
        );
        await world.webhook.start(world.hosts, emulator.fixture);
      }
      return world;
    } catch (e) {
      await emulator.close();
      throw e;
    }
  }

  get baseUrl(): string {
    return this.emulator.url;
  }

  get fixture(): Fixture {
    return this.emulator.fixture;
  }

  get timeline(): readonly DomainEvent[] {
    return this.emulatorEvents;
  }

  now(): number {
    return this.emulator.clock.now();
  }

  async close(): Promise<void> {
    await this.bridge.close().catch(() => {});
    await this.webhook?.close();
    for (const detach of this.#detach.splice(0)) detach();
    if (this.keeper) await this.keeper.giveBack(this.emulator);
    else await this.emulator.close();
  }

  async reproPack(): Promise<ReproPack> {
    return this.emulator.reproPack();
  }

  async sequence(conversationId: string): Promise<string | undefined> {
    return this.emulator.events.list({ conversationId }).length
      ? this.emulator.sequence(conversationId).mermaid
      : undefined;
  }

  async conversation(id: string): Promise<ConversationView | undefined> {
    const conversation = this.emulator.conversations.get(id);
    if (!conversation) return undefined;
    return {
      id: conversation.id,
      ended: conversation.endTime !== undefined,
      attributes: conversation.participants.find((p) => p.purpose === 'customer')?.attributes ?? {},
      participants: conversation.participants,
    };
  }

  async waitingIn(queueName: string): Promise<readonly string[] | undefined> {
    return this.emulator.waiting(queueName);
  }

  /** Lets in-flight I/O (the emulator's and the bridge's) finish. */
  settle(): Promise<void> {
    return this.emulator.settle();
  }

  /**
   * Waits until `check` returns a value (not undefined), moving emulator time forward only when the
   * run is idle, and only to the next due timer, never past `withinMs` (the emulator's own waits).
   */
  async waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    try {
      return await this.emulator.waitUntil(check, { within: withinMs, what });
    } catch (e) {
      if (e instanceof WaitTimeout) throw new ExpectationFailed(e.message);
      throw e;
    }
  }

  /** Moves time forward by ms, letting I/O settle between the timers that fire on the way. */
  advance(ms: number): Promise<void> {
    return this.emulator.clock.advance(ms);
  }
}
