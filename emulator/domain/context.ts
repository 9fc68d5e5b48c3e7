import type { Fidelity } from '../config/options.ts';
import type { Store } from '../store/store.ts';
import type { Clock } from './clock.ts';
import type { EventBus } from './events.ts';
import type { IdGenerator } from './ids.ts';
import type { OrgDirectory } from './org.ts';

/** What every domain function gets: time, ids, state, events and the loaded org. */
export interface DomainContext {
  readonly clock: Clock;
  readonly ids: IdGenerator;
  readonly store: Store;
  readonly events: EventBus;
  readonly fidelity: Fidelity;
  /** The org of the currently loaded fixture (changes when another fixture is loaded). */
  org(): OrgDirectory;
}
