import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverScenarioFiles } from '../../scenarios/runner/discover.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { filesOfShard, parseShard } from '../../scenarios/runner/shard.ts';
import { runCommand } from '../support/run-command.ts';

/**
 * `genesys-emulator scenarios --shard I/N`: N CI machines each run a deterministic part of the library,
 * and together they run every scenario on every channel exactly once.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const library = fileURLToPath(new URL('../../scenarios/library', import.meta.url));
const bin = fileURLToPath(new URL('../../cli/genesys-emulator.mjs', import.meta.url));

/** The runs a shard made, as `file [channel]`, from the JSON report the command prints. */
async function runShard(shard: string) {
  const result = await runCommand(process.execPath, [
    bin,
    'scenarios',
    '--shard',
    shard,
    '--reporter',
    'json',
  ]);
  const reported = JSON.parse(result.stdout) as { file: string; channel: string }[];
  return { ...result, runs: reported.map((r) => `${relative(root, r.file)} [${r.channel}]`) };
}

describe('sharding the scenario library', () => {
  it('--shard 1/2 and --shard 2/2 together run every library scenario on each channel exactly once', async () => {
    const expected = discoverScenarioFiles([library]).flatMap((file) =>
      loadScenarioFile(file).channels.map((channel) => `${relative(root, file)} [${channel}]`),
    );
    const [first, second] = await Promise.all([runShard('1/2'), runShard('2/2')]);
    expect(first.code, first.stderr).toBe(0);
    expect(second.code, second.stderr).toBe(0);
    expect(first.runs.length).toBeGreaterThan(0);
    expect(second.runs.length).toBeGreaterThan(0);
    expect([...first.runs, ...second.runs].sort()).toEqual([...expected].sort());
    expect(first.stderr).toMatch(/shard 1\/2: \d+ of \d+ files/);
  }, 120_000);

  it('deals files out by sorted path, so any N shards partition the library the same way on every machine', () => {
    const files = discoverScenarioFiles([library]);
    for (const count of [1, 2, 3, 4, 7, files.length + 3]) {
      const shards = Array.from({ length: count }, (_, i) => filesOfShard(files, { index: i + 1, count }));
      expect(shards.flat().sort()).toEqual([...files].sort());
      const sizes = shards.map((s) => s.length);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      // The same input in another order gives the same shards.
      expect(filesOfShard([...files].reverse(), { index: 1, count })).toEqual(shards[0]);
    }
  });

  it('refuses a shard that is not I/N with 1 <= I <= N', () => {
    for (const bad of ['0/2', '3/2', '1/0', '1', 'a/b', '1/2/3', '-1/2'])
      expect(parseShard(bad), bad).toBeNull();
    expect(parseShard('2/4')).toEqual({ index: 2, count: 4 });
  });
});
