import { z } from 'zod';

/**
 * What a data dir holds (`--data-dir DIR`), as JSON:
 *
 * - `snapshot.json`: a whole state at one moment (every store table, the timeline, the clock and id
 *   positions) and the fixture in force, written to a temporary file and renamed over the old one.
 * - `journal.jsonl`: what happened since that snapshot, one JSON line per operation: a header line
 *   first, then OperationRecords in order. Replaying the lines over the snapshot rebuilds the state.
 * - `keys.json`: the guest token keys, so tokens issued before a restart still verify.
 *
 * A repro pack (inspect/repro-pack.ts) carries the same ImageJson.
 */
export const JOURNAL_FORMAT = 1;

export const SNAPSHOT_FILE = 'snapshot.json';
export const JOURNAL_FILE = 'journal.jsonl';
export const KEYS_FILE = 'keys.json';
export const LOCK_FILE = 'lock';

/** What a data dir's state started from: the org (by a hash of its fixture, and its names), seed, clock. */
export const OriginSchema = z.object({
  fixtureHash: z.string(),
  orgId: z.string(),
  orgName: z.string(),
  seed: z.number().int().optional(),
  clock: z.enum(['system', 'manual']),
});
export type Origin = z.infer<typeof OriginSchema>;

/**
 * One operation's changes, written before anything it caused leaves the process (an HTTP answer, a
 * guest frame, a notification). Keys are short: there is one line per operation.
 */
export interface OperationRecord {
  /** Operation number, increasing through the data dir's life (snapshots say up to which one they hold). */
  n: number;
  /** The emulator clock when it was written (ms); a manual clock resumes here. */
  t: number;
  /** Positions of the seeded id generators, when seeded. */
  ids?: number;
  cids?: number;
  /** Domain events, as emitted (the timeline). */
  ev?: unknown[];
  /** Entities written whole: [table, key, value] or, for an append-only field kept apart, [table, key, value, field]. */
  put?: ([string, string, unknown] | [string, string, unknown, string])[];
  /** Items appended to an entity's append-only field: [table, key, field, first index, items]. */
  app?: [string, string, string, number, unknown[]][];
  /** An item of an append-only field that changed after it was written: [table, key, field, index, item]. */
  upd?: [string, string, string, number, unknown][];
  /** Entities gone: [table, key]. */
  del?: [string, string][];
}

export const JournalHeaderSchema = z.object({
  journal: z.object({
    format: z.number().int(),
    emulatorVersion: z.string(),
    createdAt: z.string(),
    origin: OriginSchema,
    /** The operation number of the snapshot this journal continues. */
    after: z.number().int().nonnegative(),
  }),
});
export type JournalHeader = z.infer<typeof JournalHeaderSchema>;

/** A whole state: what snapshots and repro packs carry. */
export const ImageJsonSchema = z.object({
  /** Table name -> [key, value] pairs in the table's own order. */
  tables: z.record(z.string(), z.array(z.tuple([z.string(), z.unknown()]))),
  /** Domain events, oldest first (not checked one by one: a pack may hold a hundred thousand). */
  events: z.array(z.unknown()),
  lastSeq: z.number().int().nonnegative(),
  /** The emulator clock (ms). */
  now: z.number(),
  ids: z.number().int().optional(),
  cids: z.number().int().optional(),
});
export type ImageJson = z.infer<typeof ImageJsonSchema>;

export const SnapshotSchema = z.object({
  snapshot: z.object({
    format: z.number().int(),
    emulatorVersion: z.string(),
    writtenAt: z.string(),
    origin: OriginSchema,
    /** The last operation it includes. */
    upTo: z.number().int().nonnegative(),
    /** The fixture in force (a control-plane load may have replaced the one the data dir started from). */
    fixture: z.record(z.string(), z.unknown()),
  }),
  image: ImageJsonSchema,
});
export type SnapshotJson = z.infer<typeof SnapshotSchema>;
