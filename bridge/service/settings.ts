import { z } from 'zod';
import { BridgeConfigError, type ConfigIssue } from '../config.ts';

/**
 * The service's own settings (the `service:` section of the CLI's config file): the API keys callers
 * must present and the optional signed webhook. Validated like the bridge configuration, with every
 * problem named by its setting.
 */

const MIN_KEY_LENGTH = 16;

const apiKey = z
  .string({ error: 'each API key must be text' })
  .min(MIN_KEY_LENGTH, { error: `each API key must be at least ${MIN_KEY_LENGTH} characters` })
  .max(512, { error: 'each API key must be at most 512 characters' })
  .regex(/^[\x21-\x7e]+$/, { error: 'API keys may only use printable ASCII without spaces' });

const delay = (setting: string, min: number, max: number) =>
  z
    .number({ error: `${setting} must be a number` })
    .int({ error: `${setting} must be a whole number` })
    .min(min, { error: `${setting} must be at least ${min}` })
    .max(max, { error: `${setting} must be at most ${max}` });

export const WebhookSettingsSchema = z.strictObject({
  /** Where every event is POSTed as JSON. */
  url: z.string({ error: 'webhooks.url is required' }).refine(isHttpUrl, {
    error: 'webhooks.url must be an http(s) URL, e.g. https://bot.example/genesys-events',
  }),
  /** HMAC-SHA256 key of `X-Bridge-Signature`. */
  secret: z
    .string({ error: 'webhooks.secret is required' })
    .min(MIN_KEY_LENGTH, { error: `webhooks.secret must be at least ${MIN_KEY_LENGTH} characters` }),
  /** Attempts per event, the first included. */
  maxAttempts: delay('webhooks.maxAttempts', 1, 20).default(6),
  initialDelayMs: delay('webhooks.initialDelayMs', 1, 600_000).default(500),
  maxDelayMs: delay('webhooks.maxDelayMs', 1, 3_600_000).default(30_000),
  /** One attempt's limit; a slower receiver counts as a failed attempt. */
  timeoutMs: delay('webhooks.timeoutMs', 1, 600_000).default(10_000),
  /** On shutdown, how long to let deliveries in progress finish. */
  drainMs: delay('webhooks.drainMs', 0, 600_000).default(5_000),
});

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * How long a client may take (real ms): slow clients are cut off with 408 REQUEST_TIMEOUT instead of
 * holding a connection open forever, and idle keep-alive connections close. Long-polls, SSE and
 * WebSocket streams are not affected: these bound receiving a request, not answering it.
 */
export const HttpSettingsSchema = z
  .strictObject({
    /** All of a request's headers must have arrived this long after it began. */
    headerTimeoutMs: delay('http.headerTimeoutMs', 1, 3_600_000).default(10_000),
    /** The whole request, headers and body, must have arrived this long after it began. */
    requestTimeoutMs: delay('http.requestTimeoutMs', 1, 3_600_000).default(30_000),
    /** A keep-alive connection with no request for this long is closed. */
    idleTimeoutMs: delay('http.idleTimeoutMs', 1, 3_600_000).default(30_000),
  })
  .refine((h) => h.headerTimeoutMs <= h.requestTimeoutMs, {
    error: 'http.headerTimeoutMs must not be longer than http.requestTimeoutMs',
    path: ['headerTimeoutMs'],
  });

export const ServiceSettingsSchema = z.strictObject({
  /** Connection deadlines (see HttpSettingsSchema); the defaults when absent. */
  http: HttpSettingsSchema.default({
    headerTimeoutMs: 10_000,
    requestTimeoutMs: 30_000,
    idleTimeoutMs: 30_000,
  }),
  apiKeys: z
    .array(apiKey, { error: 'apiKeys must be a list of keys' })
    .min(1, { error: 'at least one API key is required: the service does not run without authentication' }),
  webhooks: WebhookSettingsSchema.optional(),
});

export type ServiceSettingsInput = z.input<typeof ServiceSettingsSchema>;
export type ServiceSettings = z.output<typeof ServiceSettingsSchema>;
export type WebhookSettings = z.output<typeof WebhookSettingsSchema>;
export type HttpSettings = z.output<typeof HttpSettingsSchema>;

/** Validates the service settings; issues name the setting under `prefix` (e.g. `service.apiKeys.0`). */
export function checkServiceSettings(
  input: unknown,
  prefix = 'service.',
): { ok: true; settings: ServiceSettings } | { ok: false; issues: ConfigIssue[] } {
  const parsed = ServiceSettingsSchema.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  return {
    ok: false,
    issues: parsed.error.issues.flatMap((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        return issue.keys.map((key) => ({
          setting: `${prefix}${path ? `${path}.` : ''}${key}`,
          message: `unknown setting "${key}" (check the spelling)`,
        }));
      }
      const setting = `${prefix}${path}`.replace(/\.$/, '') || 'service';
      const message =
        path === '' && issue.code === 'invalid_type'
          ? 'service must be an object with apiKeys'
          : issue.message;
      return [{ setting, message }];
    }),
  };
}

export function resolveServiceSettings(input: unknown, prefix = 'service.'): ServiceSettings {
  const check = checkServiceSettings(input, prefix);
  if (!check.ok) throw new BridgeConfigError(check.issues);
  return check.settings;
}
