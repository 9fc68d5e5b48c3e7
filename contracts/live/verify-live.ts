import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PROVIDERS, type ProviderKey, pactFileName } from '../names.ts';
import { COMMITTED_PACTS } from '../provider/pact-files.ts';
import { verifyPact } from '../provider/verify-pact.ts';
import { LIVE_ENV, type LiveConfig, parseLiveConfig } from './config.ts';
import { LiveWorld } from './live-world.ts';
import { selectInteractions } from './select-interactions.ts';

/**
 * `npm run contracts:verify:live`: verifies the committed pact files against a real Genesys Cloud org
 * named by environment variables (contracts/README.md). Without them it says it was skipped and why, and
 * exits 0; misconfigured, it names every problem and exits 2; a failed verification exits 1.
 */
async function main(): Promise<number> {
  const parsed = parseLiveConfig(process.env);
  if (parsed.status === 'skipped') {
    console.log(`Live contract verification skipped: ${parsed.reason}.`);
    console.log(
      `To verify against a real org, set ${LIVE_ENV.loginUrl}, ${LIVE_ENV.queueName} and ${LIVE_ENV.messengerDeploymentId} ` +
        `and/or ${LIVE_ENV.webChatDeploymentId} with ${LIVE_ENV.organizationId} (optional: ${LIVE_ENV.agentToken}, ` +
        `${LIVE_ENV.origin}); see contracts/README.md.`,
    );
    return 0;
  }
  if (parsed.status === 'invalid') {
    console.error('Live contract verification is misconfigured:');
    for (const problem of parsed.problems) console.error(`- ${problem}`);
    return 2;
  }
  const { config } = parsed;
  const world = new LiveWorld(config);
  const dir = mkdtempSync(join(tmpdir(), 'genesys-live-pacts-'));
  try {
    let failed = false;
    for (const provider of providersOf(config)) {
      const source = join(COMMITTED_PACTS, pactFileName(provider));
      const { pact, skipped } = selectInteractions(JSON.parse(readFileSync(source, 'utf8')), (s) =>
        world.unsupported(s),
      );
      console.log(
        `\n${PROVIDERS[provider]}: ${pact.interactions.length} interactions to verify against ${config.hosts.domain}`,
      );
      for (const { description, reason } of skipped) console.log(`  skipped "${description}": ${reason}`);
      if (pact.interactions.length === 0) continue;
      const file = join(dir, pactFileName(provider));
      writeFileSync(file, JSON.stringify(pact));
      const outcome = await verifyPact(file, world);
      for (const failure of outcome.failures)
        console.error(`  FAILED ${failure.interaction}\n    ${failure.mismatches.join('\n    ')}`);
      failed ||= !outcome.passed;
    }
    return failed ? 1 : 0;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function providersOf(config: LiveConfig): ProviderKey[] {
  return [
    ...(config.messengerDeploymentId === undefined ? [] : (['webMessaging'] as const)),
    ...(config.webChatDeploymentId === undefined ? [] : (['webChat'] as const)),
  ];
}

process.exitCode = await main();
