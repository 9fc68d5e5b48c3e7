/**
 * `genesys-emulator`: the command table, composed above the emulator and the scenario runner (the
 * emulator's own code never imports the runner). Each command is loaded only when it runs, so `start`
 * never pays for the runner and the bridge.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { packageVersion } from '../emulator/version.ts';
import { runIfMain } from './run-if-main.ts';

export const USAGE = `Usage: genesys-emulator <command> [options]

Commands:
  start        run the emulator with an org (the default command)
  pack         write a repro pack from a data dir (start --from-pack FILE opens one)
  scenarios    run scenario files against an in-process emulator and the real bridge

Options:
  --version    print the version
  -h, --help   show this help

Run "genesys-emulator <command> --help" for a command's options.`;

const COMMANDS: Record<string, (argv: string[]) => Promise<number>> = {
  start: async (argv) => (await import('../emulator/cli/start.ts')).runStart(argv),
  pack: async (argv) => (await import('../emulator/cli/pack.ts')).runPack(argv),
  scenarios: async (argv) => {
    // The pool's worker threads start before this thread loads the runner (the emulator, the bridge):
    // each loads it too, and the loads overlap. Those no pool takes are stopped by scenariosCli.
    const { jobsOf, parseScenariosArgs } = await import('../scenarios/runner/cli-args.ts');
    const { startPoolWorkers } = await import('../scenarios/runner/pool-threads.ts');
    const args = parseScenariosArgs(argv);
    if ('paths' in args) startPoolWorkers(jobsOf(args) - 1);
    const { scenariosCli } = await import('../scenarios/runner/cli.ts');
    return scenariosCli(argv, libraryDir());
  },
};

/**
 * The scenario library `scenarios` runs by default: in a checkout the sources' own (scenarios/library,
 * so reports name the files a developer edits), in an installed package the copy built into dist/.
 */
function libraryDir(): string {
  const built = fileURLToPath(new URL('../scenarios/library', import.meta.url));
  const checkout = fileURLToPath(new URL('../../', import.meta.url));
  return existsSync(join(checkout, 'emulator', 'app.ts')) ? join(checkout, 'scenarios', 'library') : built;
}

/** A scenario pool worker thread started from this bundle (scenarios/runner/pool.ts). */
export async function scenarioWorker(): Promise<void> {
  await import('../scenarios/runner/pool-worker.ts');
}

/** Resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === '--version' || first === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  if (first === '--help' || first === '-h' || first === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  // No command, or options first: `start`, as `genesys-emulator --port 0` always meant.
  if (first === undefined || first.startsWith('-')) return COMMANDS['start']!(argv);
  const command = COMMANDS[first];
  if (!command) {
    process.stderr.write(`genesys-emulator: unknown command "${first}"\n\n${USAGE}\n`);
    return 2;
  }
  return command(rest);
}

runIfMain(import.meta.url, 'genesys-emulator', main);
