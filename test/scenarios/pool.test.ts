import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarios, runScenarios, type ScenarioResult } from '../../scenarios/index.ts';

/**
 * Runs on worker threads (`--jobs N`): the same results, transcripts and order as one run after another,
 * and onResult called in the runs' order.
 */
const library = fileURLToPath(new URL('../../scenarios/library', import.meta.url));
const names = [
  'transfer-with-metadata.yaml',
  'agent-not-responding.yaml',
  'customer-leaves.yaml',
  'typing-both-ways.yaml',
];

const comparable = (r: ScenarioResult) => ({ ...r, durationMs: 0 });

describe('the scenario pool', () => {
  it('two worker threads give exactly the serial results, in the serial order', async () => {
    const scenarios = loadScenarios(names.map((n) => `${library}/${n}`));
    const serial = await runScenarios(scenarios);
    const seen: string[] = [];
    const pooled = await runScenarios(scenarios, {
      jobs: 2,
      onResult: (r) => seen.push(`${r.file} ${r.channel}`),
    });
    expect(pooled.map(comparable)).toEqual(serial.map(comparable));
    expect(seen).toEqual(serial.map((r) => `${r.file} ${r.channel}`));
    expect(serial.length).toBeGreaterThan(4);
    expect(pooled.every((r) => r.passed)).toBe(true);
  }, 120_000);
});
