/**
 * Issue 16, durable state and repro packs (`npm run bench durable`):
 * (a) journal bytes per message and per conversation (a Web Messaging conversation with an agent,
 *     Participant Data, messages both ways, wrap-up), and the bytes of one message at the 10th and the
 *     1,000th message of a conversation (they must not grow with its length);
 * (b) what each fsync policy costs: scripted-customer messages per second over the control plane
 *     without a data dir and with `never`, `interval` and `always`, in the same run;
 * (c) time to restore 10,000 conversations (3 messages each), from the journal as a crash leaves it and
 *     from the snapshot a clean stop writes;
 * (d) repro pack size for the library's biggest story (most events), JSON and gzipped.
 */
import { cpSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type EmulatorHandle, startEmulator } from '../../emulator/index.ts';
import { LIBRARY_DIR, loadScenarios, runScenario } from '../../scenarios/index.ts';
import {
  type ChildServer,
  closeHttp,
  httpOk,
  loadAverage,
  median,
  now,
  ratio,
  rawGuest,
  startEmulatorProcess,
} from './harness.ts';
import { report } from './stats.ts';

const root = mkdtempSync(join(tmpdir(), 'bench-durable-'));
let dirs = 0;
const freshDir = () => join(root, `d${++dirs}`);
const journalBytes = (dir: string) => statSync(join(dir, 'journal.jsonl')).size;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

const OPTIONS = { clock: 'manual', seed: 7, controlPlane: true, logLevel: 'silent' } as const;

/** The journal bytes `act` adds, once what it started has settled. */
async function grows(emu: EmulatorHandle, dir: string, act: () => unknown): Promise<number> {
  await emu.settle();
  const before = journalBytes(dir);
  await act();
  await emu.settle();
  return journalBytes(dir) - before;
}

async function journalSizes(): Promise<void> {
  const dir = freshDir();
  const emu = await startEmulator({ ...OPTIONS, dataDir: dir });
  const alda = emu.agent('Alda Moore');
  await alda.goOnQueue();
  const deploymentId = emu.fixture.deployments.messenger[0]!.id;
  const customerBytes: number[] = [];
  const agentBytes: number[] = [];
  let conversationId = '';
  const whole = await grows(emu, dir, async () => {
    ({ id: conversationId } = emu.customers.start({
      deploymentId,
      attributes: { QueueName: 'Sports Support', orderId: 'A-1001', customerId: 'C-42' },
      text: 'Hello, my order is late',
    }));
    await alda.nextAlert();
    await alda.answer();
    for (let i = 0; i < 5; i++) {
      agentBytes.push(await grows(emu, dir, () => alda.say(`Agent reply number ${i + 1} to the customer`)));
      customerBytes.push(
        await grows(emu, dir, () => emu.customers.say(conversationId, `Customer message number ${i + 1}`)),
      );
    }
    await alda.disconnect();
    await alda.wrapUp('Resolved');
  });
  // A long conversation: does the 1,000th message cost what the 10th did?
  const { id: long } = emu.customers.start({ queueName: 'General', text: 'start' });
  const at: Record<number, number> = {};
  for (let i = 1; i <= 1000; i++) {
    const bytes = await grows(emu, dir, () =>
      emu.customers.say(long, `message ${String(i).padStart(4, '0')}`),
    );
    if (i === 10 || i === 1000) at[i] = bytes;
  }
  // A real guest on the Web Messaging socket: its session (sliding expiry, rate limiter) changes too.
  const guest = await rawGuest(
    { port: emu.port, baseUrl: emu.url } as ChildServer,
    deploymentId,
    'b0b0b0b0-0000-4000-8000-000000000001',
  );
  let k = 0;
  const say = (text: string) =>
    grows(emu, dir, async () => {
      const tracingId = `g${++k}`;
      guest.socket.send(
        JSON.stringify({
          action: 'onMessage',
          token: guest.token,
          tracingId,
          message: { type: 'Text', text },
        }),
      );
      await guest.inbox.next((f) => f.tracingId === tracingId, `the echo of ${tracingId}`);
    });
  await say('Hello from the guest socket');
  const guestBytes: number[] = [];
  for (let i = 0; i < 5; i++) {
    await emu.clock.advance(1000);
    guestBytes.push(await say(`Guest socket message number ${i + 1}`));
  }
  guest.socket.terminate();
  report('Journal bytes (a Web Messaging conversation with an agent; default fixture)', {
    'one conversation, start to wrap-up': `${whole} bytes (11 messages, Participant Data, answer, disconnect, wrap-up)`,
    'a customer message (median)': `${median(customerBytes)} bytes`,
    'an agent message (median)': `${median(agentBytes)} bytes`,
    'a guest message on the Web Messaging socket (median)': `${median(guestBytes)} bytes (with its session's sliding expiry)`,
    '10th message of a conversation': `${at[10]} bytes`,
    '1,000th message of the same conversation': `${at[1000]} bytes`,
  });
  await emu.close();
}

async function fsyncCost(): Promise<void> {
  const total = 1000;
  const rounds = 5;
  const configs = [undefined, 'never', 'interval', 'always'] as const;
  const label = (fsync: (typeof configs)[number]) =>
    fsync === undefined ? 'no data dir' : `--fsync ${fsync}`;
  // Four emulator processes as `npm start` runs them, measured in turns (round robin, median of 5),
  // so they share the machine's load alike.
  const emulators = await Promise.all(
    configs.map(async (fsync) => {
      const child = await startEmulatorProcess(
        fsync === undefined ? [] : ['--data-dir', freshDir(), '--fsync', fsync],
      );
      const ids: string[] = [];
      for (let i = 0; i < 20; i++)
        ids.push(
          (
            await httpOk('POST', `${child.baseUrl}/__emulator/conversations`, {
              queueName: 'General',
              text: 'hi',
            })
          ).json().id,
        );
      let n = 0;
      const send = () =>
        httpOk('POST', `${child.baseUrl}/__emulator/conversations/${ids[n % ids.length]}/messages`, {
          text: `message ${n++}`,
        });
      return { fsync, child, send };
    }),
  );
  try {
    for (const { send } of emulators) for (let i = 0; i < 300; i++) await send(); // warm-up (JIT)
    const samples = new Map<string, number[]>();
    for (let round = 0; round < rounds; round++) {
      for (const { fsync, send } of emulators) {
        const start = now();
        for (let i = 0; i < total; i++) await send();
        const list = samples.get(label(fsync)) ?? [];
        list.push(total / ((now() - start) / 1000));
        samples.set(label(fsync), list);
      }
    }
    const rate = (fsync: (typeof configs)[number]) => median(samples.get(label(fsync))!);
    const rows: Record<string, string> = {};
    for (const fsync of configs)
      rows[label(fsync)] = `${Math.round(rate(fsync))} messages/s (one request at a time; rounds ${samples
        .get(label(fsync))!
        .map((r) => Math.round(r))
        .join(', ')})`;
    for (const fsync of configs.slice(1))
      rows[`${label(fsync)} / no data dir`] = ratio(rate(fsync), rate(undefined));
    rows['load average'] = loadAverage();
    report('What the fsync policy costs (scripted customer messages over the control plane, same run)', rows);
  } finally {
    await Promise.all(emulators.map((e) => e.child.stop()));
    closeHttp();
  }
}

async function restoreTime(): Promise<void> {
  const count = 10_000;
  const dir = freshDir();
  const emu = await startEmulator({ ...OPTIONS, dataDir: dir });
  const started = now();
  for (let i = 0; i < count; i++) {
    const { id } = emu.customers.start({ queueName: 'General', text: `first ${i}` });
    emu.customers.say(id, `second ${i}`);
    emu.customers.say(id, `third ${i}`);
    // Settled every few: each conversation is then its own few journal lines, as over HTTP.
    if (i % 20 === 19) await emu.settle();
  }
  await emu.settle();
  const buildMs = now() - started;
  const crash = join(root, 'crash-copy');
  cpSync(dir, crash, { recursive: true });
  rmSync(join(crash, 'lock'), { force: true });
  const journal = journalBytes(crash);
  await emu.close();
  const snapshotBytes = statSync(join(dir, 'snapshot.json')).size;

  const fromJournal = now();
  const a = await startEmulator({ ...OPTIONS, dataDir: crash });
  const journalMs = now() - fromJournal;
  const restoredConversations = a.conversations.list().length;
  await a.close();
  const fromSnapshot = now();
  const b = await startEmulator({ ...OPTIONS, dataDir: dir });
  const snapshotMs = now() - fromSnapshot;
  await b.close();
  report(`Restoring ${count.toLocaleString('en')} conversations (3 messages each, waiting in a queue)`, {
    'making them (in process)': `${(buildMs / 1000).toFixed(1)} s`,
    'journal after a crash': `${kb(journal)} (${Math.round(journal / count)} bytes per conversation)`,
    'start on it (snapshot + whole journal)': `${journalMs.toFixed(0)} ms, ${a.restored!.operations} operations replayed, ${restoredConversations} conversations`,
    'snapshot after a clean stop': kb(snapshotBytes),
    'start on it (snapshot only)': `${snapshotMs.toFixed(0)} ms`,
  });
}

async function packSizes(): Promise<void> {
  const target = await startEmulator({ ...OPTIONS, seed: 42 });
  let biggest = { file: '', channel: '', events: 0, json: 0, gz: 0 };
  for (const scenario of loadScenarios(LIBRARY_DIR).filter((s) => s.fixture === 'default')) {
    for (const channel of scenario.channels) {
      await runScenario(scenario, channel, { target: target.url });
      await target.settle();
      const pack = target.reproPack();
      if (pack.image.events.length <= biggest.events) continue;
      const text = JSON.stringify(pack);
      biggest = {
        file: scenario.file.slice(LIBRARY_DIR.length + 1),
        channel,
        events: pack.image.events.length,
        json: Buffer.byteLength(text),
        gz: gzipSync(text).length,
      };
    }
  }
  await target.close();
  report("Repro pack of the library's biggest story (most events; the default org)", {
    story: `${biggest.file} [${biggest.channel}], ${biggest.events} events`,
    'pack, JSON': kb(biggest.json),
    'pack, gzipped (.json.gz, as the runner writes it)': kb(biggest.gz),
  });
}

export async function durableBench(): Promise<void> {
  try {
    await journalSizes();
    await fsyncCost();
    await restoreTime();
    await packSizes();
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}
