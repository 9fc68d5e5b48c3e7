import type { DomainContext } from '../context.ts';
import { conversationsTable } from '../conversations/conversation-store.ts';
import type { MediaType } from '../conversations/model.ts';
import { ApiError, errors } from '../errors.ts';
import { agentState, isOnQueue } from './agent-state.ts';
import type { AcdRouter } from './router.ts';
import { capacityBlocker, effectiveUtilization } from './utilization.ts';

/** How many of the queue's latest handled interactions make its average handle time. */
export const EWT_RECENT_INTERACTIONS = 20;
/** The handle time assumed while a queue has handled nothing yet (UNCONFIRMED; 5 minutes). */
export const EWT_DEFAULT_HANDLE_SECONDS = 300;

/** Media types of GET .../mediatypes/{mediaType}/estimatedwaittime and the intent each answers with. */
export const EWT_MEDIA_INTENTS = {
  all: 'ALL',
  call: 'CALL',
  chat: 'CHAT',
  callback: 'CALLBACK',
  email: 'EMAIL',
  videoComm: 'VIDEOCOMM',
  message: 'MESSAGE',
} as const;
export type EwtMediaType = keyof typeof EWT_MEDIA_INTENTS;

export interface WaitEstimate {
  intent: string;
  formula: 'SIMPLE';
  estimatedWaitTimeSeconds: number;
}

/**
 * The emulator's estimated wait time (platform-extra.md §6.1), a documented stand-in for Genesys's
 * models (formula `SIMPLE`): the queue's average handle time (answer to wrap-up, or to the end of the
 * leg when there was none) over its last 20 handled interactions of the media type (300 s before it has
 * any), times the conversations ahead plus one, shared among the members on queue:
 *   0 when nothing waits ahead and a member on queue has room for it now (utilization); else
 *   ceil(AHT x (ahead + 1) / max(1, members on queue)).
 * `conversationId` asks for a conversation waiting in the queue (its place decides `ahead`); without one
 * the estimate is for a conversation arriving now.
 */
export function estimateWait(
  ctx: DomainContext,
  router: AcdRouter,
  queueId: string,
  options: { mediaType?: EwtMediaType; conversationId?: string } = {},
): WaitEstimate {
  const queue = ctx.org().queueById(queueId);
  if (!queue) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
  const conversations = conversationsTable(ctx);
  const waiting = router.waitingIn(queueId);
  let media: string | undefined =
    options.mediaType === undefined || options.mediaType === 'all' ? undefined : options.mediaType;
  let ahead: number;
  if (options.conversationId !== undefined) {
    const conversation = conversations.get(options.conversationId);
    if (!conversation)
      throw errors.notFound(`conversation ${options.conversationId}`, { entityId: options.conversationId });
    media ??= conversation.mediaType;
    const place = waiting
      .filter((id) => conversations.get(id)?.mediaType === media)
      .indexOf(options.conversationId);
    if (place < 0) {
      throw new ApiError(
        400,
        'bad.request',
        `Conversation ${options.conversationId} is not waiting in queue ${queue.name}.`,
        { entityId: options.conversationId },
      );
    }
    ahead = place;
  } else {
    ahead = waiting.filter((id) => media === undefined || conversations.get(id)?.mediaType === media).length;
  }
  const intent = media === undefined ? 'ALL' : EWT_MEDIA_INTENTS[media as EwtMediaType];
  const members = ctx
    .org()
    .membersOf(queueId)
    .map((m) => agentState(ctx, m.id))
    .filter((state) => isOnQueue(state.status));
  // Free: on queue with room for the media now (any emulated media when none is asked for).
  const free = members.some((state) => {
    const { utilization } = effectiveUtilization(ctx, state.userId);
    const wanted: MediaType[] = media === 'message' || media === 'chat' ? [media] : ['message', 'chat'];
    return wanted.some((m) => capacityBlocker(utilization, state.held, m) === undefined);
  });
  if (ahead === 0 && free) return { intent, formula: 'SIMPLE', estimatedWaitTimeSeconds: 0 };
  const onQueue = members.length;
  const aht = averageHandleSeconds(ctx, queueId, media);
  return {
    intent,
    formula: 'SIMPLE',
    estimatedWaitTimeSeconds: Math.ceil((aht * (ahead + 1)) / Math.max(1, onQueue)),
  };
}

/** Average handle time of the queue's latest handled interactions (of one media type, or all). */
export function averageHandleSeconds(ctx: DomainContext, queueId: string, media?: string): number {
  const handled: { end: number; ms: number }[] = [];
  for (const conversation of conversationsTable(ctx).values()) {
    if (media !== undefined && conversation.mediaType !== media) continue;
    for (const p of conversation.participants) {
      if (p.purpose !== 'agent' || p.queueId !== queueId || p.connectedTime === undefined) continue;
      const end = p.wrapup ? Date.parse(p.wrapup.endTime) : p.endTime;
      if (end === undefined) continue;
      handled.push({ end, ms: end - p.connectedTime });
    }
  }
  if (handled.length === 0) return EWT_DEFAULT_HANDLE_SECONDS;
  const recent = handled.sort((a, b) => b.end - a.end).slice(0, EWT_RECENT_INTERACTIONS);
  return recent.reduce((sum, h) => sum + h.ms, 0) / recent.length / 1000;
}
