import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ReproPack } from '../../emulator/index.ts';
import { LIBRARY_DIR, loadScenarios, runScenario } from '../../scenarios/index.ts';
import { startEmulator } from '../support/emulators.ts';

/**
 * The journal misses nothing, whatever a surface keeps: the whole scenario library plays against one
 * emulator with a data dir (as `--target`), and after each run the directory, copied as a crash would
 * leave it, restores to exactly the live state (every store table, including those of surfaces added
 * later, the timeline, the clock and the id position). A surface that changed an entity without the
 * store seeing it (store.ts's rule) fails here, naming the table.
 */

const root = mkdtempSync(join(tmpdir(), 'genesys-replay-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function stateOf(pack: ReproPack) {
  const { tables, events, lastSeq, now, ids } = pack.image;
  return { tables, events, lastSeq, now, ids };
}

describe('journal replay over the scenario library', () => {
  it('restores the live state after every run, on every channel', { timeout: 240_000 }, async () => {
    const dir = join(root, 'target');
    const target = await startEmulator({ dataDir: dir });
    const scenarios = loadScenarios(LIBRARY_DIR).filter((s) => s.fixture === 'default');
    expect(scenarios.length).toBeGreaterThan(15);
    let runs = 0;
    for (const scenario of scenarios) {
      for (const channel of scenario.channels) {
        const result = await runScenario(scenario, channel, { target: target.url });
        expect(result.failure, `${scenario.file} [${channel}] ran: ${result.transcript}`).toBeUndefined();
        await target.settle();
        const copy = join(root, `copy-${++runs}`);
        cpSync(dir, copy, { recursive: true });
        rmSync(join(copy, 'lock'));
        const restored = await startEmulator({ dataDir: copy });
        const live = stateOf(target.reproPack());
        const again = stateOf(restored.reproPack());
        for (const table of new Set([...Object.keys(live.tables), ...Object.keys(again.tables)]))
          expect(again.tables[table], `${scenario.file} [${channel}]: table ${table}`).toEqual(
            live.tables[table],
          );
        expect(again, `${scenario.file} [${channel}]`).toEqual(live);
        await restored.close();
        rmSync(copy, { recursive: true, force: true });
      }
    }
    expect(runs).toBeGreaterThan(30);
    await target.close();
  });
});
