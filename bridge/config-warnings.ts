import type { GenesysChannel, ParsedBridgeConfig } from './config-schema.ts';
import { type GenesysHosts, isLoopbackHost, regionOfHost } from './regions.ts';

/**
 * Warnings a user would thank us for: settings that parse but will not do what they expect against
 * Genesys. Warnings never stop the bridge; `info` ones only explain a choice the bridge made.
 */
export type ConfigWarningCode =
  | 'LOGIN_URL_PATH_IGNORED'
  | 'UNKNOWN_REGION'
  | 'EMULATOR_TARGET'
  | 'WS_URL_NOT_WEBMESSAGING'
  | 'WS_URL_REGION_MISMATCH'
  | 'WS_URL_UNEXPECTED_HOST'
  | 'WS_URL_DEPLOYMENT_MISMATCH'
  | 'WS_URL_PATH_ADDED'
  | 'WS_URL_IGNORED'
  | 'CHANNEL_DEPRECATED'
  | 'WEBCHAT_CONTEXT_PREFIX'
  | 'QUEUE_NAME_HAS_UNDERSCORE'
  | 'QUEUE_NAME_TRIMMED'
  | 'NO_QUEUE_NAME'
  | 'RATE_ABOVE_GENESYS_LIMIT'
  | 'SUMMARY_LONGER_THAN_TEXT_LIMIT'
  | 'PLATFORM_API_UNUSED';

export interface ConfigWarning {
  code: ConfigWarningCode;
  level: 'warning' | 'info';
  /** Setting the warning is about, as a dotted path. */
  setting?: string;
  message: string;
}

const KORE_STREAMING_EXAMPLE = 'wss://streaming.mypurecloud.com/v2/websocket';

export interface WebSocketUrlCheck {
  /** The URL the Web Messaging adapter will open (without query). */
  url: string;
  warnings: ConfigWarning[];
  /** Set when the URL cannot be used at all. */
  issue?: string;
}

/**
 * Checks the Kore "Genesys WebSocket URL" against the login URL's region. Kore's own docs show the
 * notification streaming endpoint (`streaming.*`), which is not the Web Messaging guest endpoint and
 * cannot carry a guest session: the bridge replaces it with the derived `webmessaging.*` URL.
 */
export function webSocketUrlWarnings(
  settings: ParsedBridgeConfig,
  hosts: GenesysHosts,
  channel: GenesysChannel,
): WebSocketUrlCheck {
  const derived = hosts.webMessagingUrl;
  const raw = settings.webSocketUrl;
  if (raw === undefined) return { url: derived, warnings: [] };
  if (channel !== 'webMessaging') {
    return {
      url: derived,
      warnings: [
        {
          code: 'WS_URL_IGNORED',
          level: 'warning',
          setting: 'webSocketUrl',
          message: `webSocketUrl is only used by the Web Messaging channel; this configuration uses ${channel === 'webChat' ? 'WebChat' : 'Open Messaging'}`,
        },
      ],
    };
  }

  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { url: derived, warnings: [], issue: `"${raw}" is not a URL; expected e.g. ${derived}` };
  }
  const host = url.hostname.toLowerCase();
  const loopback = isLoopbackHost(host);
  if (url.protocol !== 'wss:' && !(url.protocol === 'ws:' && loopback)) {
    return {
      url: derived,
      warnings: [],
      issue: `webSocketUrl must use wss:// (got ${url.protocol}); ws:// is only accepted for a local emulator`,
    };
  }

  const warnings: ConfigWarning[] = [];
  const queryDeployment = url.searchParams.get('deploymentId');
  if (
    queryDeployment !== null &&
    settings.deploymentId !== undefined &&
    queryDeployment.toLowerCase() !== settings.deploymentId.toLowerCase()
  ) {
    warnings.push({
      code: 'WS_URL_DEPLOYMENT_MISMATCH',
      level: 'warning',
      setting: 'webSocketUrl',
      message: `webSocketUrl names deploymentId ${queryDeployment} but deploymentId is ${settings.deploymentId}; the bridge uses deploymentId`,
    });
  }

  if (host.startsWith('streaming.')) {
    warnings.push({
      code: 'WS_URL_NOT_WEBMESSAGING',
      level: 'warning',
      setting: 'webSocketUrl',
      message:
        `${raw} is the Genesys notification streaming endpoint (the example in Kore's setup page is ${KORE_STREAMING_EXAMPLE}), ` +
        `not the Web Messaging guest endpoint; the bridge uses ${derived} instead. Set webSocketUrl to ${derived} or remove it.`,
    });
    return { url: derived, warnings };
  }

  let path = url.pathname;
  if (path === '' || path === '/') {
    path = '/v1';
    warnings.push({
      code: 'WS_URL_PATH_ADDED',
      level: 'info',
      setting: 'webSocketUrl',
      message: `the Web Messaging guest endpoint lives at /v1; using ${url.protocol}//${url.host}/v1`,
    });
  }
  const used = `${url.protocol}//${url.host}${path}`;

  if (hosts.target === 'genesys') {
    const expectedHost = `webmessaging.${hosts.domain}`;
    if (host.startsWith('webmessaging.') && host !== expectedHost) {
      const wsRegion = regionOfHost(host);
      warnings.push({
        code: 'WS_URL_REGION_MISMATCH',
        level: 'warning',
        setting: 'webSocketUrl',
        message:
          `webSocketUrl points at ${host}${wsRegion ? ` (${wsRegion.awsRegion})` : ''} but loginUrl is in ` +
          `${hosts.region ? hosts.region.awsRegion : hosts.domain}; a deployment only exists in its own region, expected ${derived}`,
      });
    } else if (!host.startsWith('webmessaging.')) {
      warnings.push({
        code: 'WS_URL_UNEXPECTED_HOST',
        level: 'warning',
        setting: 'webSocketUrl',
        message: `webSocketUrl host ${host} is not a Genesys Web Messaging guest host (expected ${derived}); it is used as given`,
      });
    }
  } else if (!loopback) {
    warnings.push({
      code: 'WS_URL_UNEXPECTED_HOST',
      level: 'warning',
      setting: 'webSocketUrl',
      message: `loginUrl targets a local emulator but webSocketUrl points at ${host}; it is used as given`,
    });
  }
  return { url: used, warnings };
}

/** Warnings about settings other than the WebSocket URL. `raw` is the unparsed input (to see trimming). */
export function settingWarnings(
  raw: unknown,
  settings: ParsedBridgeConfig,
  hosts: GenesysHosts,
  channel: GenesysChannel,
): ConfigWarning[] {
  const warnings: ConfigWarning[] = [];
  if (hosts.target === 'emulator') {
    warnings.push({
      code: 'EMULATOR_TARGET',
      level: 'info',
      setting: 'loginUrl',
      message: `loginUrl targets a local emulator: REST at ${hosts.apiBase}, Web Messaging at ${hosts.webMessagingUrl}`,
    });
  } else if (!hosts.region) {
    warnings.push({
      code: 'UNKNOWN_REGION',
      level: 'warning',
      setting: 'loginUrl',
      message: `${hosts.domain} is not a known Genesys Cloud region domain; check loginUrl for typos (hosts are derived as ${hosts.apiBase})`,
    });
  }

  if (channel === 'webChat') {
    warnings.push({
      code: 'CHANNEL_DEPRECATED',
      level: 'warning',
      setting: 'channel',
      message:
        'Genesys has retired ACD Web Chat v2 (guest chat); migrate the deployment to Web Messaging and set channel: "webMessaging"' +
        (settings.channel === 'auto'
          ? ' (WebChat was chosen because organizationId and queueName are set and webSocketUrl is not)'
          : ''),
    });
    warnings.push({
      code: 'WEBCHAT_CONTEXT_PREFIX',
      level: 'info',
      setting: 'metadata',
      message: `WebChat stores metadata as participant data prefixed "context." (e.g. context.${settings.metadata.queueNameKey}); read those names in Get Participant Data`,
    });
  }

  const queueName = settings.queueName;
  if (queueName?.includes('_')) {
    warnings.push({
      code: 'QUEUE_NAME_HAS_UNDERSCORE',
      level: 'warning',
      setting: 'queueName',
      message: `queue name "${queueName}" contains "_": Kore's entity auto-correct mangles underscores, so a queue name typed by users may not match; rename the queue or turn auto-correct off`,
    });
  }
  const rawQueue =
    typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>)['queueName'] : undefined;
  if (typeof rawQueue === 'string' && queueName !== undefined && rawQueue !== queueName) {
    warnings.push({
      code: 'QUEUE_NAME_TRIMMED',
      level: 'info',
      setting: 'queueName',
      message: `surrounding spaces were removed from the queue name; "${queueName}" must match the Genesys queue name exactly`,
    });
  }
  if (channel !== 'webChat' && queueName === undefined) {
    warnings.push({
      code: 'NO_QUEUE_NAME',
      level: 'info',
      setting: 'queueName',
      message: `no queueName: transfers without a per-transfer queue send no ${settings.metadata.queueNameKey} attribute, so the inbound message flow must pick the queue itself`,
    });
  }
  if (channel === 'webMessaging' && settings.limits.outboundMessagesPerSecond > 2) {
    warnings.push({
      code: 'RATE_ABOVE_GENESYS_LIMIT',
      level: 'warning',
      setting: 'limits.outboundMessagesPerSecond',
      message: `Genesys Web Messaging accepts 2 messages per second per session; ${settings.limits.outboundMessagesPerSecond}/s will be answered with 429 retryAfter and slowed down anyway`,
    });
  }
  if (
    settings.transcript.mode === 'summaryMessage' &&
    settings.transcript.maxSummaryChars > settings.limits.maxTextLength
  ) {
    warnings.push({
      code: 'SUMMARY_LONGER_THAN_TEXT_LIMIT',
      level: 'info',
      setting: 'transcript.maxSummaryChars',
      message: `transcript summaries are cut to limits.maxTextLength (${settings.limits.maxTextLength}) characters`,
    });
  }
  if (settings.platformApi && channel !== 'openMessaging') {
    warnings.push({
      code: 'PLATFORM_API_UNUSED',
      level: 'info',
      setting: 'platformApi',
      message:
        'platformApi credentials are used by the Open Messaging channel only; this configuration does not call the Platform API (agent join and transfer stay as the guest channel shows them)',
    });
  }
  return warnings;
}
