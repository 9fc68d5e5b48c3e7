import type { StateKey } from '../states.ts';

/**
 * The Genesys a verification runs against, as the provider states and message providers need it. The
 * emulator world (emulator-world.ts) builds it through the control plane; the live world
 * (contracts/live/live-world.ts) maps it onto a real org from configuration. Everything else, the guests
 * and agents, goes through the public wire protocols and is shared.
 */
export interface MessengerSetup {
  deploymentId: string;
  queueName: string;
  greeting?: string;
}

export interface WebChatSetup {
  organizationId: string;
  deploymentId: string;
  queueName: string;
}

export interface OpenIntegrationSetup {
  integrationId: string;
  secret: string;
  queueName: string;
  /** Where Genesys posts the integration's deliveries (the verifier's receiver). */
  webhookUrl: string;
  greeting?: string;
}

export interface PlatformClientSetup {
  clientId: string;
  clientSecret: string;
}

export interface ProviderWorld {
  /** REST base: HTTP interactions and guest REST calls go here. */
  readonly apiBase: string;
  /** The Web Messaging guest socket, without query. */
  readonly webMessagingUrl: string;
  /** Origin header for guest connections, when the deployments restrict domains. */
  readonly origin?: string;
  /** A clean slate before each interaction. */
  reset(): Promise<void>;
  /** Makes (emulator) or names (live) the Messenger deployment of the state; returns what to use. */
  messengerDeployment(setup: MessengerSetup): Promise<MessengerSetup>;
  /** Makes (emulator) or names (live) the WebChat deployment of the state; returns what to use. */
  webChatDeployment(setup: WebChatSetup): Promise<WebChatSetup>;
  /** Makes (emulator) the Open Messaging integration of the state, its flow routing to the queue. */
  openIntegration(setup: OpenIntegrationSetup): Promise<void>;
  /** Makes (emulator) an org-level OAuth client with these credentials. */
  platformClient(setup: PlatformClientSetup): Promise<void>;
  /** Checks that the organization has no queue of this name. */
  noQueueNamed(organizationId: string, queueName: string): Promise<void>;
  /** The guest token to use for a token in a pact (live: unique per run, since real sessions persist). */
  guestToken(example: string): string;
  /** An access token that acts as this agent on the platform API. */
  agentToken(agentName: string): Promise<string>;
  /** Moves Genesys time forward at once (the emulator's manual clock): expiries, heartbeats. */
  advanceClock(ms: number): Promise<void>;
  /** Lets a short while pass for Genesys (a rate limit's retryAfter): the clock moved, or real time on a real org. */
  pause(ms: number): Promise<void>;
  /** Why this world cannot set up a state, or undefined when it can. */
  unsupported(state: StateKey): string | undefined;
}
