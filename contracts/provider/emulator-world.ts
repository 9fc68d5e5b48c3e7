import type { Fixture, FixtureInput } from '../../emulator/index.ts';
import type {
  MessengerSetup,
  OpenIntegrationSetup,
  PlatformClientSetup,
  ProviderWorld,
  WebChatSetup,
} from './world.ts';

type Json = Record<string, unknown>;

const FLOW_NAME = 'Contract Message Flow';
const OPEN_FLOW_NAME = 'Contract Open Messaging Flow';

/**
 * The emulator as the provider: a listening emulator driven through its control plane only. Deployment
 * states load a fixture built from the emulator's own default org, with the deployments, organization and
 * queue the pact names, so the pact's example ids are real here; `reset` returns to it before each
 * interaction; the manual clock is the control plane's.
 */
export class EmulatorWorld implements ProviderWorld {
  readonly apiBase: string;
  readonly webMessagingUrl: string;
  #base: Fixture | undefined;
  #messenger: MessengerSetup | undefined;
  #webChat: WebChatSetup | undefined;
  #open: OpenIntegrationSetup | undefined;
  #client: PlatformClientSetup | undefined;

  constructor(baseUrl: string) {
    this.apiBase = baseUrl;
    this.webMessagingUrl = `${baseUrl.replace(/^http/, 'ws')}/v1`;
  }

  async reset(): Promise<void> {
    this.#base ??= (await this.#control('GET', '/__emulator/fixture')) as Fixture;
    this.#messenger = undefined;
    this.#webChat = undefined;
    this.#open = undefined;
    this.#client = undefined;
    await this.#control('POST', '/__emulator/fixture', this.#base);
  }

  async messengerDeployment(setup: MessengerSetup): Promise<MessengerSetup> {
    this.#messenger = { ...this.#messenger, ...setup };
    await this.#load();
    return this.#messenger;
  }

  async webChatDeployment(setup: WebChatSetup): Promise<WebChatSetup> {
    this.#webChat = setup;
    await this.#load();
    return setup;
  }

  async openIntegration(setup: OpenIntegrationSetup): Promise<void> {
    this.#open = setup;
    await this.#load();
  }

  async platformClient(setup: PlatformClientSetup): Promise<void> {
    this.#client = setup;
    await this.#load();
  }

  async noQueueNamed(_organizationId: string, queueName: string): Promise<void> {
    const fixture = (await this.#control('GET', '/__emulator/fixture')) as Fixture;
    if (fixture.queues.some((q) => q.name.toLowerCase() === queueName.toLowerCase()))
      throw new Error(`the emulator's fixture has a queue named ${queueName}`);
  }

  guestToken(example: string): string {
    return example;
  }

  async agentToken(agentName: string): Promise<string> {
    const fixture = (await this.#control('GET', '/__emulator/fixture')) as Fixture;
    const user = fixture.users.find((u) => u.name === agentName);
    const client = user && fixture.clients.find((c) => c.user === user.id);
    if (!client)
      throw new Error(`the emulator's fixture has no agent named ${agentName} with a login client`);
    const response = await fetch(`${this.apiBase}/oauth/token`, {
      method: 'POST',
      headers: {
        Authorization: `Basic ${Buffer.from(`${client.id}:${client.secret}`).toString('base64')}`,
        'Content-Type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    const body = (await response.json()) as Json;
    if (!response.ok) throw new Error(`agent login for ${agentName} answered ${response.status}`);
    return String(body['access_token']);
  }

  async advanceClock(ms: number): Promise<void> {
    await this.#control('POST', '/__emulator/clock/advance', { ms });
  }

  pause(ms: number): Promise<void> {
    return this.advanceClock(ms);
  }

  unsupported(): string | undefined {
    return undefined;
  }

  /** Loads the base org with the deployments the states so far asked for. */
  async #load(): Promise<void> {
    const base = this.#base;
    if (!base) throw new Error('reset() loads the base fixture first');
    const queues: FixtureInput['queues'] = [...base.queues];
    for (const name of [this.#messenger?.queueName, this.#webChat?.queueName, this.#open?.queueName]) {
      if (name !== undefined && !queues.some((q) => q.name.toLowerCase() === name.toLowerCase()))
        queues.push({ id: `contract-queue-${queues.length}`, name });
    }
    const fixture: FixtureInput = { ...structuredClone(base), queues };
    if (this.#webChat) {
      fixture.org = { ...base.org, id: this.#webChat.organizationId };
      fixture.deployments = {
        ...base.deployments,
        webchat: [{ id: this.#webChat.deploymentId, name: 'Contract WebChat', allowedDomains: [] }],
      };
    }
    if (this.#messenger) {
      fixture.flows = [
        ...base.flows,
        { name: FLOW_NAME, type: 'inboundShortMessage', yaml: messageFlow(this.#messenger, FLOW_NAME) },
      ];
      fixture.deployments = {
        webchat: fixture.deployments?.webchat ?? base.deployments.webchat,
        messenger: [
          {
            id: this.#messenger.deploymentId,
            name: 'Contract Messenger',
            flow: FLOW_NAME,
            allowAllDomains: true,
            conversationDisconnect: { enabled: true, type: 'ReadOnly' },
          },
        ],
      };
    }
    if (this.#client) {
      fixture.clients = [
        ...base.clients,
        {
          id: this.#client.clientId,
          secret: this.#client.clientSecret,
          name: 'Contract Platform API client',
        },
      ];
    }
    if (this.#open) {
      const open = this.#open;
      fixture.flows = [
        ...(fixture.flows ?? base.flows),
        { name: OPEN_FLOW_NAME, type: 'inboundShortMessage', yaml: messageFlow(open, OPEN_FLOW_NAME) },
      ];
      fixture.openMessaging = [
        {
          id: open.integrationId,
          name: 'Contract Open Messaging',
          webhookUrl: open.webhookUrl,
          secret: open.secret,
          flow: OPEN_FLOW_NAME,
        },
      ];
    }
    await this.#control('POST', '/__emulator/fixture', fixture);
  }

  async #control(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.apiBase}${path}`, {
      method,
      ...(body === undefined
        ? {}
        : { headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`control plane ${method} ${path} answered ${response.status}: ${text}`);
    return JSON.parse(text);
  }
}

/** An inbound message flow that greets (when asked to) and transfers to the queue. JSON strings are YAML. */
function messageFlow(setup: { queueName: string; greeting?: string }, flowName: string): string {
  const greet =
    setup.greeting === undefined
      ? ''
      : `
          - sendResponse:
              name: Greet
              messageBody:
                lit: ${JSON.stringify(setup.greeting)}`;
  return `
inboundShortMessage:
  name: ${flowName}
  startUpRef: "/inboundShortMessage/states/state[start]"
  states:
    - state:
        name: Start
        refId: start
        actions:${greet}
          - transferToAcd:
              name: To the queue
              targetQueue:
                lit:
                  name: ${JSON.stringify(setup.queueName)}
              priority:
                lit: 0
          - disconnect:
              name: Disconnect
`;
}
