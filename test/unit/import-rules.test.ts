import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, relativeImports } from '../support/import-graph.ts';

/**
 * The one import rule (README, Architecture): our own harness uses the emulator only through the
 * package's public doors, the emulator never imports upwards (the scenario runner, the commands), and
 * the bridge knows Genesys only through the wire.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const PUBLIC_DOORS = ['emulator/index.ts', 'emulator/testing/index.ts'];

const show = (edges: ImportEdge[]) => edges.map((e) => `${e.from}:${e.line} imports ${e.to}`);
const inside = (dir: string) => (path: string) => path === dir || path.startsWith(`${dir}/`);

describe('the import rule', () => {
  it('scenarios/ and contracts/ reach the emulator only through its public entry points', () => {
    const edges = relativeImports(root, ['scenarios', 'contracts']);
    expect(edges.length).toBeGreaterThan(50);
    const internal = edges.filter((e) => inside('emulator')(e.to) && !PUBLIC_DOORS.includes(e.to));
    expect(show(internal)).toEqual([]);
  });

  it('the emulator (its CLI included) imports nothing from scenarios/, cli/, bridge/, contracts/ or test/', () => {
    const edges = relativeImports(root, ['emulator']);
    expect(edges.length).toBeGreaterThan(100);
    const upwards = edges.filter((e) =>
      ['scenarios', 'cli', 'bridge', 'contracts', 'test'].some((d) => inside(d)(e.to)),
    );
    expect(show(upwards)).toEqual([]);
  });

  it('the bridge imports nothing of the emulator, the runner or the tests', () => {
    const edges = relativeImports(root, ['bridge']);
    expect(edges.length).toBeGreaterThan(30);
    const foreign = edges.filter((e) =>
      ['emulator', 'scenarios', 'cli', 'contracts', 'test'].some((d) => inside(d)(e.to)),
    );
    expect(show(foreign)).toEqual([]);
  });

  it('the checker sees the kinds of import a violation could hide in', () => {
    // A guard on the guard: if the pattern stopped matching dynamic or multi-line imports, the rules
    // above would pass on an empty graph of those.
    const cli = relativeImports(root, ['cli']);
    expect(cli).toContainEqual(
      expect.objectContaining({ from: 'cli/genesys-emulator.ts', to: 'emulator/cli/start.ts' }),
    );
    expect(cli).toContainEqual(
      expect.objectContaining({ from: 'cli/genesys-emulator.ts', to: 'scenarios/runner/cli.ts' }),
    );
    const runner = relativeImports(root, ['scenarios']);
    expect(runner).toContainEqual(
      expect.objectContaining({ from: 'scenarios/runner/in-process-world.ts', to: 'emulator/index.ts' }),
    );
  });
});
