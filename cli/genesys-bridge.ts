/** `genesys-bridge`: the bridge service's command, with the package's --version. */
import { runCli } from '../bridge/cli.ts';
import { packageVersion } from '../emulator/version.ts';
import { runIfMain } from './run-if-main.ts';

/** Resolves with the exit code. */
export async function main(argv: string[]): Promise<number> {
  if (argv[0] === '--version' || argv[0] === '-v') {
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  return runCli(argv);
}

runIfMain(import.meta.url, 'genesys-bridge', main);
