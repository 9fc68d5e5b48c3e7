import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type ReproPack, readReproPack } from '../../emulator/index.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { describeRun, runCommand } from '../support/run-command.ts';
import { EMULATOR_BIN } from '../support/spawn-cli.ts';

/**
 * Repro packs from code, over HTTP and from a data dir: the whole run or one conversation and what it
 * touched, and an emulator started from one shows that conversation as it was and goes on from there.
 */

const dir = mkdtempSync(join(tmpdir(), 'genesys-packs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Two conversations: Alda answers the first (Sports Support); the second waits in Shoes Support. */
async function twoConversations(emu: TestEmulator) {
  const alda = emu.agent('Alda Moore');
  await alda.goOnQueue();
  // Mia has never been on queue: her routing record has no idle time yet.
  await emu.agent('Mia Welch').goOffQueue();
  const deploymentId = emu.fixture.deployments.messenger[0]!.id;
  const served = emu.customers.start({
    deploymentId,
    attributes: { QueueName: 'Sports Support' },
    text: 'hi',
  });
  await alda.nextAlert();
  await alda.answer();
  await alda.say('Alda here');
  const waiting = emu.customers.start({ queueName: 'Shoes Support', text: 'anyone?' });
  await emu.settle();
  return { alda, served: served.id, waiting: waiting.id };
}

/** A pack but for when it was made (and the correlation-id position, which every HTTP request moves). */
const withoutCreatedAt = ({ createdAt: _c, image: { cids: _i, ...image }, ...rest }: ReproPack) => ({
  ...rest,
  image,
});

describe('repro packs', () => {
  it('hold one conversation and what it touched; an emulator started from one shows it and goes on', {
    timeout: 20_000,
  }, async () => {
    const emu = await startEmulator();
    const { served, waiting } = await twoConversations(emu);
    const pack = emu.reproPack({ conversationId: served });
    expect(pack).toMatchObject({
      kind: 'genesys-emulator-repro-pack',
      format: 1,
      conversationId: served,
      origin: { seed: 42, clock: 'manual', orgName: 'Dibbert and Sons' },
    });
    expect(pack.image.tables.conversations!.map(([id]) => id)).toEqual([served]);
    const aldaId = emu.fixture.users.find((u) => u.name === 'Alda Moore')!.id;
    expect(pack.image.tables['routing.agents']!.map(([id]) => id)).toEqual([aldaId]);
    expect(JSON.stringify(pack.image.tables)).not.toContain(waiting);
    const events = pack.image.events as { conversationId?: string; type: string }[];
    expect(events.filter((e) => e.conversationId !== undefined && e.conversationId !== served)).toEqual([]);
    expect(events.map((e) => e.type)).toContain('agent.routingStatus.changed');
    expect(pack.sequences.map((s) => s.conversationId)).toEqual([served]);
    expect(pack.sequences[0]!.mermaid).toBe(emu.sequence(served).mermaid);

    // The same over HTTP; an unknown conversation is a 404.
    const http = (await (
      await fetch(`${emu.url}/__emulator/repro-pack?conversationId=${served}`)
    ).json()) as ReproPack;
    expect(withoutCreatedAt(http)).toEqual(withoutCreatedAt(pack));
    const unknown = await fetch(`${emu.url}/__emulator/repro-pack?conversationId=nope`);
    expect(unknown.status).toBe(404);
    const whole = emu.reproPack();
    expect(whole.image.tables.conversations!.map(([id]) => id).sort()).toEqual([served, waiting].sort());
    // Plain JSON through and through: an agent who never went on queue has no idle time (NaN), and a
    // pack that went through JSON.stringify (HTTP, a worker thread) still says so when opened.
    const copied = JSON.parse(JSON.stringify(whole)) as ReproPack;
    const wholeOpened = await startEmulator({ fromPack: copied, clock: undefined, seed: undefined });
    expect(wholeOpened.reproPack().image.tables).toEqual(whole.image.tables);
    expect(JSON.stringify(whole.image.tables['routing.agents'])).toContain('{"$num":"NaN"}');
    await wholeOpened.close();

    // Opened: that conversation as it was, its diagram, and Alda can go on talking in it.
    const opened = await startEmulator({ fromPack: pack, clock: undefined, seed: undefined });
    expect(opened.clock.kind).toBe('manual');
    expect(opened.clock.now()).toBe(pack.image.now);
    expect(opened.conversations.list().map((c) => c.id)).toEqual([served]);
    expect(opened.events.list()).toEqual(pack.image.events);
    expect(opened.sequence(served).mermaid).toBe(pack.sequences[0]!.mermaid);
    const alda = opened.agent('Alda Moore');
    expect(await alda.routingStatus()).toBe('INTERACTING');
    await alda.call('GET', `/api/v2/conversations/${served}`);
    const conversation = opened.conversations.get(served)!;
    const leg = conversation.participants.find((p) => p.userId === aldaId && p.state === 'connected')!;
    const res = await alda.call(
      'POST',
      `/api/v2/conversations/messages/${served}/communications/${leg.communicationId}/messages`,
      { textBody: 'Back again' },
    );
    expect(res).toMatchObject({ textBody: 'Back again' });
    expect(opened.conversations.get(served)!.messages.map((m) => m.text)).toEqual([
      'hi',
      'Alda here',
      'Back again',
    ]);
    await opened.close();
    await emu.close();
  });

  it('`genesys-emulator pack` makes one from a data dir, whole or one conversation, and says what is wrong', {
    timeout: 30_000,
  }, async () => {
    const dataDir = join(dir, 'state');
    const emu = await startEmulator({ dataDir });
    const { served, waiting } = await twoConversations(emu);
    const live = emu.reproPack({ conversationId: served });
    await emu.close();

    const out = join(dir, 'served.json.gz');
    const run = await runCommand(process.execPath, [
      EMULATOR_BIN,
      'pack',
      '--data-dir',
      dataDir,
      '--conversation',
      served,
      '--out',
      out,
    ]);
    expect(run.code, describeRun(run)).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^wrote ${out} \\(\\d+ bytes\\): 1 conversation, \\d+ events\\n$`));
    const pack = readReproPack(out);
    expect(pack.image.events).toEqual(live.image.events);
    expect(pack.image.tables).toEqual(live.image.tables);
    expect(pack.sequences).toEqual(live.sequences);

    const everything = join(dir, 'all.json');
    const all = await runCommand(process.execPath, [
      EMULATOR_BIN,
      'pack',
      '--data-dir',
      dataDir,
      '--out',
      everything,
    ]);
    expect(all.code, describeRun(all)).toBe(0);
    expect(
      readReproPack(everything)
        .image.tables.conversations!.map(([id]) => id)
        .sort(),
    ).toEqual([served, waiting].sort());

    const noOut = await runCommand(process.execPath, [EMULATOR_BIN, 'pack', '--data-dir', dataDir]);
    expect(noOut.code).toBe(2);
    expect(noOut.stderr).toContain('--out is required');
    const empty = await runCommand(process.execPath, [
      EMULATOR_BIN,
      'pack',
      '--data-dir',
      join(dir, 'nothing'),
      '--out',
      out,
    ]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('holds no emulator state');
    const unknown = await runCommand(process.execPath, [
      EMULATOR_BIN,
      'pack',
      '--data-dir',
      dataDir,
      '--conversation',
      'nope',
      '--out',
      out,
    ]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no conversation nope');
  });
});
