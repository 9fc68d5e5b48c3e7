import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

/** One import in a source file: who imports what (both relative to the repository root). */
export interface ImportEdge {
  from: string;
  to: string;
  line: number;
}

// `import ... from 'x'`, `export ... from 'x'`, `import 'x'`, `import('x')`, over several lines too.
const SPECIFIER =
  /(?:^|[\s;])(?:import|export)\s+(?:type\s+)?(?:[^'";]*?\s+from\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourceFiles(path));
    else if (/\.(ts|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

/** Every relative import of the TypeScript/JavaScript files under `dirs` (paths relative to `root`). */
export function relativeImports(root: string, dirs: readonly string[]): ImportEdge[] {
  const edges: ImportEdge[] = [];
  for (const dir of dirs) {
    for (const file of sourceFiles(join(root, dir))) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(SPECIFIER)) {
        const specifier = match[1] ?? match[2];
        if (!specifier?.startsWith('.')) continue;
        const line = text.slice(0, match.index).split('\n').length;
        edges.push({
          from: relative(root, file),
          to: relative(root, resolve(dirname(file), specifier)),
          line,
        });
      }
    }
  }
  return edges;
}
