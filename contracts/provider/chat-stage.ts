import type { AgentPool } from './agents.ts';
import { GuestChat } from './wire/guest-chat.ts';
import type { Offer } from './wire/platform-agent.ts';
import type { ProviderWorld, WebChatSetup } from './world.ts';

type Json = Record<string, unknown>;

/** An agent on the chat: their offer and the member id the guest sees them as. */
interface ChatAgent {
  offer: Offer;
  memberId: string;
}

/**
 * The WebChat side of one interaction: provider states open a guest chat and move agents through it,
 * and message providers pick the stream frames that resulted.
 */
export class ChatStage {
  readonly #world: ProviderWorld;
  readonly #agents: AgentPool;
  readonly #onChat = new Map<string, ChatAgent>();
  #target: WebChatSetup | undefined;
  #chat: GuestChat | undefined;
  /** The stream position where the last transfer began: frames after it belong to the transfer. */
  #transferMark = 0;

  constructor(world: ProviderWorld, agents: AgentPool) {
    this.#world = world;
    this.#agents = agents;
  }

  async deployment(setup: WebChatSetup): Promise<WebChatSetup> {
    this.#target = await this.#world.webChatDeployment(setup);
    return this.#target;
  }

  noQueueNamed(organizationId: string, queueName: string): Promise<void> {
    return this.#world.noQueueNamed(organizationId, queueName);
  }

  async open(): Promise<{ conversationId: string; memberId: string; jwt: string }> {
    if (!this.#target) throw new Error('no WebChat deployment state came before this one');
    this.#chat = await GuestChat.open(this.#world.apiBase, this.#target, this.#world.origin);
    const { conversationId, memberId, jwt } = this.#chat;
    return { conversationId, memberId, jwt };
  }

  async agentAvailable(agentName: string): Promise<void> {
    await (await this.#agents.get(agentName)).goOnQueue();
  }

  /** The agent goes on queue, is offered the chat and answers; returns the member id the guest sees. */
  async agentJoins(agentName: string): Promise<string> {
    const chat = this.#requireChat();
    const agent = await this.#agents.get(agentName);
    const offered = agent.notifications.mark();
    await agent.goOnQueue();
    const offer = await agent.nextOffer('chat', offered, chat.conversationId);
    const answered = chat.stream.mark();
    await agent.answer(offer);
    const frame = await chat.memberChange((id) => id !== chat.memberId, 'CONNECTED', answered);
    const memberId = chat.memberIdOf(frame);
    this.#onChat.set(agentName, { offer, memberId });
    return memberId;
  }

  async agentSays(agentName: string, text: string): Promise<void> {
    const { agent, offer, chat } = await this.#agentOnChat(agentName);
    await agent.say(offer, text);
    await chat.fromOthers('message', (body) => body['body'] === text);
  }

  async agentTypes(agentName: string): Promise<void> {
    const { agent, offer, chat } = await this.#agentOnChat(agentName);
    await agent.typing(offer);
    await chat.fromOthers('typing-indicator');
  }

  async agentEnds(agentName: string): Promise<void> {
    const { agent, offer, chat } = await this.#agentOnChat(agentName);
    await agent.end(offer);
    await chat.memberChange((id) => id === chat.memberId, 'DISCONNECTED');
  }

  async agentTransfers(agentName: string, queueName: string): Promise<void> {
    const { agent, offer, chat, memberId } = await this.#agentOnChat(agentName);
    this.#transferMark = chat.stream.mark();
    await agent.transferToQueue(offer, queueName);
    await chat.memberChange((id) => id === memberId, 'DISCONNECTED', this.#transferMark);
  }

  async quiet(seconds: number): Promise<void> {
    this.#requireChat();
    await this.#world.advanceClock(seconds * 1000);
    await this.heartbeat();
  }

  // ── frames for the message providers ───────────────────────────────────────────────────────────

  /** member-change of the first agent who joined, in this state. */
  firstAgentChange(state: string): Promise<Json> {
    const chat = this.#requireChat();
    const [first] = this.#onChat.values();
    if (!first) throw new Error('no agent joined the chat in this interaction');
    return chat.memberChange((id) => id === first.memberId, state);
  }

  /** member-change ALERTING of someone new after the transfer: the next agent being offered the chat. */
  nextAgentAlerting(): Promise<Json> {
    const chat = this.#requireChat();
    const known = new Set([chat.memberId, ...[...this.#onChat.values()].map((a) => a.memberId)]);
    return chat.memberChange((id) => !known.has(id), 'ALERTING', this.#transferMark);
  }

  guestChange(state: string): Promise<Json> {
    const chat = this.#requireChat();
    return chat.memberChange((id) => id === chat.memberId, state);
  }

  fromAgent(type: string): Promise<Json> {
    return this.#requireChat().fromOthers(
      type,
      (body) => type !== 'message' || body['bodyType'] === 'standard',
    );
  }

  heartbeat(): Promise<Json> {
    return this.#requireChat().stream.waitFor((f) => f['topicName'] === 'channel.metadata', 'a heartbeat');
  }

  /** The guest leaves before the stream closes, so a real org keeps no chat open after the interaction. */
  async close(): Promise<void> {
    await this.#chat?.leave(this.#world.apiBase, this.#world.origin).catch(() => undefined);
    await this.#chat?.close();
  }

  #requireChat(): GuestChat {
    if (!this.#chat) throw new Error('no guest chat state came before this one');
    return this.#chat;
  }

  async #agentOnChat(agentName: string) {
    const onChat = this.#onChat.get(agentName);
    if (!onChat) throw new Error(`agent ${agentName} has not joined the guest chat`);
    return { ...onChat, agent: await this.#agents.get(agentName), chat: this.#requireChat() };
  }
}
