import type { DomainEvent, Fixture } from '../../emulator/index.ts';

/** Names for the ids events carry: from the running emulator's org, or a remote target's fixture. */
export interface OrgNames {
  userName(id: string): string | undefined;
  queueName(id: string): string | undefined;
}

export function fixtureNames(fixture: Fixture | undefined): OrgNames {
  return {
    userName: (id) => fixture?.users.find((u) => u.id === id)?.name,
    queueName: (id) => fixture?.queues.find((q) => q.id === id)?.name,
  };
}

/**
 * One readable line per emulator timeline entry worth a transcript line (tokens, heartbeats and
 * clock moves are left out: they are noise in a story).
 */
export function describeEmulatorEvent(event: DomainEvent, names: OrgNames): string | undefined {
  const who = (userId?: string) => (userId ? (names.userName(userId) ?? userId) : '');
  const conv = event.conversationId ? `[${event.conversationId.slice(0, 8)}] ` : '';
  switch (event.type) {
    case 'conversation.created':
      return `${conv}conversation created (${event.data.channel}, ${event.data.mediaType})`;
    case 'conversation.ended':
      return `${conv}conversation ended: ${event.data.reason}`;
    case 'flow.run':
      return `${conv}flow "${event.data.flow}" -> ${event.data.outcome}${event.data.queue ? ` to ${event.data.queue.name}` : ''}`;
    case 'conversation.queued':
      return `${conv}queued in ${event.data.queueName} (${event.data.reason})`;
    case 'routing.decision': {
      const d = event.data;
      const skipped = d.candidates
        .filter((c) => c.skipped)
        .map((c) => `${c.name}: ${c.skipped}`)
        .join('; ');
      return `${conv}routing in ${d.queueName}: ${d.outcome}${d.chosenUserId ? ` ${who(d.chosenUserId)}` : ''}${skipped ? ` (skipped ${skipped})` : ''}`;
    }
    case 'agent.alerted':
      return `${conv}${who(event.data.userId)} alerted (${event.data.alertingTimeoutMs / 1000}s to answer)`;
    case 'agent.noanswer':
      return `${conv}${who(event.data.userId)} did not answer`;
    case 'agent.routingStatus.changed':
      return `${who(event.data.userId)} ${event.data.from} -> ${event.data.to}`;
    case 'participant.state.changed':
      return `${conv}${event.data.purpose}${event.data.userId ? ` ${who(event.data.userId)}` : ''} ${event.data.from} -> ${event.data.to}${event.data.disconnectType ? ` (${event.data.disconnectType})` : ''}`;
    case 'participant.attributes.updated':
      return `${conv}participant data set: ${Object.keys(event.data.attributes).join(', ')}`;
    case 'message.sent':
      return `${conv}${event.data.message.purpose} says: ${event.data.message.text}`;
    case 'typing.sent':
      return `${conv}${event.data.purpose} typing`;
    case 'conversation.transferred':
      return `${conv}transferred to ${event.data.target.type === 'queue' ? (names.queueName(event.data.target.queueId) ?? 'queue') : who(event.data.target.userId)}`;
    case 'openmessaging.webhook.attempt': {
      const d = event.data;
      const answer = d.status !== undefined ? `answered ${d.status}` : (d.error ?? 'no answer');
      return `${conv}webhook ${d.kind} ${d.id.slice(0, 8)} attempt ${d.attempt}: ${answer} -> ${d.outcome}`;
    }
    case 'message.failed':
      return `${conv}message ${event.data.messageId.slice(0, 8)} failed: ${event.data.reason}`;
    case 'fault.injected':
      return `fault: ${event.data.method} ${event.data.path} -> ${event.data.status ?? `held ${event.data.delayMs} ms`}`;
    default:
      return undefined;
  }
}
