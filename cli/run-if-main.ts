import { pathToFileURL } from 'node:url';

/**
 * Runs a command's main() when its module is the process's entry (`node --import tsx cli/x.ts ...`, from
 * the sources); the launchers import the bundle and call main() themselves.
 */
export function runIfMain(moduleUrl: string, name: string, main: (argv: string[]) => Promise<number>): void {
  if (!process.argv[1] || moduleUrl !== pathToFileURL(process.argv[1]).href) return;
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: unknown) => {
      process.stderr.write(
        `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
      );
      process.exit(1);
    },
  );
}
