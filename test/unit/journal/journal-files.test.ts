import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../../emulator/store/journal/atomic-file.ts';
import { DataDir, DataDirError } from '../../../emulator/store/journal/data-dir.ts';
import { JournalFile } from '../../../emulator/store/journal/journal-file.ts';
import { JournalDamaged, readJournal } from '../../../emulator/store/journal/read-journal.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'journal-unit-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const HEADER = JSON.stringify({
  journal: {
    format: 1,
    emulatorVersion: '0.1.0',
    createdAt: '2026-01-01T00:00:00.000Z',
    origin: { fixtureHash: 'h', orgId: 'o', orgName: 'Org', clock: 'manual' },
    after: 0,
  },
});

describe('the journal file', () => {
  it('starts with its header, appends whole lines and continues after its last whole line', () => {
    const path = join(dir, 'journal.jsonl');
    for (const policy of ['never', 'interval', 'always'] as const) {
      const journal = JournalFile.create(path, HEADER, policy);
      journal.append('{"n":1,"t":0}');
      journal.append('{"n":2,"t":5}');
      expect(journal.bytes).toBe(statSync(path).size);
      journal.close();
      const read = readJournal(path)!;
      expect(read.records.map((r) => r.n)).toEqual([1, 2]);
      expect(read.cut).toBeUndefined();
      const again = JournalFile.continue(path, read.validBytes, policy);
      again.append('{"n":3,"t":6}');
      again.close();
      expect(readJournal(path)!.records.map((r) => r.n)).toEqual([1, 2, 3]);
    }
  });

  it('reads up to the last whole line when a crash cut the last one, says where, and writing goes on from there', () => {
    const path = join(dir, 'journal.jsonl');
    const journal = JournalFile.create(path, HEADER, 'never');
    journal.append('{"n":1,"t":0}');
    journal.close();
    const whole = statSync(path).size;
    appendFileSync(path, '{"n":2,"t":1,"put":[["t","k",{"half');
    const read = readJournal(path)!;
    expect(read.records.map((r) => r.n)).toEqual([1]);
    expect(read.cut).toEqual({ atByte: whole, bytes: statSync(path).size - whole });
    const again = JournalFile.continue(path, read.validBytes, 'never');
    again.append('{"n":2,"t":2}');
    again.close();
    expect(readFileSync(path, 'utf8').endsWith('{"n":1,"t":0}\n{"n":2,"t":2}\n')).toBe(true);
  });

  it('names the line of damage in the middle, and refuses a file without a header', () => {
    const path = join(dir, 'journal.jsonl');
    writeFileSync(path, `${HEADER}\n{"n":1,"t":0}\nnot json\n{"n":3,"t":0}\n`);
    expect(() => readJournal(path)).toThrow(JournalDamaged);
    expect(() => readJournal(path)).toThrow(/journal\.jsonl:3 is not JSON/);
    writeFileSync(path, `${HEADER}\n{"t":0}\n`);
    expect(() => readJournal(path)).toThrow(/:2 is not an operation record/);
    writeFileSync(path, '{"n":1,"t":0}\n');
    expect(() => readJournal(path)).toThrow(/:1 is not a journal header/);
    writeFileSync(path, '{"journ');
    expect(() => readJournal(path)).toThrow(/no whole header line/);
    expect(readJournal(join(dir, 'absent.jsonl'))).toBeUndefined();
  });
});

describe('atomic files', () => {
  it('replace the old file whole, leaving no temporary file', () => {
    const path = join(dir, 'snapshot.json');
    writeFileAtomic(path, 'old', false);
    expect(writeFileAtomic(path, ['new ', 'text'], true)).toBe(8);
    expect(readFileSync(path, 'utf8')).toBe('new text');
    expect(() => statSync(`${path}.tmp`)).toThrow();
  });
});

describe('the data dir', () => {
  it('is kept to one emulator: a live owner refuses another, a dead one is taken over', () => {
    const a = new DataDir(dir);
    a.lock();
    expect(() => new DataDir(dir).lock()).toThrow(/already in use by another emulator in this process/);
    a.unlock();
    // A lock left by a process that is gone (killed): taken over.
    writeFileSync(join(dir, 'lock'), '2147483646\n');
    const b = new DataDir(dir);
    b.lock();
    expect(readFileSync(join(dir, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    b.unlock();
    // A lock held by a live process (this test's parent, say): refused with its pid.
    writeFileSync(join(dir, 'lock'), `${process.ppid}\n`);
    expect(() => new DataDir(dir).lock()).toThrow(
      new RegExp(`in use by another emulator \\(process ${process.ppid}\\)`),
    );
  });

  it('explains a journal without its snapshot and a snapshot that is not one', () => {
    const d = new DataDir(dir);
    writeFileSync(join(dir, 'journal.jsonl'), `${HEADER}\n`);
    expect(d.hasState()).toBe(true);
    expect(() => d.readSnapshot()).toThrow(DataDirError);
    expect(() => d.readSnapshot()).toThrow(/no snapshot\.json/);
    writeFileSync(join(dir, 'snapshot.json'), '{"snapshot":');
    expect(() => d.readSnapshot()).toThrow(/snapshot is damaged/);
    writeFileSync(join(dir, 'snapshot.json'), '{"snapshot":{}}');
    expect(() => d.readSnapshot()).toThrow(/not an emulator snapshot/);
    const future = {
      snapshot: {
        format: 99,
        emulatorVersion: '9.0.0',
        writtenAt: '2030-01-01T00:00:00.000Z',
        origin: { fixtureHash: 'h', orgId: 'o', orgName: 'Org', clock: 'manual' },
        upTo: 0,
        fixture: {},
      },
      image: { tables: {}, events: [], lastSeq: 0, now: 0 },
    };
    writeFileSync(join(dir, 'snapshot.json'), JSON.stringify(future));
    expect(() => d.readSnapshot()).toThrow(
      /written by emulator 9\.0\.0 in data format 99, newer than this one reads \(1\)/,
    );
    d.clearState();
    expect(d.hasState()).toBe(false);
  });

  it('keeps named keys across instances', () => {
    const keys = new DataDir(dir).keys(false);
    expect(keys.get('k')).toBeUndefined();
    keys.set('k', 'v1');
    keys.set('other', 'v2');
    const again = new DataDir(dir).keys(true);
    expect([again.get('k'), again.get('other')]).toEqual(['v1', 'v2']);
  });
});
