import { type DataDir, DataDirError } from './data-dir.ts';
import { type JournalRead, readJournal } from './read-journal.ts';
import { JOURNAL_FILE, type SnapshotJson } from './records.ts';
import { StateImage } from './state-image.ts';

export interface DataDirState {
  snapshot: SnapshotJson['snapshot'];
  /** The snapshot with every later journal line applied. */
  image: StateImage;
  /** Journal lines applied after the snapshot. */
  operations: number;
  journal: JournalRead | undefined;
}

/**
 * A data dir's state as it would be restored: its snapshot, then each journal line after it, in order.
 * Only reads (the pack command uses it beside a running emulator; a line being written is left out).
 */
export function readDataDirState(dir: DataDir): DataDirState {
  const { snapshot, image: json } = dir.readSnapshot();
  const image = StateImage.fromJson(json, snapshot.upTo);
  let journal: JournalRead | undefined;
  let operations = 0;
  try {
    journal = readJournal(dir.file(JOURNAL_FILE));
    for (const record of journal?.records ?? []) {
      if (record.n <= image.n) continue;
      image.apply(record);
      operations++;
    }
  } catch (e) {
    throw new DataDirError(`${dir.path}: ${(e as Error).message}`, { cause: e });
  }
  return { snapshot, image, operations, journal };
}
