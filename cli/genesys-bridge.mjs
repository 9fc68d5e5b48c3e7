#!/usr/bin/env node
// The `genesys-bridge` command: runs the built bundle (dist/bin/), rebuilding it first in a checkout
// whose sources are newer. No TypeScript tooling is needed at run time.
import { ensureFresh } from './ensure-fresh.mjs';

ensureFresh();
try {
  const { main } = await import('../dist/bin/genesys-bridge.mjs');
  process.exit(await main(process.argv.slice(2)));
} catch (error) {
  process.stderr.write(
    `genesys-bridge: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
}
