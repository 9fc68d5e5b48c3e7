import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import type { Fixture } from '../../emulator/index.ts';
import { scenariosCli } from '../../scenarios/runner/cli.ts';
import { parseScenariosArgs } from '../../scenarios/runner/cli-args.ts';
import { loadScenarioFile } from '../../scenarios/runner/load.ts';
import { json, junit, prettyFailure, prettyLine } from '../../scenarios/runner/reporters.ts';
import { runScenario, type ScenarioResult } from '../../scenarios/runner/run.ts';
import { startEmulator } from '../support/emulators.ts';

/**
 * `--target`: the runner drives a Genesys it did not start. Each target here is a second emulator on
 * 127.0.0.1 (nothing else is ever contacted): with a control plane the library passes as it does
 * in-process; without one, what needs it is skipped with the reason and the rest runs over the public
 * API. Runs against one target are sequential, as the CLI's are: each run resets the target.
 */
const library = (name: string) =>
  loadScenarioFile(fileURLToPath(new URL(`../../scenarios/library/${name}`, import.meta.url)));
const DEFAULT_FIXTURE_FILE = fileURLToPath(
  new URL('../../emulator/config/default-fixture.yaml', import.meta.url),
);

function explain(result: ScenarioResult): string {
  return `${prettyLine(result)}\n${prettyFailure(result)}`;
}

describe('--target an emulator with a control plane and a manual clock', () => {
  it.each([
    'transfer-with-metadata.yaml',
    'agent-not-responding.yaml',
    'socket-dropped-mid-conversation.yaml',
  ])('%s passes on every channel, nothing skipped', async (file) => {
    const emulator = await startEmulator();
    const scenario = library(file);
    for (const channel of scenario.channels) {
      const result = await runScenario(scenario, channel, { target: emulator.url });
      expect(result.passed, explain(result)).toBe(true);
      expect(result.skipped).toEqual([]);
      expect(result.transcript).toContain(`target ${emulator.url}: control plane, manual clock`);
      // The target's timeline reaches the transcript, as the in-process emulator's does.
      expect(result.transcript).toMatch(/emulator +\[\w+\] routing in \w+/);
    }
  });

  it("loads the scenario's fixture for the run and puts the target's own org back afterwards", async () => {
    const emulator = await startEmulator();
    const ownOrg = emulator.fixture.org.id;
    const result = await runScenario(library('allowed-origin.yaml'), 'webmessaging', {
      target: emulator.url,
    });
    expect(result.passed, explain(result)).toBe(true);
    expect(result.transcript).toContain('scenario fixture loaded (org 388927e4-41d2-4d15-8c32-9cd2812bcec3)');
    expect(emulator.fixture.org.id).toBe(ownOrg);
  });
});

describe('--target an emulator without a control plane', () => {
  it('skips what needs the control plane, with the reason, and runs the rest over the public API', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const scenario = library('transfer-with-metadata.yaml');
    for (const channel of scenario.channels) {
      const result = await runScenario(scenario, channel, {
        target: emulator.url,
        targetFixture: emulator.fixture,
      });
      expect(result.passed, explain(result)).toBe(true);
      // Participant Data is read through the platform API; what the agent received and the
      // nothing-lost check need the emulator's timeline.
      expect(result.skipped).toEqual([
        { stepIndex: 9, line: 26, verb: 'expectAgentReceived', reason: 'needs the control plane' },
        { stepIndex: 12, line: 29, verb: 'expectNothingLost', reason: 'needs the control plane' },
      ]);
      expect(result.transcript).toContain(`target ${emulator.url}: no control plane, agent credentials`);
      expect(result.transcript).toMatch(
        /step +10\. expectAgentReceived .*\n.* runner +SKIPPED \(needs the control plane\)/,
      );
      expect(prettyLine(result)).toMatch(/^ok {3}.* \(2 steps skipped: needs the control plane\)$/);
      const xml = junit([result]);
      expect(xml).toContain('<system-out>skipped step 10 (expectAgentReceived): needs the control plane');
      expect(xml).not.toContain('<skipped');
      expect(JSON.parse(json([result]))[0].skipped).toHaveLength(2);
      // WebChat tells the guest its conversation id; a Web Messaging customer is matched to the
      // conversation their agent is alerted for, so Participant Data is still checked.
      if (channel === 'webmessaging')
        expect(result.transcript).toMatch(/runner +pat's conversation is [\w-]+ \(from alda's alert\)/);
    }
  });

  it('fails clearly where a skipped step leaves the story short', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const result = await runScenario(library('agent-not-responding.yaml'), 'webchat', {
      target: emulator.url,
      targetFixture: emulator.fixture,
    });
    expect(result.skipped.map((s) => [s.verb, s.reason])).toEqual([
      ['advance', 'needs the control plane and a manual clock'],
      ['letAlertTimeOut', 'needs the control plane and a manual clock'],
    ]);
    expect(result.failure).toMatchObject({
      verb: 'expectRoutingStatus',
      message: 'mia is IDLE, expected NOT_RESPONDING',
    });
    // Agents are released afterwards, so the next run against this org finds them free.
    expect(result.transcript).toMatch(/agent +mia released: 1 conversation\(s\) ended, off queue/);
  });

  it('without agent credentials, agent steps are skipped too', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const own = emulator.fixture;
    const orgClientOnly: Fixture = { ...own, clients: own.clients.filter((c) => c.user === undefined) };
    const result = await runScenario(library('dynamic-queue-found.yaml'), 'webchat', {
      target: emulator.url,
      targetFixture: orgClientOnly,
    });
    expect(result.passed, explain(result)).toBe(true);
    expect(result.skipped.map((s) => s.reason)).toEqual([
      'needs the control plane and agent credentials (--target-fixture)',
      ...Array(4).fill('needs agent credentials (--target-fixture)'),
    ]);
  });

  it('skips every step of a scenario that brings its own org, and JUnit says <skipped/>', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const result = await runScenario(library('session-expiry.yaml'), 'webmessaging', {
      target: emulator.url,
      targetFixture: emulator.fixture,
    });
    expect(result.passed).toBe(true);
    expect(result.skipped).toHaveLength(result.steps);
    expect(result.skipped[0]!.reason).toBe(
      'needs the control plane (to load the fixture ../fixtures/restricted.yaml)',
    );
    expect(prettyLine(result)).toMatch(/^skip /);
    expect(junit([result])).toMatch(/<skipped message="5 steps skipped: needs the control plane/);
  });

  it('fails the run in setup when nothing says which deployment to use', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const result = await runScenario(library('typing-both-ways.yaml'), 'webchat', {
      target: emulator.url,
    });
    expect(result.failure).toMatchObject({ stepIndex: -1, verb: 'setup' });
    expect(result.failure!.message).toMatch(/give --target-fixture FILE/);
    expect(prettyFailure(result)).toContain('typing-both-ways.yaml: setup: ');
  });
});

describe('--target an emulator with a control plane on the system clock', () => {
  it('skips what moves time and waits in real time for the rest', async () => {
    const emulator = await startEmulator({ clock: 'system' });
    try {
      const target = emulator.url;
      const result = await runScenario(library('arrival-order.yaml'), 'webchat', { target });
      expect(result.passed, explain(result)).toBe(true);
      expect(result.skipped).toEqual([
        { stepIndex: 1, line: 9, verb: 'advance', reason: 'needs a manual clock' },
      ]);
      expect(result.transcript).toContain(`target ${target}: control plane, system clock`);
    } finally {
      await emulator.close();
    }
  });
});

describe('the scenarios command line', () => {
  it.each([
    [['--target', 'http://127.0.0.1:8080'], { target: 'http://127.0.0.1:8080' }],
    [
      ['--target', 'https://login.mypurecloud.ie', '--target-fixture', 'org.yaml', 'my-scenarios'],
      { target: 'https://login.mypurecloud.ie', targetFixture: 'org.yaml', paths: ['my-scenarios'] },
    ],
    [['--target', 'http://localhost:9000', '--target-fixture', 'org.yaml'], { targetFixture: 'org.yaml' }],
  ])('accepts %j', (argv, expected) => {
    expect(parseScenariosArgs(argv)).toMatchObject(expected);
  });

  it.each([
    [['--target', 'https://login.mypurecloud.ie'], /real org needs --target-fixture FILE/],
    [['--target-fixture', 'org.yaml'], /--target-fixture describes a --target; give both/],
    [
      ['--target', 'https://api.mypurecloud.ie', '--target-fixture', 'f'],
      /did you mean https:\/\/login\.mypurecloud\.ie/,
    ],
    [['--target', 'http://example.com'], /--target must be an emulator/],
    [['--target'], /argument missing/],
  ])('refuses %j', (argv, message) => {
    const parsed = parseScenariosArgs(argv);
    expect(parsed).toHaveProperty('usageError');
    expect((parsed as { usageError: string }).usageError).toMatch(message);
  });

  it('runs against a target given with --target and --target-fixture, and reports skipped steps', async () => {
    const emulator = await startEmulator({ controlPlane: false });
    const file = fileURLToPath(new URL('../../scenarios/library/dynamic-queue-found.yaml', import.meta.url));
    let out = '';
    const write = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      out += String(chunk);
      return true;
    });
    let code: number;
    try {
      code = await scenariosCli(
        [
          file,
          '--channel',
          'webchat',
          '--reporter',
          'json',
          '--target',
          emulator.url,
          '--target-fixture',
          DEFAULT_FIXTURE_FILE,
        ],
        file,
      );
    } finally {
      write.mockRestore();
    }
    expect(code).toBe(0);
    const [result] = JSON.parse(out) as ScenarioResult[];
    expect(result!.passed).toBe(true);
    expect(result!.skipped).toEqual([
      { stepIndex: 1, line: 8, verb: 'expectConversation', reason: 'needs the control plane' },
    ]);
  });
});
