import type { InjectOptions } from 'fastify';
import type { Agent } from '../agents/agent.ts';
import { agentFromFixture } from '../agents/from-fixture.ts';
import { buildEmulator, type Emulator } from '../app.ts';
import type { Fixture, FixtureInput } from '../config/fixture-schema.ts';
import { EmulatorControl } from '../control/operations.ts';
import type { EventsFilter } from '../control/schemas.ts';
import { conversationsTable, findConversation } from '../domain/conversations/conversation-store.ts';
import type { DomainEvent, EventType } from '../domain/events.ts';
import { keptFixture } from '../durability.ts';
import { imageOf, type ReproPack, ReproPackSchema, readReproPack } from '../inspect/repro-pack.ts';
import type { SequenceModel } from '../inspect/sequence.ts';
import type { RestoreReport } from '../store/journal/durable-state.ts';
import { DataDirError } from '../store/journal/durable-state.ts';
import { resolveFixture } from './fixture-source.ts';
import type {
  EmulatorClock,
  EmulatorConversations,
  EmulatorEvents,
  EmulatorFaults,
  EmulatorHandle,
  ScriptedCustomers,
  StartEmulatorOptions,
  WaitUntilOptions,
} from './types.ts';
import { Activity, type ActivitySource, ClockWaits, WaitTimeout } from './waiting.ts';

const DEFAULT_WITHIN_MS = 10_000;

/**
 * Starts an emulator listening on `host:port` (127.0.0.1 and a free port by default) and returns its
 * handle. Everything the control plane offers over HTTP is a typed method here.
 */
export async function startEmulator(options: StartEmulatorOptions = {}): Promise<EmulatorHandle> {
  const pack = options.fromPack === undefined ? undefined : packToOpen(options);
  const fixture = pack
    ? keptFixture(pack.fixture, 'the repro pack')
    : options.fixture === undefined
      ? undefined
      : resolveFixture(options.fixture);
  const start = pack ? pack.image.now : options.startTime;
  const seed = options.seed ?? pack?.origin.seed;
  const emulator = await buildEmulator({
    ...(fixture ? { fixture } : {}),
    controlPlane: options.controlPlane ?? pack !== undefined,
    clock: options.clock ?? (pack ? 'manual' : 'system'),
    ...(start === undefined ? {} : { manualClockStartMs: start instanceof Date ? start.getTime() : start }),
    ...(seed === undefined ? {} : { seed }),
    logLevel: options.logLevel ?? 'error',
    ...(options.bodyLimitBytes === undefined ? {} : { bodyLimitBytes: options.bodyLimitBytes }),
    host: options.host ?? '127.0.0.1',
    ...(options.allowedHosts ? { allowedHosts: [...options.allowedHosts] } : {}),
    ...(options.headerTimeoutMs === undefined ? {} : { headerTimeoutMs: options.headerTimeoutMs }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: options.idleTimeoutMs }),
    ...(options.logFormat === undefined ? {} : { logFormat: options.logFormat }),
    ...(options.fidelity ? { fidelity: options.fidelity } : {}),
    ...(options.unsafeMutateGuestFrame ? { unsafeMutateGuestFrame: options.unsafeMutateGuestFrame } : {}),
    ...(options.dataDir === undefined ? {} : { dataDir: options.dataDir }),
    ...(options.resetData === undefined ? {} : { resetData: options.resetData }),
    ...(options.fsync === undefined ? {} : { fsync: options.fsync }),
  });
  const host = options.host ?? '127.0.0.1';
  if (pack) {
    try {
      if (emulator.restored?.restored)
        throw new DataDirError(
          `${emulator.restored.dataDir} holds a state already: a pack starts a new one (add --reset-data to discard it)`,
        );
      emulator.runtime.loadImage(imageOf(pack), fixture!);
    } catch (e) {
      await emulator.app.close();
      throw e;
    }
  }
  try {
    await emulator.app.listen({ host, port: options.port ?? 0 });
  } catch (e) {
    await emulator.app.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE')
      throw Object.assign(new Error(`port ${options.port} on ${host} is already in use`, { cause: e }), {
        code: 'EADDRINUSE',
      });
    throw e;
  }
  const address = emulator.app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? 0);
  return new RunningEmulator(emulator, host, port, options.waitGraceMs ?? 1000);
}

/** A host as it goes into a URL (an IPv6 address in brackets). */
function bracketed(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** The pack to start from: read from its file, or checked as given. */
function packToOpen(options: StartEmulatorOptions) {
  if (options.fixture !== undefined) throw new TypeError('fromPack carries its own org: leave out fixture');
  const from = options.fromPack!;
  return typeof from === 'string' ? readReproPack(from) : ReproPackSchema.parse(from);
}

class RunningEmulator implements EmulatorHandle {
  readonly #host: string;
  #port: number;
  readonly clock: EmulatorClock;
  readonly events: EmulatorEvents;
  readonly faults: EmulatorFaults;
  readonly customers: ScriptedCustomers;
  readonly conversations: EmulatorConversations;
  readonly restored: RestoreReport | undefined;
  readonly #emulator: Emulator;
  readonly #control: EmulatorControl;
  readonly #waits: ClockWaits;
  readonly #agents = new Map<string, Agent>();
  #closed = false;

  constructor(emulator: Emulator, host: string, port: number, graceMs: number) {
    this.#emulator = emulator;
    this.restored = emulator.restored;
    const runtime = emulator.runtime;
    const control = new EmulatorControl(runtime);
    this.#control = control;
    this.#host = host;
    this.#port = port;
    const waits = new ClockWaits(runtime.clock, new Activity(runtime.activity), { graceMs });
    this.#waits = waits;

    this.clock = {
      kind: runtime.clock.kind,
      now: () => runtime.clock.now(),
      setTimeout: (fn, ms) => runtime.clock.setTimeout(fn, ms),
      clearTimeout: (handle) => runtime.clock.clearTimeout(handle),
      nextDue: () => (runtime.clock.kind === 'manual' ? control.manualClock().nextDue() : undefined),
      advance: async (ms) => {
        await waits.advance(ms);
        runtime.events.emit('clock.advanced', { ms, now: new Date(runtime.clock.now()).toISOString() });
      },
    };

    this.events = {
      list: (filter) => control.events(filter).entities,
      ofType: <K extends EventType>(type: K, filter: Omit<EventsFilter, 'type'> = {}) =>
        control.events({ ...filter, type }).entities as DomainEvent<K>[],
      get lastSeq() {
        return runtime.events.lastSeq;
      },
      subscribe: (listener) => runtime.events.subscribe(listener),
      waitFor: (predicate, opts = {}) =>
        waits.waitFor(
          'an event that matches',
          opts.within ?? DEFAULT_WITHIN_MS,
          () =>
            runtime.events
              .list(opts.afterSeq === undefined ? {} : { afterSeq: opts.afterSeq })
              .find(predicate) as DomainEvent | undefined,
        ),
    };

    this.faults = {
      http: (spec) => control.addHttpFault(spec),
      list: () => control.httpFaults(),
      clear: () => control.clearHttpFaults(),
      dropGuestSocket: (conversationId) => control.dropGuestSocket(conversationId),
    };

    this.customers = {
      start: (spec) => structuredClone(control.startCustomer(spec)),
      say: (conversationId, text) => structuredClone(control.customerSays(conversationId, { text })),
      typing: (conversationId) => control.customerTyping(conversationId),
      leave: (conversationId) => control.customerLeaves(conversationId),
    };

    this.conversations = {
      get: (id) => {
        const found = findConversation(runtime, id);
        return found && structuredClone(found);
      },
      list: () => [...conversationsTable(runtime).values()].map((c) => structuredClone(c)),
    };
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://${bracketed(this.#host)}:${this.#port}`;
  }

  get wsUrl(): string {
    return `ws://${bracketed(this.#host)}:${this.#port}`;
  }

  get fixture(): Fixture {
    return this.#control.fixture();
  }

  reproPack(options: { conversationId?: string } = {}): ReproPack {
    return this.#control.reproPack(options);
  }

  sequence(conversationId: string): { model: SequenceModel; mermaid: string } {
    return this.#control.sequence(conversationId);
  }

  waiting(queue: string): readonly string[] | undefined {
    const ids = this.#control.waiting(queue);
    return ids && [...ids];
  }

  agent(nameOrId: string): Agent {
    const fixture = this.fixture;
    const user =
      fixture.users.find((u) => u.name === nameOrId) ?? fixture.users.find((u) => u.id === nameOrId);
    const known = user && this.#agents.get(user.id);
    if (known) return known;
    const agent = agentFromFixture(fixture, nameOrId, {
      hosts: { loginBase: this.url, apiBase: this.url },
      waits: this.#waits,
    });
    this.#agents.set(agent.userId, agent);
    return agent;
  }

  async reset(): Promise<void> {
    this.#control.reset();
    this.#agents.clear();
    await this.#waits.settle();
  }

  async load(fixture: FixtureInput | Fixture | string): Promise<Fixture> {
    const parsed = resolveFixture(fixture);
    this.#control.loadParsed(parsed);
    this.#agents.clear();
    await this.#waits.settle();
    return parsed;
  }

  /**
   * Stops listening, closes every client connection and listens again on a new free port. The state
   * was dropped first, which closed the guests' and agents' sockets; a socket upgraded on a path no
   * service owns would still hold the server open, so any left are cut too.
   */
  async #listenAgain(): Promise<void> {
    const app = this.#emulator.app;
    const server = app.server;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    for (const socket of app.websocketServer.clients) socket.terminate();
    await closed;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, this.#host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    const address = server.address();
    this.#port = typeof address === 'object' && address ? address.port : 0;
  }

  async startOver(options: {
    seed: number;
    fixture?: FixtureInput | Fixture | string;
    newPort?: boolean;
  }): Promise<Fixture> {
    await this.#waits.settle();
    const runtime = this.#emulator.runtime;
    const fixture = options.fixture === undefined ? runtime.fixture : resolveFixture(options.fixture);
    runtime.startOver(fixture, options.seed);
    this.#agents.clear();
    if (options.newPort) await this.#listenAgain();
    return fixture;
  }

  waitUntil<T>(
    check: () => T | undefined | Promise<T | undefined>,
    options: WaitUntilOptions = {},
  ): Promise<T> {
    return this.#waits.waitFor(options.what ?? 'a condition', options.within ?? DEFAULT_WITHIN_MS, check);
  }

  settle(): Promise<void> {
    return this.#waits.settle();
  }

  watchActivity(source: ActivitySource): () => void {
    return this.#waits.activity.add(source);
  }

  inject(request: InjectOptions | string) {
    return this.#emulator.app.inject(request);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#emulator.app.close();
  }
}

export { WaitTimeout };
