import { createHash } from 'node:crypto';
import type { Fixture } from './config/fixture-schema.ts';
import { FixtureError, parseFixture } from './config/load-fixture.ts';
import { CONVERSATIONS_TABLE } from './domain/conversations/conversation-store.ts';
import type { ConversationMessage } from './domain/conversations/model.ts';
import type { EmulatorRuntime } from './runtime.ts';
import { DataDirError, type DurableHost } from './store/journal/durable-state.ts';
import type { AppendOnlyField } from './store/journal/entity-changes.ts';
import { encodeJson } from './store/journal/json-codec.ts';
import type { Origin } from './store/journal/records.ts';
import type { StateImage } from './store/journal/state-image.ts';
import type { TrackingStore } from './store/tracking-store.ts';
import { packageVersion } from './version.ts';

/**
 * How the runtime meets the journal (store/journal/): which fields only grow, what a state started
 * from, and the DurableHost the journal calls back.
 */

/**
 * A conversation's messages only grow. An outbound message may still learn when the customer's side took
 * it (`deliveredAt`) or gave up on it (`failedAt`), once; until then the journal watches it.
 */
export const KEEP_APPEND_ONLY: readonly AppendOnlyField[] = [
  {
    table: CONVERSATIONS_TABLE,
    field: 'messages',
    isOpen: (item) => {
      const m = item as ConversationMessage;
      return m.direction === 'outbound' && m.deliveredAt === undefined && m.failedAt === undefined;
    },
  },
];

/** Named secrets kept beside the state (guest token keys); undefined without a data dir. */
export interface KeyStore {
  get(name: string): string | undefined;
  set(name: string, value: string): void;
}

/**
 * The fixture as a state keeps it: whole (flow files were read into `yaml` when it loaded, so their
 * paths are dropped), and parsable again with parseFixture.
 */
export function selfContained(fixture: Fixture): Record<string, unknown> {
  return { ...fixture, flows: fixture.flows.map(({ file: _file, ...flow }) => flow) };
}

export function fixtureHash(fixture: Fixture): string {
  return createHash('sha256')
    .update(encodeJson(selfContained(fixture)))
    .digest('hex');
}

export function originOf(runtime: EmulatorRuntime, fixture: Fixture): Origin {
  return {
    fixtureHash: fixtureHash(fixture),
    orgId: fixture.org.id,
    orgName: fixture.org.name,
    ...(runtime.options.seed === undefined ? {} : { seed: runtime.options.seed }),
    clock: runtime.clock.kind,
  };
}

/** A fixture a state or pack carried, checked as any fixture from outside is. */
export function keptFixture(value: Record<string, unknown>, source: string): Fixture {
  try {
    return parseFixture(value, source);
  } catch (e) {
    if (e instanceof FixtureError) throw new DataDirError(`${source}: ${e.message}`, { cause: e });
    throw e;
  }
}

export function durableHost(
  runtime: EmulatorRuntime,
  load: (image: StateImage, fixture: Fixture) => void,
): DurableHost {
  return {
    store: runtime.store as TrackingStore,
    emulatorVersion: packageVersion(),
    // Read when the data dir opens, once the runtime has its fixture.
    get origin() {
      return originOf(runtime, runtime.fixture);
    },
    now: () => runtime.clock.now(),
    idPositions: () => ({ ids: runtime.ids.position?.(), cids: runtime.correlationIds.position?.() }),
    fixture: () => selfContained(runtime.fixture),
    timeline: () => ({ events: runtime.events.list(), lastSeq: runtime.events.lastSeq }),
    load: (image, fixture) => load(image, keptFixture(fixture, "the data dir's fixture")),
  };
}
