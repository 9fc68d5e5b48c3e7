import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, truncateSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DataDirError, type ReproPack } from '../../emulator/index.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { bearer, createChat, GUEST_BASE, openStream } from '../support/webchat.ts';
import { fullHistory, Guest } from '../support/webmessaging.ts';

/**
 * `startEmulator({ dataDir })`: what a crash leaves in the directory (copied while the emulator runs,
 * as `kill -9` would leave it) restores to exactly the state that was live, table for table and event
 * for event, whatever tables the surfaces keep; a journal line cut in the middle loads up to the line
 * before; a directory of another org is refused; a reset starts the directory over.
 */

const root = mkdtempSync(join(tmpdir(), 'genesys-data-dirs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
const freshDir = () => join(root, `d${++n}`);

/** The directory as a killed emulator leaves it: every file as it is now (the lock names a live pid: ours). */
function crashCopy(dir: string): string {
  const copy = freshDir();
  cpSync(dir, copy, { recursive: true });
  rmSync(join(copy, 'lock'), { force: true });
  return copy;
}

/** A whole state to compare: the tables, timeline, clock and entity id position of a pack. */
function stateOf(pack: ReproPack) {
  const { tables, events, lastSeq, now, ids } = pack.image;
  return { tables, events, lastSeq, now, ids };
}

/** An agent's OAuth token (client credentials with the client bound to the user). */
async function platformToken(emu: TestEmulator, name: string): Promise<string> {
  const user = emu.fixture.users.find((u) => u.name === name)!;
  const client = emu.fixture.clients.find((c) => c.user === user.id)!;
  const res = await fetch(`${emu.url}/oauth/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials',
  });
  return ((await res.json()) as { access_token: string }).access_token;
}

/** A Web Messaging story with an agent, a transfer, a missed alert, a WebChat chat and a channel. */
async function playStory(emu: TestEmulator) {
  const alda = emu.agent('Alda Moore');
  const dena = emu.agent('Dena Lakin');
  const mia = emu.agent('Mia Welch');
  await alda.goOnQueue();
  await dena.goOnQueue();
  const guest = await Guest.connect(emu, 'a1b2c3d4-0000-4000-8000-000000000001');
  await guest.configure();
  await guest.say('I need help', { QueueName: 'Sports Support', orderId: 'A-7' });
  await alda.nextAlert();
  await alda.answer();
  await alda.say('Alda here');
  await guest.outboundText('Alda here');
  await guest.typing();
  await emu.clock.advance(1000);
  await guest.say('My racket');
  await alda.transferToQueue('Shoes Support');
  await dena.nextAlert();
  await dena.answer();
  await dena.say('Dena now');
  await guest.outboundText('Dena now');
  // A scripted customer rings Mia, who is not there: NOT_RESPONDING, and the conversation waits.
  await alda.goOffQueue();
  await mia.goOnQueue();
  const waiting = emu.customers.start({ queueName: 'Sports Support', text: 'anyone?' });
  await mia.nextAlert();
  await emu.clock.advance(30_000);
  // A WebChat guest, attached, in a queue where nobody is on queue.
  const chat = await createChat(emu, { queue: 'Grocery Support', displayName: 'Chat Guest' });
  const stream = await openStream(chat.eventStreamUri);
  await stream.frames.next((f) => f.metadata.type === 'member-change', 'CONNECTED');
  await emu.settle();
  return { guest, chat, stream, waiting };
}

describe('a data dir', () => {
  it('restores exactly the state a crash interrupted: every table, the timeline, clock and ids', {
    timeout: 30_000,
  }, async () => {
    const dir = freshDir();
    const emu = await startEmulator({ dataDir: dir });
    expect(emu.restored).toMatchObject({ dataDir: dir, restored: false });
    const { guest, chat, stream, waiting } = await playStory(emu);
    const token = await platformToken(emu, 'Mia Welch');
    await emu.settle();
    const live = emu.reproPack();
    const copy = crashCopy(dir);

    const again = await startEmulator({ dataDir: copy });
    expect(again.restored).toMatchObject({ restored: true });
    expect(again.restored!.operations).toBeGreaterThan(20);
    const restored = again.reproPack();
    expect(stateOf(restored)).toEqual(stateOf(live));
    // What is not in the store is rebuilt: the queue's waiting list, from the store's record of it.
    expect(again.waiting('Sports Support')).toEqual(emu.waiting('Sports Support'));
    expect(again.waiting('Sports Support')).toEqual([waiting.id]);

    // Tokens issued before the crash still work: the agent's, the WebChat guest's, the guest JWT.
    const mia = emu.fixture.users.find((u) => u.name === 'Mia Welch')!;
    const status = await fetch(`${again.url}/api/v2/users/${mia.id}/routingstatus`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { status: string }).status).toBe('NOT_RESPONDING');
    const messages = await fetch(`${again.url}${GUEST_BASE}/${chat.id}/messages`, { headers: bearer(chat) });
    expect(messages.status).toBe(200);
    const reattached = await openStream(chat.eventStreamUri.replace(`:${emu.port}/`, `:${again.port}/`));
    await reattached.frames.next((f) => f.metadata.type === 'member-change', 'CONNECTED after the restart');
    const resumed = await Guest.connect(again, guest.token);
    expect((await resumed.configure()).body.newSession).toBe(false);
    const { jwt } = await resumed.jwt();
    expect((await fullHistory(again, jwt, 25)).map((m) => m.text).reverse()).toEqual([
      'I need help',
      'Alda here',
      'My racket',
      'Dena now',
    ]);
    reattached.socket.close();
    stream.socket.close();
    await resumed.close();
    await guest.close();
    await again.close();
    await emu.close();
  });

  it('loads a journal whose last line a crash cut in the middle, up to the line before, and says so', {
    timeout: 20_000,
  }, async () => {
    const dir = freshDir();
    const emu = await startEmulator({ dataDir: dir });
    const { id } = emu.customers.start({ queueName: 'General', text: 'first' });
    await emu.settle();
    const before = emu.reproPack();
    emu.customers.say(id, 'second, cut by the crash');
    await emu.settle();
    const copy = crashCopy(dir);
    const journal = join(copy, 'journal.jsonl');
    const text = readFileSync(journal, 'utf8');
    const lastStart = text.lastIndexOf('\n', text.length - 2) + 1;
    const cutAt = lastStart + Math.floor((text.length - lastStart) / 2);
    expect(text.slice(lastStart)).toContain('second, cut by the crash');
    truncateSync(journal, Buffer.byteLength(text.slice(0, cutAt)));

    const again = await startEmulator({ dataDir: copy });
    expect(again.restored!.cut).toEqual({
      atByte: Buffer.byteLength(text.slice(0, lastStart)),
      bytes: Buffer.byteLength(text.slice(lastStart, cutAt)),
    });
    expect(stateOf(again.reproPack())).toEqual(stateOf(before));
    // Writing goes on from the last whole line: the next start reads everything.
    again.customers.say(id, 'third');
    await again.settle();
    await again.close();
    const third = await startEmulator({ dataDir: copy });
    expect(third.restored!.cut).toBeUndefined();
    expect(third.conversations.get(id)!.messages.map((m) => m.text)).toEqual(['first', 'third']);
    await third.close();
    await emu.close();
  });

  it('re-arms what ran on the clock: a guest session expires, an unattended WebChat guest leaves, on time', {
    timeout: 20_000,
  }, async () => {
    const dir = freshDir();
    const emu = await startEmulator({ dataDir: dir });
    const guest = await Guest.connect(emu, 'a1b2c3d4-0000-4000-8000-000000000002');
    const session = await guest.configure();
    const expiresAt = session.body.expirationDate * 1000;
    await guest.say('hello', { QueueName: 'General' });
    const chat = await createChat(emu, { queue: 'Grocery Support' });
    const stream = await openStream(chat.eventStreamUri);
    await stream.frames.next((f) => f.metadata.type === 'member-change', 'CONNECTED');
    await emu.settle();
    const startedAt = emu.clock.now();
    const again = await startEmulator({ dataDir: crashCopy(dir) });
    // The WebChat guest never re-attaches: it leaves once idle 15 minutes (GUEST_IDLE_MS), not before.
    await again.clock.advance(15 * 60_000 - 1);
    expect(again.conversations.get(chat.id)!.endTime).toBeUndefined();
    await again.clock.advance(1);
    expect(again.conversations.get(chat.id)!.endTime).toBe(startedAt + 15 * 60_000);
    // The Web Messaging session expires when it would have, its conversation ending with it.
    const messaging = again.conversations.list().find((c) => c.channel === 'webmessaging')!;
    await again.clock.advance(expiresAt - again.clock.now() - 1);
    expect(again.conversations.get(messaging.id)!.endTime).toBeUndefined();
    await again.clock.advance(1);
    expect(again.conversations.get(messaging.id)!.participants[0]!.disconnectType).toBe('session.expired');
    stream.socket.close();
    await guest.close();
    await again.close();
    await emu.close();
  });

  it('refuses a directory started with another fixture, naming both orgs; resetData starts it afresh', async () => {
    const dir = freshDir();
    const first = await startEmulator({ dataDir: dir });
    first.customers.start({ queueName: 'General', text: 'kept' });
    await first.close();
    const other = {
      org: { id: 'aaaaaaaa-0000-4000-8000-000000000001', name: 'Other Org' },
      users: [],
      queues: [{ id: 'aaaaaaaa-0000-4000-8000-000000000002', name: 'Only' }],
    };
    const refused = startEmulator({ dataDir: dir, fixture: other });
    await expect(refused).rejects.toThrow(DataDirError);
    await expect(startEmulator({ dataDir: dir, fixture: other })).rejects.toThrow(
      /started with org Dibbert and Sons \(388927e4.*and this start has org Other Org .*--reset-data/s,
    );
    // Refused and unchanged: the same fixture still restores it.
    const same = await startEmulator({ dataDir: dir });
    expect(same.conversations.list()).toHaveLength(1);
    await same.close();
    const reset = await startEmulator({ dataDir: dir, fixture: other, resetData: true });
    expect(reset.restored).toMatchObject({ restored: false });
    expect(reset.conversations.list()).toEqual([]);
    expect(reset.fixture.org.name).toBe('Other Org');
    await reset.close();
  });

  it("is one emulator's at a time", async () => {
    const dir = freshDir();
    const emu = await startEmulator({ dataDir: dir });
    await expect(startEmulator({ dataDir: dir })).rejects.toThrow(/already in use/);
    await emu.close();
    const next = await startEmulator({ dataDir: dir });
    await next.close();
  });

  it('starts over after a reset, and after a fixture load keeps the org loaded', async () => {
    const dir = freshDir();
    const emu = await startEmulator({ dataDir: dir, fsync: 'always' });
    emu.customers.start({ queueName: 'General', text: 'before the reset' });
    await emu.reset();
    const { id } = emu.customers.start({ queueName: 'General', text: 'after the reset' });
    await emu.settle();
    let copy = crashCopy(dir);
    const again = await startEmulator({ dataDir: copy });
    expect(again.conversations.list().map((c) => c.id)).toEqual([id]);
    expect(again.events.list().map((e) => e.type)[0]).toBe('emulator.reset');
    await again.close();
    // Another org loaded through the control plane is the one a restart restores.
    const other = {
      org: { id: 'bbbbbbbb-0000-4000-8000-000000000001', name: 'Loaded Org' },
      users: [],
      queues: [{ id: 'bbbbbbbb-0000-4000-8000-000000000002', name: 'Loaded Queue' }],
    };
    await emu.load(other);
    const loaded = emu.customers.start({ queueName: 'Loaded Queue', text: 'in the loaded org' });
    await emu.settle();
    copy = crashCopy(dir);
    const onLoaded = await startEmulator({ dataDir: copy });
    expect(onLoaded.fixture.org.name).toBe('Loaded Org');
    expect(onLoaded.conversations.list().map((c) => c.id)).toEqual([loaded.id]);
    expect(onLoaded.waiting('Loaded Queue')).toEqual([loaded.id]);
    await onLoaded.close();
    await emu.close();
    expect(existsSync(join(dir, 'lock'))).toBe(false);
  });
});
