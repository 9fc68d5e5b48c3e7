/**
 * `genesys-emulator start`: a thin argv face of the handle. The only emulator code that reads argv,
 * writes to the terminal and handles signals; everything else is `startEmulator()`.
 */
import type { Fixture } from '../config/fixture-schema.ts';
import { FixtureError, loadFixtureFile } from '../config/load-fixture.ts';
import { startEmulator } from '../handle/start.ts';
import type { EmulatorHandle } from '../handle/types.ts';
import { ReproPackError } from '../inspect/repro-pack.ts';
import { DataDirError, type RestoreReport } from '../store/journal/durable-state.ts';
import { CliError, parseCliArgs, USAGE } from './start-args.ts';
import { startupSummary } from './summary.ts';

/** Runs until SIGINT or SIGTERM; resolves with the exit code. */
export async function runStart(argv: string[]): Promise<number> {
  let args: ReturnType<typeof parseCliArgs>;
  try {
    args = parseCliArgs(argv);
  } catch (e) {
    if (!(e instanceof CliError)) throw e;
    process.stderr.write(`genesys-emulator: ${e.message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  let fixture: Fixture | undefined;
  try {
    fixture = args.config === undefined ? undefined : loadFixtureFile(args.config);
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    process.stderr.write(`genesys-emulator: ${e.message}\n`);
    return 1;
  }
  let emulator: EmulatorHandle;
  try {
    emulator = await startEmulator({
      ...(fixture ? { fixture } : {}),
      host: args.host,
      port: args.port,
      // A pack is looked at and driven through the control plane (its clock is manual).
      controlPlane: args.controlPlane || args.fromPack !== undefined,
      clock: args.manualClock ? 'manual' : 'system',
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      logLevel: args.logLevel,
      // A person at a terminal reads lines; a pipe or a file gets JSON for machines.
      logFormat: args.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
      allowedHosts: args.allowHost,
      ...(args.headerTimeoutMs === undefined ? {} : { headerTimeoutMs: args.headerTimeoutMs }),
      ...(args.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: args.requestTimeoutMs }),
      ...(args.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: args.idleTimeoutMs }),
      ...(args.dataDir === undefined ? {} : { dataDir: args.dataDir, resetData: args.resetData }),
      ...(args.fsync === undefined ? {} : { fsync: args.fsync }),
      ...(args.fromPack === undefined
        ? {}
        : { fromPack: args.fromPack, ...(args.manualClock ? {} : { clock: 'manual' as const }) }),
    });
  } catch (e) {
    if (e instanceof DataDirError || e instanceof ReproPackError) {
      process.stderr.write(`genesys-emulator: ${e.message}\n`);
      return 1;
    }
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      process.stderr.write(
        `genesys-emulator: ${(e as Error).message}; pick another with --port (0 = any free)\n`,
      );
      return 1;
    }
    // A flow that fails to load is a fixture error too: name it and stop.
    if (!(e instanceof FixtureError)) throw e;
    process.stderr.write(`genesys-emulator: ${args.config ?? 'embedded default fixture'}: ${e.message}\n`);
    return 1;
  }
  // Listening for the signals before the ready line goes out: a supervisor that stops the emulator as
  // soon as it reads that line gets a clean close (and, with --data-dir, a last snapshot).
  const stopped = new Promise<number>((resolve) => {
    const stop = () => {
      emulator.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  if (emulator.restored) process.stdout.write(`${describeRestore(emulator.restored)}\n`);
  if (args.fromPack !== undefined)
    process.stdout.write(
      `started from the repro pack ${args.fromPack} (manual clock at ${new Date(emulator.clock.now()).toISOString()})\n`,
    );
  process.stdout.write(`Genesys Cloud emulator ready at ${emulator.url}\n`);
  process.stdout.write(
    `${startupSummary(emulator.url, emulator.fixture, args.controlPlane || args.fromPack !== undefined)}\n`,
  );

  return await stopped;
}

/** One line (two when a crash cut the journal) saying what the data dir held. */
export function describeRestore(r: RestoreReport): string {
  if (!r.restored) return `data dir ${r.dataDir}: new, the state will be kept there`;
  const count = (table: string) => r.entities[table] ?? 0;
  const lines = [
    `data dir ${r.dataDir}: restored ${count('conversations')} conversations, ${count('webmessaging.sessions')} Web Messaging sessions, ${count('webchat.chats')} WebChat chats, ${r.events} events (${r.operations} operations after the last snapshot) in ${r.ms.toFixed(0)} ms`,
  ];
  if (r.cut)
    lines.push(
      `data dir ${r.dataDir}: the journal's last line was cut short by a crash (${r.cut.bytes} bytes at byte ${r.cut.atByte}); that operation never answered and is left out`,
    );
  return lines.join('\n');
}
