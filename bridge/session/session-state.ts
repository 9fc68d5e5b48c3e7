import type { SessionState } from '../types.ts';

/**
 * The session lifecycle (bridge.md §4.4):
 *
 *   connecting ─► queued ─► agentActive ◄─► transferring
 *        │           │            │               │
 *        └───────────┴──► ended ◄─┴───────────────┘        connecting ─► failed
 *
 * `connecting` may jump straight to agentActive (an agent message can overtake the acceptance) and
 * `transferring` may fall back to queued. `ended` and `failed` are terminal; `failed` is only reachable
 * before Genesys accepted the transfer.
 */
const NEXT: Record<SessionState, readonly SessionState[]> = {
  connecting: ['queued', 'agentActive', 'transferring', 'ended', 'failed'],
  queued: ['agentActive', 'transferring', 'ended'],
  agentActive: ['transferring', 'ended'],
  transferring: ['agentActive', 'queued', 'ended'],
  ended: [],
  failed: [],
};

export function canTransition(from: SessionState, to: SessionState): boolean {
  return NEXT[from].includes(to);
}

export function isTerminal(state: SessionState): boolean {
  return state === 'ended' || state === 'failed';
}
