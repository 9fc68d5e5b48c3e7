import { z } from 'zod';
import { MAX_TOKEN_LENGTH } from './limits.ts';

/**
 * Client → server frames of the guest WebSocket (guest-protocols.md §2.3-§2.4): `{action, token,
 * tracingId?, ...}`, one schema per action in a discriminated union on `action`. Unknown fields are
 * ignored, as real clients send extras (journeyContext, time, application data). Lengths of text and
 * attributes are checked by the handlers, not here, because they have their own error codes (4011,
 * 4013).
 */

const token = z.string().min(1).max(MAX_TOKEN_LENGTH);
const tracingId = z.string().max(1024).optional();
const deploymentId = z.string().min(1).max(128);
const stringMap = z.record(z.string(), z.string());

/** `channel.metadata.customAttributes`, current (inside the message) or legacy (top level) [M5]. */
const Channel = z.object({
  metadata: z.object({ customAttributes: stringMap.optional() }).optional(),
});

const ButtonResponseContent = z.object({
  contentType: z.literal('ButtonResponse'),
  buttonResponse: z.object({
    text: z.string().optional(),
    payload: z.string().optional(),
    type: z.enum(['QuickReply', 'Button', 'DatePicker']).optional(),
  }),
});

/** Attachments are not emulated; the content parses so the handler can say so (4000). */
const AttachmentContent = z.object({ contentType: z.literal('Attachment'), attachment: z.unknown() });

const Content = z.discriminatedUnion('contentType', [ButtonResponseContent, AttachmentContent]);

const TypingEvent = z.object({
  eventType: z.literal('Typing'),
  // Clients send only On (M2 EventTypingType); duration is server → client.
  typing: z.object({ type: z.literal('On'), duration: z.number().optional() }),
});

const PresenceEvent = z.object({
  eventType: z.literal('Presence'),
  // Join (auto start) and Clear (end and wipe) are what guests send; the other values are server-side.
  presence: z.object({ type: z.enum(['Join', 'Clear']) }),
});

const InboundEvent = z.discriminatedUnion('eventType', [TypingEvent, PresenceEvent]);

const messageCommon = {
  metadata: stringMap.optional(),
  channel: Channel.optional(),
};

const TextMessage = z.object({
  type: z.literal('Text'),
  text: z.string().optional(),
  content: z.array(Content).max(10).optional(),
  ...messageCommon,
});

const StructuredMessage = z.object({
  type: z.literal('Structured'),
  text: z.string().optional(),
  content: z.array(Content).max(10).optional(),
  ...messageCommon,
});

const EventMessage = z.object({
  type: z.literal('Event'),
  events: z.array(InboundEvent).min(1).max(10),
  ...messageCommon,
});

export const InboundMessage = z.discriminatedUnion('type', [TextMessage, StructuredMessage, EventMessage]);

const ConfigureSession = z.object({
  action: z.literal('configureSession'),
  token,
  tracingId,
  deploymentId,
  startNew: z.boolean().optional(),
  journeyContext: z.unknown().optional(),
});

const OnMessage = z.object({
  action: z.literal('onMessage'),
  token,
  tracingId,
  message: InboundMessage,
  /** Legacy location of custom attributes, deprecated but still sent by some clients [M5]. */
  channel: Channel.optional(),
  time: z.string().optional(),
});

const Echo = z.object({
  action: z.literal('echo'),
  token,
  tracingId,
  message: z.object({ type: z.literal('Text'), text: z.string().max(1024) }).optional(),
});

const GetJwt = z.object({ action: z.literal('getJwt'), token, tracingId });

const CloseSession = z.object({
  action: z.literal('closeSession'),
  token,
  tracingId,
  closeAllConnections: z.boolean().optional(),
});

const GetConfiguration = z.object({
  action: z.literal('getConfiguration'),
  token,
  tracingId,
  deploymentId: deploymentId.optional(),
});

/** Actions in Genesys's schema (M2 RequestType) that the emulator does not emulate. */
export const NOT_EMULATED_ACTIONS = [
  'configureAuthenticatedSession',
  'onAttachment',
  'getAttachment',
  'deleteAttachment',
  'disconnectCustomer',
  'resumeToken',
] as const;

const notEmulated = NOT_EMULATED_ACTIONS.map((action) =>
  z.object({ action: z.literal(action), token, tracingId }),
);

export const ClientFrame = z.discriminatedUnion('action', [
  ConfigureSession,
  OnMessage,
  Echo,
  GetJwt,
  CloseSession,
  GetConfiguration,
  ...notEmulated,
]);

export type ClientFrame = z.output<typeof ClientFrame>;
export type ConfigureSessionFrame = z.output<typeof ConfigureSession>;
export type OnMessageFrame = z.output<typeof OnMessage>;
export type EchoFrame = z.output<typeof Echo>;
export type CloseSessionFrame = z.output<typeof CloseSession>;
export type GetConfigurationFrame = z.output<typeof GetConfiguration>;
export type InboundMessage = z.output<typeof InboundMessage>;
export type InboundEvent = z.output<typeof InboundEvent>;
export type InboundContent = z.output<typeof Content>;

const KNOWN_ACTIONS = new Set<string>(ClientFrame.options.map((o) => o.shape.action.value));

export type Decoded =
  | { ok: true; frame: ClientFrame }
  | { ok: false; code: number; text: string; tracingId?: string };

/**
 * Parses one text frame. A failure carries the error frame's code: 4020 for a missing required
 * parameter, 400 ("Request failed.") for anything else malformed [M1 ErrorCode, fixtures], and the
 * request's tracingId when one could be read, so even an error reply can be correlated.
 */
export function decodeClientFrame(text: string): Decoded {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 400, text: 'Request failed. The frame is not valid JSON.' };
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { ok: false, code: 400, text: 'Request failed. A frame is a JSON object.' };
  const record = raw as Record<string, unknown>;
  const trace =
    typeof record.tracingId === 'string' && record.tracingId.length <= 1024 ? record.tracingId : undefined;
  const fail = (code: number, why: string): Decoded => ({
    ok: false,
    code,
    text: `Request failed. ${why}`,
    ...(trace === undefined ? {} : { tracingId: trace }),
  });
  if (record.action === undefined) return fail(4020, 'Missing parameter: action.');
  if (typeof record.action !== 'string' || !KNOWN_ACTIONS.has(record.action))
    return fail(400, `Unknown action: ${String(record.action).slice(0, 64)}.`);
  const parsed = ClientFrame.safeParse(record);
  if (parsed.success) return { ok: true, frame: parsed.data };
  const issue = parsed.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'frame';
  // An empty string is as missing as an absent key (a client that lost its token sends "").
  const value = valueAt(record, issue.path);
  if (value === undefined || value === '') return fail(4020, `Missing parameter: ${field}.`);
  return fail(400, `Invalid ${field}: ${issue.message}`);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let at = value;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<PropertyKey, unknown>)[key];
  }
  return at;
}
