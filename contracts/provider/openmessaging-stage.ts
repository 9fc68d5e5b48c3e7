import type { AgentPool } from './agents.ts';
import { type FrameLog, openFrameLog } from './wire/frame-log.ts';
import type { Offer } from './wire/platform-agent.ts';
import { type Delivery, WebhookReceiver } from './wire/webhook-receiver.ts';
import type { OpenIntegrationSetup, PlatformClientSetup, ProviderWorld } from './world.ts';

type Json = Record<string, unknown>;

interface Customer {
  conversationId: string;
  customerParticipantId: string;
  offer?: Offer;
}

/**
 * The Open Messaging side of one interaction: the integration's webhook (a receiver that keeps what
 * Genesys posts, with its signature), the Platform API client the bridge logs in with, the customers
 * started through the inbound API, and a notification channel on every queue's message conversations,
 * as the bridge follows them. Message providers pick the delivery or the frame Genesys really sent.
 */
export class OpenMessagingStage {
  readonly #world: ProviderWorld;
  readonly #agents: AgentPool;
  readonly #customers = new Map<string, Customer>();
  #receiver: WebhookReceiver | undefined;
  #integration: Omit<OpenIntegrationSetup, 'webhookUrl'> | undefined;
  #client: PlatformClientSetup | undefined;
  #token: string | undefined;
  #notifications: FrameLog | undefined;

  constructor(world: ProviderWorld, agents: AgentPool) {
    this.#world = world;
    this.#agents = agents;
  }

  /** The org-level OAuth client; answers its access token (the bridge's bearer token in the pact). */
  async client(setup: PlatformClientSetup): Promise<string> {
    this.#client = setup;
    await this.#world.platformClient(setup);
    return this.#login();
  }

  /** Loading the integration reloads the org, so a token from before is gone: answers a new one. */
  async integration(setup: Omit<OpenIntegrationSetup, 'webhookUrl'>): Promise<Record<string, string>> {
    this.#integration = { ...this.#integration, ...setup };
    this.#receiver ??= await WebhookReceiver.start();
    await this.#world.openIntegration({ ...this.#integration, webhookUrl: this.#receiver.url });
    return this.#client ? { accessToken: await this.#login() } : {};
  }

  async greeting(greeting: string): Promise<Record<string, string>> {
    if (!this.#integration) throw new Error('no Open Messaging integration state came before this one');
    return this.integration({ ...this.#integration, greeting });
  }

  /** The customer's first message through the inbound API (the agent's queue is routed by the flow). */
  async startCustomer(customerId: string): Promise<Record<string, string>> {
    const integration = this.#requireIntegration();
    await this.#listen();
    const answer = await this.#call(
      'POST',
      `/api/v2/conversations/messages/${integration.integrationId}/inbound/open/message?prefetchConversationId=true`,
      {
        channel: {
          messageId: `verifier-${customerId}`,
          from: { id: customerId, idType: 'Opaque', nickname: 'Verifier customer' },
          time: new Date().toISOString(),
        },
        text: 'Hello, I need help.',
      },
    );
    const conversationId = String(answer['conversationId']);
    const conversation = await this.#call('GET', `/api/v2/conversations/messages/${conversationId}`);
    const participants = (conversation['participants'] ?? []) as Json[];
    const customer = participants.find((p) => p['purpose'] === 'customer');
    const customerParticipantId = String(customer?.['id']);
    this.#customers.set(customerId, { conversationId, customerParticipantId });
    return { conversationId, customerParticipantId };
  }

  async agentAnswers(agentName: string, customerId: string): Promise<void> {
    const customer = this.#customer(customerId);
    const agent = await this.#agents.get(agentName);
    const from = agent.notifications.mark();
    await agent.goOnQueue();
    customer.offer = await agent.nextOffer('message', from, customer.conversationId);
    await agent.answer(customer.offer);
  }

  /** The agent writes; answers the Genesys message id the webhook delivered. */
  async agentSays(agentName: string, text: string, customerId: string): Promise<string> {
    const { agent, offer } = await this.#onConversation(agentName, customerId);
    await agent.say(offer, text);
    const delivery = await this.delivery(
      (b) => b['type'] === 'Text' && b['text'] === text,
      `the agent's "${text}"`,
    );
    return String((delivery['message'] as Json)['id']);
  }

  async agentTypes(agentName: string, customerId: string): Promise<void> {
    const { agent, offer } = await this.#onConversation(agentName, customerId);
    await agent.typing(offer);
    await this.delivery((b) => b['type'] === 'Event', 'agent typing');
  }

  async agentTransfers(agentName: string, customerId: string, queueName: string): Promise<void> {
    const { agent, offer } = await this.#onConversation(agentName, customerId);
    await agent.transferToQueue(offer, queueName);
  }

  async agentEnds(agentName: string, customerId: string): Promise<void> {
    const { agent, offer } = await this.#onConversation(agentName, customerId);
    await agent.end(offer);
  }

  /** A notification channel of the client, for the bridge's subscription request; and a queue id. */
  async channel(): Promise<Record<string, string>> {
    const channel = await this.#call('POST', '/api/v2/notifications/channels');
    const queues = await this.#call('GET', '/api/v2/routing/queues?pageSize=1');
    const queue = ((queues['entities'] ?? []) as Json[])[0];
    return { channelId: String(channel['id']), queueId: String(queue?.['id']) };
  }

  /** A delivery the webhook got, with its signature as the message's metadata. */
  async delivery(match: (body: Json) => boolean, description: string): Promise<Json> {
    if (!this.#receiver) throw new Error('no Open Messaging integration was set up for this interaction');
    const found: Delivery = await this.#receiver.waitFor((d) => match(d.body), description);
    return { __pactMessageMetadata: { 'X-Hub-Signature-256': found.signature }, message: found.body };
  }

  /** A queue notification frame about the interaction's conversation. */
  notified(match: (participants: Json[]) => boolean, description: string): Promise<Json> {
    if (!this.#notifications) throw new Error('no Open Messaging customer was started in this interaction');
    const ids = new Set([...this.#customers.values()].map((c) => c.conversationId));
    return this.#notifications.waitFor((frame) => {
      const body = frame['eventBody'] as Json | undefined;
      if (
        !String(frame['topicName'] ?? '').startsWith('v2.routing.queues.') ||
        !ids.has(String(body?.['id']))
      )
        return false;
      return match((body?.['participants'] ?? []) as Json[]);
    }, description);
  }

  async close(): Promise<void> {
    await this.#notifications?.close();
    await this.#receiver?.close();
  }

  /** Subscribes a channel of the client to every queue's message conversations, as the bridge does. */
  async #listen(): Promise<void> {
    if (this.#notifications) return;
    const channel = await this.#call('POST', '/api/v2/notifications/channels');
    this.#notifications = await openFrameLog(String(channel['connectUri']), 'queue notifications');
    const queues = await this.#call('GET', '/api/v2/routing/queues?pageSize=100');
    const topics = ((queues['entities'] ?? []) as Json[]).map((q) => ({
      id: `v2.routing.queues.${q['id']}.conversations.messages`,
    }));
    await this.#call('PUT', `/api/v2/notifications/channels/${channel['id']}/subscriptions`, topics);
  }

  async #login(): Promise<string> {
    const client = this.#client;
    if (!client) throw new Error('no Platform API client state came before this one');
    const response = await fetch(`${this.#world.apiBase}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Json;
    if (!response.ok) throw new Error(`the Platform API client's login answered ${response.status}`);
    this.#token = String(body['access_token']);
    return this.#token;
  }

  async #call(method: string, path: string, body?: unknown): Promise<Json> {
    if (!this.#token) throw new Error('no Platform API client state came before this one');
    const response = await fetch(`${this.#world.apiBase}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.#token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? {} : (JSON.parse(text) as Json);
  }

  #requireIntegration() {
    if (!this.#integration) throw new Error('no Open Messaging integration state came before this one');
    return this.#integration;
  }

  #customer(customerId: string): Customer {
    const customer = this.#customers.get(customerId);
    if (!customer)
      throw new Error(`Open Messaging customer ${customerId} was not started by an earlier state`);
    return customer;
  }

  async #onConversation(agentName: string, customerId: string) {
    const customer = this.#customer(customerId);
    if (!customer.offer) throw new Error(`agent ${agentName} has not answered customer ${customerId}`);
    return { agent: await this.#agents.get(agentName), offer: customer.offer };
  }
}
