/**
 * `npm run bench [name]`: prints the figures the issues ask for, each beside a baseline measured in the
 * same run where one applies. Never run as a test and never asserts on timings.
 */
import { bridgeBench } from './bridge.ts';
import { clusterBench } from './cluster.ts';
import { durableBench } from './durable.ts';
import { growthBench } from './growth.ts';
import { openMessagingBench } from './openmessaging.ts';
import { routingBench } from './routing.ts';
import { scenariosBench } from './scenarios.ts';
import { startupBench } from './startup.ts';
import { webchatBench } from './webchat.ts';
import { webmessagingBench } from './webmessaging.ts';

const only = process.argv[2];
const benches: Record<string, () => unknown> = {
  startup: () => startupBench(),
  routing: () => routingBench(),
  webchat: () => webchatBench(),
  webmessaging: () => webmessagingBench(),
  bridge: () => bridgeBench(),
  cluster: () => clusterBench(),
  scenarios: () => scenariosBench(),
  durable: () => durableBench(),
  openmessaging: () => openMessagingBench(),
  growth: () => growthBench(),
};
if (only && !(only in benches)) {
  process.stderr.write(`unknown bench ${only}; one of: ${Object.keys(benches).join(', ')}\n`);
  process.exit(2);
}
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  await run();
}
