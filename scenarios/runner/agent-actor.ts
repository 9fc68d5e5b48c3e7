import type { Fixture } from '../../emulator/config/fixture-schema.ts';
import { PlatformClient } from './platform-client.ts';
import { ExpectationFailed, type PlatformHosts } from './world.ts';

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
  readonly #api: PlatformClient;
  /** The leg the agent is working on (alerting or connected), most recent last. */
  legs: AgentLeg[] = [];

  constructor(
    readonly actor: string,
    readonly userId: string,
    readonly userName: string,
    hosts: PlatformHosts,
    client: { id: string; secret: string },
    private readonly log: (text: string, detail?: unknown) => void,
  ) {
    this.#api = new PlatformClient(actor, hosts, client);
  }

  static fromFixture(
    actor: string,
    userName: string,
    fixture: Fixture,
    hosts: PlatformHosts,
    log: AgentActor['log'],
  ) {
    const user = fixture.users.find((u) => u.name === userName);
    if (!user) throw new ExpectationFailed(`agent "${actor}": no user named "${userName}" in the fixture`);
    const client = fixture.clients.find((c) => c.user === user.id);
    if (!client)
      throw new ExpectationFailed(`agent "${actor}": no client bound to ${userName} in the fixture`);
    return new AgentActor(actor, user.id, user.name, hosts, client, log);
  }

  call(method: string, path: string, body?: unknown): Promise<unknown> {
    return this.#api.call(method, path, body);
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

  /**
   * Leaves the org as the run found it, as far as this agent goes: ends every conversation they still
   * hold, wraps each up and goes off queue. Best effort (a real org may insist on its own wrap-up
   * codes), so nothing here fails the run. Only a target that cannot be reset needs it.
   */
  async release(): Promise<void> {
    const quietly = (p: Promise<unknown>) =>
      p.then(
        () => true,
        () => false,
      );
    const list = await this.call('GET', '/api/v2/conversations').catch(() => ({ entities: [] }));
    const active: AgentLeg[] = [];
    for (const conversation of (list as { entities: { id: string; participants: WireParticipant[] }[] })
      .entities) {
      for (const p of conversation.participants) {
        const comm = p.messages?.[0] ?? p.chats?.[0];
        if (p.userId !== this.userId || p.purpose !== 'agent' || !comm) continue;
        if (comm.state !== 'alerting' && comm.state !== 'connected') continue;
        active.push({
          conversationId: conversation.id,
          participantId: p.id,
          communicationId: comm.id,
          media: p.chats?.length ? 'chat' : 'message',
        });
      }
    }
    const legs = [
      ...active,
      ...this.legs.filter((l) => !active.some((a) => a.participantId === l.participantId)),
    ];
    for (const leg of legs) {
      const path = `${this.#path(leg)}/participants/${leg.participantId}`;
      if (active.includes(leg)) await quietly(this.call('PATCH', path, { state: 'disconnected' }));
      await quietly(this.call('PATCH', path, { wrapup: { code: 'Scenario cleanup' } }));
    }
    const offQueue = await quietly(
      this.call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'OFF_QUEUE' }),
    );
    this.legs = [];
    this.log(
      `${this.actor} released: ${active.length} conversation(s) ended${offQueue ? ', off queue' : ''}`,
    );
  }
}
