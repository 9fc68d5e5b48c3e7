import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readReproPack } from '../../emulator/index.ts';
import { describeRun, runCommand } from '../support/run-command.ts';
import { EMULATOR_BIN, ROOT, spawnCli } from '../support/spawn-cli.ts';
import type { Wire } from '../support/webmessaging.ts';

/**
 * A partner's bug report in one file: a failing scenario run leaves a repro pack beside its transcript,
 * and `genesys-emulator start --from-pack` opens it as it was: the same timeline, event for event, and
 * the same sequence diagram, which the failure's transcript also carries as Mermaid text.
 */

const dir = mkdtempSync(join(tmpdir(), 'genesys-repro-pack-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const READY = /Genesys Cloud emulator ready at (http:\/\/127\.0\.0\.1:\d+)\n/;

/** The library's queue-transfer story, with a last expectation nothing fulfils. */
function failingScenario(): string {
  const story = readFileSync(join(ROOT, 'scenarios', 'library', 'transfer-to-queue.yaml'), 'utf8');
  const failing = story
    .replace(/^name: .*$/m, 'name: Transfer story that expects a message nobody sent')
    .replace(
      '- expectAgentReceived: { agent: dena, text: thanks Dena }',
      '- expectAgentReceived: { agent: dena, text: thanks Alda }',
    );
  expect(failing).toContain('thanks Alda');
  const file = join(dir, 'transfer-expects-wrong-text.yaml');
  writeFileSync(file, failing);
  return file;
}

describe('a repro pack from a failing scenario run', () => {
  it('is written beside the transcript, and --from-pack shows the same timeline and sequence diagram', {
    timeout: 60_000,
  }, async () => {
    const out = join(dir, 'results');
    const run = await runCommand(process.execPath, [
      EMULATOR_BIN,
      'scenarios',
      failingScenario(),
      '--channel',
      'webmessaging',
      '--out',
      out,
    ]);
    expect(run.code, describeRun(run)).toBe(1);
    const packFile = join(out, 'transfer-expects-wrong-text.webmessaging.pack.json.gz');
    expect(readdirSync(out).sort()).toEqual([
      'transfer-expects-wrong-text.webmessaging.pack.json.gz',
      'transfer-expects-wrong-text.webmessaging.transcript.txt',
    ]);
    expect(run.stdout).toContain(
      `repro pack: ${packFile} (open it with: genesys-emulator start --from-pack ${packFile})`,
    );

    // The pack: the org, the scenario and its transcript, the timeline, each conversation's diagram.
    const pack = readReproPack(packFile);
    expect(pack.scenario).toMatchObject({
      name: 'Transfer story that expects a message nobody sent',
      channel: 'webmessaging',
      failure: { verb: 'expectAgentReceived' },
    });
    expect(pack.scenario!.source).toContain('thanks Alda');
    const transcript = readFileSync(
      join(out, 'transfer-expects-wrong-text.webmessaging.transcript.txt'),
      'utf8',
    );
    expect(pack.scenario!.transcript).toBe(transcript.replace(/\n$/, ''));
    expect(pack.sequences).toHaveLength(1);
    const { conversationId, mermaid } = pack.sequences[0]!;
    // The failure's transcript carries the diagram as a Mermaid block.
    expect(transcript).toContain(`\`\`\`mermaid\n${mermaid}\`\`\``);
    for (const name of ['Queue Grocery Support', 'Alda Moore', 'Queue Shoes Support', 'Dena Lakin'])
      expect(mermaid).toContain(name);

    // Opened with --from-pack: the same timeline and diagram, and the conversation in the API.
    const cli = spawnCli(EMULATOR_BIN, [
      'start',
      '--port',
      '0',
      '--from-pack',
      packFile,
      '--log-level',
      'error',
    ]);
    const [, url] = await cli.waitFor(READY, 30_000);
    // On a manual clock at the pack's time: nothing times out while the reader looks.
    expect(cli.stdout()).toContain(
      `started from the repro pack ${packFile} (manual clock at ${new Date(pack.image.now).toISOString()})`,
    );
    const events = (await (await fetch(`${url}/__emulator/events`)).json()) as Wire;
    expect(events.entities).toEqual(pack.image.events);
    const consoleTimeline = (await (await fetch(`${url}/console/api/timeline`)).json()) as Wire;
    expect(consoleTimeline.entities).toEqual(pack.image.events);
    const drawn = await (await fetch(`${url}/__emulator/conversations/${conversationId}/sequence`)).text();
    expect(drawn).toBe(mermaid);
    // The conversation as it was: Dena connected, the customer's Participant Data on it.
    const org = (await (await fetch(`${url}/__emulator/fixture`)).json()) as Wire;
    const dena = org.users.find((u: Wire) => u.name === 'Dena Lakin');
    const login = org.clients.find((c: Wire) => c.user === dena.id);
    const token = (
      (await (
        await fetch(`${url}/oauth/token`, {
          method: 'POST',
          headers: {
            authorization: `Basic ${Buffer.from(`${login.id}:${login.secret}`).toString('base64')}`,
            'content-type': 'application/x-www-form-urlencoded',
          },
          body: 'grant_type=client_credentials',
        })
      ).json()) as Wire
    ).access_token;
    const conversation = (await (
      await fetch(`${url}/api/v2/conversations/${conversationId}`, {
        headers: { authorization: `Bearer ${token}` },
      })
    ).json()) as Wire;
    const denaLeg = conversation.participants.find(
      (p: Wire) => p.userId === dena.id && p.messages?.[0]?.state === 'connected',
    );
    expect(denaLeg, JSON.stringify(conversation.participants)).toBeDefined();
    const customer = conversation.participants.find((p: Wire) => p.purpose === 'customer');
    expect(customer.attributes).toMatchObject({ customerId: 'C-7' });
    // ... and the reader can go on from there: Dena writes again, and it is on the timeline.
    const sent = await fetch(
      `${url}/api/v2/conversations/messages/${conversationId}/communications/${denaLeg.messages[0].id}/messages`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify({ textBody: 'Picking this up again' }),
      },
    );
    expect(sent.status, await sent.clone().text()).toBe(200);
    const later = (await (
      await fetch(`${url}/__emulator/events?afterSeq=${pack.image.lastSeq}`)
    ).json()) as Wire;
    expect(later.entities.map((e: Wire) => e.type)).toContain('message.sent');
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});
