import type { DomainContext } from '../context.ts';

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
   * When the agent last finished (or, if never, first became available for) ACD work: the "longest
   * idle" clock ACD selection uses. On-queue toggles do not reset it (platform-architect.md §2.3).
   */
  idleSince: number;
}

export const AGENTS_TABLE = 'routing.agents';

export function agentState(ctx: DomainContext, userId: string): AgentState {
  return (
    ctx.store.table<AgentState>(AGENTS_TABLE).get(userId) ?? {
      userId,
      status: 'OFF_QUEUE',
      statusSince: ctx.clock.now(),
      idleSince: 0,
    }
  );
}
