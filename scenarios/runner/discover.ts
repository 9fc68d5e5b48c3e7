import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Scenario files under the given paths (files as given, directories searched for *.yaml / *.yml). */
export function discoverScenarioFiles(paths: string[]): string[] {
  const out: string[] = [];
  const walk = (path: string) => {
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) walk(join(path, entry));
    } else if (/\.ya?ml$/.test(path)) out.push(path);
  };
  for (const p of paths) walk(resolve(p));
  return out;
}
