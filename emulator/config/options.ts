import { z } from 'zod';
import type { Fixture } from './fixture-schema.ts';

/**
 * Options of one emulator instance, validated once and frozen. Only main.ts reads argv; tests,
 * scenarios and contract verification build instances from these options directly.
 *
 * `fidelity` holds switches for behaviours the reference marks UNCONFIRMED, so a user who learns how
 * the real Genesys behaves can match it without a code change.
 */
export const FidelitySchema = z.strictObject({
  /** HTTP status for OAuth invalid_client (unknown client or wrong secret): RFC 6749 allows 400 or 401. */
  oauthInvalidClientStatus: z.union([z.literal(400), z.literal(401)]).default(401),
  /** Queue name matching for FindQueue, literal queues, transfers and ?name= filters. */
  queueNameMatch: z.enum(['caseInsensitive', 'exact']).default('caseInsensitive'),
});

export const EmulatorOptionsSchema = z.strictObject({
  /** A parsed fixture; the embedded default fixture when absent. */
  fixture: z.custom<Fixture>((v) => typeof v === 'object' && v !== null).optional(),
  /** Register the /__emulator/ control plane (tests, scenarios, --control-plane). */
  controlPlane: z.boolean().default(false),
  /** A manual clock moves only through /__emulator/clock/advance (or the returned clock object). */
  clock: z.enum(['system', 'manual']).default('system'),
  /** Start time of a manual clock, ms since the epoch. */
  manualClockStartMs: z.number().int().nonnegative().optional(),
  /** Seed for ids; unseeded runs use random ids. */
  seed: z.number().int().nonnegative().optional(),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('warn'),
  /** Request body limit; Genesys rejects larger bodies. */
  bodyLimitBytes: z.number().int().positive().default(1_048_576),
  /**
   * TEST-ONLY: rewrites each Web Messaging frame just before it is sent (the contracts' bite test renames
   * a field to prove verification notices). Undefined in every normal run.
   */
  unsafeMutateGuestFrame: z
    .custom<(frame: Record<string, unknown>) => Record<string, unknown>>((v) => typeof v === 'function')
    .optional(),
  fidelity: FidelitySchema.default({ oauthInvalidClientStatus: 401, queueNameMatch: 'caseInsensitive' }),
});

export type EmulatorOptionsInput = z.input<typeof EmulatorOptionsSchema>;
export type EmulatorOptions = z.output<typeof EmulatorOptionsSchema>;
export type Fidelity = z.output<typeof FidelitySchema>;
