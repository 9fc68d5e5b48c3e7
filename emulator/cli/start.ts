/**
 * `genesys-emulator start`: a thin argv face of the handle. The only emulator code that reads argv,
 * writes to the terminal and handles signals; everything else is `startEmulator()`.
 */
import type { Fixture } from '../config/fixture-schema.ts';
import { FixtureError, loadFixtureFile } from '../config/load-fixture.ts';
import { startEmulator } from '../handle/start.ts';
import type { EmulatorHandle } from '../handle/types.ts';
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
      controlPlane: args.controlPlane,
      clock: args.manualClock ? 'manual' : 'system',
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      logLevel: args.logLevel,
      // A person at a terminal reads lines; a pipe or a file gets JSON for machines.
      logFormat: args.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
      allowedHosts: args.allowHost,
      ...(args.headerTimeoutMs === undefined ? {} : { headerTimeoutMs: args.headerTimeoutMs }),
      ...(args.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: args.requestTimeoutMs }),
      ...(args.idleTimeoutMs === undefined ? {} : { idleTimeoutMs: args.idleTimeoutMs }),
    });
  } catch (e) {
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
  process.stdout.write(`Genesys Cloud emulator ready at ${emulator.url}\n`);
  process.stdout.write(`${startupSummary(emulator.url, emulator.fixture, args.controlPlane)}\n`);

  return await new Promise<number>((resolve) => {
    const stop = () => {
      emulator.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
