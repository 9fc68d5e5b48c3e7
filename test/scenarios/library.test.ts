import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { discoverScenarioFiles } from '../../scenarios/runner/discover.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { prettyFailure } from '../../scenarios/runner/reporters.ts';
import { runScenario } from '../../scenarios/runner/run.ts';

/**
 * Every scenario of the library runs as a test, once per channel it names. Each run has its own
 * emulator and bridge on its own clock, so runs are independent and execute concurrently.
 */
const library = fileURLToPath(new URL('../../scenarios/library', import.meta.url));
const artifacts = fileURLToPath(new URL('../artifacts/scenarios', import.meta.url));

describe.concurrent('scenario library', () => {
  for (const file of discoverScenarioFiles([library])) {
    const scenario = loadScenarioFile(file);
    for (const channel of scenario.channels) {
      it(`${basename(file)} [${channel}]`, async () => {
        const result = await runScenario(scenario, channel);
        if (!result.passed) {
          mkdirSync(artifacts, { recursive: true });
          const out = join(artifacts, `${basename(file, '.yaml')}.${channel}.transcript.txt`);
          writeFileSync(out, result.fullTranscript);
          expect.fail(`${scenario.name} [${channel}]\n${prettyFailure(result, out)}`);
        }
      });
    }
  }
});
