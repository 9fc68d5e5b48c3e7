import type { DomainContext } from '../context.ts';
import type { MediaType } from '../conversations/model.ts';

/** Genesys routing statuses (platform-architect.md §2.6). */
export const ROUTING_STATUSES = [
  'OFF_QUEUE',
  'IDLE',
  'INTERACTING',
  'NOT_RESPONDING',
  'COMMUNICATING',
] as const;
export type RoutingStatus = (typeof ROUTING_STATUSES)[number];

/** Per-agent routing state, kept in the store; an agent with no record is OFF_QUEUE. */
export interface AgentState {
  userId: string;
  status: RoutingStatus;
  /** When the current status began (ms). */
  statusSince: number;
  /**
   * When the agent last finished ACD work or, before any, first went on queue: the "longest idle"
   * clock ACD selection uses. On-queue toggles do not reset it (platform-architect.md §2.3).
   */
  idleSince: number;
  /** Interactions the agent holds (alerting or connected): agent participant id -> media type. */
  active: Record<string, MediaType>;
}

export const AGENTS_TABLE = 'routing.agents';

export function agentState(ctx: DomainContext, userId: string): AgentState {
  return (
    ctx.store.table<AgentState>(AGENTS_TABLE).get(userId) ?? {
      userId,
      status: 'OFF_QUEUE',
      statusSince: ctx.clock.now(),
      idleSince: Number.NaN,
      active: {},
    }
  );
}

/** The stored record, created on first use. */
export function mutableAgentState(ctx: DomainContext, userId: string): AgentState {
  const table = ctx.store.table<AgentState>(AGENTS_TABLE);
  let state = table.get(userId);
  if (!state) {
    state = agentState(ctx, userId);
    table.set(userId, state);
  }
  return state;
}

export function activeCounts(state: AgentState): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const media of Object.values(state.active)) counts[media] = (counts[media] ?? 0) + 1;
  return counts;
}

/** Changes the status and records it; a no-op when unchanged. */
export function setStatus(ctx: DomainContext, state: AgentState, to: RoutingStatus): void {
  if (state.status === to) return;
  const from = state.status;
  state.status = to;
  state.statusSince = ctx.clock.now();
  ctx.events.emit('agent.routingStatus.changed', { userId: state.userId, from, to });
}

/** On queue and not blocked by a missed alert: the statuses ACD offers interactions in. */
export function isOnQueue(status: RoutingStatus): boolean {
  return status === 'IDLE' || status === 'INTERACTING';
}
