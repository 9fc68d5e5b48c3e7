import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BridgeConfigError,
  configForBotChannel,
  configSetWarnings,
  resolveBridgeConfig,
  resolveBridgeConfigSet,
} from '../../../bridge/config.ts';
import { validateConfig } from '../../../bridge/index.ts';
import { GENESYS_REGIONS } from '../../../bridge/regions.ts';
import { DEPLOYMENT, ORG, webMessagingConfig } from './fake-adapter.ts';

function issuesOf(input: unknown): { setting: string; message: string }[] {
  try {
    resolveBridgeConfigSet(input);
  } catch (thrown) {
    if (thrown instanceof BridgeConfigError) return [...thrown.issues];
    throw thrown;
  }
  throw new Error('expected the configuration to be refused');
}

const codes = (input: unknown) => resolveBridgeConfig(input).warnings.map((w) => w.code);

describe('Kore settings and derived hosts', () => {
  it.each(GENESYS_REGIONS.map((r) => [r.key, r.domain]))('derives %s hosts from login.%s', (_key, domain) => {
    const config = resolveBridgeConfig(webMessagingConfig({ loginUrl: `https://login.${domain}` }));
    expect(config.hosts).toMatchObject({
      target: 'genesys',
      domain,
      loginBase: `https://login.${domain}`,
      apiBase: `https://api.${domain}`,
      webMessagingUrl: `wss://webmessaging.${domain}/v1`,
    });
    expect(config.hosts.region?.domain).toBe(domain);
    expect(config.webSocketUrl).toBe(`wss://webmessaging.${domain}/v1`);
    expect(config.channel).toBe('webMessaging');
  });

  it.each(['http://127.0.0.1:8080', 'http://localhost:8080/'])('targets an emulator at %s', (loginUrl) => {
    const config = resolveBridgeConfig(webMessagingConfig({ loginUrl }));
    const host = new URL(loginUrl).host;
    expect(config.hosts).toMatchObject({
      target: 'emulator',
      apiBase: `http://${host}`,
      webMessagingUrl: `ws://${host}/v1`,
    });
    expect(config.webSocketUrl).toBe(`ws://${host}/v1`);
    expect(codes(webMessagingConfig({ loginUrl }))).toContain('EMULATOR_TARGET');
  });

  it('applies defaults for the optional settings', () => {
    const { settings } = resolveBridgeConfig(webMessagingConfig());
    expect(settings.metadata).toMatchObject({
      queueNameKey: 'QueueName',
      encode: 'json',
      onOversize: 'reject',
      sizeRule: 'keyValueUtf8',
    });
    expect(settings.limits).toMatchObject({
      outboundMessagesPerSecond: 2,
      outboundQueueMax: 50,
      maxTextLength: 4000,
    });
    expect(settings.timeouts).toMatchObject({
      connectMs: 15_000,
      reconnectWindowMs: 300_000,
      reorderWindowMs: 1000,
    });
    expect(settings.transcript.mode).toBe('summaryMessage');
  });

  it('ignores the path of a pasted login URL, with an info warning', () => {
    const config = resolveBridgeConfig(
      webMessagingConfig({ loginUrl: 'https://login.mypurecloud.com/#/authenticate' }),
    );
    expect(config.hosts.apiBase).toBe('https://api.mypurecloud.com');
    expect(config.warnings.map((w) => w.code)).toContain('LOGIN_URL_PATH_IGNORED');
  });

  it('warns about a login domain that is not a known region', () => {
    expect(codes(webMessagingConfig({ loginUrl: 'https://login.mypurecloud.co.uk' }))).toContain(
      'UNKNOWN_REGION',
    );
  });
});

describe('errors that name the setting', () => {
  it('reports every missing and malformed setting at once', () => {
    const issues = issuesOf({ deploymentId: 'not-a-uuid', organizationId: 42, colour: 'blue' });
    expect(issues).toEqual(
      expect.arrayContaining([
        { setting: 'loginUrl', message: 'loginUrl is required' },
        { setting: 'deploymentId', message: expect.stringContaining('must be a Genesys id') },
        { setting: 'organizationId', message: 'organizationId must be text' },
        { setting: 'colour', message: 'unknown setting "colour" (check the spelling)' },
      ]),
    );
  });

  it('suggests the login host when given the apps or api host', () => {
    expect(issuesOf(webMessagingConfig({ loginUrl: 'https://apps.mypurecloud.de' }))).toEqual([
      { setting: 'loginUrl', message: expect.stringContaining('use https://login.mypurecloud.de') },
    ]);
  });

  it('refuses plain http except for a local emulator', () => {
    expect(issuesOf(webMessagingConfig({ loginUrl: 'http://login.mypurecloud.com' }))[0]?.message).toContain(
      'must use https',
    );
  });

  it('names nested settings with their path', () => {
    expect(
      issuesOf(
        webMessagingConfig({
          limits: { outboundMessagesPerSecond: 0 },
          metadata: { queueNameKey: 'has space' },
        }),
      ),
    ).toEqual(
      expect.arrayContaining([
        {
          setting: 'limits.outboundMessagesPerSecond',
          message: 'limits.outboundMessagesPerSecond must be at least 1',
        },
        {
          setting: 'metadata.queueNameKey',
          message: expect.stringContaining('must match the Architect attribute name'),
        },
      ]),
    );
  });

  it('requires organizationId and queueName for WebChat and a template for transcript links', () => {
    const issues = issuesOf({
      loginUrl: 'https://login.mypurecloud.com',
      deploymentId: DEPLOYMENT,
      channel: 'webChat',
      transcript: { mode: 'link' },
    });
    expect(issues.map((i) => i.setting)).toEqual(['organizationId', 'queueName', 'transcript.linkTemplate']);
  });

  it('refuses a WebSocket URL that is not wss', () => {
    expect(issuesOf(webMessagingConfig({ webSocketUrl: 'https://webmessaging.mypurecloud.ie/v1' }))).toEqual([
      { setting: 'webSocketUrl', message: expect.stringContaining('must use wss://') },
    ]);
  });

  it('validateConfig returns the problems instead of throwing', () => {
    expect(validateConfig({})).toMatchObject({
      ok: false,
      errors: [{ setting: 'loginUrl' }, { setting: 'deploymentId' }],
    });
    expect(validateConfig(webMessagingConfig())).toMatchObject({
      ok: true,
      channel: 'webMessaging',
      errors: [],
    });
  });
});

describe('warnings', () => {
  it("replaces Kore's streaming example URL with the Web Messaging guest endpoint", () => {
    const config = resolveBridgeConfig(
      webMessagingConfig({
        loginUrl: 'https://login.mypurecloud.com',
        webSocketUrl: 'wss://streaming.mypurecloud.com/v2/websocket',
      }),
    );
    expect(config.webSocketUrl).toBe('wss://webmessaging.mypurecloud.com/v1');
    expect(config.warnings).toContainEqual(
      expect.objectContaining({ code: 'WS_URL_NOT_WEBMESSAGING', setting: 'webSocketUrl', level: 'warning' }),
    );
  });

  it('warns when the WebSocket URL is in another region than the login URL', () => {
    const config = resolveBridgeConfig(
      webMessagingConfig({ webSocketUrl: 'wss://webmessaging.mypurecloud.com/v1' }),
    );
    expect(config.warnings).toContainEqual(
      expect.objectContaining({
        code: 'WS_URL_REGION_MISMATCH',
        message: expect.stringContaining('us-east-1'),
      }),
    );
    expect(config.webSocketUrl).toBe('wss://webmessaging.mypurecloud.com/v1');
  });

  it('strips the query, checks its deploymentId and adds /v1 when the path is missing', () => {
    const other = '00000000-0000-4000-8000-000000000000';
    const config = resolveBridgeConfig(
      webMessagingConfig({ webSocketUrl: `wss://webmessaging.mypurecloud.ie?deploymentId=${other}` }),
    );
    expect(config.webSocketUrl).toBe('wss://webmessaging.mypurecloud.ie/v1');
    expect(config.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['WS_URL_DEPLOYMENT_MISMATCH', 'WS_URL_PATH_ADDED']),
    );
  });

  it('uses an unexpected host as given, with a warning', () => {
    const config = resolveBridgeConfig(
      webMessagingConfig({ webSocketUrl: 'wss://proxy.example.com/genesys/v1' }),
    );
    expect(config.webSocketUrl).toBe('wss://proxy.example.com/genesys/v1');
    expect(config.warnings.map((w) => w.code)).toContain('WS_URL_UNEXPECTED_HOST');
  });

  it('warns that WebChat is retired when Kore-style fields choose it', () => {
    const config = resolveBridgeConfig({
      loginUrl: 'https://login.mypurecloud.com',
      organizationId: ORG,
      deploymentId: DEPLOYMENT,
      queueName: 'Chat',
    });
    expect(config.channel).toBe('webChat');
    expect(config.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['CHANNEL_DEPRECATED', 'WEBCHAT_CONTEXT_PREFIX']),
    );
  });

  it('warns about underscores and surrounding spaces in the queue name', () => {
    const config = resolveBridgeConfig(webMessagingConfig({ queueName: '  Billing_Tier1 ' }));
    expect(config.settings.queueName).toBe('Billing_Tier1');
    expect(config.warnings.map((w) => w.code)).toEqual(
      expect.arrayContaining(['QUEUE_NAME_HAS_UNDERSCORE', 'QUEUE_NAME_TRIMMED']),
    );
  });

  it('warns about a send rate above what Genesys accepts and unused platform credentials', () => {
    const warnings = codes(
      webMessagingConfig({
        limits: { outboundMessagesPerSecond: 5 },
        platformApi: { clientId: 'id', clientSecret: 's' },
      }),
    );
    expect(warnings).toEqual(expect.arrayContaining(['RATE_ABOVE_GENESYS_LIMIT', 'PLATFORM_API_UNUSED']));
  });
});

describe('channel choice (bridge.md §4.3)', () => {
  const base = { loginUrl: 'https://login.mypurecloud.com', deploymentId: DEPLOYMENT };
  it.each([
    [{ channel: 'webChat', organizationId: ORG, queueName: 'Q' }, 'webChat'],
    [{ channel: 'webMessaging', organizationId: ORG, queueName: 'Q' }, 'webMessaging'],
    [
      { organizationId: ORG, queueName: 'Q', webSocketUrl: 'wss://webmessaging.mypurecloud.com/v1' },
      'webMessaging',
    ],
    [{ organizationId: ORG, queueName: 'Q' }, 'webChat'],
    [{ queueName: 'Q' }, 'webMessaging'],
    [{}, 'webMessaging'],
  ])('%o → %s', (extra, channel) => {
    expect(resolveBridgeConfig({ ...base, ...extra }).channel).toBe(channel);
  });
});

describe('configurations keyed by bot channel', () => {
  const set = {
    default: webMessagingConfig(),
    byBotChannel: {
      whatsapp: webMessagingConfig({ loginUrl: 'https://login.mypurecloud.de', queueName: 'WA_Queue' }),
      legacyWeb: {
        loginUrl: 'https://login.mypurecloud.com',
        organizationId: ORG,
        deploymentId: DEPLOYMENT,
        queueName: 'Chat',
      },
    },
  };

  it('picks the mapped configuration and falls back to the default', () => {
    const configs = resolveBridgeConfigSet(set);
    expect(configForBotChannel(configs, 'whatsapp').hosts.domain).toBe('mypurecloud.de');
    expect(configForBotChannel(configs, 'legacyWeb').channel).toBe('webChat');
    expect(configForBotChannel(configs, 'msteams')).toBe(configs.default);
    expect(configForBotChannel(configs, undefined)).toBe(configs.default);
  });

  it('prefixes warnings and errors with where they come from', () => {
    const warnings = configSetWarnings(resolveBridgeConfigSet(set)).map((w) => w.setting);
    expect(warnings).toEqual(
      expect.arrayContaining(['byBotChannel.whatsapp.queueName', 'byBotChannel.legacyWeb.channel']),
    );
    expect(
      issuesOf({
        default: webMessagingConfig(),
        byBotChannel: { sms: { deploymentId: DEPLOYMENT } },
        extra: 1,
      }),
    ).toEqual([
      { setting: 'extra', message: expect.stringContaining('unknown setting') },
      { setting: 'byBotChannel.sms.loginUrl', message: 'loginUrl is required' },
    ]);
  });
});

describe('robustness', () => {
  const plausible = fc.record(
    {
      loginUrl: fc.oneof(
        fc.constantFrom(
          'https://login.mypurecloud.com',
          'http://127.0.0.1:1',
          'https://apps.usw2.pure.cloud',
          '',
          'login',
        ),
        fc.webUrl(),
        fc.string(),
      ),
      deploymentId: fc.oneof(fc.uuid(), fc.string(), fc.integer()),
      organizationId: fc.oneof(fc.uuid(), fc.constant(null)),
      queueName: fc.oneof(fc.string(), fc.constant(' a_b ')),
      webSocketUrl: fc.oneof(
        fc.webUrl(),
        fc.constantFrom('wss://streaming.mypurecloud.com/v2/websocket', 'ws://localhost:1', 'x'),
      ),
      channel: fc.constantFrom('auto', 'webChat', 'webMessaging', 'sms'),
      metadata: fc.anything(),
      limits: fc.dictionary(
        fc.constantFrom('outboundMessagesPerSecond', 'maxTextLength', 'longText'),
        fc.anything(),
      ),
      timeouts: fc.dictionary(
        fc.constantFrom('connectMs', 'reconnectInitialDelayMs', 'reconnectMaxDelayMs'),
        fc.anything(),
      ),
      transcript: fc.dictionary(fc.constantFrom('mode', 'linkTemplate'), fc.anything()),
    },
    { requiredKeys: [] },
  );

  it('never throws anything but BridgeConfigError, whatever the input', () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.anything(), plausible, fc.record({ default: plausible, byBotChannel: fc.anything() })),
        (input) => {
          try {
            const configs = resolveBridgeConfigSet(input);
            expect(configs.default.channel).toMatch(/^(webMessaging|webChat)$/);
          } catch (thrown) {
            if (!(thrown instanceof BridgeConfigError)) throw thrown;
            expect(thrown.issues.length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
