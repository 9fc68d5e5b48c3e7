import type { DomainEvent } from '../domain/events.ts';

/** Names for the ids events carry, from the loaded org. */
export interface ActivityNames {
  userName(id: string): string | undefined;
  queueName(id: string): string | undefined;
}

/**
 * One readable line for each conversation event a developer watching the terminal cares about: a
 * conversation created, the flow's result, queued, an agent alerted (or not answering), answered,
 * transferred, ended. Everything else (tokens, messages, typing, routing candidates) stays in the JSON
 * log and the timeline. The emulator's own describer: the scenario runner has a fuller one for
 * transcripts, but the emulator imports nothing from scenarios/.
 */
export function describeActivity(event: DomainEvent, names: ActivityNames): string | undefined {
  const who = (userId: string) => names.userName(userId) ?? userId;
  switch (event.type) {
    case 'conversation.created': {
      const d = event.data;
      return `conversation created (${d.channel}, ${d.mediaType}${d.deploymentId ? `, deployment ${d.deploymentId}` : ''})`;
    }
    case 'flow.run': {
      const d = event.data;
      return `flow "${d.flow}": ${d.outcome}${d.queue ? ` -> ${d.queue.name}` : ''}`;
    }
    case 'conversation.queued':
      return `queued in ${event.data.queueName} (${event.data.reason})`;
    case 'agent.alerted':
      return `${who(event.data.userId)} alerted (${Math.round(event.data.alertingTimeoutMs / 1000)} s to answer)`;
    case 'agent.noanswer':
      return `${who(event.data.userId)} did not answer`;
    case 'participant.state.changed': {
      const d = event.data;
      if (d.purpose !== 'agent' || !d.userId) return undefined;
      if (d.from === 'alerting' && d.to === 'connected') return `${who(d.userId)} answered`;
      return undefined;
    }
    case 'conversation.transferred': {
      const t = event.data.target;
      return t.type === 'queue'
        ? `transferred to queue ${names.queueName(t.queueId) ?? t.queueId}`
        : `transferred to ${who(t.userId)}`;
    }
    case 'conversation.ended':
      return `conversation ended (${event.data.reason})`;
    default:
      return undefined;
  }
}

/** `09:00:01.250 [1a2b3c4d] Alda Moore answered`: emulator time (UTC), the conversation, what happened. */
export function activityLine(event: DomainEvent, names: ActivityNames): string | undefined {
  const text = describeActivity(event, names);
  if (text === undefined) return undefined;
  const conversation = event.conversationId ? `[${event.conversationId.slice(0, 8)}] ` : '';
  return `${event.time.slice(11, 23)} ${conversation}${text}`;
}
