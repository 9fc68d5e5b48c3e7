/**
 * Every emulator a test starts is tracked here (emulators.ts adds and removes them); leak-check.ts fails
 * the file if one is still open when the file ends. This module imports nothing, so the setup file that
 * reads it does not load the emulator into test files that never start one (about half of them).
 */
export const openEmulators = new Map<{ close(): Promise<void> }, string>();
