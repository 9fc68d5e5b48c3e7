import { conversationDetailsRoutes } from './analytics/conversation-details.ts';
import { queueObservationRoutes } from './analytics/queue-observations.ts';
import { chatMessagesRoutes } from './chat-messages.ts';
import { estimatedWaitTimeRoutes } from './estimated-wait-time.ts';
import { flowsRoutes } from './flows.ts';
import { messageDetailsRoutes } from './message-details.ts';
import { presenceRoutes } from './presence.ts';
import { wrapupCodeRoutes } from './wrapup-codes.ts';

/**
 * The calls integrations and test tools make beyond conversations and routing (issue 13 part 3):
 * presence, wrap-up codes, message details, analytics (conversation details, jobs, queue observations),
 * estimated wait time, flows; and the paged chat message list.
 */
export const extraPlatformRoutes = [
  presenceRoutes,
  wrapupCodeRoutes,
  messageDetailsRoutes,
  chatMessagesRoutes,
  conversationDetailsRoutes,
  queueObservationRoutes,
  estimatedWaitTimeRoutes,
  flowsRoutes,
];
