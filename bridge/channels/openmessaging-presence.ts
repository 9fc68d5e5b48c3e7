import type { AgentInfo } from '../types.ts';
import type { ConversationSnapshot, SnapshotParticipant } from './openmessaging-wire.ts';

/**
 * What changed for the bot between two snapshots of one message conversation (the notification topic's
 * body, or the REST conversation after a reconnect). Open Messaging's webhook carries no joins, transfers
 * or end (platform-extra.md §1.5), so the bridge reads them off the participants: an agent leg that is
 * connected joined; one disconnected with `transfer` handed over (to a queue when an ACD leg follows it, to
 * an agent when an agent leg does); the customer disconnected means the conversation ended. Each fact is
 * reported once, in the order Genesys timed it, however many snapshots show it.
 */
export type PresenceChange =
  | { kind: 'joined'; agent: AgentInfo; at?: number }
  | { kind: 'left'; agent: AgentInfo; continues: boolean; at?: number }
  | { kind: 'transferred'; from: AgentInfo; to: 'queue' | 'agent' | 'unknown'; at?: number }
  | { kind: 'ended'; hadAgent: boolean; at?: number };

const GONE = new Set(['disconnected', 'terminated']);

export class ConversationPresence {
  /** Agent legs seen connected, and whether their leaving has been reported. */
  readonly #legs = new Map<string, { agent: AgentInfo; left: boolean }>();
  #ended = false;
  #hadAgent = false;

  get ended(): boolean {
    return this.#ended;
  }

  /** The agent currently connected, if any. */
  get agent(): AgentInfo | undefined {
    for (const leg of [...this.#legs.values()].reverse()) if (!leg.left) return leg.agent;
    return undefined;
  }

  update(snapshot: ConversationSnapshot): PresenceChange[] {
    if (this.#ended) return [];
    const changes: PresenceChange[] = [];
    const participants = snapshot.participants;
    const customer = participants.find((p) => p.purpose === 'customer');
    const customerGone = customer !== undefined && GONE.has(customer.state ?? '');
    const agents = participants.filter((p) => p.purpose === 'agent');
    for (const leg of agents) {
      const known = this.#legs.get(leg.id);
      const connectedOnce =
        leg.state === 'connected' || (GONE.has(leg.state ?? '') && leg.connectedTime !== undefined);
      if (!known && connectedOnce) {
        const agent = agentOf(leg);
        this.#legs.set(leg.id, { agent, left: false });
        this.#hadAgent = true;
        changes.push({ kind: 'joined', agent, ...at(leg.connectedTime) });
      }
      const entry = this.#legs.get(leg.id);
      if (!entry || entry.left || !GONE.has(leg.state ?? '')) continue;
      if (leg.disconnectType === 'transfer') {
        entry.left = true;
        changes.push({ kind: 'left', agent: entry.agent, continues: true, ...at(leg.endTime) });
        changes.push({
          kind: 'transferred',
          from: entry.agent,
          to: transferTarget(participants, leg),
          ...at(leg.endTime),
        });
      } else if (!customerGone) {
        // The agent left but the customer is still there (another agent or the queue takes over).
        entry.left = true;
        changes.push({ kind: 'left', agent: entry.agent, continues: true, ...at(leg.endTime) });
      }
    }
    if (customerGone) {
      for (const entry of this.#legs.values()) {
        if (entry.left) continue;
        entry.left = true;
        changes.push({ kind: 'left', agent: entry.agent, continues: false, ...at(customer.endTime) });
      }
      this.#ended = true;
      changes.push({ kind: 'ended', hadAgent: this.#hadAgent, ...at(customer.endTime) });
    }
    return changes;
  }
}

function agentOf(leg: SnapshotParticipant): AgentInfo {
  const id = leg.user?.id ?? leg.userId;
  const name = leg.user?.name ?? leg.name;
  return { ...(id ? { id } : {}), ...(name ? { displayName: name } : {}) };
}

/** Where a blind transfer went: the leg that started when the transferring agent's leg ended. */
function transferTarget(
  participants: SnapshotParticipant[],
  from: SnapshotParticipant,
): 'queue' | 'agent' | 'unknown' {
  const endedAt = from.endTime;
  const after = participants.filter(
    (p) => p !== from && p.startTime !== undefined && endedAt !== undefined && p.startTime >= endedAt,
  );
  if (after.some((p) => p.purpose === 'acd')) return 'queue';
  if (after.some((p) => p.purpose === 'agent')) return 'agent';
  return 'unknown';
}

function at(time: number | undefined): { at?: number } {
  return time === undefined ? {} : { at: time };
}
