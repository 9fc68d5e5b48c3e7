import { type FrameLog, openFrameLog } from './frame-log.ts';

type Json = Record<string, unknown>;
export type Media = 'message' | 'chat';

/** An offer to this agent: the conversation, their participant, and the communication to act on. */
export interface Offer {
  media: Media;
  conversationId: string;
  participantId: string;
  communicationId: string;
}

/**
 * An agent on the public platform API, the way an agent desktop works: it signs in with an access token,
 * listens to its conversations over a notification channel, goes on queue, answers, writes, types,
 * transfers and disconnects. Nothing here is emulator-specific, so the same agent drives the emulator and,
 * in live verification, a real org.
 */
export class PlatformAgent {
  private constructor(
    readonly apiBase: string,
    readonly token: string,
    readonly userId: string,
    readonly notifications: FrameLog,
  ) {}

  static async signIn(apiBase: string, token: string, name: string): Promise<PlatformAgent> {
    const call = platformCall(apiBase, token);
    const me = await call('GET', '/api/v2/users/me');
    const userId = String(me['id']);
    const channel = await call('POST', '/api/v2/notifications/channels');
    await call('PUT', `/api/v2/notifications/channels/${channel['id']}/subscriptions`, [
      { id: `v2.users.${userId}.conversations` },
    ]);
    const notifications = await openFrameLog(String(channel['connectUri']), `notifications of ${name}`);
    return new PlatformAgent(apiBase, token, userId, notifications);
  }

  #call(method: string, path: string, body?: unknown): Promise<Json> {
    return platformCall(this.apiBase, this.token)(method, path, body);
  }

  async goOnQueue(): Promise<void> {
    await this.#call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'IDLE' });
  }

  async goOffQueue(): Promise<void> {
    await this.#call('PUT', `/api/v2/users/${this.userId}/routingstatus`, { status: 'OFF_QUEUE' });
  }

  /**
   * Waits for this agent's leg of a conversation of this media to be alerting: of this conversation when
   * the caller knows it (a WebChat guest does), so a leftover waiting in the queue is not mistaken for it.
   */
  async nextOffer(media: Media, from = 0, conversationId?: string): Promise<Offer> {
    const key = media === 'chat' ? 'chats' : 'messages';
    const mine = (frame: Json) => {
      const body = (frame['eventBody'] ?? {}) as Json;
      const participants = (body['participants'] ?? []) as Json[];
      return participants.filter((p) => p['userId'] === this.userId).at(-1);
    };
    const alerting = (frame: Json) => {
      if (conversationId !== undefined && (frame['eventBody'] as Json | undefined)?.['id'] !== conversationId)
        return false;
      const leg = mine(frame);
      const communications = (leg?.[key] ?? []) as Json[];
      return communications[0]?.['state'] === 'alerting';
    };
    const frame = await this.notifications.waitFor(alerting, `an alerting ${media} offer`, from);
    const leg = mine(frame)!;
    const communication = ((leg[key] ?? []) as Json[])[0]!;
    return {
      media,
      conversationId: String((frame['eventBody'] as Json)['id']),
      participantId: String(leg['id']),
      communicationId: String(communication['id']),
    };
  }

  async answer(offer: Offer): Promise<void> {
    await this.#call('PATCH', participantPath(offer), { state: 'connected' });
  }

  async say(offer: Offer, text: string): Promise<void> {
    const body = offer.media === 'chat' ? { body: text, bodyType: 'standard' } : { textBody: text };
    await this.#call('POST', `${communicationPath(offer)}/messages`, body);
  }

  async typing(offer: Offer): Promise<void> {
    const body = offer.media === 'chat' ? undefined : { typing: { type: 'On' } };
    await this.#call('POST', `${communicationPath(offer)}/typing`, body);
  }

  async end(offer: Offer): Promise<void> {
    await this.#call('PATCH', participantPath(offer), { state: 'disconnected' });
  }

  async transferToQueue(offer: Offer, queueName: string): Promise<void> {
    const queues = await this.#call('GET', `/api/v2/routing/queues?name=${encodeURIComponent(queueName)}`);
    const queue = ((queues['entities'] ?? []) as Json[]).find((q) => q['name'] === queueName);
    if (!queue) throw new Error(`no queue named ${queueName}`);
    await this.#call('POST', `${participantPath(offer)}/replace`, { queueId: queue['id'] });
  }

  close(): Promise<void> {
    return this.notifications.close();
  }
}

function mediaBase(offer: Offer): string {
  return `/api/v2/conversations/${offer.media === 'chat' ? 'chats' : 'messages'}/${offer.conversationId}`;
}

function participantPath(offer: Offer): string {
  return `${mediaBase(offer)}/participants/${offer.participantId}`;
}

function communicationPath(offer: Offer): string {
  return `${mediaBase(offer)}/communications/${offer.communicationId}`;
}

/** JSON over fetch with a bearer token; a non-2xx answer is an error naming the call. */
function platformCall(apiBase: string, token: string) {
  return async (method: string, path: string, body?: unknown): Promise<Json> => {
    const response = await fetch(`${apiBase}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
    return text === '' ? {} : (JSON.parse(text) as Json);
  };
}
