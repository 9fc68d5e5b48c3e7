import { existsSync, readFileSync } from 'node:fs';
import { decodeJson } from './json-codec.ts';
import { type JournalHeader, JournalHeaderSchema, type OperationRecord } from './records.ts';

export class JournalDamaged extends Error {}

export interface JournalRead {
  header: JournalHeader;
  records: OperationRecord[];
  /** Bytes up to the end of the last whole line: where writing may continue. */
  validBytes: number;
  /** A last line with no end: a crash cut it while it was written. Its operation never answered. */
  cut?: { atByte: number; bytes: number };
}

/**
 * Reads a journal: its header line, then every whole operation line. A last line without its newline
 * was cut by a crash in the middle of the write (a line is written whole, its newline last), so it is
 * left out and reported; anything else that does not read is damage, and named with its line.
 */
export function readJournal(path: string): JournalRead | undefined {
  if (!existsSync(path)) return undefined;
  const buffer = readFileSync(path);
  const end = buffer.lastIndexOf(0x0a) + 1;
  const text = buffer.toString('utf8', 0, end);
  const lines = text.split('\n');
  lines.pop();
  const cut = end < buffer.length ? { atByte: end, bytes: buffer.length - end } : undefined;
  if (lines.length === 0) {
    throw new JournalDamaged(
      `${path} has no whole header line${cut ? ` (${cut.bytes} bytes cut short)` : ''}; it cannot be read`,
    );
  }
  const parsed = JournalHeaderSchema.safeParse(parseLine(lines[0]!, path, 1));
  if (!parsed.success) throw new JournalDamaged(`${path}:1 is not a journal header`);
  const records: OperationRecord[] = [];
  for (let i = 1; i < lines.length; i++) {
    const record = parseLine(lines[i]!, path, i + 1) as Partial<OperationRecord>;
    if (typeof record?.n !== 'number' || typeof record.t !== 'number')
      throw new JournalDamaged(`${path}:${i + 1} is not an operation record`);
    records.push(record as OperationRecord);
  }
  return { header: parsed.data, records, validBytes: end, ...(cut ? { cut } : {}) };
}

function parseLine(line: string, path: string, number: number): unknown {
  try {
    return decodeJson(line);
  } catch {
    throw new JournalDamaged(`${path}:${number} is not JSON: the journal is damaged`);
  }
}
