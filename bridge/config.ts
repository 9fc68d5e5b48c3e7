import type { z } from 'zod';
import {
  type GenesysBridgeConfigInput,
  GenesysBridgeConfigSchema,
  type GenesysChannel,
  type ParsedBridgeConfig,
} from './config-schema.ts';
import { type ConfigWarning, settingWarnings, webSocketUrlWarnings } from './config-warnings.ts';
import { type GenesysHosts, type LoginUrlProblem, parseLoginUrl } from './regions.ts';

export type { GenesysBridgeConfigInput, GenesysChannel, ParsedBridgeConfig } from './config-schema.ts';
export type { ConfigWarning as BridgeWarning } from './config-warnings.ts';

/**
 * Turns a user's configuration into what the bridge runs on: validated settings, the Genesys hosts
 * derived from the login URL, the channel chosen by bridge.md §4.3 and the Web Messaging socket URL,
 * plus warnings. Invalid input throws BridgeConfigError naming every bad setting at once.
 */

export interface ConfigIssue {
  /** Dotted path of the setting, e.g. `metadata.queueNameKey` or `byBotChannel.whatsapp.loginUrl`. */
  setting: string;
  message: string;
}

export class BridgeConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(
      `Invalid Genesys bridge configuration:\n${issues.map((i) => `- ${i.setting}: ${i.message}`).join('\n')}`,
    );
    this.name = 'BridgeConfigError';
    this.issues = issues;
  }
}

export interface ResolvedBridgeConfig {
  settings: ParsedBridgeConfig;
  /** Fixed for every session created from this configuration. */
  channel: GenesysChannel;
  hosts: GenesysHosts;
  /** Web Messaging guest socket without query string; the adapter appends deploymentId. */
  webSocketUrl: string;
  warnings: ConfigWarning[];
}

/** Validates and resolves one configuration; throws BridgeConfigError. */
export function resolveBridgeConfig(input: unknown): ResolvedBridgeConfig {
  const result = checkBridgeConfig(input);
  if (!result.ok) throw new BridgeConfigError(result.issues);
  return result.config;
}

export type ConfigCheck = { ok: true; config: ResolvedBridgeConfig } | { ok: false; issues: ConfigIssue[] };

/** Like resolveBridgeConfig, but returns the issues instead of throwing. */
export function checkBridgeConfig(input: unknown, settingPrefix = ''): ConfigCheck {
  const parsed = GenesysBridgeConfigSchema.safeParse(input);
  const at = (setting: string) => settingPrefix + setting;
  if (!parsed.success) {
    // The per-channel requirement is named with the other problems, not only once they are fixed.
    const raw = typeof input === 'object' && input !== null ? (input as Record<string, unknown>) : undefined;
    const needsDeployment =
      raw !== undefined &&
      raw['deploymentId'] === undefined &&
      raw['channel'] !== 'openMessaging' &&
      !(raw['openMessaging'] !== undefined && (raw['channel'] ?? 'auto') === 'auto');
    const issues = zodIssues(parsed.error.issues, settingPrefix);
    if (needsDeployment) issues.push({ setting: at('deploymentId'), message: 'deploymentId is required' });
    return { ok: false, issues };
  }
  const settings = parsed.data;
  const issues: ConfigIssue[] = [];

  const login = parseLoginUrl(settings.loginUrl);
  if (!login.ok) {
    issues.push({ setting: at('loginUrl'), message: loginUrlMessage(settings.loginUrl, login.problem) });
    return { ok: false, issues };
  }
  const hosts = login.hosts;
  const channel = chooseChannel(settings);

  if (channel !== 'openMessaging' && !settings.deploymentId) {
    issues.push({
      setting: at('deploymentId'),
      message: `deploymentId is required for the ${channel === 'webChat' ? 'WebChat' : 'Web Messaging'} channel`,
    });
  }
  if (channel === 'openMessaging') {
    if (!settings.openMessaging) {
      issues.push({
        setting: at('openMessaging'),
        message: 'openMessaging { integrationId, webhookSecret } is required for the Open Messaging channel',
      });
    }
    if (!settings.platformApi) {
      issues.push({
        setting: at('platformApi'),
        message:
          'platformApi { clientId, clientSecret } is required for the Open Messaging channel (the inbound API and its notifications need an OAuth client)',
      });
    }
  }
  if (channel === 'webChat') {
    if (!settings.organizationId) {
      issues.push({
        setting: at('organizationId'),
        message: 'organizationId is required for the WebChat channel',
      });
    }
    if (!settings.queueName) {
      issues.push({
        setting: at('queueName'),
        message: 'queueName is required for the WebChat channel (it is the chat routing target)',
      });
    }
  }
  if (settings.transcript.mode === 'link' && !settings.transcript.linkTemplate) {
    issues.push({
      setting: at('transcript.linkTemplate'),
      message:
        'transcript.linkTemplate is required when transcript.mode is "link" (e.g. https://bot.example/t/{sessionId})',
    });
  }
  if (settings.timeouts.reconnectInitialDelayMs > settings.timeouts.reconnectMaxDelayMs) {
    issues.push({
      setting: at('timeouts.reconnectInitialDelayMs'),
      message: 'timeouts.reconnectInitialDelayMs must not exceed timeouts.reconnectMaxDelayMs',
    });
  }

  const ws = webSocketUrlWarnings(settings, hosts, channel);
  if (ws.issue) issues.push({ setting: at('webSocketUrl'), message: ws.issue });
  if (issues.length > 0) return { ok: false, issues };

  const warnings = [
    ...(login.ignoredPath
      ? [
          {
            code: 'LOGIN_URL_PATH_IGNORED',
            level: 'info',
            setting: 'loginUrl',
            message: `Only the host of loginUrl is used (${hosts.loginBase}); its path, query and fragment are ignored`,
          } satisfies ConfigWarning,
        ]
      : []),
    ...settingWarnings(input, settings, hosts, channel),
    ...ws.warnings,
  ];

  return { ok: true, config: { settings, channel, hosts, webSocketUrl: ws.url, warnings } };
}

/** bridge.md §4.3: an explicit channel wins; otherwise Kore's fields decide (openMessaging settings alone pick it). */
export function chooseChannel(settings: ParsedBridgeConfig): GenesysChannel {
  if (settings.channel !== 'auto') return settings.channel;
  if (settings.openMessaging && !settings.deploymentId) return 'openMessaging';
  if (settings.webSocketUrl) return 'webMessaging';
  if (settings.organizationId && settings.queueName) return 'webChat';
  return 'webMessaging';
}

function loginUrlMessage(raw: string, problem: LoginUrlProblem): string {
  switch (problem.kind) {
    case 'notUrl':
      return `"${raw}" is not a URL; use your region's login URL, e.g. https://login.mypurecloud.com`;
    case 'badScheme':
      return `loginUrl must use https (got ${problem.protocol}); plain http is only accepted for a local emulator at http://127.0.0.1:PORT or http://localhost:PORT`;
    case 'notLoginHost':
      return problem.suggestion
        ? `loginUrl must be the login host of your region, not ${problem.host}: use ${problem.suggestion}`
        : `loginUrl must be a Genesys Cloud login URL such as https://login.mypurecloud.com (got host ${problem.host})`;
  }
}

function zodIssues(issues: readonly z.core.$ZodIssue[], prefix: string): ConfigIssue[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const setting = prefix + (path ? `${path}.${key}` : key);
        return { setting, message: `unknown setting "${setting}" (check the spelling)` };
      });
    }
    const setting = prefix + path;
    if (path === '' && issue.code === 'invalid_type') {
      return [{ setting: setting || '(config)', message: 'the configuration must be an object' }];
    }
    return [{ setting: setting || '(config)', message: issue.message }];
  });
}

/** Several configurations keyed by the bot channel they serve, with one default for all others. */
export interface ResolvedConfigSet {
  default: ResolvedBridgeConfig;
  byBotChannel: ReadonlyMap<string, ResolvedBridgeConfig>;
}

export interface BridgeConfigSetInput {
  default: GenesysBridgeConfigInput;
  byBotChannel?: Record<string, GenesysBridgeConfigInput>;
}

/**
 * Accepts either a single configuration (used for every bot channel) or `{ default, byBotChannel }`,
 * mirroring Kore's "default agent system for all channels" plus per-channel mapping.
 */
export function resolveBridgeConfigSet(input: unknown): ResolvedConfigSet {
  if (!isConfigSet(input)) return { default: resolveBridgeConfig(input), byBotChannel: new Map() };
  const issues: ConfigIssue[] = [];
  const unknownKeys = Object.keys(input).filter((k) => k !== 'default' && k !== 'byBotChannel');
  for (const key of unknownKeys)
    issues.push({ setting: key, message: `unknown setting "${key}" (check the spelling)` });

  const main = checkBridgeConfig(input.default, 'default.');
  if (!main.ok) issues.push(...main.issues);

  const byBotChannel = new Map<string, ResolvedBridgeConfig>();
  const perChannel = input.byBotChannel;
  if (
    perChannel !== undefined &&
    (typeof perChannel !== 'object' || perChannel === null || Array.isArray(perChannel))
  ) {
    issues.push({
      setting: 'byBotChannel',
      message: 'byBotChannel must map bot channel names to configurations',
    });
  } else if (perChannel) {
    for (const [botChannel, config] of Object.entries(perChannel)) {
      if (botChannel.trim() === '') {
        issues.push({ setting: 'byBotChannel', message: 'bot channel names must not be empty' });
        continue;
      }
      const check = checkBridgeConfig(config, `byBotChannel.${botChannel}.`);
      if (check.ok) byBotChannel.set(botChannel, check.config);
      else issues.push(...check.issues);
    }
  }
  if (issues.length > 0 || !main.ok) throw new BridgeConfigError(issues);
  return { default: main.config, byBotChannel };
}

function isConfigSet(
  input: unknown,
): input is { default: unknown; byBotChannel?: unknown } & Record<string, unknown> {
  return typeof input === 'object' && input !== null && !Array.isArray(input) && 'default' in input;
}

/** The configuration serving a bot channel: its own mapping, else the default. */
export function configForBotChannel(
  set: ResolvedConfigSet,
  botChannel: string | undefined,
): ResolvedBridgeConfig {
  return (botChannel !== undefined ? set.byBotChannel.get(botChannel) : undefined) ?? set.default;
}

/** Every warning in a set, with settings prefixed by where they came from. */
export function configSetWarnings(set: ResolvedConfigSet): ConfigWarning[] {
  const prefixed = (w: ConfigWarning, prefix: string) => ({
    ...w,
    ...(w.setting ? { setting: prefix + w.setting } : {}),
  });
  if (set.byBotChannel.size === 0) return set.default.warnings;
  return [
    ...set.default.warnings.map((w) => prefixed(w, 'default.')),
    ...[...set.byBotChannel].flatMap(([name, c]) =>
      c.warnings.map((w) => prefixed(w, `byBotChannel.${name}.`)),
    ),
  ];
}
