import { type BridgeFailure, bridgeError, failure } from '../errors.ts';
import { genesysErrorCode } from '../http/http-client.ts';
import { NotDeliveredFailure } from '../session/channel-adapter.ts';

/**
 * WebChat v2 guest API shapes (guest-protocols.md part 1): event-stream frames and REST error mapping.
 *
 * Stream frames: `{topicName, version:"2", eventBody, metadata:{CorrelationId, type}}` with
 * `metadata.type` ∈ member-change | message | typing-indicator, plus heartbeats on topic
 * `channel.metadata`. Member events carry only `{member:{id, state}}`; roles need GET member.
 */
export type StreamEvent =
  | { kind: 'memberChange'; memberId: string; state: string; at?: number }
  | { kind: 'message'; id: string; senderId: string; body: string; bodyType: string; at?: number }
  | { kind: 'typing'; senderId: string; at?: number }
  | { kind: 'heartbeat' }
  | { kind: 'other' };

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function time(value: unknown): { at?: number } {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN;
  return Number.isFinite(parsed) ? { at: parsed } : {};
}

export function parseStreamEvent(text: string): StreamEvent {
  let frame: Json | undefined;
  try {
    frame = record(JSON.parse(text));
  } catch {
    return { kind: 'other' };
  }
  if (!frame) return { kind: 'other' };
  if (frame['topicName'] === 'channel.metadata') return { kind: 'heartbeat' };
  const body = record(frame['eventBody']) ?? {};
  // Real frames spell it CorrelationId; only `type` matters here, read case-insensitively to be safe.
  const metadata = record(frame['metadata']) ?? {};
  const type = str(metadata['type']) ?? str(metadata['Type']);
  const senderId = str(record(body['sender'])?.['id']);
  switch (type) {
    case 'member-change': {
      const member = record(body['member']);
      const memberId = str(member?.['id']);
      const state = str(member?.['state']);
      if (!memberId || !state) return { kind: 'other' };
      return { kind: 'memberChange', memberId, state: state.toUpperCase(), ...time(body['timestamp']) };
    }
    case 'message':
      return parseChatMessage(body) ?? { kind: 'other' };
    case 'typing-indicator':
      return senderId ? { kind: 'typing', senderId, ...time(body['timestamp']) } : { kind: 'other' };
    default:
      return { kind: 'other' };
  }
}

export type ChatMessageEvent = Extract<StreamEvent, { kind: 'message' }>;

/** A WebChatMessage, as the stream's eventBody or an entity of GET …/messages. */
export function parseChatMessage(body: Json): ChatMessageEvent | undefined {
  const id = str(body['id']);
  const senderId = str(record(body['sender'])?.['id']);
  if (!id || !senderId) return undefined;
  return {
    kind: 'message',
    id,
    senderId,
    body: str(body['body']) ?? '',
    bodyType: str(body['bodyType']) ?? 'standard',
    ...time(body['timestamp']),
  };
}

export interface CreatedChat {
  conversationId: string;
  memberId: string;
  jwt: string;
  eventStreamUri: string;
}

export function parseCreatedChat(body: unknown): CreatedChat | undefined {
  const root = record(body);
  const conversationId = str(root?.['id']);
  const memberId = str(record(root?.['member'])?.['id']);
  const jwt = str(root?.['jwt']);
  const eventStreamUri = str(root?.['eventStreamUri']);
  if (!conversationId || !memberId || !jwt || !eventStreamUri) return undefined;
  return { conversationId, memberId, jwt, eventStreamUri };
}

export interface MemberInfo {
  id: string;
  role?: string;
  state?: string;
  displayName?: string;
  avatarImageUrl?: string;
}

export function parseMember(body: unknown): MemberInfo | undefined {
  const root = record(body);
  const id = str(root?.['id']);
  if (!root || !id) return undefined;
  const role = str(root['role']);
  const state = str(root['state']);
  const displayName = str(root['displayName']);
  const avatarImageUrl = str(root['avatarImageUrl']);
  return {
    id,
    ...(role ? { role: role.toUpperCase() } : {}),
    ...(state ? { state: state.toUpperCase() } : {}),
    ...(displayName ? { displayName } : {}),
    ...(avatarImageUrl ? { avatarImageUrl } : {}),
  };
}

export function parseEntities(body: unknown): unknown[] {
  const entities = record(body)?.['entities'];
  return Array.isArray(entities) ? entities : [];
}

/** A non-2xx guest-chat answer as a BridgeFailure; `during` says which call, for 404's meaning. */
export function webChatFailure(
  status: number,
  body: unknown,
  during: 'create' | 'conversation',
  retryAfterMs?: number,
): BridgeFailure {
  const { code, message } = genesysErrorCode(body);
  const provider = { code: code ?? status, ...(typeof body === 'string' ? { body } : {}) };
  const text = message ?? `Genesys answered ${status}${code ? ` ${code}` : ''}`;
  if (status === 429) {
    return new NotDeliveredFailure(
      bridgeError('RATE_LIMITED', text, {
        retryable: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        provider,
      }),
    );
  }
  if (status === 503) {
    // A refusal like 429 (platform-architect.md §1.4): the request was not handled, so it may be sent again.
    return new NotDeliveredFailure(
      bridgeError('PROVIDER_UNAVAILABLE', text, {
        retryable: true,
        ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
        provider,
      }),
    );
  }
  switch (code) {
    case 'chat.error.invalid.queue':
    case 'chat.error.createconversationrequest.routingtarget':
      return failure('QUEUE_NOT_FOUND', text, {
        provider,
        correctiveAction: 'Check the queue name; it must match the Genesys queue exactly',
      });
    case 'chat.deployment.disabled':
      return failure('FORBIDDEN', text, {
        provider,
        correctiveAction: 'Enable the widget deployment in Genesys Cloud',
      });
    case 'chat.deployment.require.auth':
    case 'chat.deployment.bad.auth':
      return failure('AUTH_FAILED', text, {
        provider,
        correctiveAction: 'This deployment requires authenticated guests, which the bridge does not support',
      });
    case 'chat.error.conversation.state':
    case 'chat.error.member.state':
      return failure('SESSION_ENDED', text, { provider });
  }
  if (status === 401) return failure('AUTH_FAILED', text, { provider });
  if (status === 403) return failure('FORBIDDEN', text, { provider });
  if (status === 404) {
    return during === 'create'
      ? failure('FORBIDDEN', text, { provider, correctiveAction: 'Check organizationId and deploymentId' })
      : failure('SESSION_NOT_FOUND', text, { provider });
  }
  if (status >= 500) return failure('PROVIDER_UNAVAILABLE', text, { retryable: true, provider });
  return failure('INVALID_REQUEST', text, { provider });
}
