// Queue matching rules, shared by FindQueue, FindQueueById, queue literals and the Find Queue action.

import type { QueueRef } from './host.ts';
import type { ResolvedFlowOptions } from './options.ts';

/**
 * Finds a queue by name. In 'caseInsensitive' mode (the default; UNCONFIRMED in the reference) both names
 * are trimmed and compared ignoring case; a queue whose name matches exactly wins over a case-only match so
 * an org holding both "Sales" and "sales" still resolves predictably. 'exact' compares the names as given.
 */
export function findQueueByName(
  queues: readonly QueueRef[],
  name: string,
  mode: ResolvedFlowOptions['queueNameMatch'],
): QueueRef | undefined {
  if (mode === 'exact') return queues.find((queue) => queue.name === name);
  const wanted = name.trim();
  if (wanted === '') return undefined;
  const exact = queues.find((queue) => queue.name.trim() === wanted);
  if (exact !== undefined) return exact;
  const folded = wanted.toLowerCase();
  return queues.find((queue) => queue.name.trim().toLowerCase() === folded);
}

/** Finds a queue by id: whitespace around the id is ignored and letter case does not matter (ids are GUIDs). */
export function findQueueById(queues: readonly QueueRef[], id: string): QueueRef | undefined {
  const wanted = id.trim().toLowerCase();
  if (wanted === '') return undefined;
  return queues.find((queue) => queue.id.trim().toLowerCase() === wanted);
}
