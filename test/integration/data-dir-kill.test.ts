import { appendFileSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Fixture } from '../../emulator/index.ts';
import { sdkAgents } from '../support/agents.ts';
import type { EmulatorDoors } from '../support/emulators.ts';
import { FrameCollector, openSocket } from '../support/frames.ts';
import { EMULATOR_BIN, type SpawnedCli, spawnCli } from '../support/spawn-cli.ts';
import { fullHistory, Guest, type Wire } from '../support/webmessaging.ts';

/**
 * Durable state, as a user lives it: `genesys-emulator start --data-dir DIR` is killed with SIGKILL in the
 * middle of a Web Messaging conversation (3 messages each way, Participant Data) while another agent's
 * alert is ringing, and started again on the same DIR. The guest resumes with its token and its history
 * has every message exactly once, the agent is still connected (same token, same notification channel)
 * and keeps talking, the ringing alert times out at its emulator time, a new conversation gets an id
 * never used before, and a journal line the kill cut short is left out and said so.
 */

const dir = mkdtempSync(join(tmpdir(), 'genesys-data-dir-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const ARGS = [
  'start',
  '--port',
  '0',
  '--control-plane',
  '--manual-clock',
  '--seed',
  '7',
  '--log-level',
  'error',
];
const READY = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:(\d+))\n/;

async function start(dataDir: string): Promise<{ cli: SpawnedCli; doors: EmulatorDoors }> {
  const cli = spawnCli(EMULATOR_BIN, [...ARGS, '--data-dir', dataDir]);
  const [, url, port] = await cli.waitFor(READY, 30_000);
  const fixture = (await (await fetch(`${url}/__emulator/fixture`)).json()) as Fixture;
  const doors: EmulatorDoors = {
    url: url!,
    wsUrl: url!.replace('http', 'ws'),
    port: Number(port),
    fixture,
    inject: () => {
      throw new Error('a command-line emulator has no inject()');
    },
  };
  return { cli, doors };
}

async function control(doors: EmulatorDoors, method: string, path: string, body?: unknown): Promise<Wire> {
  const res = await fetch(`${doors.url}/__emulator/${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  expect(res.status, `${method} ${path}`).toBeLessThan(300);
  return res.json();
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Every id the events name (conversations, participants, communications, messages), but the org's own. */
function idsOf(events: Wire[], org: Fixture): Set<string> {
  const fixed = new Set(JSON.stringify(org).match(UUID));
  return new Set((JSON.stringify(events).match(UUID) ?? []).filter((id) => !fixed.has(id)));
}

describe('genesys-emulator start --data-dir, killed with SIGKILL and started again', () => {
  it('resumes the guest, the agent, the ringing alert and the id sequence; a cut journal line is left out', {
    timeout: 60_000,
  }, async () => {
    // ---- before the kill
    const first = await start(dir);
    expect(first.cli.stdout()).toContain(`data dir ${dir}: new`);
    // First of all (so its ids are the seeded generator's first): a customer waits in Shoes Support,
    // where nobody is on queue yet; Dena will be alerted for it and leave it ringing.
    const ringing = await control(first.doors, 'POST', 'conversations', {
      queueName: 'Shoes Support',
      text: 'Anyone there?',
    });
    const sdk = await sdkAgents(first.doors);
    const alda = await sdk.agent('Alda Moore'); // Sports Support
    const dena = await sdk.agent('Dena Lakin'); // Shoes Support
    const aldaFrames = await alda.listen();
    await dena.listen();
    await alda.goOnQueue();

    const token = '6f1c1d0e-2a4b-4c8d-9e0f-a1b2c3d4e5f6';
    const guest = await Guest.connect(first.doors, token);
    expect((await guest.configure()).body.newSession).toBe(true);
    await guest.say('Hello, my order is late', { QueueName: 'Sports Support', orderId: 'A-1001' });
    const leg = await alda.alert();
    await alda.answer(leg.conversationId, leg.participantId);
    const said = [
      ['customer', 'Hello, my order is late'],
      ['agent', 'Hi, Alda here'],
      ['customer', 'It was due Monday'],
      ['agent', 'Let me look'],
      ['customer', 'Thanks'],
      ['agent', 'It ships today'],
    ];
    for (const [who, text] of said.slice(1)) {
      if (who === 'agent') {
        await alda.send(leg.conversationId, leg.communicationId, text!);
        await guest.outboundText(text);
        continue;
      }
      // A second apart: Web Messaging takes at most 2 guest messages a second.
      await control(first.doors, 'POST', 'clock/advance', { ms: 1000 });
      expect((await guest.say(text!)).class).toBe('StructuredMessage');
    }
    const { jwt } = await guest.jwt();

    // Dena comes on queue and is alerted for the waiting customer; 10 s of its 30 s pass before the kill.
    await dena.goOnQueue();
    const denaLeg = await dena.alert(ringing.id);
    const alertedAt = Date.parse(
      (await control(first.doors, 'GET', `events?conversationId=${ringing.id}&type=agent.alerted`))
        .entities[0].time,
    );
    await control(first.doors, 'POST', 'clock/advance', { ms: 10_000 });
    const before = await control(first.doors, 'GET', 'events');
    const usedIds = idsOf(before.entities, first.doors.fixture);

    first.cli.child.kill('SIGKILL');
    expect(await first.cli.exited).toBe('SIGKILL');
    await guest.closed;
    // The kill came while an operation was being written: half of a line at the journal's end.
    const journal = join(dir, 'journal.jsonl');
    const lastLine = readFileSync(journal, 'utf8').trimEnd().split('\n').at(-1)!;
    const whole = statSync(journal).size;
    appendFileSync(journal, lastLine.slice(0, Math.floor(lastLine.length / 2)));

    // ---- after the restart
    const second = await start(dir);
    const out = second.cli.stdout();
    expect(out).toMatch(new RegExp(`data dir ${dir}: restored 2 conversations, 1 Web Messaging sessions`));
    expect(out).toContain(
      `the journal's last line was cut short by a crash (${Math.floor(lastLine.length / 2)} bytes at byte ${whole})`,
    );
    expect(statSync(journal).size).toBeGreaterThanOrEqual(whole);
    // The timeline is the one before the kill, not one event more or less.
    const after = await control(second.doors, 'GET', 'events');
    expect(after.entities).toEqual(before.entities);

    // The guest resumes with its token: the same session, and the history has each message once.
    const resumed = await Guest.connect(second.doors, token);
    const session = await resumed.configure();
    expect(session.class).toBe('SessionResponse');
    expect(session.body.newSession).toBe(false);
    const history = await fullHistory(second.doors, jwt, 25);
    const texts = history
      .map((m: Wire) => [m.direction === 'Inbound' ? 'customer' : 'agent', m.text])
      .reverse();
    expect(texts).toEqual(said);

    // The agent is still connected with the same token, reconnects to the same channel, and talks on.
    sdkAgents(second.doors); // points the SDK at the new port; the agents keep their tokens
    const conversation = await alda.conversation(leg.conversationId);
    const aldaLeg = conversation.participants!.find((p: Wire) => p.id === leg.participantId)!;
    expect(aldaLeg.messages![0]!.state).toBe('connected');
    const customer = conversation.participants!.find((p: Wire) => p.purpose === 'customer')!;
    expect(customer.attributes).toMatchObject({ QueueName: 'Sports Support', orderId: 'A-1001' });
    const channelPath = aldaFrames.socket.url.replace(/^ws:\/\/[^/]+/, '');
    const again = new FrameCollector<Wire>(await openSocket(`${second.doors.wsUrl}${channelPath}`));
    await alda.send(leg.conversationId, leg.communicationId, 'Anything else?');
    expect((await resumed.outboundText('Anything else?')).body.text).toBe('Anything else?');
    await resumed.say('No, thank you');
    // Her channel (kept in the data dir) tells her of the customer's new message.
    const seen = await again.next(
      (f) =>
        f.topicName === `v2.users.${alda.user.id}.conversations` && f.eventBody.id === leg.conversationId,
      "a notification of Alda's conversation on her kept channel",
    );
    expect(seen.eventBody.id).toBe(leg.conversationId);

    // The ringing alert times out at alertedAt + 30 s of emulator time, not a millisecond before.
    const now = Date.parse((await control(second.doors, 'GET', 'clock')).now);
    expect(now).toBe(alertedAt + 10_000);
    await control(second.doors, 'POST', 'clock/advance', { ms: 19_999 });
    let denaView = await dena.conversation(ringing.id);
    expect(
      denaView.participants!.find((p: Wire) => p.id === denaLeg.participantId)!.messages![0]!.state,
    ).toBe('alerting');
    await control(second.doors, 'POST', 'clock/advance', { ms: 1 });
    const noAnswer = await control(
      second.doors,
      'GET',
      `events?conversationId=${ringing.id}&type=agent.noanswer`,
    );
    expect(noAnswer.entities).toHaveLength(1);
    expect(Date.parse(noAnswer.entities[0].time)).toBe(alertedAt + 30_000);
    denaView = await dena.conversation(ringing.id);
    expect(
      denaView.participants!.find((p: Wire) => p.id === denaLeg.participantId)!.messages![0]!.state,
    ).toBe('disconnected');
    expect((await dena.routingStatus()).status).toBe('NOT_RESPONDING');

    // A new conversation gets ids never used before the kill.
    const fresh = await control(second.doors, 'POST', 'conversations', {
      queueName: 'General',
      text: 'New here',
    });
    const newIds = idsOf(
      (await control(second.doors, 'GET', `events?conversationId=${fresh.id}`)).entities,
      second.doors.fixture,
    );
    expect(newIds.size).toBeGreaterThan(2);
    expect([...newIds].filter((id) => usedIds.has(id))).toEqual([]);

    again.socket.close();
    await resumed.close();
    await sdk.closeAll();
    second.cli.child.kill('SIGTERM');
    expect(await second.cli.exited).toBe(0);

    // Another org on the same DIR is refused, naming both, until --reset-data.
    const other = join(dir, '..', `${basename(dir)}-other-org.yaml`);
    writeFileSync(
      other,
      'org: { id: cccccccc-0000-4000-8000-000000000001, name: Another Org }\nusers: []\nqueues: [{ id: cccccccc-0000-4000-8000-000000000002, name: Q }]\n',
    );
    const refused = spawnCli(EMULATOR_BIN, [...ARGS, '--data-dir', dir, '--config', other]);
    expect(await refused.exited).toBe(1);
    expect(refused.stderr()).toMatch(
      /holds the state of another fixture: it was started with org Dibbert and Sons .* this start has org Another Org/,
    );
    const reset = spawnCli(EMULATOR_BIN, [...ARGS, '--data-dir', dir, '--config', other, '--reset-data']);
    // The summary's last line: the signal handlers are in place once it is out.
    await reset.waitFor(/control plane +http/, 30_000);
    expect(reset.stdout()).toContain(`data dir ${dir}: new`);
    reset.child.kill('SIGTERM');
    expect(await reset.exited, `${reset.stdout()}\n---\n${reset.stderr()}`).toBe(0);
    rmSync(other);
  });
});
