import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFileAtomic } from './atomic-file.ts';
import { decodeJson } from './json-codec.ts';
import {
  JOURNAL_FILE,
  JOURNAL_FORMAT,
  KEYS_FILE,
  LOCK_FILE,
  SNAPSHOT_FILE,
  type SnapshotJson,
  SnapshotSchema,
} from './records.ts';

/** A data dir that cannot be used as it is; the message says why and what to do. */
export class DataDirError extends Error {}

/** Data dirs this process has open: a second emulator on the same one would corrupt it. */
const openHere = new Set<string>();

/**
 * The files of one data dir (records.ts lists them) and the lock that keeps it to one emulator at a
 * time: `lock` holds the owner's pid, and a lock whose process is gone (killed) is taken over.
 */
export class DataDir {
  readonly path: string;
  #locked = false;

  constructor(path: string) {
    this.path = resolve(path);
  }

  file(name: string): string {
    return join(this.path, name);
  }

  lock(): void {
    mkdirSync(this.path, { recursive: true });
    if (openHere.has(this.path))
      throw new DataDirError(`${this.path} is already in use by another emulator in this process`);
    const lockFile = this.file(LOCK_FILE);
    if (existsSync(lockFile)) {
      const pid = Number(readFileSync(lockFile, 'utf8').trim());
      if (Number.isInteger(pid) && pid !== process.pid && alive(pid))
        throw new DataDirError(
          `${this.path} is in use by another emulator (process ${pid}); stop it or use another --data-dir ` +
            `(if no emulator runs on it, delete ${lockFile})`,
        );
    }
    writeFileSync(lockFile, `${process.pid}\n`);
    openHere.add(this.path);
    this.#locked = true;
  }

  unlock(): void {
    if (!this.#locked) return;
    this.#locked = false;
    openHere.delete(this.path);
    rmSync(this.file(LOCK_FILE), { force: true });
  }

  /** Whether it holds a state to restore. */
  hasState(): boolean {
    return existsSync(this.file(SNAPSHOT_FILE)) || existsSync(this.file(JOURNAL_FILE));
  }

  /** `--reset-data`: the state and the keys go; the directory and its lock stay. */
  clearState(): void {
    for (const name of [
      SNAPSHOT_FILE,
      JOURNAL_FILE,
      KEYS_FILE,
      `${SNAPSHOT_FILE}.tmp`,
      `${JOURNAL_FILE}.tmp`,
    ])
      rmSync(this.file(name), { force: true });
  }

  readSnapshot(): SnapshotJson {
    const path = this.file(SNAPSHOT_FILE);
    if (!existsSync(path))
      throw new DataDirError(
        `${this.path} has a journal but no ${SNAPSHOT_FILE}, so the journal has nothing to continue from; ` +
          'restore the snapshot, or start with --reset-data to begin afresh',
      );
    let json: unknown;
    try {
      json = decodeJson(readFileSync(path, 'utf8'));
    } catch {
      throw new DataDirError(`${path} is not JSON: the snapshot is damaged`);
    }
    const parsed = SnapshotSchema.safeParse(json);
    if (!parsed.success)
      throw new DataDirError(`${path} is not an emulator snapshot (${parsed.error.issues[0]?.message})`);
    const { format, emulatorVersion } = parsed.data.snapshot;
    if (format > JOURNAL_FORMAT)
      throw new DataDirError(
        `${path} was written by emulator ${emulatorVersion} in data format ${format}, newer than this one reads ` +
          `(${JOURNAL_FORMAT}); start it with that version, or add --reset-data to begin afresh`,
      );
    return parsed.data;
  }

  snapshotBytes(): number {
    try {
      return statSync(this.file(SNAPSHOT_FILE)).size;
    } catch {
      return 0;
    }
  }

  /** Named secrets kept beside the state (guest token keys), read once and written atomically. */
  keys(durable: boolean): KeyFile {
    return new KeyFile(this.file(KEYS_FILE), durable);
  }
}

/** Secrets that must survive a restart: a guest token signed before it must still verify after it. */
export class KeyFile {
  readonly #path: string;
  readonly #durable: boolean;
  #values: Record<string, string> | undefined;

  constructor(path: string, durable: boolean) {
    this.#path = path;
    this.#durable = durable;
  }

  get(name: string): string | undefined {
    return this.#all()[name];
  }

  set(name: string, value: string): void {
    const all = { ...this.#all(), [name]: value };
    writeFileAtomic(this.#path, `${JSON.stringify(all, null, 2)}\n`, this.#durable);
    this.#values = all;
  }

  #all(): Record<string, string> {
    if (!this.#values) {
      try {
        this.#values = JSON.parse(readFileSync(this.#path, 'utf8')) as Record<string, string>;
      } catch {
        this.#values = {};
      }
    }
    return this.#values;
  }
}

/**
 * Whether a process with this pid runs. Not a pid at all (0 or below: an empty lock file a crash left
 * between creating and writing it) is not alive: `kill(0)` and `kill(-1)` would signal process groups.
 */
function alive(pid: number): boolean {
  if (pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
