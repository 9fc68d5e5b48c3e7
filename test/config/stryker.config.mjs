// @ts-check
/**
 * Mutation testing (`npm run mutation`; README, "Tests and benchmarks"): StrykerJS plants one small bug at
 * a time in the code users rely on most and runs the tests that cover it; a mutant no test notices is a
 * behaviour nothing guards. `npm run mutation -- --mutate 'bridge/http/**'` runs a subset; the incremental
 * file keeps every other file's results, so a rerun only tests mutants whose code or tests changed.
 * Equivalent mutants left alive, with why: test/config/mutation-equivalents.md.
 *
 * Toolchain notes: StrykerJS 10 needs Node 22, so 9.6.1 (the last that runs on Node 20 with vitest 4).
 * TypeScript 7 has no compiler API, so Stryker must not rewrite a tsconfig (tsconfigFile names a file that
 * does not exist) and runs no type checker (checkers: []): a mutant that would not compile runs anyway and
 * is counted by what the tests see.
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  testRunner: 'vitest',
  // related: a --mutate subset runs only the test files that import the mutated files.
  vitest: { configFile: 'test/config/vitest.mutation.config.ts', related: true },
  mutate: [
    'emulator/domain/routing/**/*.ts',
    // Architect: the interpreter, the functions (with the operators and NOT_SET values they work on) and
    // queue lookup; the loader is guarded by its own load-error tests and is not run per conversation.
    'emulator/domain/architect/interpreter.ts',
    'emulator/domain/architect/functions.ts',
    'emulator/domain/architect/operators.ts',
    'emulator/domain/architect/values.ts',
    'emulator/domain/architect/queue-lookup.ts',
    'emulator/domain/conversations/**/*.ts',
    // The guest surfaces' limits, auth and validation (not their presenters and routing glue).
    'emulator/surfaces/webmessaging/limits.ts',
    'emulator/surfaces/webmessaging/rate-limit.ts',
    'emulator/surfaces/webmessaging/guest-jwt.ts',
    'emulator/surfaces/webmessaging/client-frames.ts',
    'emulator/surfaces/webmessaging/deployments.ts',
    'emulator/surfaces/webmessaging/on-message.ts',
    'emulator/surfaces/webmessaging/session-actions.ts',
    'emulator/surfaces/webchat/guest-auth.ts',
    'emulator/surfaces/webchat/jwt.ts',
    'emulator/surfaces/webchat/schemas.ts',
    'emulator/surfaces/notifications/**/*.ts',
    'bridge/session/**/*.ts',
    'bridge/http/**/*.ts',
    'bridge/channels/**/*.ts',
    'scenarios/runner/steps.ts',
    // Open Messaging webhooks as the emulator sends them (signing, retries, timeouts) and the journal a
    // data dir keeps (what is written, replayed and refused): nothing that was accepted may be lost.
    'emulator/surfaces/openmessaging/webhook-deliveries.ts',
    'emulator/surfaces/openmessaging/webhook-retry-policy.ts',
    'emulator/surfaces/openmessaging/webhook-signature.ts',
    'emulator/surfaces/openmessaging/webhook-http.ts',
    'emulator/store/journal/**/*.ts',
  ],
  // Not copied into the sandbox: build output and test artifacts no test reads.
  ignorePatterns: ['dist', 'test/artifacts', '.tmp', '.scenario-results', 'contracts/pacts'],
  concurrency: 1,
  coverageAnalysis: 'perTest',
  // Static mutants (module-level constants, run only while modules load) need every test run after a
  // full reload, about 1.5 minutes each on a 2-core machine: they are reported as ignored, not scored.
  // `--ignoreStatic false` includes them. mutation-setup.ts keeps hooks and cleanups from counting as static.
  ignoreStatic: true,
  checkers: [],
  tsconfigFile: 'no-tsconfig-for-stryker.json',
  tempDirName: '.stryker-tmp',
  timeoutMS: 15_000,
  incremental: true,
  incrementalFile: 'test/artifacts/mutation/stryker-incremental.json',
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'test/artifacts/mutation/index.html' },
  jsonReporter: { fileName: 'test/artifacts/mutation/mutation.json' },
  thresholds: { high: 90, low: 85, break: null },
};
