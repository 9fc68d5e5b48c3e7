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
  /**
   * Messages one conversation holds before refusing more (guest and agent sides alike). Genesys
   * publishes no such figure (UNCONFIRMED); 10,000 bounds memory and listings.
   */
  maxMessagesPerConversation: z.number().int().min(1).max(1_000_000).default(10_000),
  /**
   * What an Open Messaging webhook gets when the agent (or the flow) ends the conversation. Genesys
   * documents no such delivery and integrators detect the end through notifications (UNCONFIRMED,
   * platform-extra.md §1.5): `none` (the default) posts nothing; `presenceEvent` posts an Outbound Event
   * with a Presence Disconnect, as Web Messaging guests get it.
   */
  openMessagingDisconnect: z.enum(['none', 'presenceEvent']).default('none'),
});

export const EmulatorOptionsSchema = z
  .strictObject({
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
     * The interface the emulator listens on (`--host`). Its name is one of the Host header values the
     * console and the control plane answer (see allowedHosts).
     */
    host: z.string().min(1).optional(),
    /**
     * Further Host names the console (/console) and the control plane (/__emulator/) answer, besides
     * loopback names (localhost, *.localhost), IP addresses and `host`; `.example.test` allows every
     * subdomain. Any other Host is refused (403 host.not.allowed) so that a web page cannot read or drive
     * them through DNS rebinding. The Genesys API surfaces answer every Host.
     */
    allowedHosts: z.array(z.string().min(1)).default([]),
    /** A request whose headers have not all arrived this long (real ms) after it began is cut off (408). */
    headerTimeoutMs: z.number().int().positive().max(3_600_000).default(10_000),
    /** A request not fully received (headers and body) this long after it began is cut off (408). */
    requestTimeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
    /** A keep-alive connection with no request for this long is closed. */
    idleTimeoutMs: z.number().int().positive().max(3_600_000).default(30_000),
    /**
     * `json`: pino's JSON lines (for machines), conversation events among them at level info. `pretty`:
     * one readable line per conversation event (created, flow result, queued, alerted, answered,
     * transferred, ended) in emulator time, and log records as readable lines.
     */
    logFormat: z.enum(['json', 'pretty']).default('json'),
    /**
     * TEST-ONLY: rewrites each Web Messaging frame just before it is sent (the contracts' bite test renames
     * a field to prove verification notices). Undefined in every normal run.
     */
    unsafeMutateGuestFrame: z
      .custom<(frame: Record<string, unknown>) => Record<string, unknown>>((v) => typeof v === 'function')
      .optional(),
    /**
     * Keep the state in this directory (`--data-dir`): a journal of every operation, written before its
     * answer leaves, and periodic snapshots; a start on a directory that holds a state restores it.
     */
    dataDir: z.string().min(1).optional(),
    /** Discard what `dataDir` holds and start afresh (`--reset-data`); also needed to change its fixture. */
    resetData: z.boolean().default(false),
    /** When the journal is flushed to the disk itself (store/journal/journal-file.ts; `--fsync`). */
    fsync: z.enum(['never', 'interval', 'always']).default('interval'),
    /** Snapshot and restart the journal once it is this long (bytes); by default max(16 MB, 2 x the snapshot). */
    compactAfterBytes: z.number().int().positive().optional(),
    fidelity: FidelitySchema.default({
      oauthInvalidClientStatus: 401,
      queueNameMatch: 'caseInsensitive',
      maxMessagesPerConversation: 10_000,
      openMessagingDisconnect: 'none',
    }),
  })
  .refine((o) => o.headerTimeoutMs <= o.requestTimeoutMs, {
    // Node refuses a header timeout longer than the request timeout; say so in the options' own words.
    error: 'headerTimeoutMs must not be longer than requestTimeoutMs',
    path: ['headerTimeoutMs'],
  });

export type EmulatorOptionsInput = z.input<typeof EmulatorOptionsSchema>;
export type EmulatorOptions = z.output<typeof EmulatorOptionsSchema>;
export type Fidelity = z.output<typeof FidelitySchema>;
