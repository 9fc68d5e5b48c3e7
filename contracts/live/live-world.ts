import { randomUUID } from 'node:crypto';
import type { MessengerSetup, ProviderWorld, WebChatSetup } from '../provider/world.ts';
import type { StateKey } from '../states.ts';
import type { LiveConfig } from './config.ts';

/** A pause longer than this is not a rate limit's retryAfter: cap it rather than stall the run. */
const MAX_PAUSE_MS = 10_000;

/** States that need an agent: skipped without GENESYS_AGENT_TOKEN. */
const NEEDS_AGENT: readonly StateKey[] = [
  'messageAnswered',
  'messageSaid',
  'messageTyping',
  'messageEnded',
  'chatAnswered',
  'chatSaid',
  'chatTyping',
  'chatEnded',
];

/** States a real org cannot be put in from here, and why. */
const OUT_OF_REACH: Partial<Record<StateKey, string>> = {
  sessionExpired:
    'a real guest session expires only after its configured lifetime, which cannot be fast-forwarded',
  streamQuiet: "a real org's clock cannot be fast-forwarded to the next heartbeat",
  flowGreets: "the deployment's inbound flow belongs to the org; the verifier cannot make it greet",
  chatAgentAvailable: 'a transfer needs a second agent and queue, which live verification does not configure',
  chatTransferred: 'a transfer needs a second agent and queue, which live verification does not configure',
};

/** Open Messaging needs an integration whose webhook reaches the verifier: not configured live. */
const OPEN_MESSAGING_STATES: readonly StateKey[] = [
  'platformClient',
  'openIntegration',
  'openFlowGreets',
  'openCustomer',
  'openAnswered',
  'openSaid',
  'openTyping',
  'openTransferred',
  'openEnded',
  'notificationChannel',
];

/**
 * A real Genesys Cloud org as the provider: the deployments, queue and agent come from configuration,
 * whatever ids the pact's examples use. Guest tokens are fresh per interaction, because real sessions
 * outlive a verification run.
 */
export class LiveWorld implements ProviderWorld {
  readonly apiBase: string;
  readonly webMessagingUrl: string;
  readonly origin?: string;
  readonly #config: LiveConfig;
  #tokens = new Map<string, string>();

  constructor(config: LiveConfig) {
    this.#config = config;
    this.apiBase = config.hosts.apiBase;
    this.webMessagingUrl = config.hosts.webMessagingUrl;
    if (config.origin !== undefined) this.origin = config.origin;
  }

  async reset(): Promise<void> {
    this.#tokens = new Map();
  }

  async messengerDeployment(): Promise<MessengerSetup> {
    const deploymentId = this.#config.messengerDeploymentId;
    if (deploymentId === undefined) throw new Error('no Messenger deployment is configured');
    return { deploymentId, queueName: this.#config.queueName };
  }

  async webChatDeployment(): Promise<WebChatSetup> {
    const { webChatDeploymentId: deploymentId, organizationId, queueName } = this.#config;
    if (deploymentId === undefined || organizationId === undefined)
      throw new Error('no WebChat deployment is configured');
    return { organizationId, deploymentId, queueName };
  }

  async openIntegration(): Promise<void> {
    throw new Error('live verification configures no Open Messaging integration');
  }

  async platformClient(): Promise<void> {
    throw new Error('live verification configures no Platform API client');
  }

  /** Taken on trust: guest credentials cannot list queues, and the pact's name is made up to be absent. */
  async noQueueNamed(): Promise<void> {}

  guestToken(example: string): string {
    let token = this.#tokens.get(example);
    if (token === undefined) {
      token = randomUUID();
      this.#tokens.set(example, token);
    }
    return token;
  }

  async agentToken(): Promise<string> {
    if (this.#config.agentToken === undefined) throw new Error('no agent token is configured');
    return this.#config.agentToken;
  }

  async advanceClock(): Promise<void> {
    throw new Error("a real org's clock cannot be moved");
  }

  /** Real time: only ever a rate limit's retryAfter, a second or two. */
  pause(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.min(ms, MAX_PAUSE_MS)));
  }

  unsupported(state: StateKey): string | undefined {
    if (OPEN_MESSAGING_STATES.includes(state))
      return 'Open Messaging needs an integration whose webhook reaches the verifier, which live verification does not configure';
    if (NEEDS_AGENT.includes(state) && this.#config.agentToken === undefined)
      return 'it needs an agent: set GENESYS_AGENT_TOKEN to an access token of an agent on the queue';
    return OUT_OF_REACH[state];
  }
}
