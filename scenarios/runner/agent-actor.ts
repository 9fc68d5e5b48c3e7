import type { Fixture } from '../../emulator/config/fixture-schema.ts';
import { ExpectationFailed } from './world.ts';

export interface AgentLeg {
  conversationId: string;
  participantId: string;
  communicationId: string;
  media: 'message' | 'chat';
}

interface WireParticipant {
  id: string;
  userId?: string;
  purpose: string;
  messages?: { id: string; state: string }[];
  chats?: { id: string; state: string }[];
}

/**
 * A scripted agent: logs in with the client bound to their user and acts only through the public
 * platform API, as an agent desktop would.
 */
export class AgentActor {
  #token?: string;
  /** The leg the agent is working on (alerting or connected), most recent last. */
  legs: AgentLeg[] = [];

  constructor(
    readonly actor: string,
    readonly userId: string,
    readonly userName: string,
    private readonly baseUrl: string,
    private readonly client: { id: string; secret: string },
    private readonly log: (text: string, detail?: unknown) => void,
  ) {}

  static fromFixture(
    actor: string,
    userName: string,
    fixture: Fixture,
    baseUrl: string,
    log: AgentActor['log'],
  ) {
    const user = fixture.users.find((u) => u.name === userName);
    if (!user) throw new ExpectationFailed(`agent "${actor}": no user named "${userName}" in the fixture`);
    const client = fixture.clients.find((c) => c.user === user.id);
    if (!client)
      throw new ExpectationFailed(`agent "${actor}": no client bound to ${userName} in the fixture`);
    return new AgentActor(actor, user.id, user.name, baseUrl, client, log);
  }

  async call(method: string, path: string, body?: unknown): Promise<unknown> {
    if (!this.#token) await this.#login();
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed = text ? (JSON.parse(text) as unknown) : undefined;
    if (!res.ok) {
      const code = (parsed as { code?: string } | undefined)?.code ?? res.status;
      throw new ExpectationFailed(
        `${this.actor}: ${method} ${path} failed with ${res.status} ${code}`,
        parsed,
      );
    }
    return parsed;
  }

  async #login(): Promise<void> {
    const res = await fetch(`${this.baseUrl}/oauth/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${this.client.id}:${this.client.secret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'grant_type=client_credentials',
    });
    if (!res.ok) throw new ExpectationFailed(`${this.actor}: login failed with ${res.status}`);
    this.#token = ((await res.json()) as { access_token: string }).access_token;
  }

  setStatus(status: 'IDLE' | 'OFF_QUEUE') {
    this.log(`${this.actor} goes ${status === 'IDLE' ? 'on' : 'off'} queue`);
    return this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status });
  }

  async routingStatus(): Promise<string> {
    return ((await this.call('GET', `/api/v2/users/${this.userId}/routingstatus`)) as { status: string })
      .status;
  }

  /** The agent's alerting leg, from their list of active conversations, if there is one. */
  async findAlert(): Promise<AgentLeg | undefined> {
    const list = (await this.call('GET', '/api/v2/conversations')) as {
      entities: { id: string; participants: WireParticipant[] }[];
    };
    for (const conversation of list.entities) {
      for (const p of conversation.participants) {
        if (p.userId !== this.userId || p.purpose !== 'agent') continue;
        const comm = p.messages?.[0] ?? p.chats?.[0];
        if (comm?.state !== 'alerting') continue;
        const leg: AgentLeg = {
          conversationId: conversation.id,
          participantId: p.id,
          communicationId: comm.id,
          media: p.chats?.length ? 'chat' : 'message',
        };
        this.legs = [...this.legs.filter((l) => l.participantId !== leg.participantId), leg];
        return leg;
      }
    }
    return undefined;
  }

  current(): AgentLeg {
    const leg = this.legs.at(-1);
    if (!leg) throw new ExpectationFailed(`${this.actor} has no conversation (expect an alert first)`);
    return leg;
  }

  #path(leg: AgentLeg) {
    return `/api/v2/conversations/${leg.media === 'chat' ? 'chats' : 'messages'}/${leg.conversationId}`;
  }

  answer() {
    const leg = this.current();
    this.log(`${this.actor} answers`);
    return this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, { state: 'connected' });
  }

  say(text: string) {
    const leg = this.current();
    this.log(`${this.actor} says: ${text}`);
    const body = leg.media === 'chat' ? { body: text, bodyType: 'standard' } : { textBody: text };
    return this.call('POST', `${this.#path(leg)}/communications/${leg.communicationId}/messages`, body);
  }

  typing() {
    const leg = this.current();
    this.log(`${this.actor} types`);
    const body = leg.media === 'chat' ? undefined : { typing: { type: 'On' } };
    return this.call('POST', `${this.#path(leg)}/communications/${leg.communicationId}/typing`, body);
  }

  async transferToQueue(queueName: string) {
    const leg = this.current();
    this.log(`${this.actor} transfers to queue ${queueName}`);
    await this.call(
      'POST',
      `/api/v2/conversations/${leg.conversationId}/participants/${leg.participantId}/replace/queue`,
      {
        queueName,
      },
    );
    this.legs = this.legs.filter((l) => l !== leg);
  }

  async transferToAgent(other: AgentActor) {
    const leg = this.current();
    this.log(`${this.actor} transfers to ${other.actor}`);
    await this.call('POST', `${this.#path(leg)}/participants/${leg.participantId}/replace`, {
      userId: other.userId,
    });
    this.legs = this.legs.filter((l) => l !== leg);
  }

  disconnect() {
    const leg = this.current();
    this.log(`${this.actor} disconnects`);
    return this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, {
      state: 'disconnected',
    });
  }

  async wrapUp(code: string) {
    const leg = this.current();
    this.log(`${this.actor} wraps up (${code})`);
    await this.call('PATCH', `${this.#path(leg)}/participants/${leg.participantId}`, { wrapup: { code } });
    this.legs = this.legs.filter((l) => l !== leg);
  }
}
