import { type GenesysHosts, parseLoginUrl } from '../../bridge/regions.ts';

/**
 * Configuration of `npm run contracts:verify:live`, read from environment variables only (never from a
 * file that could be committed). Documented in contracts/README.md.
 */
export const LIVE_ENV = {
  loginUrl: 'GENESYS_LOGIN_URL',
  organizationId: 'GENESYS_ORG_ID',
  messengerDeploymentId: 'GENESYS_MESSENGER_DEPLOYMENT_ID',
  webChatDeploymentId: 'GENESYS_WEBCHAT_DEPLOYMENT_ID',
  queueName: 'GENESYS_QUEUE_NAME',
  agentToken: 'GENESYS_AGENT_TOKEN',
  origin: 'GENESYS_ORIGIN',
} as const;

export interface LiveConfig {
  hosts: GenesysHosts;
  /** Verifies the Web Messaging pact when set. */
  messengerDeploymentId?: string;
  /** Verifies the WebChat pact when set (with organizationId). */
  webChatDeploymentId?: string;
  organizationId?: string;
  /** The queue the Messenger deployment's flow routes to, and the WebChat routing target. */
  queueName: string;
  /** An access token of an agent on that queue; without it, interactions that need an agent are skipped. */
  agentToken?: string;
  /** Origin header for guest connections, for deployments that restrict domains. */
  origin?: string;
}

export type LiveConfigResult =
  | { status: 'skipped'; reason: string }
  | { status: 'invalid'; problems: string[] }
  | { status: 'ready'; config: LiveConfig };

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Env = Record<string, string | undefined>;

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * Nothing set: skipped (the normal case on a developer machine and in CI). Something set but not enough,
 * or not valid: invalid, naming every problem, because a half-configured live run is a mistake to report.
 */
export function parseLiveConfig(env: Env): LiveConfigResult {
  const value = (key: keyof typeof LIVE_ENV) => read(env, LIVE_ENV[key]);
  const loginUrl = value('loginUrl');
  const messengerDeploymentId = value('messengerDeploymentId');
  const webChatDeploymentId = value('webChatDeploymentId');
  if (loginUrl === undefined) {
    return {
      status: 'skipped',
      reason: `${LIVE_ENV.loginUrl} is not set, so there is no Genesys org to verify against`,
    };
  }
  if (messengerDeploymentId === undefined && webChatDeploymentId === undefined) {
    return {
      status: 'skipped',
      reason: `neither ${LIVE_ENV.messengerDeploymentId} nor ${LIVE_ENV.webChatDeploymentId} is set, so there is no deployment to verify`,
    };
  }

  const problems: string[] = [];
  const login = parseLoginUrl(loginUrl);
  if (!login.ok)
    problems.push(
      `${LIVE_ENV.loginUrl} is not a Genesys Cloud login URL such as https://login.mypurecloud.com`,
    );
  else if (login.hosts.target !== 'genesys')
    problems.push(
      `${LIVE_ENV.loginUrl} points at an emulator; npm test already verifies the pacts against the emulator`,
    );
  const organizationId = value('organizationId');
  const queueName = value('queueName');
  if (queueName === undefined)
    problems.push(`${LIVE_ENV.queueName} is required: the queue the deployment routes to`);
  if (webChatDeploymentId !== undefined && organizationId === undefined)
    problems.push(`${LIVE_ENV.organizationId} is required with ${LIVE_ENV.webChatDeploymentId}`);
  for (const [key, id] of [
    ['organizationId', organizationId],
    ['messengerDeploymentId', messengerDeploymentId],
    ['webChatDeploymentId', webChatDeploymentId],
  ] as const) {
    if (id !== undefined && !UUID.test(id)) problems.push(`${LIVE_ENV[key]} must be a Genesys id (a UUID)`);
  }
  const origin = value('origin');
  if (origin !== undefined && !/^https?:\/\/[^/]+$/.test(origin))
    problems.push(`${LIVE_ENV.origin} must be an origin such as https://shop.example.com`);
  if (problems.length > 0 || !login.ok || queueName === undefined) return { status: 'invalid', problems };

  const agentToken = value('agentToken');
  return {
    status: 'ready',
    config: {
      hosts: login.hosts,
      queueName,
      ...(messengerDeploymentId === undefined ? {} : { messengerDeploymentId }),
      ...(webChatDeploymentId === undefined ? {} : { webChatDeploymentId }),
      ...(organizationId === undefined ? {} : { organizationId }),
      ...(agentToken === undefined ? {} : { agentToken }),
      ...(origin === undefined ? {} : { origin }),
    },
  };
}
