import { z } from 'zod';

/**
 * The bridge configuration as users write it (bridge.md §4.2). The first five settings are the ones
 * Kore.ai's Genesys setup page asks for; everything else is optional with defaults chosen from the
 * Genesys limits in guest-protocols.md. Cross-field rules (login URL parsing, channel choice, required
 * fields per channel, warnings) live in config.ts, which turns this shape into a ResolvedBridgeConfig.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** bridge.md §4.2: the queue key must be a plain attribute name Architect can read back. */
export const ATTRIBUTE_KEY = /^[A-Za-z0-9_.-]{1,128}$/;

function requiredText(setting: string) {
  return z
    .string({
      error: (issue) => (issue.input === undefined ? `${setting} is required` : `${setting} must be text`),
    })
    .trim()
    .min(1, { error: `${setting} must not be empty` });
}

function uuid(setting: string) {
  return requiredText(setting).regex(UUID, {
    error: `${setting} must be a Genesys id (a UUID such as 0f8e2d7a-1b2c-4d3e-9f00-123456789abc)`,
  });
}

function count(setting: string, min: number, max: number) {
  return z
    .number({ error: `${setting} must be a number` })
    .int({ error: `${setting} must be a whole number` })
    .min(min, { error: `${setting} must be at least ${min}` })
    .max(max, { error: `${setting} must be at most ${max}` });
}

function milliseconds(setting: string, min: number, max: number) {
  return count(setting, min, max);
}

const DAY_MS = 86_400_000;

export const MetadataOptionsSchema = z
  .strictObject({
    /** Attribute that carries the queue name for `FindQueue(...)` in Architect. Sent unprefixed. */
    queueNameKey: z
      .string({ error: 'metadata.queueNameKey must be text' })
      .regex(ATTRIBUTE_KEY, {
        error:
          'metadata.queueNameKey must be 1-128 letters, digits, "_", "." or "-" (it must match the Architect attribute name exactly)',
      })
      .default('QueueName'),
    /** `json`: strings as-is, every other JSON value JSON.stringify'd. `dotted`: objects/arrays flattened to `key.sub` keys. */
    encode: z
      .enum(['json', 'dotted'], { error: 'metadata.encode must be "json" or "dotted"' })
      .default('json'),
    /** `reject` refuses the transfer; `dropOptional` drops the largest non-required keys until it fits. */
    onOversize: z
      .enum(['reject', 'dropOptional'], { error: 'metadata.onOversize must be "reject" or "dropOptional"' })
      .default('reject'),
    /** Keys `dropOptional` never drops (the queue key never is). Names as given, before keyPrefix. */
    requiredKeys: z
      .array(z.string({ error: 'metadata.requiredKeys must be a list of key names' }))
      .default([]),
    /** Prefix for every metadata key except the queue key (which must match Architect exactly). */
    keyPrefix: z
      .string({ error: 'metadata.keyPrefix must be text' })
      .regex(/^[A-Za-z0-9_.-]{0,64}$/, {
        error: 'metadata.keyPrefix may only use letters, digits, "_", "." or "-"',
      })
      .default(''),
    /**
     * Byte budget used until Genesys announces its own (`SessionResponse.maxCustomDataBytes`, 2048 seen in
     * real replies). WebChat has no documented limit, so there it applies only when set explicitly.
     */
    maxBytes: count('metadata.maxBytes', 64, 1_048_576).optional(),
    /**
     * How the size is counted. `keyValueUtf8` (default) is the Genesys transport SDK's rule: the sum of UTF-8
     * bytes of every key and value. `jsonUtf8` counts the UTF-8 bytes of the JSON object instead, a stricter
     * reading for servers that measure the serialized map (which Genesys does is UNCONFIRMED).
     */
    sizeRule: z
      .enum(['keyValueUtf8', 'jsonUtf8'], { error: 'metadata.sizeRule must be "keyValueUtf8" or "jsonUtf8"' })
      .default('keyValueUtf8'),
  })
  .prefault({});

export const TranscriptOptionsSchema = z
  .strictObject({
    /** How the bot transcript reaches the agent. */
    mode: z
      .enum(['summaryMessage', 'link', 'participantData', 'none'], {
        error: 'transcript.mode must be "summaryMessage", "link", "participantData" or "none"',
      })
      .default('summaryMessage'),
    /** For `link`: a URL with `{sessionId}` and/or `{botConversationId}` placeholders. */
    linkTemplate: z.string({ error: 'transcript.linkTemplate must be text' }).optional(),
    /** Longest transcript text; older lines are dropped first, with a marker. */
    maxSummaryChars: count('transcript.maxSummaryChars', 100, 100_000).default(4000),
    /** Participant-data key for `participantData` mode. */
    attributeKey: z
      .string({ error: 'transcript.attributeKey must be text' })
      .regex(ATTRIBUTE_KEY, {
        error: 'transcript.attributeKey must be 1-128 letters, digits, "_", "." or "-"',
      })
      .default('BotTranscript'),
    /**
     * Web Messaging routes only after an inbound message, which also carries the metadata. When a transfer
     * has no summary, transcript message or initial message, this text is sent to start the flow.
     */
    handoffText: requiredText('transcript.handoffText').default(
      'Customer transferred from the virtual assistant.',
    ),
  })
  .prefault({});

export const LimitsSchema = z
  .strictObject({
    /** Genesys allows 2 onMessage per session per second (guest-protocols.md §2.11). */
    outboundMessagesPerSecond: count('limits.outboundMessagesPerSecond', 1, 100).default(2),
    outboundQueueMax: count('limits.outboundQueueMax', 1, 10_000).default(50),
    /** WebChat bodies are capped at 4000 characters; Web Messaging's cap is UNCONFIRMED (4011 on violation). */
    maxTextLength: count('limits.maxTextLength', 10, 100_000).default(4000),
    longText: z
      .enum(['split', 'reject'], { error: 'limits.longText must be "split" or "reject"' })
      .default('reject'),
    /** The Genesys SDK sends guest typing at most once per 5 s; typing also counts against the rate limit. */
    typingMinIntervalMs: milliseconds('limits.typingMinIntervalMs', 0, 60_000).default(5000),
    /**
     * After a reconnect, newer live agent messages wait while the history fills the gap; beyond this many
     * waiting, they are delivered at once with a `history.gap` event.
     */
    gapHoldMax: count('limits.gapHoldMax', 1, 10_000).default(100),
  })
  .prefault({});

export const TimeoutsSchema = z
  .strictObject({
    connectMs: milliseconds('timeouts.connectMs', 100, 600_000).default(15_000),
    agentWaitMs: milliseconds('timeouts.agentWaitMs', 1000, 7 * DAY_MS).optional(),
    idleMs: milliseconds('timeouts.idleMs', 1000, 7 * DAY_MS).default(30 * 60_000),
    /** The Genesys SDK keeps retrying for 300 s. */
    reconnectWindowMs: milliseconds('timeouts.reconnectWindowMs', 0, DAY_MS).default(300_000),
    reconnectInitialDelayMs: milliseconds('timeouts.reconnectInitialDelayMs', 10, 600_000).default(500),
    reconnectMaxDelayMs: milliseconds('timeouts.reconnectMaxDelayMs', 10, 600_000).default(5000),
    reorderWindowMs: milliseconds('timeouts.reorderWindowMs', 0, 60_000).default(1000),
    /**
     * After a reconnect, how long newer live agent messages may wait for the history read that fills the
     * gap (retried meanwhile); then they are delivered with a `history.gap` event.
     */
    gapHoldMs: milliseconds('timeouts.gapHoldMs', 0, 600_000).default(30_000),
    /**
     * A send without a Genesys confirmation in this time is looked up in Genesys's history (Web Messaging,
     * WebChat) and sent again only when Genesys does not have it; never resent blindly.
     */
    sendMs: milliseconds('timeouts.sendMs', 100, 600_000).default(10_000),
    /** How long an ended session (and its event log and idempotency key) stays readable. */
    endedRetentionMs: milliseconds('timeouts.endedRetentionMs', 0, 30 * DAY_MS).default(3_600_000),
  })
  .prefault({});

export const WebMessagingOptionsSchema = z
  .strictObject({
    /**
     * How endSession leaves a Web Messaging conversation. `presenceClear` sends Presence Clear (ends it and
     * clears the guest transcript; needs "Conversation Clear" enabled, else Genesys answers 403 and the bridge
     * falls back to detaching). `detach` only closes the socket: the conversation stays open for the agent.
     */
    endMode: z
      .enum(['presenceClear', 'detach'], {
        error: 'webMessaging.endMode must be "presenceClear" or "detach"',
      })
      .default('presenceClear'),
    /** App-level `echo` health check; a socket that misses one reply is treated as dead. 0 disables. */
    heartbeatMs: milliseconds('webMessaging.heartbeatMs', 0, 600_000).default(30_000),
    historyPageSize: count('webMessaging.historyPageSize', 1, 100).default(25),
    historyMaxPages: count('webMessaging.historyMaxPages', 1, 100).default(10),
    /** Sent as `application=` on the socket URL, like Genesys's own SDKs. */
    application: z
      .string({ error: 'webMessaging.application must be text' })
      .min(1)
      .max(200)
      .default('genesys-bridge'),
  })
  .prefault({});

export const WebChatOptionsSchema = z
  .strictObject({
    /**
     * WebChat gives no "transfer" signal: an agent DISCONNECTED is a transfer if the guest stays connected.
     * The bridge waits this long for the guest's own DISCONNECTED before calling it a transfer.
     */
    agentLeftGraceMs: milliseconds('webChat.agentLeftGraceMs', 0, 60_000).default(2000),
  })
  .prefault({});

export const OpenMessagingOptionsSchema = z.strictObject({
  /** The Open Messaging integration (Admin > Message > Platforms) customer messages go to. */
  integrationId: uuid('openMessaging.integrationId'),
  /**
   * The integration's outbound webhook signature secret (outboundNotificationWebhookSignatureSecretToken):
   * deliveries whose X-Hub-Signature-256 does not match it are refused. Genesys requires more than 15 characters.
   */
  webhookSecret: z
    .string({
      error: (issue) =>
        issue.input === undefined
          ? 'openMessaging.webhookSecret is required'
          : 'openMessaging.webhookSecret must be text',
    })
    .min(16, {
      error: 'openMessaging.webhookSecret must be at least 16 characters (Genesys requires more than 15)',
    }),
  /** `channel.from.idType` of the customers the bridge sends (the customer's id is the session id). */
  idType: z
    .enum(['Opaque', 'Email', 'Phone'], {
      error: 'openMessaging.idType must be "Opaque", "Email" or "Phone"',
    })
    .default('Opaque'),
  /** Send a Delivered receipt for every agent message relayed to the bot (agents then see it delivered). */
  receipts: z.boolean({ error: 'openMessaging.receipts must be true or false' }).default(true),
  /** How many retried webhook deliveries (by message id) are remembered to drop their duplicates. */
  dedupeWindow: count('openMessaging.dedupeWindow', 100, 1_000_000).default(10_000),
});

export const GenesysBridgeConfigSchema = z.strictObject({
  /** Kore: "Genesys Cloud login URL" (mandatory), e.g. https://login.mypurecloud.ie. */
  loginUrl: requiredText('loginUrl'),
  /** Kore: "Organization ID". Required for WebChat. */
  organizationId: uuid('organizationId').optional(),
  /** Kore: "Deployment ID" (Messenger deployment or WebChat widget deployment key); not used by Open Messaging. */
  deploymentId: uuid('deploymentId').optional(),
  /** Kore: "Queue Name". Kept exactly as written apart from surrounding spaces. */
  queueName: requiredText('queueName').optional(),
  /** Kore: "Genesys WebSocket URL" (Web Messaging only). Derived from loginUrl when absent. */
  webSocketUrl: requiredText('webSocketUrl').optional(),
  channel: z
    .enum(['auto', 'webMessaging', 'webChat', 'openMessaging'], {
      error: 'channel must be "auto", "webMessaging", "webChat" or "openMessaging"',
    })
    .default('auto'),
  metadata: MetadataOptionsSchema,
  transcript: TranscriptOptionsSchema,
  limits: LimitsSchema,
  timeouts: TimeoutsSchema,
  webMessaging: WebMessagingOptionsSchema,
  webChat: WebChatOptionsSchema,
  /** The Open Messaging integration; required for the openMessaging channel. */
  openMessaging: OpenMessagingOptionsSchema.optional(),
  /**
   * A Platform API OAuth client (client credentials). Open Messaging needs it: the inbound API takes its
   * token, and agent joins, transfers and the end come from its notifications. The guest channels do not use it.
   */
  platformApi: z
    .strictObject({
      clientId: requiredText('platformApi.clientId'),
      clientSecret: requiredText('platformApi.clientSecret'),
    })
    .optional(),
  /** Origin header for the guest socket and history calls (deployments may restrict domains). */
  origin: requiredText('origin').optional(),
});

export type GenesysBridgeConfigInput = z.input<typeof GenesysBridgeConfigSchema>;
export type ParsedBridgeConfig = z.output<typeof GenesysBridgeConfigSchema>;
export type GenesysChannel = 'webMessaging' | 'webChat' | 'openMessaging';
