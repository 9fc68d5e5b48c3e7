import { cpSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EmulatorControl } from '../../../emulator/control/operations.ts';
import { EmulatorRuntime } from '../../../emulator/runtime.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'compaction-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

function runtimeOn(dir: string, compactAfterBytes?: number) {
  const runtime = new EmulatorRuntime({
    clock: 'manual',
    seed: 3,
    dataDir: dir,
    ...(compactAfterBytes === undefined ? {} : { compactAfterBytes }),
  });
  const report = runtime.openDataDir()!;
  return { runtime, control: new EmulatorControl(runtime), report };
}

describe('the durable state', () => {
  it('snapshots once the journal passes its threshold; the journal starts over and nothing is lost', async () => {
    const dir = join(root, 'live');
    const { runtime, control } = runtimeOn(dir, 8_000);
    const upTos: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 60; i++) {
      ids.push(control.startCustomer({ queueName: 'General', text: `customer ${i}` }).id);
      await turn();
      const snapshot = JSON.parse(readFileSync(join(dir, 'snapshot.json'), 'utf8'));
      upTos.push(snapshot.snapshot.upTo);
      // Never far past the threshold: it is checked when each operation settles.
      expect(statSync(join(dir, 'journal.jsonl')).size).toBeLessThan(8_000 + 5_000);
    }
    expect(new Set(upTos).size).toBeGreaterThan(3);
    expect(upTos).toEqual([...upTos].sort((a, b) => a - b));
    const copy = join(root, 'copy');
    cpSync(dir, copy, { recursive: true });
    rmSync(join(copy, 'lock'));
    const again = runtimeOn(copy);
    expect(again.report.restored).toBe(true);
    expect(again.runtime.image().toJson()).toEqual(runtime.image().toJson());
    expect(again.runtime.router.waitingIn(runtime.org().queueByName('General')!.id)).toEqual(ids);
    runtime.durable!.close();
    again.runtime.durable!.close();
  });

  it('writes nothing for an operation that changed nothing, and one line for one that did', async () => {
    const dir = join(root, 'quiet');
    const { runtime, control } = runtimeOn(dir);
    const journal = join(dir, 'journal.jsonl');
    const { id } = control.startCustomer({ queueName: 'General', text: 'hello' });
    await turn();
    const size = statSync(journal).size;
    // Reads touch entities without changing them.
    control.events({ conversationId: id });
    runtime.conversations.get(id);
    runtime.beforeOutput();
    await turn();
    expect(statSync(journal).size).toBe(size);
    control.customerSays(id, { text: 'again' });
    runtime.beforeOutput();
    const lines = readFileSync(journal, 'utf8').trimEnd().split('\n');
    expect(statSync(journal).size).toBeGreaterThan(size);
    expect(lines.at(-1)).toContain('"again"');
    runtime.durable!.close();
  });

  it('sees a change made after a mid-operation commit: at once when an event says so, else when the turn ends', async () => {
    const dir = join(root, 'turns');
    const { runtime, control } = runtimeOn(dir);
    const journal = join(dir, 'journal.jsonl');
    const lastLine = () => readFileSync(journal, 'utf8').trimEnd().split('\n').at(-1)!;
    const { id } = control.startCustomer({ queueName: 'General', text: 'hello' });
    await turn();
    const conversation = runtime.conversations.get(id);
    runtime.beforeOutput(); // a frame leaves: nothing changed yet
    conversation.priority = 5; // changed in place, no new get, no event
    runtime.beforeOutput();
    expect(lastLine()).not.toContain('"priority":5');
    await turn(); // the turn ends: everything it touched is looked at
    expect(lastLine()).toContain('"priority":5');

    const again = runtime.conversations.get(id);
    runtime.beforeOutput();
    again.priority = 7;
    runtime.events.emit('clock.advanced', { ms: 0, now: new Date(runtime.clock.now()).toISOString() });
    runtime.beforeOutput(); // an event: the whole turn is looked at again, before anything leaves
    expect(lastLine()).toContain('"priority":7');
    runtime.durable!.close();
  });
});
