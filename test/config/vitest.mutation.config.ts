import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The tests Stryker runs against each mutant (`npm run mutation`, test/config/stryker.config.json). One flat
// project, because Stryker's vitest runner runs everything in one worker anyway: the unit, integration and
// scenario tests that exercise the source in-process. Left out: tests that start the built commands from
// dist/ in a child process (a mutant of the source never reaches them), the browser, package and contract
// projects (slow, and they test the same source through a build or Pact).
const root = fileURLToPath(new URL('../..', import.meta.url));

// MUTATION_TESTS (comma-separated globs) measures a folder against its own tests only: much faster, since a
// surviving mutant runs every test that covers it, and a lower bound on the score the whole suite gets.
const only = process.env.MUTATION_TESTS?.split(',').filter(Boolean);
// MUTATION_TEST_TIMEOUT (ms) fails a hung test sooner: a mutant that makes a test wait forever for an event
// is then a failed test (killed) within that time, instead of a Stryker timeout that also restarts the
// test runner (15 s + a reload each). Only for test sets whose tests take well under it on a loaded machine.
const testTimeout = Number(process.env.MUTATION_TEST_TIMEOUT) || 60_000;

export default defineConfig({
  test: {
    root,
    include: only?.length
      ? only
      : [
          'test/unit/**/*.test.ts',
          'test/integration/**/*.test.ts',
          'test/conformance/**/*.test.ts',
          'test/scenarios/**/*.test.ts',
        ],
    exclude: [
      'test/integration/cli.test.ts',
      'test/integration/cli-hardening.test.ts',
      'test/integration/bridge-cli.test.ts',
      'test/scenarios/shard.test.ts',
      'test/unit/ensure-test-tools.test.ts',
      '**/node_modules/**',
    ],
    setupFiles: ['test/support/leak-check.ts', 'test/config/mutation-setup.ts'],
    env: { PACT_DO_NOT_TRACK: 'true' },
    testTimeout,
    hookTimeout: Math.min(testTimeout, 10_000),
    // One module graph for every file: Stryker starts vitest once per mutant, and re-importing the
    // emulator for each test file doubled the time of a run. (Static mutants, which only a fresh import
    // would test, are ignored: see stryker.config.mjs.)
    isolate: false,
  },
});
