import type { DomainEvent } from '../domain/events.ts';

/**
 * One conversation as a sequence of who did what when, built from the timeline: the customer (or the
 * bot's bridge in front of them), the flow, each queue and each agent, with arrows for messages, flow
 * decisions and the values they read, queueing, alerts and their timeouts, answers, transfers and
 * disconnects, and the emulator time of each moment. Rendered as Mermaid text (toMermaid) for issue
 * trackers, and drawn by the console's timeline page from the same model.
 */
export interface SequenceActor {
  /** A Mermaid-safe id: customer, flow, q1, a1 ... */
  id: string;
  kind: 'customer' | 'flow' | 'queue' | 'agent';
  label: string;
}

export interface SequenceStep {
  /** Emulator time, ISO 8601. */
  time: string;
  kind: 'arrow' | 'note';
  from: string;
  /** The same as `from` for a note over one actor. */
  to: string;
  label: string;
  /** solid: an action; dashed: a reply or consequence; lost: something that did not happen. */
  style: 'solid' | 'dashed' | 'lost';
}

export interface SequenceModel {
  conversationId: string;
  actors: SequenceActor[];
  steps: SequenceStep[];
}

/** Names for the ids events carry, from the org the events belong to. */
export interface SequenceNames {
  userName(id: string): string | undefined;
  queueName(id: string): string | undefined;
}

const MAX_LABEL = 80;

/** The sequence of one conversation from its events (any order in, timeline order out). */
export function buildSequence(
  conversationId: string,
  timeline: readonly DomainEvent[],
  names: SequenceNames,
): SequenceModel {
  const events = timeline.filter((e) => e.conversationId === conversationId).sort((a, b) => a.seq - b.seq);
  const actors: SequenceActor[] = [{ id: 'customer', kind: 'customer', label: 'Customer (bot bridge)' }];
  const byKey = new Map<string, SequenceActor>([['customer', actors[0]!]]);
  const actor = (kind: 'flow' | 'queue' | 'agent', key: string, label: string): string => {
    const found = byKey.get(`${kind}:${key}`);
    if (found) return found.id;
    const n = actors.filter((a) => a.kind === kind).length + 1;
    const made: SequenceActor = { id: kind === 'flow' ? `flow${n}` : `${kind[0]}${n}`, kind, label };
    actors.push(made);
    byKey.set(`${kind}:${key}`, made);
    return made.id;
  };
  const queue = (id: string) => actor('queue', id, `Queue ${names.queueName(id) ?? id}`);
  const agent = (userId: string) => actor('agent', userId, names.userName(userId) ?? userId);
  /** Which actor each participant id is (agents by user, the customer, flows). */
  const participants = new Map<string, string>();
  const connected = new Set<string>();
  let waitingIn: string | undefined;
  let lastFlow: string | undefined;
  const steps: SequenceStep[] = [];
  const add = (
    e: DomainEvent,
    kind: SequenceStep['kind'],
    from: string,
    to: string,
    label: string,
    style: SequenceStep['style'] = 'solid',
  ) => steps.push({ time: e.time, kind, from, to, label: clip(label), style });

  for (const e of events) {
    switch (e.type) {
      case 'conversation.created': {
        participants.set(e.data.customerParticipantId, 'customer');
        add(
          e,
          'note',
          'customer',
          'customer',
          `conversation starts (${e.data.channel}, ${e.data.mediaType})`,
        );
        break;
      }
      case 'participant.added':
        if (e.data.userId) participants.set(e.data.participantId, agent(e.data.userId));
        break;
      case 'flow.run': {
        const flow = actor('flow', e.data.flow, `Flow ${e.data.flow}`);
        lastFlow = flow;
        add(e, 'arrow', 'customer', flow, 'runs the inbound flow');
        for (const t of e.data.trace) {
          if (t.kind === 'participantDataRead')
            add(
              e,
              'note',
              flow,
              flow,
              `reads ${t.attribute} = ${t.value === undefined ? 'NOT_SET' : JSON.stringify(t.value)}`,
            );
          else if (t.kind === 'outputPath' && (t.output === 'failure' || t.output === 'notFound'))
            add(e, 'note', flow, flow, `${t.path.split('.').at(-1) ?? t.path}: ${t.output}`);
          else if (t.kind === 'responseSent') add(e, 'arrow', flow, 'customer', `says: ${t.text}`, 'dashed');
        }
        if (e.data.queue) add(e, 'arrow', flow, queue(e.data.queue.id), `transfers to ${e.data.queue.name}`);
        else add(e, 'note', flow, flow, `ends: ${e.data.outcome}`);
        break;
      }
      case 'conversation.queued': {
        const q = queue(e.data.queueId);
        waitingIn = q;
        if (!e.data.reason.startsWith('flow ')) add(e, 'note', q, q, `queued (${e.data.reason})`);
        break;
      }
      case 'routing.decision': {
        const q = queue(e.data.queueId);
        const passed = e.data.candidates.filter((c) => c.skipped).map((c) => `${c.name}: ${c.skipped}`);
        if (e.data.outcome === 'waiting')
          add(e, 'note', q, q, `waits${passed.length ? ` (${passed.join('; ')})` : ' (no members)'}`);
        else if (passed.length) add(e, 'note', q, q, `passed over ${passed.join('; ')}`);
        break;
      }
      case 'agent.alerted': {
        const a = agent(e.data.userId);
        participants.set(e.data.participantId, a);
        const from = e.data.queueId ? queue(e.data.queueId) : (waitingIn ?? lastFlow ?? 'customer');
        add(e, 'arrow', from, a, `alerts (answer within ${Math.round(e.data.alertingTimeoutMs / 1000)} s)`);
        break;
      }
      case 'agent.noanswer': {
        const a = agent(e.data.userId);
        add(e, 'arrow', a, waitingIn ?? a, 'no answer: alert timed out', 'lost');
        break;
      }
      case 'participant.state.changed': {
        const who = participants.get(e.data.participantId);
        if (e.data.purpose !== 'agent' || !who) break;
        if (e.data.to === 'connected') {
          connected.add(who);
          waitingIn = undefined;
          add(e, 'arrow', who, 'customer', 'answers', 'dashed');
        } else if (e.data.to === 'disconnected' && e.data.from === 'connected') {
          connected.delete(who);
          if (e.data.disconnectType !== 'transfer')
            add(e, 'arrow', who, 'customer', `disconnects (${e.data.disconnectType ?? 'client'})`, 'lost');
        }
        break;
      }
      case 'conversation.transferred': {
        const from = participants.get(e.data.fromParticipantId) ?? 'customer';
        const to =
          e.data.target.type === 'queue' ? queue(e.data.target.queueId) : agent(e.data.target.userId);
        if (e.data.target.type === 'queue') waitingIn = to;
        add(e, 'arrow', from, to, 'blind transfer');
        break;
      }
      case 'message.sent': {
        const m = e.data.message;
        if (m.purpose === 'customer') {
          const to = [...connected][0] ?? waitingIn ?? lastFlow;
          if (to) add(e, 'arrow', 'customer', to, m.text);
          else add(e, 'note', 'customer', 'customer', `says: ${m.text}`);
        } else {
          const from = participants.get(m.participantId) ?? lastFlow ?? 'customer';
          add(e, 'arrow', from, 'customer', m.text, 'dashed');
        }
        break;
      }
      case 'participant.wrapup': {
        const who =
          participants.get(e.data.participantId) ?? (e.data.userId ? agent(e.data.userId) : undefined);
        if (who) add(e, 'note', who, who, `wraps up (${e.data.name ?? e.data.code})`);
        break;
      }
      case 'conversation.ended':
        add(e, 'note', 'customer', 'customer', `conversation ends (${e.data.reason})`);
        break;
      default:
        break;
    }
  }
  return { conversationId, actors, steps };
}

/** The model as a Mermaid `sequenceDiagram` (GitHub and most trackers render it). */
export function toMermaid(model: SequenceModel): string {
  const lines = ['sequenceDiagram'];
  for (const a of model.actors) lines.push(`  participant ${a.id} as ${safe(a.label)}`);
  let lastTime = '';
  for (const s of model.steps) {
    if (s.time !== lastTime) {
      lastTime = s.time;
      lines.push(`  Note left of customer: ${s.time.slice(11, 23)}`);
    }
    if (s.kind === 'note') {
      lines.push(`  Note over ${s.from}: ${safe(s.label)}`);
      continue;
    }
    const arrow = s.style === 'solid' ? '->>' : s.style === 'dashed' ? '-->>' : '--x';
    lines.push(`  ${s.from}${arrow}${s.to}: ${safe(s.label)}`);
  }
  return `${lines.join('\n')}\n`;
}

function clip(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > MAX_LABEL ? `${one.slice(0, MAX_LABEL - 1)}…` : one;
}

/** Characters that end or break a Mermaid statement, as Mermaid's entity codes. */
function safe(text: string): string {
  return text
    .replace(/[#;]/g, (c) => `#${c.charCodeAt(0)};`)
    .replace(/[<>]/g, (c) => (c === '<' ? '‹' : '›'));
}
