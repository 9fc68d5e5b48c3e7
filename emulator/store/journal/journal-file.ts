import { closeSync, fsyncSync, ftruncateSync, openSync, writeSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file.ts';

/**
 * When journal writes reach the disk itself, not only the operating system's cache:
 * - `never`: never asked; a killed emulator loses nothing (the cache belongs to the kernel), a power
 *   cut or kernel crash may lose the last writes.
 * - `interval` (default): flushed once a second when something was written; a power cut loses at most
 *   about the last second.
 * - `always`: flushed after every operation, before its answer leaves; nothing acknowledged is ever
 *   lost, at the cost of one disk flush per operation.
 */
export type FsyncPolicy = 'never' | 'interval' | 'always';

const INTERVAL_MS = 1000;

/**
 * The journal being written: one line per operation, appended with a synchronous write so it is in the
 * file before the operation's answer leaves (write-ahead).
 */
export class JournalFile {
  readonly #fd: number;
  readonly #policy: FsyncPolicy;
  #bytes: number;
  #unsynced = false;
  #timer: NodeJS.Timeout | undefined;

  private constructor(fd: number, bytes: number, policy: FsyncPolicy) {
    this.#fd = fd;
    this.#bytes = bytes;
    this.#policy = policy;
    if (policy === 'interval') {
      // Real time, not the emulator's: this is about the disk, not about anything the emulator models.
      this.#timer = setInterval(() => this.sync(), INTERVAL_MS);
      this.#timer.unref();
    }
  }

  /** A new journal holding only its header line, replacing any old one atomically. */
  static create(path: string, header: string, policy: FsyncPolicy): JournalFile {
    const bytes = writeFileAtomic(path, `${header}\n`, policy !== 'never');
    return new JournalFile(openSync(path, 'r+'), bytes, policy);
  }

  /**
   * An existing journal, continued after its last whole line: a line a crash cut short is cut off
   * first, so the next line does not glue onto it.
   */
  static continue(path: string, validBytes: number, policy: FsyncPolicy): JournalFile {
    const fd = openSync(path, 'r+');
    ftruncateSync(fd, validBytes);
    return new JournalFile(fd, validBytes, policy);
  }

  get bytes(): number {
    return this.#bytes;
  }

  append(line: string): void {
    const data = Buffer.from(`${line}\n`, 'utf8');
    // Positioned writes at the known end: the file is never appended to by anyone else.
    let written = 0;
    while (written < data.length)
      written += writeSync(this.#fd, data, written, data.length - written, this.#bytes + written);
    this.#bytes += data.length;
    if (this.#policy === 'always') fsyncSync(this.#fd);
    else this.#unsynced = true;
  }

  /** Flushes what was written since the last flush (the interval policy's tick; close). */
  sync(): void {
    if (!this.#unsynced || this.#policy === 'never') return;
    this.#unsynced = false;
    fsyncSync(this.#fd);
  }

  close(): void {
    clearInterval(this.#timer);
    this.sync();
    closeSync(this.#fd);
  }
}
