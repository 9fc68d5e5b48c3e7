import { wsSocketFactory } from '../../bridge/channels/socket.ts';
import { type Bridge, createBridge, type FetchLike, type SocketFactory } from '../../bridge/index.ts';
import { buildEmulator, type Emulator } from '../../emulator/app.ts';
import type { Fixture } from '../../emulator/config/fixture-schema.ts';
import type { ManualClock } from '../../emulator/domain/clock.ts';
import type { DomainEvent } from '../../emulator/domain/events.ts';
import { SeededIds } from '../../emulator/domain/ids.ts';
import { describeEmulatorEvent } from './describe-event.ts';
import { Transcript } from './transcript.ts';

export type ScenarioChannel = 'webmessaging' | 'webchat';

/** Real-time grace (x 5 ms) for I/O when nothing is scheduled; only a failing wait spends all of it. */
const REAL_GRACE_ROUNDS = 100;

export interface WorldOptions {
  fixture?: Fixture;
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
 * One scenario run: an in-process emulator (manual clock, control plane, seeded ids) listening on
 * loopback, and a real bridge pointed at it that shares the emulator's clock, so one timeline drives
 * alert timeouts, session expiry, the bridge's 2 messages/s pacing and its reconnect backoff. Nothing
 * waits in real time: when the run is idle and a condition is not yet met, time jumps to the next
 * timer that is due.
 */
/**
 * What the run is doing right now, as far as waiting is concerned: a counter that moves with every
 * emulator event, bridge event and guest frame, and the bridge's HTTP requests still in flight.
 */
class ActivityProbe {
  count = 0;
  inFlight = 0;

  /** The bridge's sockets, counting every frame in either direction. */
  readonly socketFactory: SocketFactory = (url, headers, handlers) => {
    const socket = wsSocketFactory(url, headers, {
      ...handlers,
      open: () => {
        this.count++;
        handlers.open();
      },
      message: (text) => {
        this.count++;
        handlers.message(text);
      },
      close: (code, reason) => {
        this.count++;
        handlers.close(code, reason);
      },
    });
    return {
      ...socket,
      send: (text) => {
        this.count++;
        socket.send(text);
      },
    };
  };

  /** The bridge's HTTP calls, counted while they are in flight. */
  readonly fetch: FetchLike = async (...args: Parameters<FetchLike>) => {
    this.inFlight++;
    try {
      return await (globalThis.fetch as unknown as FetchLike)(...args);
    } finally {
      this.inFlight--;
      this.count++;
    }
  };
}

export class World {
  readonly transcript: Transcript;
  readonly emulatorEvents: DomainEvent[] = [];
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
    this.transcript = new Transcript(() => clock.now());
    emulator.runtime.events.subscribe((event) => {
      probe.count++;
      this.emulatorEvents.push(event);
      const text = describeEmulatorEvent(event, emulator.runtime);
      if (text) this.transcript.add('emulator', text, event.data);
    });
    bridge.onEvent((event) => {
      probe.count++;
      const {
        type,
        seq,
        sessionId: _s,
        eventId: _e,
        occurredAt: _o,
        observedAt: _b,
        channel: _c,
        ...rest
      } = event;
      this.transcript.add('bridge', `#${seq} ${type}`, rest);
    });
  }

  static async create(options: WorldOptions): Promise<World> {
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
    const fx = emulator.runtime.fixture;
    const webchat = options.channel === 'webchat';
    const deployment = webchat ? fx.deployments.webchat[0] : fx.deployments.messenger[0];
    if (!deployment) throw new Error(`the fixture has no ${webchat ? 'webchat' : 'messenger'} deployment`);
    const ids = new SeededIds(options.seed + 7);
    const probe = new ActivityProbe();
    const bridge = createBridge(
      {
        loginUrl: baseUrl,
        organizationId: fx.org.id,
        deploymentId: options.deploymentId ?? deployment.id,
        ...(options.origin ? { origin: options.origin } : {}),
        // WebChat needs a routing target; the fixture's General queue (or its first) is the default.
        queueName: options.queueName ?? (fx.queues.find((q) => q.name === 'General') ?? fx.queues[0])?.name,
        channel: webchat ? 'webChat' : 'webMessaging',
        ...(options.queueMetadataKey ? { metadata: { queueNameKey: options.queueMetadataKey } } : {}),
      },
      {
        clock,
        newId: () => ids.uuid(),
        random: () => 0.5,
        socketFactory: probe.socketFactory,
        fetch: probe.fetch,
      },
    );
    return new World(emulator, clock, baseUrl, bridge, options.channel, probe);
  }

  async close(): Promise<void> {
    await this.bridge.close().catch(() => {});
    await this.emulator.app.close();
  }

  /**
   * Lets in-flight I/O finish: returns once nothing has happened (no emulator or bridge event) for
   * several event-loop turns in a row, confirmed across one timer turn (loopback I/O lands in the
   * poll phase between turns).
   */
  async settle(): Promise<void> {
    const probe = this.#probe;
    let seen = probe.count;
    let quietTimerTurns = 0;
    for (let round = 0; round < 5000 && quietTimerTurns < 2; round++) {
      for (let quiet = 0; quiet < 8; ) {
        await new Promise<void>((resolve) => setImmediate(resolve));
        if (probe.count === seen && probe.inFlight === 0) quiet++;
        else {
          seen = probe.count;
          quiet = 0;
        }
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 1));
      if (probe.count === seen && probe.inFlight === 0) quietTimerTurns++;
      else {
        seen = probe.count;
        quietTimerTurns = 0;
      }
    }
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
