#!/usr/bin/env node
// The `genesys-bridge` command. It runs the TypeScript sources through tsx's loader: start-up time does
// not matter for a long-running service (about a second), and there is no bundle to keep fresh.
import { register } from 'tsx/esm/api';

register();
try {
  const { runCli } = await import('./cli.ts');
  process.exit(await runCli(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(
    `genesys-bridge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
