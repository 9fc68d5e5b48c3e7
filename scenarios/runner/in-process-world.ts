import type { Bridge } from '../../bridge/index.ts';
import { buildEmulator, type Emulator } from '../../emulator/app.ts';
import type { Fixture } from '../../emulator/config/fixture-schema.ts';
import type { ManualClock } from '../../emulator/domain/clock.ts';
import { findConversation } from '../../emulator/domain/conversations/conversation-store.ts';
import { customerOf } from '../../emulator/domain/conversations/model.ts';
import type { DomainEvent } from '../../emulator/domain/events.ts';
import { SeededIds } from '../../emulator/domain/ids.ts';
import { ActivityProbe, untilQuiet } from './activity.ts';
import { scenarioBridge } from './bridge-setup.ts';
import { describeEmulatorEvent, type OrgNames } from './describe-event.ts';
import { observeBridge } from './observe-bridge.ts';
import { Transcript } from './transcript.ts';
import {
  type BridgeOptions,
  type Capabilities,
  type ConversationView,
  ExpectationFailed,
  type PlatformHosts,
  type ScenarioChannel,
  type World,
} from './world.ts';

/** Real-time grace (x 5 ms) for I/O when nothing is scheduled; only a failing wait spends all of it. */
const REAL_GRACE_ROUNDS = 100;

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
  readonly #probe: ActivityProbe;

  private constructor(
    readonly emulator: Emulator,
    readonly clock: ManualClock,
    readonly baseUrl: string,
    readonly bridge: Bridge,
    readonly channel: ScenarioChannel,
    probe: ActivityProbe,
  ) {
    this.#probe = probe;
    this.hosts = { loginBase: baseUrl, apiBase: baseUrl };
    this.transcript = new Transcript(() => clock.now());
    const runtime = emulator.runtime;
    const names: OrgNames = {
      userName: (id) => runtime.org().userById(id)?.name,
      queueName: (id) => runtime.org().queueById(id)?.name,
    };
    runtime.events.subscribe((event) => {
      probe.count++;
      this.emulatorEvents.push(event);
      const text = describeEmulatorEvent(event, names);
      if (text) this.transcript.add('emulator', text, event.data);
    });
    observeBridge(bridge, this.transcript, probe);
  }

  static async create(options: BridgeOptions & { fixture?: Fixture }): Promise<InProcessWorld> {
    const emulator = await buildEmulator({
      ...(options.fixture ? { fixture: options.fixture } : {}),
      controlPlane: true,
      clock: 'manual',
      seed: options.seed,
      logLevel: 'silent',
    });
    await emulator.app.listen({ host: '127.0.0.1', port: 0 });
    const address = emulator.app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const baseUrl = `http://127.0.0.1:${port}`;
    const clock = emulator.runtime.clock as ManualClock;
    const ids = new SeededIds(options.seed + 7);
    const probe = new ActivityProbe();
    try {
      const bridge = scenarioBridge(baseUrl, emulator.runtime.fixture, options, {
        clock,
        newId: () => ids.uuid(),
        random: () => 0.5,
        socketFactory: probe.socketFactory,
        fetch: probe.fetch,
      });
      return new InProcessWorld(emulator, clock, baseUrl, bridge, options.channel, probe);
    } catch (e) {
      await emulator.app.close();
      throw e;
    }
  }

  get fixture(): Fixture {
    return this.emulator.runtime.fixture;
  }

  get timeline(): readonly DomainEvent[] {
    return this.emulatorEvents;
  }

  now(): number {
    return this.clock.now();
  }

  async close(): Promise<void> {
    await this.bridge.close().catch(() => {});
    await this.emulator.app.close();
  }

  async conversation(id: string): Promise<ConversationView | undefined> {
    const conversation = findConversation(this.emulator.runtime, id);
    if (!conversation) return undefined;
    return {
      id: conversation.id,
      ended: conversation.endTime !== undefined,
      attributes: customerOf(conversation).attributes,
      participants: conversation.participants,
    };
  }

  async waitingIn(queueName: string): Promise<readonly string[] | undefined> {
    const runtime = this.emulator.runtime;
    const queue = runtime.org().queueByName(queueName);
    return queue ? runtime.router.waitingIn(queue.id) : undefined;
  }

  /** Lets in-flight I/O finish (see untilQuiet). */
  settle(): Promise<void> {
    return untilQuiet(this.#probe);
  }

  /**
   * Waits until `check` returns a value (not undefined), moving emulator time forward only when the
   * run is idle, and only to the next due timer, never past `withinMs`.
   */
  async waitFor<T>(
    what: string,
    withinMs: number,
    check: () => T | undefined | Promise<T | undefined>,
  ): Promise<T> {
    const deadline = this.clock.now() + withinMs;
    for (;;) {
      await this.settle();
      const value = await check();
      if (value !== undefined) return value;
      const due = this.clock.nextDue();
      if (due !== undefined && due <= deadline) {
        this.clock.advance(Math.max(0, due - this.clock.now()));
        continue;
      }
      // Nothing is scheduled before the deadline, so only I/O can still change things: give it a short
      // real-time grace (a loaded machine can hold a frame back longer than a settle) before giving up.
      for (let i = 0; i < REAL_GRACE_ROUNDS; i++) {
        await new Promise<void>((resolve) => setTimeout(resolve, 5));
        const late = await check();
        if (late !== undefined) return late;
        const next = this.clock.nextDue();
        if (next !== undefined && next <= deadline) break;
      }
      const next = this.clock.nextDue();
      if (next !== undefined && next <= deadline) continue;
      if (this.clock.now() < deadline) this.clock.advance(deadline - this.clock.now());
      await this.settle();
      const last = await check();
      if (last !== undefined) return last;
      throw new ExpectationFailed(`timed out after ${withinMs} ms (emulator time) waiting for ${what}`);
    }
  }

  /** Moves time forward by ms, letting I/O settle between the timers that fire on the way. */
  async advance(ms: number): Promise<void> {
    const target = this.clock.now() + ms;
    for (;;) {
      await this.settle();
      const due = this.clock.nextDue();
      if (due === undefined || due > target) break;
      this.clock.advance(Math.max(0, due - this.clock.now()));
    }
    if (this.clock.now() < target) this.clock.advance(target - this.clock.now());
    await this.settle();
  }
}
