import { type BridgeFailure, bridgeError, failure } from '../errors.ts';
import type { ProviderMessage } from '../session/channel-adapter.ts';
import { NotDeliveredFailure } from '../session/channel-adapter.ts';
import type { StructuredBody } from './webmessaging-frames.ts';

/**
 * Web Messaging payloads → the session's vocabulary: outbound StructuredMessages become agent or bot
 * messages, error frames become BridgeFailures (guest-protocols.md §2.6).
 */

/** Genesys's Messenger SDK assumes 5 s when an agent typing event carries no duration. */
export const DEFAULT_AGENT_TYPING_MS = 5000;

type Json = Record<string, unknown>;

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * An outbound Text/Structured message as a ProviderMessage; undefined for inbound echoes, events and
 * empty messages. `originatingEntity: "Bot"` marks flow/bot messages; anything else is taken as a human
 * agent, because that is the only agent evidence Web Messaging gives.
 */
export function toProviderMessage(message: StructuredBody): ProviderMessage | undefined {
  if (message.direction !== 'Outbound' || (message.type !== 'Text' && message.type !== 'Structured'))
    return undefined;
  // Content items follow Genesys's normalized message content (contentType + a same-named object). The
  // reference names the types (Attachment, QuickReply, ...) but not every field: url/mime/filename and
  // text/payload are read when present and anything else is ignored.
  const attachments = message.content
    .filter((c) => c['contentType'] === 'Attachment')
    .map((c) =>
      typeof c['attachment'] === 'object' && c['attachment'] !== null ? (c['attachment'] as Json) : {},
    )
    .flatMap((a) => {
      const url = str(a['url']);
      if (!url) return [];
      const mimeType = str(a['mime']) ?? str(a['mediaType']);
      const fileName = str(a['filename']);
      return [{ url, ...(mimeType ? { mimeType } : {}), ...(fileName ? { fileName } : {}) }];
    });
  const quickReplies = message.content
    .filter((c) => c['contentType'] === 'QuickReply')
    .map((c) =>
      typeof c['quickReply'] === 'object' && c['quickReply'] !== null ? (c['quickReply'] as Json) : {},
    )
    .flatMap((q) => {
      const text = str(q['text']);
      if (!text) return [];
      const payload = str(q['payload']);
      return [{ text, ...(payload ? { payload } : {}) }];
    });
  const text = message.text;
  if ((text === undefined || text === '') && attachments.length === 0 && quickReplies.length === 0)
    return undefined;

  const from = message.from;
  const displayName =
    from?.nickname ?? ([from?.firstName, from?.lastName].filter(Boolean).join(' ') || undefined);
  const agent = {
    ...(displayName ? { displayName } : {}),
    ...(from?.image ? { avatarUrl: from.image } : {}),
  };
  return {
    id: message.id,
    ...(text !== undefined && text !== '' ? { text } : {}),
    ...(attachments.length > 0 ? { attachments } : {}),
    ...(quickReplies.length > 0 ? { quickReplies } : {}),
    ...(message.time !== undefined ? { occurredAt: message.time } : {}),
    sender:
      message.originatingEntity === 'Bot'
        ? { kind: 'bot' }
        : { kind: 'human', ...(Object.keys(agent).length > 0 ? { agent } : {}) },
  };
}

/** An error frame (class "string" code 4xxx/5xxx, or TooManyRequests) as the failure of the request it answers. */
export function webMessagingFailure(code: number, text: string, retryAfterMs?: number): BridgeFailure {
  const provider = { code, body: text };
  if (code === 4029 || code === 429) {
    return new NotDeliveredFailure(
      bridgeError('RATE_LIMITED', text || 'Message rate too high for this session', {
        retryable: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        provider,
      }),
    );
  }
  if (code === 409 || /read[- ]?only/i.test(text)) {
    return failure('SESSION_READ_ONLY', text || 'Session is read-only', { provider });
  }
  switch (code) {
    case 4006:
      return failure('SESSION_EXPIRED', text || 'session expired', { provider });
    case 4007:
      return failure('SESSION_NOT_FOUND', text || 'session not found', { provider });
    case 4011:
      return failure('MESSAGE_TOO_LONG', text || 'message too long', {
        provider,
        correctiveAction: 'Lower limits.maxTextLength or set limits.longText to "split"',
      });
    case 4013:
      return failure('METADATA_TOO_LARGE', text || 'custom attributes too large', {
        provider,
        correctiveAction: 'Shorten the metadata',
      });
    case 401:
      return failure('AUTH_FAILED', text || 'unauthorized', { provider });
    case 403:
    case 4000:
      return failure('FORBIDDEN', text || 'forbidden by the deployment configuration', {
        provider,
        correctiveAction: 'Check the Messenger deployment and configuration in Genesys Cloud',
      });
    case 4020:
    case 400:
      return failure('INVALID_REQUEST', text || 'request failed', { provider });
  }
  if (code >= 4001 && code <= 4010)
    return failure('ATTACHMENT_REJECTED', text || 'attachment rejected', { provider });
  return failure('PROVIDER_UNAVAILABLE', text || `Genesys answered ${code}`, {
    // HTTP 5xx and Web Messaging 5xxx are Genesys's trouble; an unknown 4xxx is a refusal, not retried.
    retryable: (code >= 500 && code < 600) || code >= 5000,
    provider,
  });
}
