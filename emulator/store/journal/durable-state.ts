import type { TrackingStore } from '../tracking-store.ts';
import { writeFileAtomic } from './atomic-file.ts';
import { DataDir, DataDirError, type KeyFile } from './data-dir.ts';
import { type AppendOnlyField, EntityChanges, type EntityRecords } from './entity-changes.ts';
import { type FsyncPolicy, JournalFile } from './journal-file.ts';
import { encodeJson } from './json-codec.ts';
import { readDataDirState } from './read-state.ts';
import {
  JOURNAL_FILE,
  JOURNAL_FORMAT,
  type JournalHeader,
  type Origin,
  SNAPSHOT_FILE,
  type SnapshotJson,
} from './records.ts';
import type { StateImage } from './state-image.ts';

/** What the journal needs of the emulator it keeps (the runtime provides it). */
export interface DurableHost {
  readonly store: TrackingStore;
  readonly emulatorVersion: string;
  /** What this start was given: its fixture (hash and names), seed and clock. */
  readonly origin: Origin;
  now(): number;
  /** Positions of the seeded id generators; undefined when ids are random. */
  idPositions(): { ids?: number | undefined; cids?: number | undefined };
  /** The fixture in force. */
  fixture(): Record<string, unknown>;
  /** The timeline in memory, oldest first, and the last sequence number given. */
  timeline(): { events: readonly unknown[]; lastSeq: number };
  /**
   * Takes a restored state: the store's tables are filled already; the host loads the fixture in
   * force, the timeline, clock and id positions, and rebuilds its process state (timers, queues).
   */
  load(image: StateImage, fixture: Record<string, unknown>): void;
}

export interface DurableOptions {
  dir: string;
  fsync: FsyncPolicy;
  /** Discard whatever the directory holds and start afresh. */
  resetData: boolean;
  /** Compact (snapshot, new journal) once the journal is this long; default max(16 MB, 2 x the snapshot). */
  compactAfterBytes?: number | undefined;
  /** Append-only fields journaled item by item (a conversation's messages). */
  appendOnly: readonly AppendOnlyField[];
}

/** What a start found in its data dir and how long reading it took. */
export interface RestoreReport {
  dataDir: string;
  /** False when the directory was new (or emptied by resetData). */
  restored: boolean;
  /** Operations replayed from the journal after the snapshot. */
  operations: number;
  /** Entities per table after the restore. */
  entities: Record<string, number>;
  events: number;
  ms: number;
  /** The journal's last line was cut short by a crash while it was written: left out. */
  cut?: { atByte: number; bytes: number };
}

const MIN_COMPACT_BYTES = 16 * 1024 * 1024;

/**
 * Keeps an emulator's state in a data dir (records.ts): every operation's changes are one journal line,
 * written (synchronously) before anything the operation caused leaves the process; every so often the
 * whole state becomes a snapshot and the journal starts over; a start on the same directory rebuilds the
 * state from the snapshot and the journal's lines after it.
 *
 * An operation's changes are the entities it touched (TrackingStore reports every get, set and delete)
 * that really changed (EntityChanges compares hashes), and the domain events it emitted. Touched keys
 * stay watched until the event loop turns (setImmediate): an operation that sends a frame half-way
 * commits what it changed so far, and what it changes afterwards is still seen. A commit looks again at
 * everything touched in this turn only when events were emitted since the last commit (every state
 * change is an event); otherwise only at what was touched since, so reads (an echo, a GET) stay cheap
 * under load. The turn's last commit (settle) looks at everything.
 */
export class DurableState {
  readonly #host: DurableHost;
  readonly #options: DurableOptions;
  readonly #dir: DataDir;
  readonly #changes: EntityChanges;
  /** Everything touched in this turn of the event loop, and what of it since the last commit. */
  readonly #touched = new Map<string, Set<string>>();
  readonly #recent = new Map<string, Set<string>>();
  #events: string[] = [];
  #dirty = false;
  #settleQueued = false;
  #armed = false;
  #journal: JournalFile | undefined;
  #n = 0;
  #compactAt = MIN_COMPACT_BYTES;
  /** What the directory's state started from: this start's, or the restored one's (same fixture). */
  #origin: Origin | undefined;
  #keys: KeyFile | undefined;

  constructor(host: DurableHost, options: DurableOptions) {
    this.#host = host;
    this.#options = options;
    this.#dir = new DataDir(options.dir);
    this.#changes = new EntityChanges(options.appendOnly);
  }

  /** What the directory's state started from (its first start's fixture, seed and clock). */
  get origin(): Origin {
    this.#origin ??= this.#host.origin;
    return this.#origin;
  }

  get dataDir(): string {
    return this.#dir.path;
  }

  /** The key file beside the state (guest token keys). */
  keys(): KeyFile {
    this.#keys ??= this.#dir.keys(this.#options.fsync !== 'never');
    return this.#keys;
  }

  /** The store's listener: an entity was read or written. */
  touched(table: string, key: string): void {
    if (!this.#armed) return;
    add(this.#touched, table, key);
    add(this.#recent, table, key);
    this.#changed();
  }

  /** The event bus's listener: serialised now, as it is at this moment (an event is a fact). */
  event(event: unknown): void {
    if (!this.#armed) return;
    this.#events.push(encodeJson(event));
    this.#changed();
  }

  #changed(): void {
    this.#dirty = true;
    if (this.#settleQueued) return;
    this.#settleQueued = true;
    setImmediate(() => this.#settle());
  }

  /**
   * Restores the directory's state, or writes the first snapshot of a new one, and starts journaling.
   * Throws a DataDirError (nothing changed, the directory released) when it cannot be used as it is.
   */
  open(): RestoreReport {
    const started = performance.now();
    this.#dir.lock();
    try {
      if (this.#options.resetData) this.#dir.clearState();
      if (!this.#dir.hasState()) {
        this.#armed = true;
        this.#events = [];
        this.#touched.clear();
        this.#recent.clear();
        this.compact();
        return this.#report(started, false, 0);
      }
      return this.#restore(started);
    } catch (e) {
      this.#armed = false;
      this.#journal?.close();
      this.#journal = undefined;
      this.#dir.unlock();
      throw e;
    }
  }

  #restore(started: number): RestoreReport {
    const { snapshot, image, operations, journal } = readDataDirState(this.#dir);
    this.#checkOrigin(snapshot.origin);
    this.#origin = snapshot.origin;
    const journalPath = this.#dir.file(JOURNAL_FILE);
    const store = this.#host.store;
    for (const [name, rows] of image.tables) {
      const raw = store.raw(name);
      raw.clear();
      for (const [key, value] of rows) raw.set(key, value);
    }
    this.#host.load(image, snapshot.fixture);
    this.#n = image.n;
    this.#seedChanges();
    this.#events = [];
    this.#touched.clear();
    this.#recent.clear();
    this.#journal = journal
      ? JournalFile.continue(journalPath, journal.validBytes, this.#options.fsync)
      : JournalFile.create(journalPath, this.#header(), this.#options.fsync);
    this.#compactAt = this.#threshold(this.#dir.snapshotBytes());
    this.#armed = true;
    return this.#report(started, true, operations, journal?.cut);
  }

  #checkOrigin(stored: Origin): void {
    const now = this.#host.origin;
    if (stored.fixtureHash === now.fixtureHash) return;
    const was = `org ${stored.orgName} (${stored.orgId})`;
    const is = `org ${now.orgName} (${now.orgId})`;
    throw new DataDirError(
      `${this.#dir.path} holds the state of another fixture: it was started with ${was}, fixture ${stored.fixtureHash.slice(0, 12)}, ` +
        `and this start has ${is}, fixture ${now.fixtureHash.slice(0, 12)}. Start with the fixture it was ` +
        'started with, or add --reset-data (startEmulator({ resetData: true })) to discard its state.',
    );
  }

  /**
   * Writes what changed since the last commit as one journal line: called before anything leaves the
   * process (an HTTP answer, a frame) and when the event loop turns. Cheap when nothing changed.
   */
  commit(): void {
    this.#commit(false);
  }

  #commit(wholeTurn: boolean): void {
    if (!this.#armed || !this.#dirty || !this.#journal) return;
    this.#dirty = false;
    const out: EntityRecords = { put: [], app: [], upd: [], del: [] };
    const store = this.#host.store;
    const look = wholeTurn || this.#events.length ? this.#touched : this.#recent;
    for (const [table, keys] of look) {
      const raw = store.raw(table);
      for (const key of keys) this.#changes.collect(table, key, raw.get(key), out);
    }
    this.#recent.clear();
    const events = this.#events;
    if (!events.length && !out.put.length && !out.app.length && !out.upd.length && !out.del.length) return;
    this.#events = [];
    const { ids, cids } = this.#host.idPositions();
    const parts = [`{"n":${++this.#n},"t":${this.#host.now()}`];
    if (ids !== undefined) parts.push(`,"ids":${ids}`);
    if (cids !== undefined) parts.push(`,"cids":${cids}`);
    if (events.length) parts.push(`,"ev":[${events.join(',')}]`);
    for (const [name, list] of Object.entries(out))
      if (list.length) parts.push(`,"${name}":[${list.join(',')}]`);
    parts.push('}');
    this.#journal.append(parts.join(''));
  }

  #settle(): void {
    this.#settleQueued = false;
    this.#dirty ||= this.#touched.size > 0;
    this.#commit(true);
    this.#touched.clear();
    this.#recent.clear();
    if (this.#armed && this.#journal && this.#journal.bytes > this.#compactAt) this.compact();
  }

  /**
   * The whole state becomes the snapshot (written atomically) and the journal starts over after it.
   * Runs when the journal grows past its threshold, after a reset or a fixture load (the store was
   * emptied wholesale), and when the emulator closes.
   */
  compact(): void {
    if (!this.#armed) return;
    this.commit();
    const host = this.#host;
    const store = host.store;
    const { events, lastSeq } = host.timeline();
    const { ids, cids } = host.idPositions();
    const tables: string[] = [];
    for (const name of store.names()) {
      const rows = [...store.raw(name)].map(([key, value]) => `[${encodeJson(key)},${encodeJson(value)}]`);
      tables.push(`${encodeJson(name)}:[${rows.join(',')}]`);
    }
    const meta: SnapshotJson['snapshot'] = {
      format: JOURNAL_FORMAT,
      emulatorVersion: host.emulatorVersion,
      writtenAt: new Date().toISOString(),
      origin: this.origin,
      upTo: this.#n,
      fixture: host.fixture(),
    };
    const image = [
      `{"tables":{${tables.join(',')}},"events":[${events.map((e) => encodeJson(e)).join(',')}]`,
      `,"lastSeq":${lastSeq},"now":${host.now()}`,
      ids === undefined ? '' : `,"ids":${ids}`,
      cids === undefined ? '' : `,"cids":${cids}`,
      '}',
    ].join('');
    const bytes = writeFileAtomic(
      this.#dir.file(SNAPSHOT_FILE),
      ['{"snapshot":', encodeJson(meta), ',"image":', image, '}\n'],
      this.#options.fsync !== 'never',
    );
    // The new journal replaces the old one on disk atomically before the old one is closed: if making it
    // fails, the old journal stays open and in use (its lines up to the snapshot are skipped on restore).
    const journal = JournalFile.create(this.#dir.file(JOURNAL_FILE), this.#header(), this.#options.fsync);
    this.#journal?.close();
    this.#journal = journal;
    this.#compactAt = this.#threshold(bytes);
    this.#seedChanges();
  }

  /** Everything in the store is what the snapshot (or the restore) holds: the baseline for changes. */
  #seedChanges(): void {
    this.#changes.clear();
    const store = this.#host.store;
    for (const name of store.names())
      for (const [key, value] of store.raw(name)) this.#changes.known(name, key, value);
  }

  #threshold(snapshotBytes: number): number {
    return this.#options.compactAfterBytes ?? Math.max(MIN_COMPACT_BYTES, 2 * snapshotBytes);
  }

  #header(): string {
    const header: JournalHeader = {
      journal: {
        format: JOURNAL_FORMAT,
        emulatorVersion: this.#host.emulatorVersion,
        createdAt: new Date().toISOString(),
        origin: this.origin,
        after: this.#n,
      },
    };
    return encodeJson(header);
  }

  #report(started: number, restored: boolean, operations: number, cut?: RestoreReport['cut']): RestoreReport {
    const store = this.#host.store;
    const entities: Record<string, number> = {};
    for (const name of store.names()) entities[name] = store.raw(name).size;
    return {
      dataDir: this.#dir.path,
      restored,
      operations,
      entities,
      events: this.#host.timeline().events.length,
      ms: performance.now() - started,
      ...(cut ? { cut } : {}),
    };
  }

  /** Commits, compacts (so the next start reads one snapshot), and releases the directory. */
  close(): void {
    if (!this.#armed) return;
    try {
      this.compact();
    } finally {
      this.#armed = false;
      this.#journal?.close();
      this.#journal = undefined;
      this.#dir.unlock();
    }
  }
}

export { DataDirError };

function add(map: Map<string, Set<string>>, table: string, key: string): void {
  let keys = map.get(table);
  if (!keys) {
    keys = new Set();
    map.set(table, keys);
  }
  keys.add(key);
}
