import type { Bridge, BridgeEvent } from '../../bridge/index.ts';
import type { ActivityProbe } from './activity.ts';
import type { Transcript } from './transcript.ts';

/**
 * Every bridge event becomes a transcript line and counts as activity. Ids and times that differ from
 * run to run (session, event ids, wall-clock observation) are left out so transcripts stay comparable.
 */
export function observeBridge(bridge: Bridge, transcript: Transcript, probe: ActivityProbe): void {
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
    const said = summarize(event);
    transcript.add('bridge', `#${seq} ${type}${said ? `: ${said}` : ''}`, rest);
  });
}

/** What the bot learns from the event, in words: the message text, who, why. */
function summarize(event: BridgeEvent): string | undefined {
  const who = (agent?: { displayName?: string; id?: string }) => agent?.displayName ?? agent?.id;
  switch (event.type) {
    case 'agent.message': {
      const from = event.origin === 'bot' ? 'flow' : who(event.agent);
      const text = event.message.text === undefined ? '(no text)' : JSON.stringify(event.message.text);
      return `${from ? `${from}: ` : ''}${text}`;
    }
    case 'agent.joined':
      return who(event.agent);
    case 'agent.left':
      return `${who(event.agent) ?? 'the agent'}${event.conversationContinues ? ', the conversation continues' : ''}`;
    case 'agent.typing':
      return event.isTyping ? 'typing' : 'stopped typing';
    case 'session.ended':
      return `${event.reason} (by ${event.by})`;
    case 'connection.changed':
      return event.connectivity;
    case 'message.status':
      return `${event.clientMessageId} ${event.status}${event.error ? ` (${event.error.code})` : ''}`;
    case 'transfer.changed':
      return `${event.kind}${event.to ? ` to ${who(event.to)}` : ''}`;
    case 'error':
      return `${event.error.code}: ${event.error.message}`;
    default:
      return undefined;
  }
}
