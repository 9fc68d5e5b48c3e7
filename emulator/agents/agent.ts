import { PlatformClient, type PlatformHosts } from './platform-client.ts';

/** One agent leg: the participant the agent is (alerting or connected) in one conversation. */
export interface AgentLeg {
  conversationId: string;
  participantId: string;
  /** The communication the agent sends on (participants[].messages[].id / chats[].id). */
  communicationId: string;
  media: 'message' | 'chat';
}

/** How an agent waits: on an emulator, its clock decides (see the handle's waitUntil). */
export interface AgentWaits {
  waitFor<T>(what: string, withinMs: number, check: () => T | undefined | Promise<T | undefined>): Promise<T>;
}

export interface AgentOptions {
  userId: string;
  /** The user's name in the org. */
  name: string;
  /** An OAuth client bound to the user (client credentials act as that user). */
  client: { id: string; secret: string };
  hosts: PlatformHosts;
  waits: AgentWaits;
  /** How messages name the agent (a scenario's actor name); the user's name by default. */
  label?: string;
  /** Called with a line for each action (a scenario transcript). */
  log?: (text: string, detail?: unknown) => void;
  /** Another agent's user id by their name, for transferToAgent(name). */
  userIdOf?: (name: string) => string | undefined;
  /** `within` of the waits when a call gives none, ms (10 s). */
  defaultWithinMs?: number;
}

export interface Within {
  /** How long to wait, ms of emulator time on a manual clock (real time otherwise). */
  within?: number;
}

interface WireParticipant {
  id: string;
  userId?: string;
  purpose: string;
  attributes?: Record<string, string>;
  messages?: { id: string; state: string; messages?: { messageId: string }[] }[];
  chats?: { id: string; state: string }[];
}
interface WireConversation {
  id: string;
  participants: WireParticipant[];
}

/**
 * An agent as code: logs in with the client bound to their user and acts only through the public
 * platform API, as an agent desktop does, so the same agent drives an emulator or a real org. It keeps
 * the legs it was offered; actions apply to the most recent one.
 */
export class Agent {
  readonly userId: string;
  readonly name: string;
  readonly label: string;
  /** The legs the agent is working on (alerting or connected), most recent last. */
  legs: AgentLeg[] = [];
  readonly #api: PlatformClient;
  readonly #options: AgentOptions;
  /** Alerts already handed out by nextAlert(), so the next call waits for a new one. */
  readonly #offered = new Set<string>();
  /** Customer messages already handed out by received(), per conversation. */
  readonly #seen = new Map<string, Set<string>>();

  constructor(options: AgentOptions) {
    this.#options = options;
    this.userId = options.userId;
    this.name = options.name;
    this.label = options.label ?? options.name;
    this.#api = new PlatformClient(this.label, options.hosts, options.client);
  }

  #log(text: string, detail?: unknown): void {
    this.#options.log?.(`${this.label} ${text}`, detail);
  }

  #within(w: Within | undefined): number {
    return w?.within ?? this.#options.defaultWithinMs ?? 10_000;
  }

  /** Any platform API call as this agent (path from /api/v2). */
  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.#api.call(method, path, body);
  }

  goOnQueue(): Promise<unknown> {
    this.#log('goes on queue');
    return this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'IDLE' });
  }

  goOffQueue(): Promise<unknown> {
    this.#log('goes off queue');
    return this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'OFF_QUEUE' });
  }

  async routingStatus(): Promise<string> {
    const body = (await this.call('GET', `/api/v2/users/${this.userId}/routingstatus`)) as { status: string };
    return body.status;
  }

  /** The agent's alerting leg, from their list of active conversations, if there is one now. */
  async findAlert(): Promise<AgentLeg | undefined> {
    return (await this.#alerts())[0];
  }

  /** Waits for an alert this agent has not been handed before and makes it the current leg. */
  async nextAlert(w?: Within): Promise<AgentLeg> {
    const leg = await this.#options.waits.waitFor(`an alert for ${this.label}`, this.#within(w), async () =>
      (await this.#alerts()).find((l) => !this.#offered.has(l.participantId)),
    );
    this.#offered.add(leg.participantId);
    // The leg handed out is the one answer() and the other actions apply to, even when several alerts
    // are open at once (listing them puts the last one listed at the end).
    this.legs = [...this.legs.filter((l) => l.participantId !== leg.participantId), leg];
    return leg;
  }

  async #alerts(): Promise<AgentLeg[]> {
    const list = (await this.call('GET', '/api/v2/conversations')) as { entities: WireConversation[] };
    const found: AgentLeg[] = [];
    for (const conversation of list.entities) {
      const leg = this.#legIn(conversation, (state) => state === 'alerting');
      if (!leg) continue;
      this.legs = [...this.legs.filter((l) => l.participantId !== leg.participantId), leg];
      found.push(leg);
    }
    return found;
  }

  #legIn(conversation: WireConversation, wanted: (state: string) => boolean): AgentLeg | undefined {
    for (const p of conversation.participants) {
      if (p.userId !== this.userId || p.purpose !== 'agent') continue;
      const comm = p.messages?.[0] ?? p.chats?.[0];
      if (!comm || !wanted(comm.state)) continue;
      return {
        conversationId: conversation.id,
        participantId: p.id,
        communicationId: comm.id,
        media: p.chats?.length ? 'chat' : 'message',
      };
    }
    return undefined;
  }

  /** The leg actions apply to: the most recent one. */
  current(): AgentLeg {
    const leg = this.legs.at(-1);
    if (!leg) throw new Error(`${this.label} has no conversation (wait for an alert first)`);
    return leg;
  }

  #path(leg: AgentLeg): string {
    return `/api/v2/conversations/${leg.media === 'chat' ? 'chats' : 'messages'}/${leg.conversationId}`;
  }

  answer(): Promise<unknown> {
    const leg = this.current();
    this.#log('answers');
    return this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, { state: 'connected' });
  }

  say(text: string): Promise<unknown> {
    const leg = this.current();
    this.#log(`says: ${text}`);
    const body = leg.media === 'chat' ? { body: text, bodyType: 'standard' } : { textBody: text };
    return this.call('POST', `${this.#path(leg)}/communications/${leg.communicationId}/messages`, body);
  }

  typing(): Promise<unknown> {
    const leg = this.current();
    this.#log('types');
    const body = leg.media === 'chat' ? undefined : { typing: { type: 'On' } };
    return this.call('POST', `${this.#path(leg)}/communications/${leg.communicationId}/typing`, body);
  }

  /** Blind transfer to a queue by name; the customer stays connected. */
  async transferToQueue(queueName: string): Promise<void> {
    const leg = this.current();
    this.#log(`transfers to queue ${queueName}`);
    await this.call(
      'POST',
      `/api/v2/conversations/${leg.conversationId}/participants/${leg.participantId}/replace/queue`,
      { queueName },
    );
    this.legs = this.legs.filter((l) => l !== leg);
  }

  /** Blind transfer to another agent (an Agent, or a user's name). */
  async transferToAgent(to: Agent | string): Promise<void> {
    const leg = this.current();
    const name = typeof to === 'string' ? to : to.name;
    const userId = typeof to === 'string' ? this.#options.userIdOf?.(to) : to.userId;
    this.#log(`transfers to ${typeof to === 'string' ? to : to.label}`);
    // Without a directory the transfer names the user; Genesys's TransferRequest takes either.
    await this.call(
      'POST',
      `${this.#path(leg)}/participants/${leg.participantId}/replace`,
      userId === undefined ? { userName: name } : { userId },
    );
    this.legs = this.legs.filter((l) => l !== leg);
  }

  disconnect(): Promise<unknown> {
    const leg = this.current();
    this.#log('disconnects');
    return this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, {
      state: 'disconnected',
    });
  }

  /**
   * Wraps up the current leg. Genesys's wrap-up `code` is a wrap-up code id; this takes an id or a code's
   * name (what a person, a scenario or a test writes), looked up among the codes Genesys offers for the
   * participant (GET .../participants/{id}/wrapupcodes), by name regardless of case. Without one, the
   * first code offered. A name no offered code has is sent as given, so Genesys's refusal says why.
   */
  async wrapUp(codeOrName?: string, notes?: string): Promise<void> {
    const leg = this.current();
    const chosen = await this.#wrapupCode(leg, codeOrName);
    this.#log(`wraps up (${codeOrName ?? chosen})`);
    await this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, {
      wrapup: { code: chosen, ...(notes === undefined ? {} : { notes }) },
    });
    this.legs = this.legs.filter((l) => l !== leg);
  }

  async #wrapupCode(leg: AgentLeg, codeOrName: string | undefined): Promise<string> {
    const codes = (await this.#api.find(
      `${this.#path(leg)}/participants/${leg.participantId}/wrapupcodes`,
    )) as { id: string; name?: string }[] | undefined;
    const offered = Array.isArray(codes) ? codes : [];
    if (codeOrName === undefined) {
      const first = offered[0]?.id;
      if (first === undefined)
        throw new Error(
          `${this.label}: no wrap-up code is offered for this conversation; give one to wrapUp()`,
        );
      return first;
    }
    const folded = codeOrName.toLowerCase();
    return (
      offered.find((c) => c.id === codeOrName)?.id ??
      offered.find((c) => c.name?.toLowerCase() === folded)?.id ??
      codeOrName
    );
  }

  /** The customer's Participant Data in the current conversation. */
  async participantData(): Promise<Record<string, string>> {
    const conversation = (await this.call(
      'GET',
      `/api/v2/conversations/${this.current().conversationId}`,
    )) as WireConversation;
    return { ...conversation.participants.find((p) => p.purpose === 'customer')?.attributes };
  }

  /**
   * Waits until the customer has sent messages in the current conversation that this call has not
   * returned before, and returns their texts in order.
   */
  async received(w?: Within): Promise<string[]> {
    const leg = this.current();
    let seen = this.#seen.get(leg.conversationId);
    if (!seen) {
      seen = new Set();
      this.#seen.set(leg.conversationId, seen);
    }
    const already = seen;
    const fresh = await this.#options.waits.waitFor(
      `a customer message for ${this.label}`,
      this.#within(w),
      async () => {
        const all = await this.#customerMessages(leg);
        const unseen = all.filter((m) => !already.has(m.id));
        return unseen.length ? unseen : undefined;
      },
    );
    for (const m of fresh) already.add(m.id);
    return fresh.map((m) => m.text);
  }

  /** The customer's messages, oldest first, through the agent-side API of the conversation's media. */
  async #customerMessages(leg: AgentLeg): Promise<{ id: string; text: string }[]> {
    const conversation = (await this.call(
      'GET',
      `/api/v2/conversations/${leg.conversationId}`,
    )) as WireConversation;
    const customer = conversation.participants.find((p) => p.purpose === 'customer');
    if (!customer) return [];
    if (leg.media === 'chat') {
      // The chat's messages come in pages (at most 100); read on from the last one seen.
      const out: { id: string; text: string }[] = [];
      const after = this.#chatCursor.get(leg.conversationId);
      let next: string | undefined =
        `${this.#path(leg)}/messages${after === undefined ? '' : `?after=${encodeURIComponent(after)}`}`;
      while (next !== undefined) {
        const page = (await this.call('GET', next)) as {
          entities: { id: string; body: string; sender?: { id: string } }[];
          next?: string;
        };
        for (const m of page.entities) {
          this.#chatCursor.set(leg.conversationId, m.id);
          if (m.sender?.id === customer.id) out.push({ id: m.id, text: m.body });
        }
        next = page.next;
      }
      return out;
    }
    const ids = (customer.messages ?? []).flatMap((c) => (c.messages ?? []).map((m) => m.messageId));
    const out: { id: string; text: string }[] = [];
    for (const id of ids) {
      const cached = this.#texts.get(id);
      if (cached !== undefined) {
        out.push({ id, text: cached });
        continue;
      }
      const m = (await this.call('GET', `${this.#path(leg)}/messages/${id}`)) as { textBody?: string };
      this.#texts.set(id, m.textBody ?? '');
      out.push({ id, text: m.textBody ?? '' });
    }
    return out;
  }

  /** Message texts already read (a message's text never changes). */
  readonly #texts = new Map<string, string>();
  /** Per chat conversation, the last message read from its paged message list. */
  readonly #chatCursor = new Map<string, string>();

  /**
   * Leaves the org as the run found it, as far as this agent goes: ends every conversation they still
   * hold, wraps each up and goes off queue. Best effort (a real org may insist on its own wrap-up
   * codes), so nothing here throws. Only a target that cannot be reset needs it.
   */
  async release(wrapupCode = 'Scenario cleanup'): Promise<void> {
    const quietly = (p: Promise<unknown>) =>
      p.then(
        () => true,
        () => false,
      );
    const list = (await this.call('GET', '/api/v2/conversations').catch(() => ({ entities: [] }))) as {
      entities: WireConversation[];
    };
    const active = list.entities.flatMap((c) => {
      const leg = this.#legIn(c, (state) => state === 'alerting' || state === 'connected');
      return leg ? [leg] : [];
    });
    const legs = [
      ...active,
      ...this.legs.filter((l) => !active.some((a) => a.participantId === l.participantId)),
    ];
    for (const leg of legs) {
      const path = `${this.#path(leg)}/participants/${leg.participantId}`;
      if (active.includes(leg)) await quietly(this.call('PATCH', path, { state: 'disconnected' }));
      // The cleanup code (by name or id) if the org offers it, else the first code offered for the leg.
      const code = await this.#wrapupCode(leg, wrapupCode).catch(() => wrapupCode);
      const done = await quietly(this.call('PATCH', path, { wrapup: { code } }));
      if (!done)
        await quietly(
          this.#wrapupCode(leg, undefined).then((first) =>
            this.call('PATCH', path, { wrapup: { code: first } }),
          ),
        );
    }
    const offQueue = await quietly(
      this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'OFF_QUEUE' }),
    );
    this.legs = [];
    this.#log(`released: ${active.length} conversation(s) ended${offQueue ? ', off queue' : ''}`);
  }
}
