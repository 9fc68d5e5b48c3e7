import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliIo, parseServeArgs, runCli, UsageError } from '../../../bridge/cli.ts';
import {
  loadServiceConfigFile,
  parseServiceConfig,
  ServiceConfigError,
} from '../../../bridge/service/index.ts';

/**
 * `genesys-bridge serve`: its command line, its config file (YAML or JSON, every problem named with its
 * setting and line), and runCli end to end with a fake terminal. The service listens on 127.0.0.1 port 0
 * and never reaches Genesys here (no transfer is made); the emulator story is in test/integration.
 */

const DEPLOYMENT = '0f8e2d7a-1b2c-4d3e-9f00-123456789abc';
const KEY = 'cli-api-key-0123456789';

const dir = mkdtempSync(join(tmpdir(), 'genesys-bridge-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const VALID = `# a bridge in front of a local emulator
bridge:
  loginUrl: http://127.0.0.1:9
  deploymentId: ${DEPLOYMENT}
  queueName: General
service:
  apiKeys:
    - ${KEY}
`;

describe('genesys-bridge command line', () => {
  it('takes serve --config with host and port defaults', () => {
    expect(parseServeArgs(['serve', '--config', 'bridge.yaml'])).toEqual({
      command: 'serve',
      config: 'bridge.yaml',
      host: '127.0.0.1',
      port: 8081,
      logLevel: 'warn',
    });
    expect(
      parseServeArgs(['serve', '--config=b.json', '--host', '0.0.0.0', '--port', '0', '--log-level', 'info']),
    ).toMatchObject({ host: '0.0.0.0', port: 0, logLevel: 'info' });
    expect(parseServeArgs(['--help'])).toBe('help');
  });

  it.each([
    [['serve'], '--config: is required'],
    [['start', '--config', 'x'], 'command: the only command is "serve"'],
    [[], 'command: the only command is "serve"'],
    [['serve', '--config', 'x', '--port', 'http'], '--port: must be a port number'],
    [['serve', '--config', 'x', '--port', '70000'], '--port: must be at most 65535'],
    [['serve', '--config', 'x', '--log-level', 'loud'], '--log-level: must be fatal, error, warn'],
    [['serve', '--config', 'x', '--colour'], "Unknown option '--colour'"],
    [['serve', 'extra', '--config', 'x'], 'unexpected argument: extra'],
  ])('refuses %j: %s', (argv, message) => {
    expect(() => parseServeArgs(argv)).toThrow(UsageError);
    expect(() => parseServeArgs(argv)).toThrow(message);
  });
});

describe('genesys-bridge config file', () => {
  it('reads YAML and JSON, with webhook defaults', () => {
    const yaml = parseServiceConfig(
      `${VALID}  webhooks:\n    url: https://bot.example/hooks\n    secret: hook-secret-0123456789\n`,
    );
    expect(yaml.bridge).toEqual({
      loginUrl: 'http://127.0.0.1:9',
      deploymentId: DEPLOYMENT,
      queueName: 'General',
    });
    expect(yaml.service).toEqual({
      apiKeys: [KEY],
      http: { headerTimeoutMs: 10_000, requestTimeoutMs: 30_000, idleTimeoutMs: 30_000 },
      webhooks: {
        url: 'https://bot.example/hooks',
        secret: 'hook-secret-0123456789',
        maxAttempts: 6,
        initialDelayMs: 500,
        maxDelayMs: 30_000,
        timeoutMs: 10_000,
        drainMs: 5000,
      },
    });
    const json = parseServiceConfig(
      JSON.stringify({
        bridge: { default: { loginUrl: 'http://127.0.0.1:9', deploymentId: DEPLOYMENT } },
        service: { apiKeys: [KEY] },
      }),
    );
    expect(json.bridge).toEqual({ default: { loginUrl: 'http://127.0.0.1:9', deploymentId: DEPLOYMENT } });
  });

  const issuesOf = (text: string) => {
    try {
      parseServiceConfig(text, 'bridge.yaml');
    } catch (thrown) {
      expect(thrown).toBeInstanceOf(ServiceConfigError);
      return (thrown as ServiceConfigError).issues.map((i) => ({ setting: i.setting, line: i.line }));
    }
    throw new Error('expected the file to be refused');
  };

  it('names every bad setting with its line, bridge and service at once', () => {
    const text = `bridge:
  loginUrl: https://apps.mypurecloud.com
  deploymentId: not-a-uuid
  queuName: General
service:
  apiKeys:
    - ${KEY}
    - short
  webhooks:
    url: ftp://bot.example
    secret: ${KEY}
extra: true
`;
    expect(issuesOf(text)).toEqual([
      { setting: 'extra', line: 12 },
      { setting: 'bridge.deploymentId', line: 3 },
      { setting: 'bridge.queuName', line: 4 },
      { setting: 'service.apiKeys.1', line: 8 },
      { setting: 'service.webhooks.url', line: 10 },
    ]);
  });

  it('says which part is missing, and what is wrong with it', () => {
    expect(
      issuesOf(`bridge:\n  loginUrl: https://login.mypurecloud.com\n  deploymentId: ${DEPLOYMENT}\n`),
    ).toEqual([{ setting: 'service', line: 1 }]);
    expect(issuesOf(`${VALID.replace(`    - ${KEY}\n`, '')}`)).toEqual([
      { setting: 'service.apiKeys', line: 7 },
    ]);
    expect(issuesOf('service:\n  apiKeys: []\n')).toEqual([
      { setting: 'bridge', line: 1 },
      { setting: 'service.apiKeys', line: 2 },
    ]);
    expect(issuesOf('- just\n- a list\n')).toEqual([{ setting: '(file)', line: 1 }]);
    expect(issuesOf('bridge: [unclosed\n')).toEqual([{ setting: '(syntax)', line: 2 }]);
    expect(() => parseServiceConfig('service:\n  apiKeys: []\n', 'b.yaml')).toThrow(
      /b\.yaml:2 service\.apiKeys: at least one API key is required/,
    );
    expect(() =>
      parseServiceConfig(VALID.replace('http://127.0.0.1:9', 'https://apps.mypurecloud.com')),
    ).toThrow(
      /bridge\.loginUrl: loginUrl must be the login host of your region, not apps\.mypurecloud\.com: use https:\/\/login\.mypurecloud\.com/,
    );
  });

  it('names settings inside a configuration set', () => {
    const text = `bridge:
  default:
    loginUrl: https://login.mypurecloud.com
    deploymentId: ${DEPLOYMENT}
  byBotChannel:
    whatsapp:
      loginUrl: https://login.mypurecloud.com
service:
  apiKeys: [${KEY}]
`;
    expect(issuesOf(text)).toEqual([{ setting: 'bridge.byBotChannel.whatsapp.deploymentId', line: 7 }]);
  });

  it('says so when the file cannot be read', () => {
    expect(() => loadServiceConfigFile(join(dir, 'missing.yaml'))).toThrow(
      /missing\.yaml \(file\): cannot read the config file: no such file/,
    );
    expect(loadServiceConfigFile(file('ok.yaml', VALID)).service.apiKeys).toEqual([KEY]);
  });
});

/** A terminal that records output and delivers a signal when the test says so. */
function fakeIo() {
  const out = { stdout: '', stderr: '' };
  let send: (name: NodeJS.Signals) => void = () => {};
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    send = resolve;
  });
  let listening: (() => void) | undefined;
  const ready = new Promise<void>((resolve) => {
    listening = resolve;
  });
  const io: CliIo = {
    stdout: (text) => {
      out.stdout += text;
    },
    stderr: (text) => {
      out.stderr += text;
    },
    signal: (names) => {
      expect(names).toEqual(['SIGINT', 'SIGTERM']);
      listening?.();
      return signalled;
    },
  };
  return { io, out, ready, send };
}

describe('runCli', () => {
  it('serves until SIGTERM, then closes and exits 0', async () => {
    const { io, out, ready, send } = fakeIo();
    const exit = runCli(['serve', '--config', file('serve.yaml', VALID), '--port', '0'], io);
    await ready;
    const url = /ready at (http:\/\/127\.0\.0\.1:\d+)\n/.exec(out.stdout)?.[1];
    expect(url).toBeDefined();
    expect(out.stdout).toMatch(/channel: webMessaging/);
    const health = await fetch(`${url}/healthz`);
    expect(await health.json()).toEqual({ status: 'ok' });
    const unauthorized = await fetch(`${url}/v1/transfers/x`);
    expect(unauthorized.status).toBe(401);
    const missing = await fetch(`${url}/v1/transfers/x`, { headers: { 'x-api-key': KEY } });
    expect(missing.status).toBe(404);
    send('SIGTERM');
    expect(await exit).toBe(0);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });

  it('exits 1 naming the setting when the config is bad, 2 for a bad command line, 0 for help', async () => {
    const bad = fakeIo();
    const path = file('bad.yaml', VALID.replace(`    - ${KEY}`, '    - short'));
    expect(await runCli(['serve', '--config', path], bad.io)).toBe(1);
    expect(bad.out.stderr).toContain(
      `${path}:8 service.apiKeys.0: each API key must be at least 16 characters`,
    );

    const usage = fakeIo();
    expect(await runCli(['serve'], usage.io)).toBe(2);
    expect(usage.out.stderr).toMatch(/--config: is required\n\nUsage: genesys-bridge serve/);

    const help = fakeIo();
    expect(await runCli(['-h'], help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/^Usage: genesys-bridge serve --config FILE/);
  });
});
