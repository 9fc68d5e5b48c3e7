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
  /** How many of `active` there are per media type, kept with it (routing reads it for every candidate). */
  held: Record<string, number>;
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
      held: {},
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

/** The agent now holds this leg (alerting or connected). */
export function holdLeg(state: AgentState, participantId: string, media: MediaType): void {
  if (participantId in state.active) return;
  state.active[participantId] = media;
  state.held[media] = (state.held[media] ?? 0) + 1;
}

/** The leg ended; returns false when the agent did not hold it. */
export function releaseLeg(state: AgentState, participantId: string): boolean {
  const media = state.active[participantId];
  if (media === undefined) return false;
  delete state.active[participantId];
  state.held[media] = (state.held[media] ?? 1) - 1;
  return true;
}

export function holdsAny(state: AgentState): boolean {
  for (const n of Object.values(state.held)) if (n > 0) return true;
  return false;
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
