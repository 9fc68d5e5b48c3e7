import { z } from 'zod';
import { BridgeConfigError, type ConfigIssue } from '../config.ts';
import type { SessionStore } from './session-store.ts';

/**
 * Where the bridge keeps its sessions (the `store:` section of the service's config file, and
 * createBridge's `store` option):
 *
 *   store: memory                       # the default: this process only; a restart ends the sessions
 *   store:
 *     redis:
 *       url: redis://redis.internal:6379
 *       keyPrefix: genesys-bridge:      # optional: several bridges on one server
 *       leaseTtlMs: 15000               # optional: how soon a dead instance's sessions are taken over
 *
 * A SessionStore object may also be given to the library (`{ shared: store }`), e.g. a MemoryStore that
 * several bridges in one process share.
 */
const ms = (setting: string, min: number, max: number) =>
  z
    .number({ error: `${setting} must be a number of milliseconds` })
    .int({ error: `${setting} must be a whole number` })
    .min(min, { error: `${setting} must be at least ${min}` })
    .max(max, { error: `${setting} must be at most ${max}` });

export const RedisStoreSettingsSchema = z.strictObject({
  url: z.string({ error: 'store.redis.url is required, e.g. redis://127.0.0.1:6379' }).refine(isRedisUrl, {
    error: 'store.redis.url must be a redis:// or rediss:// URL, e.g. redis://127.0.0.1:6379',
  }),
  keyPrefix: z
    .string({ error: 'store.redis.keyPrefix must be text' })
    .min(1, { error: 'store.redis.keyPrefix must not be empty' })
    .max(100, { error: 'store.redis.keyPrefix must be at most 100 characters' })
    .optional(),
  /**
   * How long a lease lives without renewal: an instance that dies has its sessions taken over within about
   * this (plus a third of it, the next look for orphans). Renewed every third of it.
   */
  leaseTtlMs: ms('store.redis.leaseTtlMs', 300, 600_000).default(15_000),
  /** At start, how long connecting may take before the bridge gives up (exits). */
  connectTimeoutMs: ms('store.redis.connectTimeoutMs', 100, 600_000).default(5000),
  /** One command's limit; a slower answer counts as the store being unreachable. */
  commandTimeoutMs: ms('store.redis.commandTimeoutMs', 100, 600_000).default(5000),
  /** This instance's name in leases (defaults to host:pid:random). */
  instanceId: z.string().min(1).max(200).optional(),
});

export const StoreSettingsSchema = z.union(
  [
    z.literal('memory'),
    z.strictObject({ memory: z.strictObject({}) }),
    z.strictObject({ redis: RedisStoreSettingsSchema }),
  ],
  { error: 'store must be "memory" or { redis: { url } }' },
);

export type RedisStoreSettingsInput = z.input<typeof RedisStoreSettingsSchema>;
export type RedisStoreSettings = z.output<typeof RedisStoreSettingsSchema>;
export type StoreSettings = z.output<typeof StoreSettingsSchema>;

/** createBridge's `store` option. */
export type BridgeStoreOption =
  | 'memory'
  | { memory: Record<string, never> }
  | { redis: RedisStoreSettingsInput }
  | { shared: SessionStore; leaseTtlMs?: number; instanceId?: string };

function isRedisUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === 'redis:' || url.protocol === 'rediss:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Validates the `store:` section; issues name the setting under `prefix`. */
export function checkStoreSettings(
  input: unknown,
  prefix = 'store',
): { ok: true; settings: StoreSettings } | { ok: false; issues: ConfigIssue[] } {
  if (input === undefined) return { ok: true, settings: 'memory' };
  const parsed = StoreSettingsSchema.safeParse(input);
  if (parsed.success) return { ok: true, settings: parsed.data };
  // The union's own message is vague: when it is an object with redis:, report the redis issues.
  if (typeof input === 'object' && input !== null && 'redis' in input) {
    const redis = z.strictObject({ redis: RedisStoreSettingsSchema }).safeParse(input);
    if (!redis.success) return { ok: false, issues: issuesOf(redis.error.issues, prefix) };
  }
  return { ok: false, issues: issuesOf(parsed.error.issues, prefix) };
}

function issuesOf(issues: z.core.$ZodIssue[], prefix: string): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        setting: `${prefix}.${path ? `${path}.` : ''}${key}`,
        message: `unknown setting "${key}" (check the spelling)`,
      }));
    }
    return [{ setting: path ? `${prefix}.${path}` : prefix, message: issue.message }];
  });
}

export function resolveStoreSettings(input: unknown, prefix = 'store'): StoreSettings {
  const check = checkStoreSettings(input, prefix);
  if (!check.ok) throw new BridgeConfigError(check.issues);
  return check.settings;
}
