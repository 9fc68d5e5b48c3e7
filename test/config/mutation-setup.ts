import { beforeAll, beforeEach, inject } from 'vitest';

/**
 * Setup for mutation runs only (vitest.mutation.config.ts). During Stryker's first run its setup file
 * names the running test between its beforeEach and afterEach hooks, and credits the code that runs then
 * to that test; code that runs at no test's time counts as "static", and Stryker runs every test (after
 * reloading every module) for each static mutant, which makes a run several times slower. Two kinds of
 * code run outside that window without being static:
 *
 * - A test's `onTestFinished` callbacks, which run after the afterEach hooks: emulators, bridges and
 *   services close there, ending sessions and conversations. The test's name is restored after the
 *   afterEach hooks (a beforeEach cleanup runs then) and cleared by the first onTestFinished callback
 *   registered, which runs last.
 * - `beforeAll` hooks (an emulator shared by a file's tests). What they cover is credited to the next
 *   test that starts; Stryker runs that test with its file's hooks, so the hook runs with the mutant.
 *
 * What runs while modules load (constants, tables) stays static: only a reload can test it.
 */
interface Namespace {
  currentTestId?: string;
  mutantCoverage?: { static: Record<string, number>; perTest: Record<string, Record<string, number>> };
}

// Provided by Stryker's vitest runner; undefined in an ordinary vitest run, where this file does nothing.
const provided = inject as (key: string) => unknown;
const namespaceName = provided('globalNamespace') as string | undefined;
const dryRun = provided('mode') === 'dry-run';

// Stryker's setup file runs before this one and has made the namespace.
const ns =
  namespaceName === undefined
    ? undefined
    : (globalThis as Record<string, Namespace | undefined>)[namespaceName];

if (ns !== undefined && dryRun) {
  /** Static coverage once every module of the file has loaded: real static mutants. */
  let loaded = new Set<string>();
  beforeAll(() => {
    loaded = new Set(Object.keys(ns.mutantCoverage?.static ?? {}));
  });
  beforeEach(({ onTestFinished }) => {
    const testId = ns.currentTestId;
    const coverage = ns.mutantCoverage;
    if (testId !== undefined && coverage !== undefined) {
      const mine = coverage.perTest[testId] ?? {};
      coverage.perTest[testId] = mine;
      for (const [mutant, hits] of Object.entries(coverage.static)) {
        if (loaded.has(mutant)) continue;
        mine[mutant] = (mine[mutant] ?? 0) + hits;
        delete coverage.static[mutant];
      }
    }
    onTestFinished(() => {
      ns.currentTestId = undefined;
    });
    return () => {
      ns.currentTestId = testId;
    };
  });
}
