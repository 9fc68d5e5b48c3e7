import { afterAll } from 'vitest';
import { openEmulators } from './open-emulators.ts';

// A leaked emulator keeps sockets and timers alive and hides missing cleanup: close it, then fail.
afterAll(async () => {
  if (openEmulators.size === 0) return;
  const places = [...openEmulators.values()];
  await Promise.all([...openEmulators.keys()].map((e) => e.close()));
  openEmulators.clear();
  throw new Error(`${places.length} emulator(s) were not closed by their test:\n${places.join('\n---\n')}`);
});
