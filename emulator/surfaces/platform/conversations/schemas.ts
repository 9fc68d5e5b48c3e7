import { z } from 'zod';

/** Request bodies of the agent-side conversation API (platform-architect.md §3.1), validated at the edge. */

export const ConversationParams = z.object({ conversationId: z.string().min(1) });
export const MessageParams = ConversationParams.extend({ messageId: z.string().min(1) });
export const ParticipantParams = ConversationParams.extend({ participantId: z.string().min(1) });
export const CommunicationParams = ConversationParams.extend({ communicationId: z.string().min(1) });
export const ParticipantCommunicationParams = ParticipantParams.extend({
  communicationId: z.string().min(1),
});

export const WrapupSchema = z.object({
  code: z.string().min(1).max(256),
  name: z.string().max(256).optional(),
  notes: z.string().max(4096).optional(),
  durationSeconds: z.number().int().min(0).optional(),
});

/** MediaParticipantRequest. Held, muted, confined and recording are not emulated and are refused by name. */
export const MediaParticipantRequest = z
  .object({
    state: z.enum(['connected', 'disconnected']).optional(),
    wrapup: WrapupSchema.optional(),
    wrapupSkipped: z.boolean().optional(),
    held: z.unknown().optional(),
    muted: z.unknown().optional(),
    confined: z.unknown().optional(),
    recording: z.unknown().optional(),
  })
  .refine((b) => b.state !== undefined || b.wrapup !== undefined || b.wrapupSkipped !== undefined, {
    // The SDK's message PATCH methods take the body in opts.body; a positional body arrives empty.
    message: 'the body must set state or wrapup (an empty PATCH changes nothing; SDK users: pass { body })',
  });

export const AttributesRequest = z.object({
  attributes: z.record(z.string().min(1).max(256), z.string().max(16_384)),
});

/** AdditionalMessage: exactly one of textBody, mediaIds, messagingTemplate; only text is emulated. */
export const AdditionalMessage = z
  .object({
    textBody: z.string().min(1).max(4096).optional(),
    mediaIds: z.array(z.string()).optional(),
    stickerIds: z.array(z.string()).optional(),
    messagingTemplate: z.unknown().optional(),
  })
  .refine((b) => b.textBody !== undefined || b.mediaIds !== undefined || b.messagingTemplate !== undefined, {
    message: 'one of textBody, mediaIds or messagingTemplate is required',
  });

export const ChatMessageRequest = z.object({
  body: z.string().min(1).max(4000),
  bodyType: z
    .enum(['standard', 'notice', 'member-join', 'member-leave', 'media-request'])
    .default('standard'),
});

export const MessageTypingRequest = z.object({
  typing: z.object({ type: z.enum(['On']), duration: z.number().int().positive().optional() }),
});

const transferType = z.enum(['Attended', 'Unattended']).default('Unattended');

/** TransferRequest (the message /replace): no queueName here, only on /replace/queue. */
export const TransferRequest = z.object({
  transferType,
  keepInternalMessageAlive: z.boolean().optional(),
  userId: z.string().min(1).optional(),
  address: z.string().min(1).optional(),
  userName: z.string().min(1).optional(),
  queueId: z.string().min(1).optional(),
  voicemail: z.boolean().optional(),
});

export const TransferToQueueRequest = z.object({
  transferType,
  keepInternalMessageAlive: z.boolean().optional(),
  queueId: z.string().min(1).optional(),
  queueName: z.string().min(1).optional(),
});

export const TransferToAgentRequest = z.object({
  transferType,
  keepInternalMessageAlive: z.boolean().optional(),
  userId: z.string().min(1).optional(),
  userName: z.string().min(1).optional(),
  userDisplayName: z.string().optional(),
  voicemail: z.boolean().optional(),
});

export const ConversationPatch = z.object({ state: z.literal('disconnected') });
