/**
 * `npm run bench`: prints the figures the issues ask for, each beside a baseline measured in the same
 * run where one applies. Never run as a test and never asserts on timings.
 */
import { routingBench } from './routing.ts';
import { startupBench } from './startup.ts';

const only = process.argv[2];
const benches: Record<string, () => unknown> = {
  startup: () => startupBench(),
  routing: () => routingBench(),
};
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
