import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { syncDirectory, writeFileAtomic } from '../../../emulator/store/journal/atomic-file.ts';
import { DataDir, DataDirError } from '../../../emulator/store/journal/data-dir.ts';
import {
  type DurableHost,
  type DurableOptions,
  DurableState,
  type RestoreReport,
} from '../../../emulator/store/journal/durable-state.ts';
import {
  type AppendOnlyField,
  EntityChanges,
  type EntityRecords,
} from '../../../emulator/store/journal/entity-changes.ts';
import { type FsyncPolicy, JournalFile } from '../../../emulator/store/journal/journal-file.ts';
import { decodeJson, encodeJson } from '../../../emulator/store/journal/json-codec.ts';
import { JournalDamaged, readJournal } from '../../../emulator/store/journal/read-journal.ts';
import type { Origin } from '../../../emulator/store/journal/records.ts';
import { StateImage } from '../../../emulator/store/journal/state-image.ts';
import { TrackingStore } from '../../../emulator/store/tracking-store.ts';

/**
 * The edges of the data dir's promises: what reaches the disk and when it is flushed (fsync policy),
 * that a snapshot replaces the old one whole, the lock, the refusal messages, the compaction threshold
 * at its exact boundary, and a restart restoring exactly the state before it (tables, events, clock,
 * id positions), whatever the journal's last line or the ids look like.
 *
 * Flushes are not visible in the files, so node:fs is wrapped (calling through) to record which file
 * each fsync flushed and which descriptors were left open.
 */
const io = vi.hoisted(() => {
  // The setup file loaded the emulator already, with the real node:fs: load it again, wrapped.
  vi.resetModules();
  return { flushed: [] as string[], open: new Map<number, string>() };
});
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const wrapped = {
    ...fs,
    openSync: ((...args: Parameters<typeof fs.openSync>) => {
      const fd = fs.openSync(...args);
      const path = args[0];
      io.open.set(fd, String(path));
      return fd;
    }) as typeof fs.openSync,
    closeSync: (fd: number) => {
      fs.closeSync(fd);
      io.open.delete(fd);
    },
    fsyncSync: (fd: number) => {
      fs.fsyncSync(fd);
      io.flushed.push(io.open.get(fd) ?? `fd ${fd}`);
    },
  };
  return { ...wrapped, default: wrapped };
});

let root: string;
const started: DurableState[] = [];
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'journal-edges-'));
});
afterEach(() => {
  for (const durable of started.splice(0)) durable.close();
  vi.restoreAllMocks();
  vi.useRealTimers();
  rmSync(root, { recursive: true, force: true });
});

let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The files fsync flushed while `run` ran, relative to `dir` ('.' is the directory itself). */
function flushedBy(dir: string, run: () => void): string[] {
  io.flushed.length = 0;
  run();
  return io.flushed.map((path) => relative(dir, path) || '.');
}

const ORIGIN: Origin = {
  fixtureHash: 'abcdef0123456789'.repeat(4),
  orgId: 'org-1',
  orgName: 'Test Org',
  clock: 'manual',
};

/** Just what DurableState asks of an emulator: a store, a timeline, a clock and id positions. */
class FakeHost implements DurableHost {
  durable: DurableState | undefined;
  readonly store = new TrackingStore((table, key) => this.durable?.touched(table, key));
  readonly emulatorVersion = '0.0.0-test';
  events: unknown[] = [];
  lastSeq = 0;
  clock = 1_000;
  fixtureValue: Record<string, unknown> = { org: 'fixture' };

  constructor(
    public ids: number | undefined,
    public cids: number | undefined,
    readonly origin: Origin = ORIGIN,
  ) {}

  now(): number {
    return this.clock;
  }
  idPositions() {
    return { ids: this.ids, cids: this.cids };
  }
  fixture(): Record<string, unknown> {
    return this.fixtureValue;
  }
  timeline() {
    return { events: this.events, lastSeq: this.lastSeq };
  }
  load(image: StateImage, fixture: Record<string, unknown>): void {
    this.events = [...image.events];
    this.lastSeq = image.lastSeq;
    this.clock = image.now;
    this.ids = image.ids;
    this.cids = image.cids;
    this.fixtureValue = fixture;
  }
  emit(type: string): void {
    const event = { seq: ++this.lastSeq, type };
    this.events.push(event);
    this.durable?.event(event);
  }
  set(key: string, value: unknown, table = 't'): void {
    this.store.table(table).set(key, value);
  }
  /** What a restart must bring back. */
  state() {
    const tables = Object.fromEntries(this.store.names().map((name) => [name, [...this.store.raw(name)]]));
    return {
      tables,
      events: this.events,
      lastSeq: this.lastSeq,
      now: this.clock,
      ids: this.ids,
      cids: this.cids,
    };
  }
}

function open(dir: string, host = new FakeHost(5, 7), options: Partial<DurableOptions> = {}) {
  const durable = new DurableState(host, {
    dir,
    fsync: 'never',
    resetData: false,
    appendOnly: [],
    ...options,
  });
  host.durable = durable;
  started.push(durable);
  const report: RestoreReport = durable.open();
  return { host, durable, report };
}

/** The directory as `kill -9` leaves it: every file as it is now, the lock (ours) left out. */
function crashCopy(dir: string): string {
  const copy = freshDir();
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'lock'), { force: true });
  return copy;
}

const journalLines = (dir: string) => readFileSync(join(dir, 'journal.jsonl'), 'utf8').trimEnd().split('\n');
const upTo = (dir: string) =>
  (JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8')) as { snapshot: { upTo: number } }).snapshot
    .upTo;

describe('the json codec', () => {
  const cases: [string, unknown, string][] = [
    ['NaN alone', Number.NaN, '{"$num":"NaN"}'],
    ['Infinity alone', Number.POSITIVE_INFINITY, '{"$num":"Infinity"}'],
    ['only non-finite numbers in an object', { a: Number.NaN }, '{"a":{"$num":"NaN"}}'],
    ['in an array', [Number.NEGATIVE_INFINITY, 1], '[{"$num":"-Infinity"},1]'],
    ['beside a string', { name: 'Ann', idleSince: Number.NaN }, '{"name":"Ann","idleSince":{"$num":"NaN"}}'],
    ['beside null', { a: null, b: Number.NaN }, '{"a":null,"b":{"$num":"NaN"}}'],
    ['nested with nulls in arrays', { x: [null, { y: Number.NaN }] }, '{"x":[null,{"y":{"$num":"NaN"}}]}'],
    [
      'plain JSON, untouched',
      { s: 'text', n: 1.5, b: true, z: null, l: ['a'] },
      '{"s":"text","n":1.5,"b":true,"z":null,"l":["a"]}',
    ],
  ];
  it.each(cases)('%s: encodes as plain JSON with tagged numbers and decodes back', (_name, value, text) => {
    expect(encodeJson(value)).toBe(text);
    expect(decodeJson(text)).toEqual(value);
  });
});

describe('atomic files', () => {
  it('flush the file and then its directory only when durable, and close every descriptor', () => {
    const dir = freshDir();
    const path = join(root, 'x.json');
    const openBefore = [...io.open.keys()];
    expect(flushedBy(root, () => writeFileAtomic(path, 'one', true))).toEqual(['x.json.tmp', '.']);
    expect(flushedBy(root, () => writeFileAtomic(path, ['tw', 'o'], false))).toEqual([]);
    expect(readFileSync(path, 'utf8')).toBe('two');
    expect(existsSync(`${path}.tmp`)).toBe(false);
    expect(flushedBy(root, () => syncDirectory(root))).toEqual(['.']);
    // A directory that cannot be opened is no error: the data itself was flushed.
    expect(() => syncDirectory(join(dir, 'missing'))).not.toThrow();
    expect([...io.open.keys()]).toEqual(openBefore);
  });
});

describe('the journal file and its fsync policy', () => {
  const path = () => join(root, 'journal.jsonl');
  const HEADER = '{"journal":{}}';
  type Step = [string, (j: JournalFile) => void, string[]];
  const rows: [FsyncPolicy, string[], Step[]][] = [
    [
      'never',
      [],
      [
        ['append', (j) => j.append('{"n":1,"t":0}'), []],
        ['sync', (j) => j.sync(), []],
        ['append', (j) => j.append('{"n":2,"t":0}'), []],
        ['close', (j) => j.close(), []],
      ],
    ],
    [
      'interval',
      ['journal.jsonl.tmp', '.'],
      [
        ['append', (j) => j.append('{"n":1,"t":0}'), []],
        ['append', (j) => j.append('{"n":2,"t":0}'), []],
        ['sync', (j) => j.sync(), ['journal.jsonl']],
        ['sync again, nothing new', (j) => j.sync(), []],
        ['append', (j) => j.append('{"n":3,"t":0}'), []],
        ['close', (j) => j.close(), ['journal.jsonl']],
      ],
    ],
    [
      'always',
      ['journal.jsonl.tmp', '.'],
      [
        ['append', (j) => j.append('{"n":1,"t":0}'), ['journal.jsonl']],
        ['append', (j) => j.append('{"n":2,"t":0}'), ['journal.jsonl']],
        ['sync', (j) => j.sync(), []],
        ['close', (j) => j.close(), []],
      ],
    ],
  ];
  it.each(rows)('%s: flushes exactly when the policy says', (policy, atCreate, steps) => {
    let journal: JournalFile | undefined;
    expect(flushedBy(root, () => (journal = JournalFile.create(path(), HEADER, policy)))).toEqual(atCreate);
    for (const [label, step, expected] of steps) {
      expect(
        flushedBy(root, () => step(journal!)),
        label,
      ).toEqual(expected);
    }
    expect(readFileSync(path(), 'utf8').split('\n').length).toBe(
      steps.filter(([l]) => l === 'append').length + 2,
    );
  });

  it('closing a journal nothing was appended to flushes nothing more', () => {
    const journal = JournalFile.create(path(), HEADER, 'interval');
    expect(flushedBy(root, () => journal.close())).toEqual([]);
  });

  it('interval: what was written is flushed once a second of real time, not before', () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const journal = JournalFile.create(path(), HEADER, 'interval');
    journal.append('{"n":1,"t":0}');
    expect(flushedBy(root, () => vi.advanceTimersByTime(999))).toEqual([]);
    expect(flushedBy(root, () => vi.advanceTimersByTime(1))).toEqual(['journal.jsonl']);
    // Nothing new: the next tick flushes nothing.
    expect(flushedBy(root, () => vi.advanceTimersByTime(1000))).toEqual([]);
    journal.append('{"n":2,"t":0}');
    expect(flushedBy(root, () => vi.advanceTimersByTime(1000))).toEqual(['journal.jsonl']);
    journal.close();
    // Its timer goes with it: a compaction closes one journal and opens the next, every time.
    expect(vi.getTimerCount()).toBe(0);
  });
});

describe('reading a journal', () => {
  const header = encodeJson({
    journal: { format: 1, emulatorVersion: '0', createdAt: 'now', origin: ORIGIN, after: 0 },
  });
  const rows: [string, string, string][] = [
    ['an empty file', '', 'has no whole header line; it cannot be read'],
    ['a header cut short', '{"journ', 'has no whole header line (7 bytes cut short); it cannot be read'],
    ['a null record', `${header}\n{"n":1,"t":0}\nnull\n`, ':3 is not an operation record'],
    ['a record without its time', `${header}\n{"n":1}\n`, ':2 is not an operation record'],
    ['a record without its number', `${header}\n{"t":1}\n`, ':2 is not an operation record'],
    [
      'damage in the middle',
      `${header}\n{"n":1,"t":0}\n{"n":2,"t\n{"n":3,"t":0}\n`,
      ':3 is not JSON: the journal is damaged',
    ],
  ];
  it.each(rows)('refuses %s, saying where', (_name, text, message) => {
    const path = join(root, 'journal.jsonl');
    writeFileSync(path, text);
    expect(() => readJournal(path)).toThrow(
      new JournalDamaged(`${path}${message.startsWith(':') ? '' : ' '}${message}`),
    );
  });
});

describe('the data dir lock', () => {
  it.each([
    ['its own pid (a container restarts the emulator as the same pid)', `${process.pid}\n`],
    ['no number at all', 'garbage\n'],
    ['a process that is gone', '2147483646\n'],
    ['nothing (a crash between creating the lock file and writing it)', ''],
    ['pid 0 or below, which would name process groups', '-1\n'],
    ['pid 0', '0\n'],
  ])('takes over a lock left with %s', (_name, content) => {
    writeFileSync(join(root, 'lock'), content);
    const dir = new DataDir(root);
    dir.lock();
    expect(readFileSync(join(root, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    dir.unlock();
    expect(existsSync(join(root, 'lock'))).toBe(false);
  });

  it('refuses a lock held by a live process, telling how to free it', () => {
    writeFileSync(join(root, 'lock'), `${process.ppid}\n`);
    expect(() => new DataDir(root).lock()).toThrow(
      new DataDirError(
        `${root} is in use by another emulator (process ${process.ppid}); stop it or use another --data-dir ` +
          `(if no emulator runs on it, delete ${join(root, 'lock')})`,
      ),
    );
    expect(readFileSync(join(root, 'lock'), 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('counts a process it may not signal (another user, EPERM) as alive, one that is gone (ESRCH) as not', () => {
    writeFileSync(join(root, 'lock'), '4242\n');
    const code = { value: 'EPERM' };
    vi.spyOn(process, 'kill').mockImplementation(() => {
      throw Object.assign(new Error(`kill ${code.value}`), { code: code.value });
    });
    expect(() => new DataDir(root).lock()).toThrow(/in use by another emulator \(process 4242\)/);
    code.value = 'ESRCH';
    const dir = new DataDir(root);
    dir.lock();
    dir.unlock();
  });

  it('is released only by the one that holds it, once, and even when its file was deleted by hand', () => {
    const first = new DataDir(root);
    first.lock();
    first.unlock();
    const holder = new DataDir(root);
    holder.lock();
    first.unlock(); // released already: must not release the holder's lock
    new DataDir(root).unlock(); // never held it
    expect(readFileSync(join(root, 'lock'), 'utf8')).toBe(`${process.pid}\n`);
    expect(() => new DataDir(root).lock()).toThrow(/already in use by another emulator in this process/);
    rmSync(join(root, 'lock'));
    expect(() => holder.unlock()).not.toThrow();
    const next = new DataDir(root);
    next.lock();
    next.unlock();
  });
});

describe('the data dir files', () => {
  it('explains a journal without its snapshot', () => {
    writeFileSync(join(root, 'journal.jsonl'), '{}\n');
    expect(() => new DataDir(root).readSnapshot()).toThrow(
      new DataDirError(
        `${root} has a journal but no snapshot.json, so the journal has nothing to continue from; ` +
          'restore the snapshot, or start with --reset-data to begin afresh',
      ),
    );
  });

  it('measures the snapshot (0 when there is none)', () => {
    const dir = new DataDir(root);
    expect(dir.snapshotBytes()).toBe(0);
    writeFileSync(join(root, 'snapshot.json'), 'x'.repeat(1234));
    expect(dir.snapshotBytes()).toBe(1234);
  });

  it('reads the key file once: a key in use stays in use even if the file changes under it', () => {
    const keys = new DataDir(root).keys(false);
    keys.set('guest', 'v1');
    writeFileSync(join(root, 'keys.json'), '{"guest":"changed"}');
    expect(keys.get('guest')).toBe('v1');
    expect(new DataDir(root).keys(false).get('guest')).toBe('changed');
  });
});

describe('the durable state: what a line holds', () => {
  it('writes one line per operation, with only the parts it has', async () => {
    const dir = freshDir();
    const { host } = open(dir);
    host.set('k', { v: 1 });
    host.emit('thing.made');
    await turn();
    host.clock = 2_000;
    host.ids = 6;
    host.store.table('t').delete('k');
    await turn();
    const unseeded = freshDir();
    const other = open(unseeded, new FakeHost(undefined, undefined)).host;
    other.set('a', 1);
    other.set('b', 2);
    await turn();
    expect(journalLines(dir).slice(1)).toEqual([
      '{"n":1,"t":1000,"ids":5,"cids":7,"ev":[{"seq":1,"type":"thing.made"}],"put":[["t","k",{"v":1}]]}',
      '{"n":2,"t":2000,"ids":6,"cids":7,"del":[["t","k"]]}',
    ]);
    // Two keys of one table touched in one operation: both written.
    expect(journalLines(unseeded).slice(1)).toEqual(['{"n":1,"t":1000,"put":[["t","a",1],["t","b",2]]}']);
  });

  it('at commit looks only at what was touched since, when no event came; the turn end looks at all', async () => {
    const dir = freshDir();
    const { host, durable } = open(dir);
    const entity = { v: 1 };
    host.set('k', entity);
    durable.commit();
    expect(journalLines(dir)).toHaveLength(2);
    entity.v = 2; // changed in place after the commit: no get, no event
    host.set('other', 1); // the next operation touches something else
    durable.commit();
    expect(journalLines(dir).at(-1)).toBe('{"n":2,"t":1000,"ids":5,"cids":7,"put":[["t","other",1]]}');
    await turn();
    expect(journalLines(dir).at(-1)).toBe('{"n":3,"t":1000,"ids":5,"cids":7,"put":[["t","k",{"v":2}]]}');
  });

  it('does nothing before open() and after close(): no file written, no directory made', async () => {
    const dir = freshDir();
    const host = new FakeHost(5, 7);
    const durable = new DurableState(host, { dir, fsync: 'never', resetData: false, appendOnly: [] });
    host.durable = durable;
    host.set('k', { v: 1 });
    host.emit('early');
    durable.commit();
    durable.compact();
    durable.close();
    await turn();
    expect(existsSync(dir)).toBe(false);

    durable.open();
    durable.close();
    const files = () => readdirSync(dir).map((name) => [name, readFileSync(join(dir, name), 'utf8')]);
    const after = files();
    host.set('late', { v: 2 });
    host.emit('late');
    durable.commit();
    durable.compact();
    durable.close();
    await turn();
    expect(files()).toEqual(after);
  });

  it('names its directory as an absolute path', () => {
    const durable = new DurableState(new FakeHost(5, 7), {
      dir: relative(process.cwd(), join(root, 'rel')),
      fsync: 'never',
      resetData: false,
      appendOnly: [],
    });
    expect(durable.dataDir).toBe(join(root, 'rel'));
  });

  it('reports how long the start took', () => {
    const before = performance.now();
    const { report } = open(freshDir());
    const took = performance.now() - before;
    expect(report.ms).toBeGreaterThanOrEqual(0);
    expect(report.ms).toBeLessThanOrEqual(took);
  });
});

describe('the durable state: fsync of snapshots, journal and keys', () => {
  it.each([
    ['never', [], []],
    ['interval', ['snapshot.json.tmp', '.', 'journal.jsonl.tmp', '.'], ['keys.json.tmp', '.']],
    ['always', ['snapshot.json.tmp', '.', 'journal.jsonl.tmp', '.'], ['keys.json.tmp', '.']],
  ] as [FsyncPolicy, string[], string[]][])('%s', (fsync, atOpen, atKey) => {
    const dir = freshDir();
    let durable: DurableState | undefined;
    expect(flushedBy(dir, () => (durable = open(dir, new FakeHost(5, 7), { fsync }).durable))).toEqual(
      atOpen,
    );
    expect(flushedBy(dir, () => durable!.keys().set('guest', 'secret'))).toEqual(atKey);
  });
});

describe('the durable state: a restart restores the state before it', () => {
  it.each([
    ['seeded ids and correlation ids', 5, 7],
    ['random ids', undefined, undefined],
    ['seeded ids only', 5, undefined],
    ['seeded correlation ids only', undefined, 7],
  ])(
    'with %s: from the journal after a crash, and from the snapshot after a clean stop',
    async (_n, ids, cids) => {
      const dir = freshDir();
      const { host, durable } = open(dir, new FakeHost(ids, cids));
      host.set('k', { v: 1 });
      host.emit('one');
      if (ids !== undefined) host.ids = ids + 3;
      if (cids !== undefined) host.cids = cids + 4;
      host.clock = 5_000;
      await turn();
      const crashed = open(crashCopy(dir), new FakeHost(undefined, undefined));
      expect(crashed.report).toMatchObject({ restored: true, operations: 1, entities: { t: 1 }, events: 1 });
      expect(crashed.host.state()).toEqual(host.state());
      expect(crashed.host.fixtureValue).toEqual(host.fixtureValue);
      durable.close();
      const stopped = open(dir, new FakeHost(undefined, undefined));
      expect(stopped.report).toMatchObject({ restored: true, operations: 0 });
      expect(stopped.host.state()).toEqual(host.state());
    },
  );

  it('goes on journaling after a restore: the next restart has both the old and the new', async () => {
    const dir = freshDir();
    const first = open(dir).host;
    first.set('a', { v: 1 });
    first.emit('before');
    await turn();
    const copy = crashCopy(dir);
    const second = open(copy).host;
    second.set('b', { v: 2 });
    second.emit('after');
    await turn();
    const third = open(crashCopy(copy));
    expect(third.report.operations).toBe(2);
    expect(third.host.state()).toEqual(second.state());
    expect(third.host.events).toEqual([
      { seq: 1, type: 'before' },
      { seq: 2, type: 'after' },
    ]);
  });

  it('a compaction that cannot make its new journal keeps the old one in use: nothing later is lost', async () => {
    const dir = freshDir();
    const { host, durable } = open(dir);
    host.set('a', { v: 1 });
    await turn();
    mkdirSync(join(dir, 'journal.jsonl.tmp')); // the new journal cannot be written
    expect(() => durable.compact()).toThrow();
    rmSync(join(dir, 'journal.jsonl.tmp'), { recursive: true });
    host.set('b', { v: 2 });
    await turn();
    const after = open(crashCopy(dir));
    expect(after.host.state()).toEqual(host.state());
  });

  it('after a restore journals a deletion of what the snapshot held, and nothing for a mere read', async () => {
    const dir = freshDir();
    const first = open(dir);
    first.host.set('keep', { v: 1 });
    first.host.set('gone', { v: 2 });
    first.durable.close(); // both are in the snapshot now
    const second = open(dir);
    second.host.store.table('t').get('keep');
    await turn();
    expect(journalLines(dir)).toHaveLength(1);
    second.host.store.table('t').delete('gone');
    await turn();
    const third = open(crashCopy(dir));
    expect(third.host.state().tables).toEqual({ t: [['keep', { v: 1 }]] });
  });

  it('restores a snapshot whose journal is missing, and starts a new journal', async () => {
    const dir = freshDir();
    const first = open(dir);
    first.host.set('k', { v: 1 });
    first.durable.close();
    rmSync(join(dir, 'journal.jsonl'));
    const second = open(dir);
    expect(second.report).toMatchObject({ restored: true, operations: 0 });
    expect(second.report.cut).toBeUndefined();
    expect(second.host.state()).toEqual(first.host.state());
    expect(journalLines(dir)).toHaveLength(1);
    expect(JSON.parse(journalLines(dir)[0]!)).toMatchObject({ journal: { after: 1, origin: ORIGIN } });
  });

  it('skips journal lines the snapshot already holds (a crash between the snapshot and the new journal)', async () => {
    const dir = freshDir();
    const { host, durable } = open(dir);
    host.set('k', { v: 1 });
    host.emit('one');
    await turn();
    host.emit('two');
    await turn();
    const oldJournal = readFileSync(join(dir, 'journal.jsonl'));
    durable.compact();
    expect(upTo(dir)).toBe(2);
    const copy = crashCopy(dir);
    writeFileSync(join(copy, 'journal.jsonl'), oldJournal);
    const again = open(copy);
    expect(again.report.operations).toBe(0);
    expect(again.host.state()).toEqual(host.state());
  });

  it('leaves a torn last line out, says where, and writes on from the last whole line', async () => {
    const dir = freshDir();
    const { host } = open(dir);
    host.set('k', { v: 1 });
    await turn();
    const before = host.state();
    const whole = statSync(join(dir, 'journal.jsonl')).size;
    host.set('k', { v: 2 });
    await turn();
    const copy = crashCopy(dir);
    const torn = readFileSync(join(copy, 'journal.jsonl')).subarray(0, whole + 10);
    writeFileSync(join(copy, 'journal.jsonl'), torn);
    const again = open(copy);
    expect(again.report.cut).toEqual({ atByte: whole, bytes: 10 });
    expect(again.host.state()).toEqual(before);
    again.host.set('k', { v: 3 });
    await turn();
    expect(journalLines(copy).slice(1)).toEqual([
      '{"n":1,"t":1000,"ids":5,"cids":7,"put":[["t","k",{"v":1}]]}',
      '{"n":2,"t":1000,"ids":5,"cids":7,"put":[["t","k",{"v":3}]]}',
    ]);
  });
});

describe('the durable state: refusals leave the directory as it was, and free', () => {
  const files = (dir: string) =>
    readdirSync(dir)
      .sort()
      .map((name) => [name, readFileSync(join(dir, name), 'utf8')]);

  it('a damaged line in the middle: named with the directory, the file and the line', async () => {
    const dir = freshDir();
    const { host } = open(dir);
    for (const v of [1, 2, 3]) {
      host.set('k', { v });
      await turn();
    }
    const copy = crashCopy(dir);
    const lines = journalLines(copy);
    lines[2] = lines[2]!.slice(0, -5);
    writeFileSync(join(copy, 'journal.jsonl'), `${lines.join('\n')}\n`);
    const kept = files(copy);
    let error: unknown;
    try {
      open(copy);
    } catch (e) {
      error = e;
    }
    expect(error).toEqual(
      new DataDirError(`${copy}: ${join(copy, 'journal.jsonl')}:3 is not JSON: the journal is damaged`),
    );
    expect((error as Error).cause).toBeInstanceOf(JournalDamaged);
    expect(files(copy)).toEqual(kept);
  });

  it('another fixture: names both orgs and the first 12 characters of both fixture hashes', async () => {
    const dir = freshDir();
    const first = open(dir);
    first.host.set('k', { v: 1 });
    first.durable.close();
    const kept = files(dir);
    const other: Origin = {
      fixtureHash: '9876543210fedcba'.repeat(4),
      orgId: 'org-2',
      orgName: 'Other',
      clock: 'manual',
    };
    expect(() => open(dir, new FakeHost(5, 7, other))).toThrow(
      new DataDirError(
        `${dir} holds the state of another fixture: it was started with org Test Org (org-1), fixture abcdef012345, ` +
          'and this start has org Other (org-2), fixture 9876543210fe. Start with the fixture it was started with, ' +
          'or add --reset-data (startEmulator({ resetData: true })) to discard its state.',
      ),
    );
    expect(files(dir)).toEqual(kept);
    expect(open(dir).host.state().tables).toEqual({ t: [['k', { v: 1 }]] });
  });
});

describe('the durable state: compaction thresholds', () => {
  /** One operation's line, run on a fresh directory compacting after `compactAfterBytes`. */
  async function oneOperation(compactAfterBytes: number) {
    const dir = freshDir();
    const { host } = open(dir, new FakeHost(5, 7), { compactAfterBytes });
    host.set('k', { v: 'x' });
    await turn();
    return { dir, host, bytes: statSync(join(dir, 'journal.jsonl')).size };
  }

  it('compacts when the journal passes compactAfterBytes, not when it reaches it', async () => {
    const { bytes } = await oneOperation(1e12);
    const at = await oneOperation(bytes);
    expect(statSync(join(at.dir, 'journal.jsonl')).size).toBe(bytes);
    expect(upTo(at.dir)).toBe(0);
    const past = await oneOperation(bytes - 1);
    expect(upTo(past.dir)).toBe(1);
    expect(journalLines(past.dir)).toHaveLength(1);
  });

  it('by default waits for twice the snapshot once that is past 16 MB, also after a restart', async () => {
    const dir = freshDir();
    const host = new FakeHost(5, 7);
    host.store.raw('big').set('b', 'b'.repeat(8_400_000));
    open(dir, host);
    const snapshot = statSync(join(dir, 'snapshot.json')).size;
    expect(2 * snapshot).toBeGreaterThan(16 * 1024 * 1024);
    const journal = () => statSync(join(dir, 'journal.jsonl')).size;
    // Measure one line's frame, then make the journal exactly twice the snapshot.
    host.set('k', '');
    await turn();
    const frame = journalLines(dir)[1]!.length + 1; // n=2 has as many digits as n=1
    host.set('k', 'k'.repeat(2 * snapshot - journal() - frame));
    await turn();
    expect(journal()).toBe(2 * snapshot);
    expect(upTo(dir)).toBe(0);

    const copy = crashCopy(dir);
    host.store.raw('big').clear(); // only so the closing snapshot stays small
    host.store.raw('t').clear();
    const again = open(copy);
    expect(again.report.operations).toBe(2);
    again.host.store.table('t').get('k'); // a settle with nothing to write: still at the threshold
    await turn();
    expect(upTo(copy)).toBe(0);
    again.host.set('small', 1);
    await turn();
    expect(upTo(copy)).toBe(3);
    again.host.store.raw('big').clear();
    again.host.store.raw('t').clear();
  });
});

describe('entity changes across a snapshot and between entities', () => {
  interface Message {
    id: string;
    direction: 'inbound' | 'outbound';
    deliveredAt?: number;
  }
  const MESSAGES: AppendOnlyField = {
    table: 'c',
    field: 'messages',
    isOpen: (m) => (m as Message).direction === 'outbound' && (m as Message).deliveredAt === undefined,
  };
  const empty = (): EntityRecords => ({ put: [], app: [], upd: [], del: [] });
  const msg = (id: string, direction: Message['direction'] = 'inbound'): Message => ({ id, direction });

  it('after known() appends only the new items and still watches the open ones', () => {
    const changes = new EntityChanges([MESSAGES]);
    const conv = { id: 'c1', messages: [msg('m0'), msg('m1', 'outbound')] };
    changes.known('c', 'c1', conv);
    conv.messages.push(msg('m2'));
    let out = empty();
    changes.collect('c', 'c1', conv, out);
    expect(out).toEqual({ ...empty(), app: ['["c","c1","messages",2,[{"id":"m2","direction":"inbound"}]]'] });
    conv.messages[1]!.deliveredAt = 9;
    out = empty();
    changes.collect('c', 'c1', conv, out);
    expect(out).toEqual({
      ...empty(),
      upd: ['["c","c1","messages",1,{"id":"m1","direction":"outbound","deliveredAt":9}]'],
    });
  });

  it('keeps each entity its own items, and starts a re-created one from its first item', () => {
    const changes = new EntityChanges([MESSAGES]);
    const image = new StateImage();
    let n = 0;
    const commit = (key: string, value: unknown) => {
      const out = empty();
      changes.collect('c', key, value, out);
      const parts = Object.entries(out).filter(([, list]) => list.length);
      image.apply(
        JSON.parse(`{"n":${++n},"t":0${parts.map(([k, l]) => `,"${k}":[${l.join(',')}]`).join('')}}`),
      );
    };
    commit('c1', { messages: [msg('a')] });
    const c2 = { messages: [msg('b'), msg('c')] };
    commit('c2', c2);
    commit('c1', undefined);
    const again = { messages: [msg('x'), msg('y')] };
    commit('c1', again);
    expect(image.tables.get('c')!.get('c2')).toEqual(c2);
    expect(image.tables.get('c')!.get('c1')).toEqual(again);
  });
});

describe('the state image', () => {
  it('starts empty, with no id positions at all', () => {
    expect(new StateImage().toJson()).toStrictEqual({ tables: {}, events: [], lastSeq: 0, now: 0 });
  });

  it('keeps id positions and the last sequence a line does not carry, and drops tables emptied', () => {
    const image = StateImage.fromJson({
      tables: { t: [['k', 1]] },
      events: [],
      lastSeq: 4,
      now: 0,
      ids: 3,
      cids: 8,
    });
    image.apply({ n: 1, t: 10, ev: [{ type: 'no seq' }], del: [['t', 'k']] });
    expect(image.toJson()).toStrictEqual({
      tables: {},
      events: [{ type: 'no seq' }],
      lastSeq: 4,
      now: 10,
      ids: 3,
      cids: 8,
    });
  });
});
