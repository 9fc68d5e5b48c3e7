import type { DomainContext } from '../context.ts';
import { errors } from '../errors.ts';
import type { DomainEvent } from '../events.ts';
import { agentState, isOnQueue } from '../routing/agent-state.ts';
import type { AcdRouter } from '../routing/router.ts';
import {
  AVAILABLE,
  ON_QUEUE,
  PRESENCE_DEFINITIONS,
  presenceDefinition,
  type SystemPresenceDefinition,
} from './definitions.ts';
import './events.ts';

/** A user's Genesys Cloud presence (the PURECLOUD source), kept in the store. */
export interface UserPresenceRecord {
  userId: string;
  definitionId: string;
  message: string;
  modifiedAt: number;
  /** What the user was before going On Queue: leaving the queue restores it (platform-extra.md §3.3). */
  beforeOnQueue?: string;
}

export interface PresenceChange {
  definitionId?: string;
  message?: string;
}

const TABLE = 'presence.users';

/**
 * Presence and routing status move together, as in Genesys (platform-extra.md §3.3): choosing the On
 * Queue presence puts the agent on queue (IDLE, or INTERACTING when they hold work), any other presence
 * takes them off queue (OFF_QUEUE); and the other way round, a routing status set on queue (PUT
 * routingstatus IDLE, whatever API or tool did it) makes the presence On Queue, while OFF_QUEUE puts back
 * the presence the agent had before going On Queue (Available when there was none). NOT_RESPONDING keeps
 * the On Queue presence, as Genesys shows a missed alert.
 *
 * UNCONFIRMED: a user who never set a presence reads as Available (an emulated agent counts as signed
 * in); the real default for a user who never logged in would be Offline.
 */
export class PresenceService {
  readonly #ctx: DomainContext;
  readonly #router: AcdRouter;

  constructor(ctx: DomainContext, router: AcdRouter) {
    this.#ctx = ctx;
    this.#router = router;
    ctx.events.subscribe((event) => {
      if (event.type === 'agent.routingStatus.changed')
        this.#followRouting(event as DomainEvent<'agent.routingStatus.changed'>);
    });
  }

  get definitions(): readonly SystemPresenceDefinition[] {
    return PRESENCE_DEFINITIONS;
  }

  /** The user's presence; users who never set one are Available. */
  get(userId: string): UserPresenceRecord {
    return (
      this.#table().get(userId) ?? {
        userId,
        definitionId: AVAILABLE.id,
        message: '',
        modifiedAt: this.#ctx.clock.now(),
      }
    );
  }

  /** PATCH .../presences/purecloud: a new definition, a new message, or both. Checked before anything changes. */
  set(userId: string, change: PresenceChange): UserPresenceRecord {
    if (!this.#ctx.org().userById(userId)) throw errors.notFound(`user ${userId}`, { entityId: userId });
    const to = change.definitionId === undefined ? undefined : presenceDefinition(change.definitionId);
    if (change.definitionId !== undefined && !to) {
      throw errors.invalidValue(
        'presenceDefinition.id',
        change.definitionId,
        PRESENCE_DEFINITIONS.map((d) => `${d.id} (${d.systemPresence})`).join(', '),
        { details: [{ errorCode: 'invalid.value', fieldName: 'presenceDefinition.id' }] },
      );
    }
    const before = this.get(userId);
    const next = to ?? presenceDefinition(before.definitionId)!;
    const wasOnQueue = before.definitionId === ON_QUEUE.id;
    this.#store(before, next, change.message ?? before.message, {
      beforeOnQueue:
        next === ON_QUEUE ? (wasOnQueue ? before.beforeOnQueue : before.definitionId) : undefined,
    });
    // Routing follows a chosen presence (the routing event this causes finds the presence already right);
    // choosing On Queue again is also how an agent clears NOT_RESPONDING. A message alone changes nothing.
    if (!to) return this.get(userId);
    const status = agentState(this.#ctx, userId).status;
    if (next === ON_QUEUE && !isOnQueue(status)) this.#router.setRoutingStatus(userId, 'IDLE');
    if (next !== ON_QUEUE && status !== 'OFF_QUEUE') this.#router.setRoutingStatus(userId, 'OFF_QUEUE');
    return this.get(userId);
  }

  /** The presence follows a routing status set by any other way (PUT routingstatus, the router). */
  #followRouting(event: DomainEvent<'agent.routingStatus.changed'>): void {
    const { userId, to } = event.data;
    const current = this.get(userId);
    const onQueue = current.definitionId === ON_QUEUE.id;
    if (to === 'OFF_QUEUE' && onQueue) {
      const back = presenceDefinition(current.beforeOnQueue ?? '') ?? AVAILABLE;
      this.#store(current, back, current.message, {});
    } else if (to !== 'OFF_QUEUE' && !onQueue) {
      this.#store(current, ON_QUEUE, current.message, { beforeOnQueue: current.definitionId });
    }
  }

  #store(
    before: UserPresenceRecord,
    to: SystemPresenceDefinition,
    message: string,
    extra: { beforeOnQueue?: string | undefined },
  ): void {
    const record: UserPresenceRecord = {
      userId: before.userId,
      definitionId: to.id,
      message,
      modifiedAt: this.#ctx.clock.now(),
      ...(extra.beforeOnQueue === undefined ? {} : { beforeOnQueue: extra.beforeOnQueue }),
    };
    this.#table().set(before.userId, record);
    const from = presenceDefinition(before.definitionId)!;
    this.#ctx.events.emit('agent.presence.changed', {
      userId: before.userId,
      from: { id: from.id, systemPresence: from.systemPresence },
      to: { id: to.id, systemPresence: to.systemPresence },
      message,
    });
  }

  #table() {
    return this.#ctx.store.table<UserPresenceRecord>(TABLE);
  }
}
