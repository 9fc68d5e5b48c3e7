import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { ContractPhaseSequencer } from '../contracts/support/phase-sequencer.ts';

// The config lives under test/ so the repository's top level stays fixed (package.json, tsconfig.json,
// emulator/, bridge/, contracts/, scenarios/, test/, README.md); paths are resolved from the repo root.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    root,
    setupFiles: ['test/support/leak-check.ts'],
    env: { PACT_DO_NOT_TRACK: 'true' },
    // Only reorders the contracts project (consumer files before provider files); see the sequencer.
    sequence: { sequencer: ContractPhaseSequencer },
    projects: [
      // Unit and integration files share their worker's modules (isolate false) instead of importing the
      // emulator afresh for each file: that import was about half of these groups' time (unit 75 s -> 27 s,
      // integration 206 s -> 106 s on the 2-core machine). Files run one after another in a worker, every
      // test closes what it starts (leak-check.ts fails a file that does not), and the process-wide caches
      // (loaded flows, parsed fixture files, the WebChat key pair) are keyed by content or shared by design.
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'], isolate: false },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts', 'test/conformance/**/*.test.ts'],
          isolate: false,
        },
      },
      {
        extends: true,
        test: { name: 'browser', include: ['test/browser/**/*.test.ts'] },
      },
      {
        extends: true,
        // Scenario runs are independent (own emulator, bridge and clock) and mostly wait on loopback I/O.
        test: {
          name: 'scenarios',
          include: ['test/scenarios/**/*.test.ts'],
          maxConcurrency: 6,
          testTimeout: 60_000,
        },
      },
      {
        extends: true,
        // The packed package installed into a project outside the repository. npm pack rebuilds dist/,
        // so this group runs last, when no other test is starting the commands from dist/.
        test: {
          name: 'package',
          include: ['test/package/*.test.ts'],
          fileParallelism: false,
          sequence: { groupOrder: 2 },
          testTimeout: 180_000,
          hookTimeout: 60_000,
        },
      },
      {
        extends: true,
        // Consumer tests write pact files, then verification reads them: one worker runs the files one
        // after another (fileParallelism false) in the sequencer's order, consumer phase first; isolate
        // false loads Pact's native library once. groupOrder 1 runs this group after the others, and
        // gives it its own group, as a single-worker project needs.
        test: {
          name: 'contracts',
          include: ['contracts/consumer/**/*.pact.test.ts', 'contracts/provider/**/*.verify.test.ts'],
          globalSetup: ['contracts/support/pact-dir.ts'],
          fileParallelism: false,
          isolate: false,
          sequence: { groupOrder: 1 },
          testTimeout: 30_000,
        },
      },
    ],
  },
});
