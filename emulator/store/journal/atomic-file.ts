import { closeSync, fsyncSync, openSync, renameSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * Writes a whole file so that a crash leaves either the old file or the new one, never half of it:
 * the text goes to `<path>.tmp`, which is flushed to disk and renamed over `path` (a rename within a
 * directory is atomic), and the directory entry is flushed too when `durable`.
 */
export function writeFileAtomic(path: string, text: string | readonly string[], durable: boolean): number {
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w', 0o600);
  let bytes = 0;
  try {
    for (const part of typeof text === 'string' ? [text] : text) bytes += writeSync(fd, part);
    if (durable) fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  if (durable) syncDirectory(dirname(path));
  return bytes;
}

/** Flushes a directory's entries (a rename or a new file in it) to disk. */
export function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    /* some file systems refuse fsync on a directory; the data itself is flushed */
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
