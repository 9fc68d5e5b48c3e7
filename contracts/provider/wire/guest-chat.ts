import { type FrameLog, openFrameLog } from './frame-log.ts';

type Json = Record<string, unknown>;

export interface ChatTarget {
  organizationId: string;
  deploymentId: string;
  queueName: string;
}

/**
 * A WebChat v2 guest written from the protocol (guest-protocols.md part 1): creates a chat over REST and
 * attaches its event stream, whose frames the provider states wait on and the message providers capture.
 */
export class GuestChat {
  private constructor(
    readonly conversationId: string,
    readonly memberId: string,
    readonly jwt: string,
    readonly stream: FrameLog,
  ) {}

  static async open(apiBase: string, target: ChatTarget, origin?: string): Promise<GuestChat> {
    const response = await fetch(`${apiBase}/api/v2/webchat/guest/conversations`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...(origin ? { Origin: origin } : {}) },
      body: JSON.stringify({
        organizationId: target.organizationId,
        deploymentId: target.deploymentId,
        routingTarget: { targetType: 'QUEUE', targetAddress: target.queueName },
        memberInfo: { displayName: 'Contract Verifier Guest' },
      }),
    });
    const body = (await response.json()) as Json;
    if (!response.ok)
      throw new Error(`creating a guest chat answered ${response.status}: ${JSON.stringify(body)}`);
    const memberId = String((body['member'] as Json)['id']);
    const stream = await openFrameLog(String(body['eventStreamUri']), 'guest chat stream');
    const chat = new GuestChat(String(body['id']), memberId, String(body['jwt']), stream);
    // Attaching the stream is what starts routing; the guest's own CONNECTED confirms it took.
    await chat.memberChange((id) => id === memberId, 'CONNECTED');
    return chat;
  }

  /** The first member-change frame for a member that matches, in this state. */
  memberChange(member: (id: string) => boolean, state: string, from = 0): Promise<Json> {
    return this.stream.waitFor(
      (frame) => {
        const body = (frame['eventBody'] ?? {}) as Json;
        const changed = (body['member'] ?? {}) as Json;
        return (
          (frame['metadata'] as Json | undefined)?.['type'] === 'member-change' &&
          changed['state'] === state &&
          member(String(changed['id']))
        );
      },
      `member-change ${state}`,
      from,
    );
  }

  /** The first frame of this metadata type whose sender is not the guest (agent output). */
  fromOthers(type: string, match: (body: Json) => boolean = () => true): Promise<Json> {
    return this.stream.waitFor((frame) => {
      const body = (frame['eventBody'] ?? {}) as Json;
      const sender = (body['sender'] ?? {}) as Json;
      return (
        (frame['metadata'] as Json | undefined)?.['type'] === type &&
        sender['id'] !== this.memberId &&
        match(body)
      );
    }, `a ${type} frame from someone else`);
  }

  /** The guest leaves the chat (DELETE of its member); a chat that is already over refuses, which is fine. */
  async leave(apiBase: string, origin?: string): Promise<void> {
    await fetch(
      `${apiBase}/api/v2/webchat/guest/conversations/${this.conversationId}/members/${this.memberId}`,
      {
        method: 'DELETE',
        headers: { Authorization: `Bearer ${this.jwt}`, ...(origin ? { Origin: origin } : {}) },
      },
    );
  }

  memberIdOf(frame: Json): string {
    return String(((frame['eventBody'] as Json)['member'] as Json)['id']);
  }

  close(): Promise<void> {
    return this.stream.close();
  }
}
