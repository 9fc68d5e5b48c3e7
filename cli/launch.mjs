/**
 * What each command's launcher does: in a checkout, rebuild the bundle if a source is newer; then run
 * the bundle's main() with V8's code cache and exit with its code.
 */
import { fileURLToPath } from 'node:url';
import { ensureFresh } from './ensure-fresh.mjs';
import { loadBundle } from './run-bundle.mjs';

export async function launch(name) {
  ensureFresh();
  try {
    const { main } = loadBundle(fileURLToPath(new URL(`../dist/bin/${name}.cjs`, import.meta.url)));
    process.exit(await main(process.argv.slice(2)));
  } catch (error) {
    process.stderr.write(
      `${name}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}
