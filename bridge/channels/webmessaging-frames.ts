/**
 * Web Messaging guest WebSocket frames (guest-protocols.md part 2), written from the reference alone.
 *
 * Client → server: `{action, token, tracingId?, ...}`. Server → client:
 * `{type: "response"|"message", class, code, body, tracingId?}`. Parsing is tolerant: unknown classes and
 * fields are ignored, and a frame that is not JSON is reported as `unreadable` rather than thrown.
 */

// ── client frames ─────────────────────────────────────────────────────────────────────────────────────

export interface ClientFrame {
  action: string;
  token: string;
  tracingId?: string;
  [field: string]: unknown;
}

export function configureSessionFrame(token: string, deploymentId: string, tracingId: string): ClientFrame {
  return { action: 'configureSession', token, deploymentId, startNew: false, tracingId };
}

export function textMessageFrame(
  token: string,
  tracingId: string,
  text: string,
  customAttributes?: Record<string, string>,
): ClientFrame {
  // Custom attributes go inside the message (message.channel.metadata); the top-level channel.metadata
  // location is deprecated and ignored by Genesys from June 2026 (guest-protocols.md §2.4).
  const message: Record<string, unknown> = { type: 'Text', text };
  if (customAttributes && Object.keys(customAttributes).length > 0) {
    message['channel'] = { metadata: { customAttributes } };
  }
  return { action: 'onMessage', token, tracingId, message };
}

export function typingFrame(token: string, tracingId: string): ClientFrame {
  return {
    action: 'onMessage',
    token,
    tracingId,
    message: { type: 'Event', events: [{ eventType: 'Typing', typing: { type: 'On' } }] },
  };
}

export function presenceClearFrame(token: string, tracingId: string): ClientFrame {
  return {
    action: 'onMessage',
    token,
    tracingId,
    message: { type: 'Event', events: [{ eventType: 'Presence', presence: { type: 'Clear' } }] },
  };
}

export function echoFrame(token: string, tracingId: string): ClientFrame {
  return { action: 'echo', token, tracingId, message: { type: 'Text', text: 'ping' } };
}

export function getJwtFrame(token: string, tracingId: string): ClientFrame {
  return { action: 'getJwt', token, tracingId };
}

// ── server frames ─────────────────────────────────────────────────────────────────────────────────────

export interface SessionInfo {
  connected: boolean;
  newSession?: boolean;
  readOnly?: boolean;
  maxCustomDataBytes?: number;
}

export interface StructuredEvent {
  eventType: string;
  typing?: { type?: string; duration?: number };
  presence?: { type?: string };
}

export interface StructuredBody {
  id: string;
  type: string;
  direction?: string;
  text?: string;
  originatingEntity?: string;
  time?: number;
  from?: { nickname?: string; firstName?: string; lastName?: string; image?: string };
  content: Record<string, unknown>[];
  events: StructuredEvent[];
  metadata: Record<string, string>;
}

export type ServerFrame =
  | { kind: 'session'; tracingId?: string; session: SessionInfo }
  | { kind: 'structured'; frameType: string; tracingId?: string; message: StructuredBody }
  | { kind: 'jwt'; tracingId?: string; jwt: string; expSeconds?: number }
  | { kind: 'tooManyRequests'; tracingId?: string; retryAfterMs?: number; errorCode?: number; text: string }
  | { kind: 'error'; tracingId?: string; code: number; text: string }
  | { kind: 'sessionExpired' }
  | { kind: 'sessionCleared' }
  | { kind: 'connectionClosed'; reason?: string }
  | { kind: 'logout' }
  | { kind: 'other'; className: string; tracingId?: string }
  | { kind: 'unreadable'; text: string };

type Json = Record<string, unknown>;

function record(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

function withTracing(tracingId: string | undefined): { tracingId?: string } {
  return tracingId !== undefined ? { tracingId } : {};
}

export function parseServerFrame(text: string): ServerFrame {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return { kind: 'unreadable', text };
  }
  const frame = record(parsed);
  if (!frame) return { kind: 'unreadable', text };
  const className = str(frame['class']) ?? '';
  const code = num(frame['code']) ?? 200;
  const tracingId = str(frame['tracingId']);
  const body = frame['body'];
  const bodyRecord = record(body) ?? {};

  switch (className) {
    case 'SessionResponse':
      return {
        kind: 'session',
        ...withTracing(tracingId),
        session: {
          connected: bodyRecord['connected'] === true,
          ...optionalBool('newSession', bodyRecord['newSession']),
          ...optionalBool('readOnly', bodyRecord['readOnly']),
          ...(num(bodyRecord['maxCustomDataBytes']) !== undefined
            ? { maxCustomDataBytes: num(bodyRecord['maxCustomDataBytes']) as number }
            : {}),
        },
      };
    case 'StructuredMessage': {
      const message = parseStructured(bodyRecord);
      if (!message) return { kind: 'other', className, ...withTracing(tracingId) };
      return {
        kind: 'structured',
        frameType: str(frame['type']) ?? 'message',
        ...withTracing(tracingId),
        message,
      };
    }
    case 'JwtResponse': {
      const jwt = str(bodyRecord['jwt']);
      if (!jwt) return { kind: 'other', className, ...withTracing(tracingId) };
      const exp = num(bodyRecord['exp']);
      return {
        kind: 'jwt',
        ...withTracing(tracingId),
        jwt,
        ...(exp !== undefined ? { expSeconds: exp } : {}),
      };
    }
    case 'TooManyRequestsErrorMessage': {
      const retryAfter = num(bodyRecord['retryAfter']);
      const errorCode = num(bodyRecord['errorCode']);
      return {
        kind: 'tooManyRequests',
        ...withTracing(tracingId),
        ...(retryAfter !== undefined ? { retryAfterMs: retryAfter * 1000 } : {}),
        ...(errorCode !== undefined ? { errorCode } : {}),
        text: str(bodyRecord['errorMessage']) ?? 'Message rate too high for this session',
      };
    }
    case 'SessionExpiredEvent':
      return { kind: 'sessionExpired' };
    case 'SessionClearedEvent':
      return { kind: 'sessionCleared' };
    case 'ConnectionClosedEvent': {
      // The mobile SDK reads `reason`, the Java schema says `reasonCode` (UNCONFIRMED): accept both.
      const reason = str(bodyRecord['reason']) ?? str(bodyRecord['reasonCode']);
      return { kind: 'connectionClosed', ...(reason !== undefined ? { reason } : {}) };
    }
    case 'LogoutEvent':
      return { kind: 'logout' };
    default:
      if (code >= 400) {
        const message =
          typeof body === 'string'
            ? body
            : (str(bodyRecord['errorMessage']) ?? str(bodyRecord['message']) ?? '');
        return { kind: 'error', ...withTracing(tracingId), code, text: message };
      }
      return { kind: 'other', className, ...withTracing(tracingId) };
  }
}

function optionalBool<K extends string>(key: K, value: unknown): { [P in K]?: boolean } {
  return (typeof value === 'boolean' ? { [key]: value } : {}) as { [P in K]?: boolean };
}

/** A StructuredMessage body, as sent on the socket and returned by the history API. */
export function parseStructured(body: Json): StructuredBody | undefined {
  const id = str(body['id']);
  const type = str(body['type']);
  if (!id || !type) return undefined;
  const channel = record(body['channel']) ?? {};
  const from = record(channel['from']);
  const time = str(channel['time']);
  const parsedTime = time !== undefined ? Date.parse(time) : Number.NaN;
  const metadata: Record<string, string> = {};
  for (const [key, value] of Object.entries(record(body['metadata']) ?? {})) {
    if (typeof value === 'string') metadata[key] = value;
  }
  const events = (Array.isArray(body['events']) ? body['events'] : [])
    .map(record)
    .filter((e): e is Json => e !== undefined)
    .map((e): StructuredEvent => {
      const typing = record(e['typing']);
      const presence = record(e['presence']);
      const duration = num(typing?.['duration']);
      return {
        eventType: str(e['eventType']) ?? '',
        ...(typing
          ? {
              typing: {
                ...optionalStr('type', typing['type']),
                ...(duration !== undefined ? { duration } : {}),
              },
            }
          : {}),
        ...(presence ? { presence: optionalStr('type', presence['type']) } : {}),
      };
    });
  return {
    id,
    type,
    ...optionalStr('direction', body['direction']),
    ...optionalStr('text', body['text']),
    ...optionalStr('originatingEntity', body['originatingEntity']),
    ...(Number.isFinite(parsedTime) ? { time: parsedTime } : {}),
    ...(from
      ? {
          from: {
            ...optionalStr('nickname', from['nickname']),
            ...optionalStr('firstName', from['firstName']),
            ...optionalStr('lastName', from['lastName']),
            ...optionalStr('image', from['image']),
          },
        }
      : {}),
    content: (Array.isArray(body['content']) ? body['content'] : [])
      .map(record)
      .filter((c): c is Json => c !== undefined),
    events,
    metadata,
  };
}

function optionalStr<K extends string>(key: K, value: unknown): { [P in K]?: string } {
  return (typeof value === 'string' ? { [key]: value } : {}) as { [P in K]?: string };
}
