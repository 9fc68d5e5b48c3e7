import { z } from 'zod';
import { PagingQuerySchema } from '../platform/paging.ts';

/** Request models of the guest chat API (guest-protocols.md §1.4), validated at the edge. */

/** JSON null means "not given", as Genesys's Java services read it. */
const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? undefined);

/**
 * CreateWebChatConversationRequest. Unknown keys are ignored (the SDK README itself sends
 * `profileImageUrl`). `routingTarget` is checked on its own so a bad one gets its own chat.* code.
 */
export const CreateChatBody = z.object({
  organizationId: z.string().trim().min(1),
  deploymentId: z.string().trim().min(1),
  routingTarget: z.unknown().optional(),
  memberInfo: z.object({
    displayName: z.string().trim().min(1),
    firstName: optionalText,
    lastName: optionalText,
    email: optionalText,
    phoneNumber: optionalText,
    avatarImageUrl: optionalText,
    customFields: z
      .record(z.string(), z.string())
      .nullish()
      .transform((v) => v ?? undefined),
  }),
  memberAuthToken: optionalText,
  journeyContext: z.unknown().optional(),
});
export type CreateChatInput = z.output<typeof CreateChatBody>;

/**
 * WebChatRoutingTarget: `targetType` has the one value QUEUE, accepted in any case because real
 * clients send "queue" (S10); `targetAddress` is the queue's name. Skills and language are accepted;
 * the emulator's ACD does not route on them.
 */
export const RoutingTarget = z.object({
  targetType: z.string().refine((t) => t.toUpperCase() === 'QUEUE', 'targetType must be QUEUE'),
  targetAddress: z.string().trim().min(1),
  skills: z.array(z.string()).nullish(),
  language: z.string().nullish(),
  priority: z
    .number()
    .int()
    .nullish()
    .transform((v) => v ?? 0),
});

export const BODY_TYPES = ['standard', 'notice', 'member-join', 'member-leave', 'media-request'] as const;
/** The 4,000-character limit of CreateWebChatMessageRequest.body (S2), counted as Java does (UTF-16 units). */
export const MAX_BODY_CHARS = 4000;

/** CreateWebChatMessageRequest. A bodyType outside the enum is refused (400), never guessed. */
export const MessageBody = z.object({
  body: z.string().min(1).max(MAX_BODY_CHARS),
  bodyType: z
    .enum(BODY_TYPES)
    .nullish()
    .transform((v) => v ?? 'standard'),
});

export const ConversationParams = z.object({ conversationId: z.string().min(1) });
export const MemberParams = ConversationParams.extend({ memberId: z.string().min(1) });
export const MessageParams = ConversationParams.extend({ messageId: z.string().min(1) });

/** The SDK sends unset optional query parameters as `name=` (guest-protocols.md §1.9): absent, not empty. */
function withoutEmpty(query: unknown): unknown {
  if (typeof query !== 'object' || query === null) return query;
  return Object.fromEntries(Object.entries(query).filter(([, v]) => v !== ''));
}

export const MembersQuery = z.preprocess(
  withoutEmpty,
  PagingQuerySchema.extend({
    excludeDisconnectedMembers: z
      .enum(['true', 'false'])
      .default('false')
      .transform((v) => v === 'true'),
  }),
);

export const MessagesQuery = z.preprocess(
  withoutEmpty,
  z.object({
    after: z.string().min(1).optional(),
    before: z.string().min(1).optional(),
    sortOrder: z
      .string()
      .transform((v) => v.toLowerCase())
      .pipe(z.enum(['ascending', 'descending']))
      .default('ascending'),
    maxResults: z.coerce.number().int().min(1).max(100).default(100),
  }),
);
