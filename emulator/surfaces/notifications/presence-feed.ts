import { isoTime } from '../../domain/clock.ts';
import type { DomainEvent } from '../../domain/events.ts';
import { presenceDefinition } from '../../domain/presence/definitions.ts';
import type { EmulatorRuntime } from '../../runtime.ts';

/** `v2.users.{id}.presence` (platform-extra.md §3.4). */
export function presenceTopic(userId: string): string {
  return `v2.users.${userId}.presence`;
}

/**
 * The presence topic's frame for an `agent.presence.changed` event: PresenceEventUserPresence
 * `{source, presenceDefinition{id, systemPresence}, primary, message, modifiedDate}`, with the system
 * presence in the upper case notifications use (`ON_QUEUE`: UNCONFIRMED spelling, §3.2).
 */
export function presenceFrame(
  runtime: EmulatorRuntime,
  event: DomainEvent,
): { topic: string; body: () => unknown } | undefined {
  if (event.type !== 'agent.presence.changed') return undefined;
  const { userId } = event.data;
  return {
    topic: presenceTopic(userId),
    body: () => {
      const record = runtime.presence.get(userId);
      const definition = presenceDefinition(record.definitionId)!;
      return {
        source: 'PURECLOUD',
        presenceDefinition: { id: definition.id, systemPresence: definition.upper },
        primary: true,
        message: record.message,
        modifiedDate: isoTime(record.modifiedAt),
      };
    },
  };
}
