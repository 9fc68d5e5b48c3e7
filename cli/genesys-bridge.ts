/** `genesys-bridge`: the bridge service's command, with the package's --version. */
import { pathToFileURL } from 'node:url';
import { runCli } from '../bridge/cli.ts';
import { packageVersion } from '../emulator/version.ts';

/** Resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  return runCli(argv);
}

// Run from the sources (`node --import tsx cli/genesys-bridge.ts ...`); the launcher imports the bundle instead.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `genesys-bridge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
