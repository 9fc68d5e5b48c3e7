/**
 * The CLI: the only file that reads argv, listens and handles signals. Everything else builds on
 * buildEmulator() so tests, scenarios and contract verification run the same emulator in-process.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildEmulator } from './app.ts';
import { CliError, parseCliArgs, USAGE } from './cli-args.ts';
import { FixtureError, loadFixtureFile } from './config/load-fixture.ts';
import { startupSummary } from './summary.ts';

/** Set by emulator/bin.mjs when the sources run as one bundle (import.meta.url is then the bundle's). */
declare const __EMULATOR_ROOT_DIR__: string | undefined;

async function main(argv: string[]): Promise<number> {
  if (argv[0] === 'scenarios') {
    // Loaded only for this command, so `start` never pays for the runner and the bridge.
    const { scenariosCli } = await import('../scenarios/runner/cli.ts');
    const root =
      typeof __EMULATOR_ROOT_DIR__ === 'string'
        ? __EMULATOR_ROOT_DIR__
        : fileURLToPath(new URL('..', import.meta.url));
    return scenariosCli(argv.slice(1), join(root, 'scenarios', 'library'));
  }
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
  let fixture: ReturnType<typeof loadFixtureFile> | undefined;
  try {
    fixture = args.config === undefined ? undefined : loadFixtureFile(args.config);
  } catch (e) {
    if (!(e instanceof FixtureError)) throw e;
    process.stderr.write(`genesys-emulator: ${e.message}\n`);
    return 1;
  }
  let emulator: Awaited<ReturnType<typeof buildEmulator>>;
  try {
    emulator = await buildEmulator({
      ...(fixture ? { fixture } : {}),
      controlPlane: args.controlPlane,
      clock: args.manualClock ? 'manual' : 'system',
      ...(args.seed === undefined ? {} : { seed: args.seed }),
      logLevel: args.logLevel,
    });
  } catch (e) {
    // A flow that fails to load is a fixture error too: name it and stop.
    if (!(e instanceof FixtureError)) throw e;
    process.stderr.write(`genesys-emulator: ${args.config ?? 'embedded default fixture'}: ${e.message}\n`);
    return 1;
  }
  const { app, runtime } = emulator;
  await app.listen({ host: args.host, port: args.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : args.port;
  const host = args.host.includes(':') ? `[${args.host}]` : args.host;
  const baseUrl = `http://${host}:${port}`;
  process.stdout.write(`Genesys Cloud emulator ready at ${baseUrl}\n`);
  process.stdout.write(`${startupSummary(baseUrl, runtime.fixture, args.controlPlane)}\n`);

  return await new Promise<number>((resolve) => {
    const stop = (signal: string) => {
      app.log.info({ signal }, 'closing');
      app.close().then(
        () => resolve(0),
        () => resolve(1),
      );
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `genesys-emulator: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
