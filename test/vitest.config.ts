import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

// The config lives under test/ so the repository's top level stays fixed (package.json, tsconfig.json,
// emulator/, bridge/, contracts/, scenarios/, test/, README.md); paths are resolved from the repo root.
const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  test: {
    root,
    setupFiles: ['test/support/leak-check.ts'],
    env: { PACT_DO_NOT_TRACK: 'true' },
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: { name: 'integration', include: ['test/integration/**/*.test.ts'] },
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
    ],
  },
});
