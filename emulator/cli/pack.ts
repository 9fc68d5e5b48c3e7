/**
 * `genesys-emulator pack`: a repro pack from a data dir, without starting an emulator (it only reads the
 * directory, so it works beside an emulator running on it, and after a crash).
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import type { DomainEvent } from '../domain/events.ts';
import { keptFixture } from '../durability.ts';
import { makeReproPack, ReproPackError, writeReproPack } from '../inspect/repro-pack.ts';
import { buildSequence, toMermaid } from '../inspect/sequence.ts';
import { DataDir, DataDirError } from '../store/journal/data-dir.ts';
import { readDataDirState } from '../store/journal/read-state.ts';
import { packageVersion } from '../version.ts';

export const PACK_USAGE = `Usage: genesys-emulator pack --data-dir DIR [--conversation ID] --out FILE

Writes a repro pack of the state kept in DIR (by genesys-emulator start --data-dir DIR): the org, the
seed and clock it started from, every conversation and the timeline, or with --conversation one
conversation and what it touched, each with its sequence diagram as Mermaid text. FILE is gzipped when
its name ends in .gz. Open it with: genesys-emulator start --from-pack FILE

Options:
  --data-dir DIR        the data dir to read (an emulator may be running on it)
  --conversation ID     only this conversation and what it touched
  --out FILE            where to write the pack
  -h, --help            show this help`;

const PackArgs = z.strictObject({
  dataDir: z.string({ error: 'is required' }).min(1),
  conversation: z.string().min(1).optional(),
  out: z.string({ error: 'is required' }).min(1),
});

/** Resolves with the exit code: 0 written, 1 the data dir or conversation could not be packed, 2 bad usage. */
export async function runPack(argv: string[]): Promise<number> {
  let values: Record<string, unknown>;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        'data-dir': { type: 'string' },
        conversation: { type: 'string' },
        out: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (e) {
    return usage((e as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${PACK_USAGE}\n`);
    return 0;
  }
  const parsed = PackArgs.safeParse({
    dataDir: values['data-dir'],
    conversation: values.conversation,
    out: values.out,
  });
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const flag = `--${String(issue.path[0]).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
    return usage(`${flag} ${issue.message}`);
  }
  const args = parsed.data;
  try {
    const dir = new DataDir(args.dataDir);
    if (!dir.hasState()) throw new DataDirError(`${dir.path} holds no emulator state`);
    const { snapshot, image, journal } = readDataDirState(dir);
    const fixture = keptFixture(snapshot.fixture, `${dir.path}'s fixture`);
    const names = {
      userName: (id: string) => fixture.users.find((u) => u.id === id)?.name,
      queueName: (id: string) => fixture.queues.find((q) => q.id === id)?.name,
    };
    const pack = makeReproPack(
      {
        emulatorVersion: packageVersion(),
        origin: snapshot.origin,
        fixture: snapshot.fixture,
        image,
        mermaid: (id, events) => toMermaid(buildSequence(id, events as DomainEvent[], names)),
      },
      args.conversation,
    );
    const bytes = writeReproPack(args.out, pack);
    const conversations = Object.values(pack.image.tables.conversations ?? []).length;
    process.stdout.write(
      `wrote ${args.out} (${bytes} bytes): ${conversations} conversation${conversations === 1 ? '' : 's'}, ${pack.image.events.length} events\n`,
    );
    if (journal?.cut)
      process.stdout.write(
        `the journal's last line was cut short (${journal.cut.bytes} bytes): an operation being written, or cut by a crash; left out\n`,
      );
    return 0;
  } catch (e) {
    if (!(e instanceof DataDirError || e instanceof ReproPackError)) throw e;
    process.stderr.write(`genesys-emulator pack: ${e.message}\n`);
    return 1;
  }
}

function usage(why: string): number {
  process.stderr.write(`genesys-emulator pack: ${why}\n\n${PACK_USAGE}\n`);
  return 2;
}
