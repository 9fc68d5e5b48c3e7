import { describe, expect, it } from 'vitest';
import {
  EmulatorKeeper,
  LIBRARY_DIR,
  loadScenarios,
  runScenario,
  runScenarios,
  type ScenarioResult,
} from '../../scenarios/index.ts';

/**
 * `runScenarios` (and each pool worker) lends one emulator to run after run, started over with each
 * run's seed and org. Whatever ran before, every run of the library must read exactly as it does on an
 * emulator of its own: the same transcript, word for word, and the same verdict.
 */
const comparable = (r: ScenarioResult) => ({
  file: r.file,
  channel: r.channel,
  passed: r.passed,
  transcript: r.fullTranscript,
});

describe('runs on one emulator started over', () => {
  it('read exactly as runs on new emulators, over the whole library', async () => {
    const scenarios = loadScenarios(LIBRARY_DIR);
    const fresh: ScenarioResult[] = [];
    for (const scenario of scenarios)
      for (const channel of scenario.channels) fresh.push(await runScenario(scenario, channel));
    const keeper = new EmulatorKeeper();
    try {
      const kept = await runScenarios(scenarios, { emulators: keeper });
      expect(kept.map(comparable)).toEqual(fresh.map(comparable));
      // Every run after the first was lent the same emulator, none had to build a new one.
      expect(keeper.reused).toBe(fresh.length - 1);
    } finally {
      await keeper.close();
    }
  }, 120_000);
});
