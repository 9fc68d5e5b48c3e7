import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * The package's version, read from its package.json: the nearest one above this file whose name is the
 * package's (the same walk works from the sources in a checkout and from the built files in dist/).
 */
export function packageVersion(): string {
  cached ??= findVersion(dirname(fileURLToPath(import.meta.url)));
  return cached;
}

function findVersion(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (pkg.name === 'genesys-cloud-emulator' && pkg.version) return pkg.version;
    } catch {
      /* no package.json here */
    }
    if (dirname(dir) === dir) return '0.0.0-unknown';
  }
}
