import { defaultFixture } from './config/default-fixture.ts';
import type { Fixture } from './config/fixture-schema.ts';
import { type EmulatorOptions, type EmulatorOptionsInput, EmulatorOptionsSchema } from './config/options.ts';
import { DetailsJobs } from './domain/analytics/details-jobs.ts';
import { type Clock, ManualClock, SystemClock } from './domain/clock.ts';
import type { DomainContext } from './domain/context.ts';
import { ConversationCore } from './domain/conversations/core.ts';
import { indexMessageIds } from './domain/conversations/message-index.ts';
import { EventBus } from './domain/events.ts';
import { HttpFaults } from './domain/faults.ts';
import { FlowRegistry } from './domain/flows/flow-registry.ts';
import { GuestLinks } from './domain/guest-links.ts';
import { createIds, type IdGenerator, nameUuid } from './domain/ids.ts';
import { OrgDirectory } from './domain/org.ts';
import { PresenceService } from './domain/presence/presence-service.ts';
import { AcdRouter } from './domain/routing/router.ts';
import { MemoryStore } from './store/memory-store.ts';
import type { Store } from './store/store.ts';

export type ResetHook = () => void;

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
  readonly store: Store = new MemoryStore();
  readonly events: EventBus;
  readonly router: AcdRouter;
  readonly conversations: ConversationCore;
  /** Users' presence, moving with their routing status. */
  readonly presence: PresenceService;
  /** Analytics conversation details jobs. */
  readonly detailsJobs: DetailsJobs;
  /** The guest channels' sockets, for fault injection. */
  readonly guestLinks = new GuestLinks();
  /**
   * How busy the emulator is, for waits on a manual clock: `count` moves with every domain event and
   * every HTTP request that starts or ends; `inFlight` is the requests not answered yet.
   */
  readonly activity = { count: 0, inFlight: 0 };
  /** Injected HTTP faults (429/503 answers, slow answers), consumed by the root request hook. */
  readonly faults = new HttpFaults(this.store);
  #org: OrgDirectory;
  #flows: FlowRegistry;
  #resetHooks: ResetHook[] = [];

  constructor(input: EmulatorOptionsInput = {}) {
    this.options = Object.freeze(EmulatorOptionsSchema.parse(input));
    this.clock =
      this.options.clock === 'manual' ? new ManualClock(this.options.manualClockStartMs) : new SystemClock();
    this.ids = createIds(this.options.seed);
    this.correlationIds = createIds(this.options.seed === undefined ? undefined : this.options.seed + 1);
    this.events = new EventBus(() => this.clock.now());
    this.events.subscribe(() => {
      this.activity.count++;
    });
    const fixture = this.options.fixture ?? defaultFixture();
    // Flows load first: a fixture whose flow does not load must not become the active org.
    this.#flows = new FlowRegistry(fixture, this.options.fidelity);
    this.#org = this.#directory(fixture);
    this.router = new AcdRouter(this);
    this.conversations = new ConversationCore(this, this.router, () => this.#flows);
    this.presence = new PresenceService(this, this.router);
    this.detailsJobs = new DetailsJobs(this);
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

  /** Back to the loaded fixture: every conversation, token and session is gone. */
  reset(): void {
    for (const hook of this.#resetHooks) hook();
    this.router.reset();
    this.store.clear();
    this.events.clear();
    this.events.emit('emulator.reset', {});
  }

  /** Replaces the org and resets. */
  loadFixture(fixture: Fixture): void {
    this.#flows = new FlowRegistry(fixture, this.options.fidelity);
    this.#org = this.#directory(fixture);
    this.reset();
    this.#announce();
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
