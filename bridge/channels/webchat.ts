import type { Clock, TimerHandle } from '../clock.ts';
import { type BridgeFailure, bridgeError, failure, toBridgeError } from '../errors.ts';
import {
  type FetchLike,
  HttpClient,
  type HttpRequest,
  type HttpResponse,
  retryAfterMs,
} from '../http/http-client.ts';
import type {
  AdapterContext,
  AdapterOpenRequest,
  AdapterOpenResult,
  ChannelAdapter,
  ChannelAdapterFactory,
  HistoryCatchUp,
  OutboundText,
  ProviderMessage,
  SendResult,
} from '../session/channel-adapter.ts';
import type { AgentInfo } from '../types.ts';
import { Reconnector } from './reconnector.ts';
import { type GuestSocket, type SocketFactory, wsSocketFactory } from './socket.ts';
import {
  type ChatMessageEvent,
  type CreatedChat,
  type MemberInfo,
  parseChatMessage,
  parseCreatedChat,
  parseEntities,
  parseMember,
  parseStreamEvent,
  type StreamEvent,
  webChatFailure,
} from './webchat-protocol.ts';

/**
 * The legacy WebChat v2 guest adapter (guest-protocols.md part 1; Genesys has retired this API, the
 * configuration warns about it). One adapter = one guest chat:
 *
 * - open: `POST {api}/api/v2/webchat/guest/conversations` with organizationId, deploymentId,
 *   routingTarget {targetType:"QUEUE", targetAddress: queue}, memberInfo {displayName, …, customFields =
 *   metadata}; then a WebSocket to the returned eventStreamUri (routing starts only once it is attached).
 * - send: `POST …/members/{guest}/messages {body, bodyType:"standard"}`; typing: `POST …/members/{guest}/typing`
 *   (no body); both with `Authorization: Bearer <jwt>`. Only 429s are retried: a POST that failed otherwise
 *   may have been applied.
 * - stream: member-change (roles looked up with `GET …/members/{id}`), message (own echoes skipped),
 *   typing-indicator. An agent DISCONNECTED is a transfer unless the guest is disconnected within
 *   webChat.agentLeftGraceMs; an ALERTING/CONNECTED agent during that grace is a transfer at once.
 * - reconnect: the same eventStreamUri with backoff, then members are re-read to catch up presence and the
 *   session pulls missed messages with `GET …/messages?after=<last id>&sortOrder=ascending&maxResults=100`.
 * - close: `end` = `DELETE …/members/{guest}` (idempotent, retried); `detach` only closes the stream.
 */
export interface WebChatDeps {
  socketFactory?: SocketFactory;
  fetch?: FetchLike;
  random?: () => number;
}

export function webChatAdapter(deps: WebChatDeps = {}): ChannelAdapterFactory {
  return (context) => new WebChatAdapter(context, deps);
}

/** WebChat typing has no duration; IBM's Genesys integration honours it for about 4 s. */
const AGENT_TYPING_MS = 4000;

export class WebChatAdapter implements ChannelAdapter {
  readonly channel = 'webChat' as const;
  readonly metadataPlacement = 'open' as const;
  readonly agentPresence = 'observed' as const;

  readonly #context: AdapterContext;
  readonly #clock: Clock;
  readonly #http: HttpClient;
  readonly #socketFactory: SocketFactory;
  readonly #reconnector: Reconnector;
  readonly #members = new Map<string, MemberInfo>();
  #chat: CreatedChat | undefined;
  #socket: GuestSocket | undefined;
  #connection = 0;
  #opened = false;
  #closed = false;
  #terminal = false;
  #agent: MemberInfo | undefined;
  #leaving: { agent: MemberInfo; timer: TimerHandle | undefined } | undefined;
  #transferSignalled = false;
  #lastMessageId: string | undefined;
  /** Stream events are handled one at a time, in arrival order, even when a member lookup awaits. */
  #chain: Promise<void> = Promise.resolve();

  constructor(context: AdapterContext, deps: WebChatDeps) {
    this.#context = context;
    this.#clock = context.clock;
    const random = deps.random ?? Math.random;
    this.#http = new HttpClient({ fetch: deps.fetch ?? fetch, clock: context.clock, random });
    this.#socketFactory = deps.socketFactory ?? wsSocketFactory;
    const timeouts = context.config.settings.timeouts;
    this.#reconnector = new Reconnector(
      context.clock,
      timeouts,
      random,
      () => this.#connectStream().then(() => this.#resumed()),
      () =>
        this.#reportEnd({
          reason: 'error',
          by: 'system',
          error: bridgeError(
            'RECONNECT_EXHAUSTED',
            `could not reopen the WebChat event stream within ${timeouts.reconnectWindowMs} ms`,
          ),
        }),
    );
  }

  async open(request: AdapterOpenRequest): Promise<AdapterOpenResult> {
    const { settings, hosts } = this.#context.config;
    const { customer } = request;
    const name = [customer.firstName, customer.lastName].filter(Boolean).join(' ');
    const memberInfo = {
      displayName: customer.displayName ?? (name || customer.id),
      ...(customer.firstName ? { firstName: customer.firstName } : {}),
      ...(customer.lastName ? { lastName: customer.lastName } : {}),
      ...(customer.email ? { email: customer.email } : {}),
      ...(customer.phone ? { phoneNumber: customer.phone } : {}),
      ...(Object.keys(request.attributes).length > 0 ? { customFields: request.attributes } : {}),
    };
    const response = await this.#call(
      {
        method: 'POST',
        url: `${hosts.apiBase}/api/v2/webchat/guest/conversations`,
        body: {
          organizationId: settings.organizationId,
          deploymentId: settings.deploymentId,
          routingTarget: { targetType: 'QUEUE', targetAddress: request.queueName },
          memberInfo,
        },
        retry: 'refusalsOnly',
      },
      'create',
    );
    const chat = parseCreatedChat(response.body);
    if (!chat)
      throw failure(
        'PROVIDER_UNAVAILABLE',
        'Genesys answered the chat creation without id, member, jwt or eventStreamUri',
      );
    this.#chat = chat;
    try {
      await this.#connectStream();
    } catch (thrown) {
      // Without the stream the chat never routes; leave it rather than strand a guest in Genesys.
      await this.#leave().catch(() => {});
      throw thrown;
    }
    this.#opened = true;
    return { conversationId: chat.conversationId };
  }

  async sendMessage(message: OutboundText): Promise<SendResult> {
    const response = await this.#memberCall('POST', '/messages', {
      body: message.text,
      bodyType: 'standard',
    });
    const id =
      typeof response.body === 'object' && response.body !== null
        ? (response.body as Record<string, unknown>)['id']
        : undefined;
    return typeof id === 'string' ? { providerMessageId: id } : {};
  }

  async sendTyping(): Promise<void> {
    await this.#memberCall('POST', '/typing', undefined);
  }

  async close(mode: 'end' | 'detach'): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#reconnector.stop();
    this.#clock.clearTimeout(this.#leaving?.timer);
    this.#leaving = undefined;
    if (mode === 'end' && !this.#terminal) {
      try {
        await this.#leave();
      } catch (thrown) {
        const error = toBridgeError(thrown);
        // Already gone from the chat is the goal reached.
        if (error.code !== 'SESSION_ENDED' && error.code !== 'SESSION_NOT_FOUND')
          this.#context.events.error(error);
      }
    }
    this.#dropSocket();
  }

  async fetchHistory(): Promise<HistoryCatchUp> {
    const chat = this.#requireChat();
    const query = new URLSearchParams({ sortOrder: 'ascending', maxResults: '100' });
    if (this.#lastMessageId) query.set('after', this.#lastMessageId);
    const response = await this.#call(
      {
        method: 'GET',
        url: `${this.#conversationUrl(chat)}/messages?${query.toString()}`,
        headers: this.#auth(chat),
        retry: 'idempotent',
      },
      'conversation',
    );
    const messages: ProviderMessage[] = [];
    for (const raw of parseEntities(response.body)) {
      const event =
        typeof raw === 'object' && raw !== null
          ? parseChatMessage(raw as Record<string, unknown>)
          : undefined;
      if (!event) continue;
      this.#lastMessageId = event.id;
      const message = await this.#toProviderMessage(event);
      if (message) messages.push(message);
    }
    return { messages };
  }

  // ── stream ─────────────────────────────────────────────────────────────────────────────────────────

  #connectStream(): Promise<void> {
    const chat = this.#requireChat();
    this.#dropSocket();
    const connection = ++this.#connection;
    const current = () => connection === this.#connection;
    const origin = this.#context.config.settings.origin;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const socket = this.#socketFactory(chat.eventStreamUri, origin ? { Origin: origin } : {}, {
        open: () => {
          if (!current() || settled) return;
          settled = true;
          resolve();
        },
        message: (text) => {
          if (current()) this.#enqueue(parseStreamEvent(text));
        },
        close: (code) => {
          if (!current()) return;
          this.#socket = undefined;
          if (!settled) {
            settled = true;
            reject(
              failure('PROVIDER_UNAVAILABLE', `the WebChat event stream closed (${code})`, {
                retryable: true,
              }),
            );
            return;
          }
          if (this.#opened && !this.#closed && !this.#terminal && !this.#reconnector.active) {
            this.#context.events.connectivity('reconnecting');
            this.#reconnector.start();
          }
        },
        error: (error) => {
          if (!current() || settled) return;
          settled = true;
          reject(
            failure('PROVIDER_UNAVAILABLE', `the WebChat event stream failed: ${error.message}`, {
              retryable: true,
            }),
          );
        },
      });
      this.#socket = socket;
    });
  }

  async #resumed(): Promise<void> {
    if (this.#closed || this.#terminal) return;
    // Presence changes during the outage are not replayed by the stream: read the member list instead.
    this.#enqueueTask(() => this.#resyncMembers());
    await this.#chain;
    if (!this.#closed && !this.#terminal) this.#context.events.connectivity('online');
  }

  #dropSocket(): void {
    const socket = this.#socket;
    this.#socket = undefined;
    this.#connection++;
    socket?.close();
  }

  #enqueue(event: StreamEvent): void {
    this.#enqueueTask(() => this.#handle(event));
  }

  #enqueueTask(task: () => Promise<void> | void): void {
    this.#chain = this.#chain
      .then(async () => {
        if (!this.#closed && !this.#terminal) await task();
      })
      .catch((thrown: unknown) => {
        if (!this.#closed && !this.#terminal) this.#context.events.error(toBridgeError(thrown));
      });
  }

  async #handle(event: StreamEvent): Promise<void> {
    const guestId = this.#chat?.memberId;
    switch (event.kind) {
      case 'memberChange':
        if (event.memberId === guestId) {
          if (event.state === 'DISCONNECTED') this.#guestDisconnected(event.at);
          return;
        }
        await this.#memberChanged(event.memberId, event.state, event.at);
        return;
      case 'message': {
        if (event.senderId === guestId) return;
        this.#lastMessageId = event.id;
        const message = await this.#toProviderMessage(event);
        if (message) this.#context.events.message(message);
        return;
      }
      case 'typing':
        if (event.senderId !== guestId) {
          this.#context.events.typing({
            durationMs: AGENT_TYPING_MS,
            ...(event.at !== undefined ? { occurredAt: event.at } : {}),
          });
        }
        return;
      default:
        return;
    }
  }

  async #memberChanged(memberId: string, state: string, at: number | undefined): Promise<void> {
    if (state === 'ALERTING') {
      if (this.#leaving) this.#leftForTransfer(at);
      else if (this.#agent && !this.#transferSignalled) {
        this.#transferSignalled = true;
        this.#context.events.transferred({
          kind: 'unknown',
          from: agentInfo(this.#agent),
          inferred: true,
          ...optionalAt(at),
        });
      }
      return;
    }
    if (state === 'CONNECTED') {
      const member = await this.#member(memberId);
      if (member.role !== 'AGENT' || this.#agent?.id === member.id) return;
      if (this.#leaving) this.#leftForTransfer(at);
      this.#agent = member;
      this.#transferSignalled = false;
      this.#context.events.agentJoined(agentInfo(member), at);
      return;
    }
    if (state === 'DISCONNECTED' && this.#agent?.id === memberId) {
      const agent = this.#agent;
      this.#agent = undefined;
      const grace = this.#context.config.settings.webChat.agentLeftGraceMs;
      this.#leaving = { agent, timer: undefined };
      if (grace === 0) this.#leftForTransfer(at);
      else this.#leaving.timer = this.#clock.setTimeout(() => this.#leftForTransfer(at), grace);
    }
  }

  /** The agent left but the guest stayed: Genesys is moving the chat to another agent or queue. */
  #leftForTransfer(at: number | undefined): void {
    const leaving = this.#leaving;
    if (!leaving || this.#closed || this.#terminal) return;
    this.#clock.clearTimeout(leaving.timer);
    this.#leaving = undefined;
    const from = agentInfo(leaving.agent);
    this.#context.events.agentLeft(from, true, at);
    if (!this.#transferSignalled)
      this.#context.events.transferred({ kind: 'unknown', from, inferred: true, ...optionalAt(at) });
    this.#transferSignalled = false;
  }

  #guestDisconnected(at: number | undefined): void {
    const agent = this.#leaving?.agent ?? this.#agent;
    this.#clock.clearTimeout(this.#leaving?.timer);
    this.#leaving = undefined;
    if (agent) {
      this.#context.events.agentLeft(agentInfo(agent), false, at);
      this.#reportEnd({ reason: 'agentEnded', by: 'agent', ...optionalAt(at) });
    } else {
      this.#reportEnd({
        reason: 'error',
        by: 'system',
        ...optionalAt(at),
        error: bridgeError('SESSION_ENDED', 'Genesys disconnected the guest from the chat'),
      });
    }
  }

  async #resyncMembers(): Promise<void> {
    const chat = this.#requireChat();
    const response = await this.#call(
      {
        method: 'GET',
        url: `${this.#conversationUrl(chat)}/members?pageSize=25&pageNumber=1&excludeDisconnectedMembers=true`,
        headers: this.#auth(chat),
        retry: 'idempotent',
      },
      'conversation',
    );
    const connected = parseEntities(response.body)
      .map(parseMember)
      .filter((m): m is MemberInfo => m !== undefined && (m.state === undefined || m.state === 'CONNECTED'));
    for (const member of connected) this.#members.set(member.id, member);
    if (!connected.some((m) => m.id === chat.memberId)) {
      this.#guestDisconnected(undefined);
      return;
    }
    const agents = connected.filter((m) => m.role === 'AGENT');
    if (this.#agent && !agents.some((a) => a.id === this.#agent?.id))
      await this.#memberChanged(this.#agent.id, 'DISCONNECTED', undefined);
    const newcomer = agents.find((a) => a.id !== this.#agent?.id);
    if (newcomer) await this.#memberChanged(newcomer.id, 'CONNECTED', undefined);
  }

  async #toProviderMessage(event: ChatMessageEvent): Promise<ProviderMessage | undefined> {
    if (event.senderId === this.#chat?.memberId) return undefined;
    // member-join/leave bodies duplicate member-change events; media requests are legacy co-browse.
    if (event.bodyType !== 'standard' && event.bodyType !== 'notice') return undefined;
    if (event.body === '') return undefined;
    const member = await this.#member(event.senderId);
    const at = optionalAt(event.at);
    if (member.role === 'AGENT' && event.bodyType === 'standard') {
      return { id: event.id, text: event.body, ...at, sender: { kind: 'human', agent: agentInfo(member) } };
    }
    return { id: event.id, text: event.body, ...at, sender: { kind: 'bot' } };
  }

  async #member(memberId: string): Promise<MemberInfo> {
    const known = this.#members.get(memberId);
    if (known?.role) return known;
    const chat = this.#requireChat();
    const response = await this.#call(
      {
        method: 'GET',
        url: `${this.#conversationUrl(chat)}/members/${encodeURIComponent(memberId)}`,
        headers: this.#auth(chat),
        retry: 'idempotent',
      },
      'conversation',
    );
    const member = parseMember(response.body) ?? { id: memberId };
    this.#members.set(memberId, member);
    return member;
  }

  // ── HTTP ───────────────────────────────────────────────────────────────────────────────────────────

  #leave(): Promise<HttpResponse> {
    return this.#memberCall('DELETE', '', undefined);
  }

  async #memberCall(method: 'POST' | 'DELETE', suffix: string, body: unknown): Promise<HttpResponse> {
    const chat = this.#requireChat();
    try {
      return await this.#call(
        {
          method,
          url: `${this.#conversationUrl(chat)}/members/${encodeURIComponent(chat.memberId)}${suffix}`,
          headers: this.#auth(chat),
          ...(body !== undefined ? { body } : {}),
          retry: method === 'DELETE' ? 'idempotent' : 'refusalsOnly',
        },
        'conversation',
      );
    } catch (thrown) {
      const error = toBridgeError(thrown);
      // Genesys refusing a send because the chat is over means the session is over too.
      if (error.code === 'SESSION_ENDED' && !this.#closed) {
        this.#reportEnd({ reason: 'error', by: 'system', error });
      }
      throw thrown;
    }
  }

  async #call(request: HttpRequest, during: 'create' | 'conversation'): Promise<HttpResponse> {
    const origin = this.#context.config.settings.origin;
    const headers = { ...(request.headers ?? {}), ...(origin ? { Origin: origin } : {}) };
    const response = await this.#http.request({ ...request, headers });
    if (response.status >= 200 && response.status < 300) return response;
    throw this.#failure(response, during);
  }

  #failure(response: HttpResponse, during: 'create' | 'conversation'): BridgeFailure {
    const wait = retryAfterMs(response.headers.get('retry-after'), this.#clock.now());
    return webChatFailure(response.status, response.body, during, wait);
  }

  #conversationUrl(chat: CreatedChat): string {
    return `${this.#context.config.hosts.apiBase}/api/v2/webchat/guest/conversations/${encodeURIComponent(chat.conversationId)}`;
  }

  #auth(chat: CreatedChat): Record<string, string> {
    return { Authorization: `Bearer ${chat.jwt}` };
  }

  #requireChat(): CreatedChat {
    if (!this.#chat) throw failure('INTERNAL', 'the WebChat conversation has not been created');
    return this.#chat;
  }

  #reportEnd(end: Parameters<AdapterContext['events']['ended']>[0]): void {
    if (this.#terminal || !this.#opened) return;
    this.#terminal = true;
    this.#reconnector.stop();
    this.#context.events.ended(end);
  }
}

function agentInfo(member: MemberInfo): AgentInfo {
  return {
    id: member.id,
    ...(member.displayName ? { displayName: member.displayName } : {}),
    ...(member.avatarImageUrl ? { avatarUrl: member.avatarImageUrl } : {}),
  };
}

function optionalAt(at: number | undefined): { occurredAt?: number } {
  return at !== undefined ? { occurredAt: at } : {};
}
