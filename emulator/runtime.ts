import { defaultFixture } from './config/default-fixture.ts';
import type { Fixture } from './config/fixture-schema.ts';
import { type EmulatorOptions, type EmulatorOptionsInput, EmulatorOptionsSchema } from './config/options.ts';
import { DetailsJobs } from './domain/analytics/details-jobs.ts';
import { type Clock, MANUAL_CLOCK_START_MS, ManualClock, SystemClock } from './domain/clock.ts';
import type { DomainContext } from './domain/context.ts';
import { ConversationCore } from './domain/conversations/core.ts';
import { indexMessageIds } from './domain/conversations/message-index.ts';
import { type DomainEvent, EventBus } from './domain/events.ts';
import { HttpFaults } from './domain/faults.ts';
import { FlowRegistry } from './domain/flows/flow-registry.ts';
import { GuestLinks } from './domain/guest-links.ts';
import { createIds, type IdGenerator, nameUuid } from './domain/ids.ts';
import { OpenIntegrations } from './domain/openmessaging/integrations.ts';
import { OrgDirectory } from './domain/org.ts';
import { PresenceService } from './domain/presence/presence-service.ts';
import { AcdRouter } from './domain/routing/router.ts';
import { durableHost, KEEP_APPEND_ONLY, type KeyStore } from './durability.ts';
import { DurableState, type RestoreReport } from './store/journal/durable-state.ts';
import { StateImage } from './store/journal/state-image.ts';
import { MemoryStore } from './store/memory-store.ts';
import type { Store } from './store/store.ts';
import { TrackingStore } from './store/tracking-store.ts';
import { WorkCount } from './work-count.ts';

export type ResetHook = () => void;
/** Rebuilds process state (timers, indexes, channels) from the store after a restore. */
export type RestoreHook = () => void;

/**
 * The state of one emulator instance, shared by every surface: the loaded org, the store, the clock,
 * the event log. Loading a fixture or resetting empties the store and calls each registered hook so
 * services (routing timers, sockets) drop what they hold.
 */
export class EmulatorRuntime implements DomainContext {
  readonly options: EmulatorOptions;
  readonly clock: Clock;
  readonly ids: IdGenerator;
  /** Correlation ids come from their own stream so HTTP traffic never shifts the entity id sequence. */
  readonly correlationIds: IdGenerator;
  readonly store: Store;
  /**
   * The journal and snapshots behind `dataDir` (undefined without one): every operation's changes are
   * written before its answer leaves, and a start on the same directory restores them.
   */
  readonly durable: DurableState | undefined;
  readonly events: EventBus;
  readonly router: AcdRouter;
  readonly conversations: ConversationCore;
  /** Users' presence, moving with their routing status. */
  readonly presence: PresenceService;
  /** Analytics conversation details jobs. */
  readonly detailsJobs: DetailsJobs;
  /** Open Messaging integrations and their routing recipients. */
  readonly openIntegrations: OpenIntegrations;
  /** The guest channels' sockets, for fault injection. */
  readonly guestLinks = new GuestLinks();
  /** How busy the emulator is, for waits on a manual clock (work-count.ts). */
  readonly activity = new WorkCount();
  /** Injected HTTP faults (429/503 answers, slow answers), consumed by the root request hook. */
  readonly faults: HttpFaults;
  #org: OrgDirectory;
  #flows: FlowRegistry;
  #resetHooks: ResetHook[] = [];
  #restoreHooks: RestoreHook[] = [];
  #closingHooks: (() => void)[] = [];

  constructor(input: EmulatorOptionsInput = {}) {
    this.options = Object.freeze(EmulatorOptionsSchema.parse(input));
    const dataDir = this.options.dataDir;
    // With a data dir the store reports what each operation touches, for the journal.
    this.store =
      dataDir === undefined ? new MemoryStore() : new TrackingStore((t, k) => this.durable?.touched(t, k));
    this.faults = new HttpFaults(this.store);
    this.clock =
      this.options.clock === 'manual' ? new ManualClock(this.options.manualClockStartMs) : new SystemClock();
    this.ids = createIds(this.options.seed);
    this.correlationIds = createIds(this.options.seed === undefined ? undefined : this.options.seed + 1);
    this.events = new EventBus(() => this.clock.now());
    this.events.subscribe(() => this.activity.happened());
    this.durable =
      dataDir === undefined
        ? undefined
        : new DurableState(
            durableHost(this, (image, fixture) => this.#restore(image, fixture)),
            {
              dir: dataDir,
              fsync: this.options.fsync,
              resetData: this.options.resetData,
              compactAfterBytes: this.options.compactAfterBytes,
              appendOnly: KEEP_APPEND_ONLY,
            },
          );
    // Before every other listener: the journal keeps each event as it was when it happened.
    if (this.durable) {
      const durable = this.durable;
      this.events.subscribe((event) => durable.event(event));
    }
    const fixture = this.options.fixture ?? defaultFixture();
    // Flows load first: a fixture whose flow does not load must not become the active org.
    this.#flows = new FlowRegistry(fixture, this.options.fidelity);
    this.#org = this.#directory(fixture);
    this.router = new AcdRouter(this);
    this.conversations = new ConversationCore(this, this.router, () => this.#flows);
    this.presence = new PresenceService(this, this.router);
    this.detailsJobs = new DetailsJobs(this);
    this.openIntegrations = new OpenIntegrations(this);
    indexMessageIds(this);
    this.#announce();
  }

  get fidelity() {
    return this.options.fidelity;
  }

  org(): OrgDirectory {
    return this.#org;
  }

  get fixture(): Fixture {
    return this.#org.fixture;
  }

  onReset(hook: ResetHook): void {
    this.#resetHooks.push(hook);
  }

  /** Process state (timers, sockets' channels, indexes) to rebuild from the store after a restore. */
  onRestore(hook: RestoreHook): void {
    this.#restoreHooks.push(hook);
  }

  /**
   * The server starts to close, before any socket is closed: a surface says goodbye on its sockets here
   * (the notification hub's `socket_closing`, Genesys's cue to reconnect). app.ts calls `closing()`.
   */
  onClosing(hook: () => void): void {
    this.#closingHooks.push(hook);
  }

  closing(): void {
    for (const hook of this.#closingHooks) hook();
  }

  /**
   * With a data dir: restores its state (or writes the first snapshot of a new one) and starts the
   * journal. Called once every surface is registered, so their restore hooks run. Throws a
   * DataDirError when the directory cannot be used as it is.
   */
  openDataDir(): RestoreReport | undefined {
    return this.durable?.open();
  }

  /** Secrets kept in the data dir (guest token keys), so tokens from before a restart still verify. */
  get keys(): KeyStore | undefined {
    return this.durable?.keys();
  }

  /** The whole state as data, as it is now (repro packs): a copy, which later changes do not reach. */
  image(): StateImage {
    const image = new StateImage();
    for (const name of this.store.names()) image.tables.set(name, structuredClone(this.store.raw(name)));
    image.events = this.events.list();
    image.lastSeq = this.events.lastSeq;
    image.now = this.clock.now();
    image.ids = this.ids.position?.();
    image.cids = this.correlationIds.position?.();
    return image;
  }

  /**
   * Starts over from a whole state (a repro pack): its org, tables, timeline, clock and id positions,
   * then the process state rebuilt from them, as after a restart on a data dir.
   */
  loadImage(image: StateImage, fixture: Fixture): void {
    this.#dropState();
    for (const [name, rows] of image.tables) {
      const raw = this.store.raw(name);
      for (const [key, value] of rows) raw.set(key, value);
    }
    this.#restore(image, fixture);
    this.durable?.compact();
  }

  /** Something is about to leave the process (an answer, a frame): the journal must have it first. */
  beforeOutput(): void {
    this.durable?.commit();
  }

  /** Back to the loaded fixture: every conversation, token and session is gone. */
  reset(): void {
    this.#clear();
    this.durable?.compact();
  }

  /** Replaces the org and resets. */
  loadFixture(fixture: Fixture): void {
    this.#flows = new FlowRegistry(fixture, this.options.fidelity);
    this.#org = this.#directory(fixture);
    this.#clear();
    this.#announce();
    // The store was emptied wholesale: the journal starts over from a snapshot of what is left.
    this.durable?.compact();
  }

  /**
   * Back to how an emulator started with this org and seed begins: only the org, ids and timeline
   * numbering from their beginnings, a manual clock at its start time. One emulator can then serve many
   * runs whose outcome depends only on their seed and org (the scenario pool's workers). Refused when the
   * ids are not seeded (nothing changed), or when a manual clock still has timers once everything is
   * dropped (something outside the emulator scheduled them: the emulator is reset, not started over).
   */
  startOver(fixture: Fixture, seed: number): void {
    const ids = this.ids;
    const cids = this.correlationIds;
    if (!ids.resume || !cids.resume) throw new Error('only an emulator started with a seed can start over');
    if (fixture !== this.#org.fixture && JSON.stringify(fixture) !== JSON.stringify(this.#org.fixture)) {
      this.#flows = new FlowRegistry(fixture, this.options.fidelity);
      this.#org = this.#directory(fixture);
    }
    this.#dropState();
    this.events.restore([], 0);
    if (this.clock instanceof ManualClock) {
      if (this.clock.pending) {
        this.events.emit('emulator.reset', {});
        throw new Error(`the manual clock still has ${this.clock.pending} timer(s) not set by the emulator`);
      }
      this.clock.resumeAt(this.options.manualClockStartMs ?? MANUAL_CLOCK_START_MS);
    }
    ids.resume(seed);
    cids.resume(seed + 1);
    this.#announce();
    this.durable?.compact();
  }

  #clear(): void {
    this.#dropState();
    this.events.clear();
    this.events.emit('emulator.reset', {});
  }

  /** Every table emptied, every service's process state (timers, sockets) dropped. */
  #dropState(): void {
    for (const hook of this.#resetHooks) hook();
    this.router.reset();
    this.openIntegrations.reset();
    this.store.clear();
  }

  /** A restored state is in the store: the org it belongs to, its timeline, clock, ids, process state. */
  #restore(image: StateImage, fixture: Fixture): void {
    if (JSON.stringify(fixture) !== JSON.stringify(this.#org.fixture)) {
      this.#flows = new FlowRegistry(fixture, this.options.fidelity);
      this.#org = this.#directory(fixture);
    }
    this.events.restore(image.events as DomainEvent[], image.lastSeq);
    if (this.clock instanceof ManualClock) this.clock.resumeAt(image.now);
    if (image.ids !== undefined) this.ids.resume?.(image.ids);
    if (image.cids !== undefined) this.correlationIds.resume?.(image.cids);
    this.router.restored();
    this.faults.restored();
    for (const hook of this.#restoreHooks) hook();
  }

  #directory(fixture: Fixture): OrgDirectory {
    // The fixture names no divisions; everything lives in "Home", whose id is stable per org.
    return new OrgDirectory(fixture, nameUuid(`division:Home:${fixture.org.id}`));
  }

  #announce(): void {
    const fx = this.#org.fixture;
    this.events.emit('fixture.loaded', {
      orgId: fx.org.id,
      queues: fx.queues.length,
      users: fx.users.length,
      flows: fx.flows.length,
    });
  }
}
