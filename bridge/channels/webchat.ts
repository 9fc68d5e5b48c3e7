import type { Clock, TimerHandle } from '../clock.ts';
import { BridgeFailure, bridgeError, failure, toBridgeError } from '../errors.ts';
import {
  type FetchLike,
  HttpClient,
  type HttpRequest,
  type HttpResponse,
  retryAfterMs,
} from '../http/http-client.ts';
import {
  type AdapterContext,
  type AdapterOpenRequest,
  type AdapterOpenResult,
  type AdapterResumeContext,
  type ChannelAdapter,
  type ChannelAdapterFactory,
  type HistoryCatchUp,
  type HistorySince,
  NotDeliveredFailure,
  type OutboundText,
  type ProviderMessage,
  type SendResult,
  UnconfirmedFailure,
} from '../session/channel-adapter.ts';
import type { AgentInfo, JsonValue } from '../types.ts';
import { backoffDelay, Reconnector } from './reconnector.ts';
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
 *   (no body); both with `Authorization: Bearer <jwt>`. 429 and 503 are refusals (NotDelivered, sent again);
 *   a POST that failed otherwise (network, timeout, other 5xx) may have been applied, so it is unconfirmed
 *   and findSent looks for the guest's message in the conversation before it is sent again.
 * - stream: member-change (roles looked up with `GET …/members/{id}`), message (own echoes skipped),
 *   typing-indicator. An agent DISCONNECTED is a transfer unless the guest is disconnected within
 *   webChat.agentLeftGraceMs; an ALERTING/CONNECTED agent during that grace is a transfer at once.
 * - reconnect: the same eventStreamUri with backoff; once it is open the session pulls missed messages
 *   with `GET …/messages?after=<newest message it had before the drop>&sortOrder=ascending&maxResults=100`
 *   (page after page), while members are re-read to catch up presence.
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
/** How far a catch-up or lookup reads (pages of 100 messages, the API's maximum). */
const HISTORY_PAGE_SIZE = 100;
const HISTORY_MAX_PAGES = 10;

export class WebChatAdapter implements ChannelAdapter {
  readonly channel = 'webChat' as const;
  readonly metadataPlacement = 'open' as const;
  readonly agentPresence = 'observed' as const;

  readonly #context: AdapterContext;
  readonly #clock: Clock;
  readonly #http: HttpClient;
  readonly #socketFactory: SocketFactory;
  readonly #reconnector: Reconnector;
  readonly #random: () => number;
  readonly #members = new Map<string, MemberInfo>();
  #chat: CreatedChat | undefined;
  #socket: GuestSocket | undefined;
  #connection = 0;
  #opened = false;
  #closed = false;
  #terminal = false;
  /** The guest left the chat at a failed open (close('end') then leaves it alone). */
  #left = false;
  #agent: MemberInfo | undefined;
  #leaving: { agent: MemberInfo; timer: TimerHandle | undefined } | undefined;
  #transferSignalled = false;
  /** Ids of the guest's own messages Genesys confirmed or findSent found: each counts once. */
  readonly #claimedOwn = new Set<string>();
  /** The newest of them (one send is in flight at a time, so claims come in conversation order). */
  #lastClaimedOwn: string | undefined;
  /** Ids of agent/bot messages in the order this adapter learnt them, to find where a gap began. */
  readonly #seenOrder: string[] = [];
  /** Stream events are handled one at a time, in arrival order, even when a member lookup awaits. */
  #chain: Promise<void> = Promise.resolve();

  constructor(context: AdapterContext, deps: WebChatDeps) {
    this.#context = context;
    this.#clock = context.clock;
    const random = deps.random ?? Math.random;
    this.#random = random;
    this.#http = new HttpClient({ fetch: deps.fetch ?? fetch, clock: context.clock, random });
    this.#socketFactory = deps.socketFactory ?? wsSocketFactory;
    const timeouts = context.config.settings.timeouts;
    this.#reconnector = new Reconnector(
      context.clock,
      timeouts,
      random,
      () =>
        this.#connectStream().then(
          () => this.#resumed(),
          (thrown: unknown) => this.#reconnectRefused(thrown),
        ),
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
      // Without the stream the chat never routes; leave it rather than strand a guest in Genesys. Once
      // Genesys took the leave, the session's close('end') that follows has nothing left to do; a session
      // that already closed (its own connect timeout) has left.
      if (!this.#closed)
        await this.#leave().then(
          () => {
            this.#left = true;
          },
          () => {},
        );
      throw thrown;
    }
    this.#opened = true;
    return { conversationId: chat.conversationId };
  }

  /** The chat (its member, JWT and stream) and the agent: what another process reconnects with. */
  resumeState(): JsonValue | undefined {
    if (!this.#chat) return undefined;
    return {
      chat: { ...this.#chat },
      ...(this.#agent ? { agent: { ...this.#agent } as unknown as JsonValue } : {}),
    };
  }

  /**
   * In the process that took the session over: reopens the chat's event stream with the stored member JWT
   * (retried within reconnectWindowMs), then reads the member list like any reconnect, so presence changes
   * made meanwhile are reported; the session then reads the messages it missed.
   */
  async resume(state: JsonValue, context: AdapterResumeContext): Promise<AdapterOpenResult> {
    const root = typeof state === 'object' && state !== null && !Array.isArray(state) ? state : {};
    const chat = storedChat(root['chat']);
    if (!chat) throw failure('SESSION_NOT_FOUND', 'the stored session has no WebChat chat to resume');
    this.#chat = chat;
    const agent = root['agent'];
    if (typeof agent === 'object' && agent !== null && !Array.isArray(agent))
      this.#agent = agent as unknown as MemberInfo;
    for (const id of context.sentProviderIds) this.#claim(id);
    const { connectMs, reconnectWindowMs } = this.#context.config.settings.timeouts;
    const deadline = this.#clock.now() + Math.max(connectMs, reconnectWindowMs);
    for (let attempt = 0; ; attempt++) {
      try {
        await this.#connectStream();
        break;
      } catch (thrown) {
        const delay = backoffDelay(attempt, this.#context.config.settings.timeouts, this.#random);
        if (this.#closed || this.#clock.now() + delay >= deadline) throw thrown;
        await new Promise<void>((resolve) => this.#clock.setTimeout(resolve, delay));
      }
    }
    this.#opened = true;
    await this.#resumed();
    return { conversationId: chat.conversationId };
  }

  async sendMessage(message: OutboundText): Promise<SendResult> {
    let response: HttpResponse;
    try {
      response = await this.#memberCall('POST', '/messages', {
        body: message.text,
        bodyType: 'standard',
      });
    } catch (thrown) {
      // No answer (network, timeout) or a 5xx that is not a refusal: Genesys may have taken it.
      if (
        thrown instanceof BridgeFailure &&
        !(thrown instanceof NotDeliveredFailure) &&
        thrown.error.code === 'PROVIDER_UNAVAILABLE'
      )
        throw new UnconfirmedFailure(thrown.error);
      throw thrown;
    }
    const id =
      typeof response.body === 'object' && response.body !== null
        ? (response.body as Record<string, unknown>)['id']
        : undefined;
    if (typeof id !== 'string') return {};
    this.#claim(id);
    return { providerMessageId: id };
  }

  #claim(id: string): void {
    this.#claimedOwn.add(id);
    this.#lastClaimedOwn = id;
  }

  /**
   * Whether the conversation holds a guest message with this text that no confirmed send accounts for
   * (looking back to the last claimed one: one send is in flight at a time). Texts compare trimmed.
   */
  async findSent(text: string): Promise<SendResult | undefined> {
    const guest = this.#requireChat().memberId;
    const events = await this.#readAfter(this.#lastClaimedOwn);
    const wanted = text.trim();
    const match = events.find(
      (e) =>
        e.senderId === guest &&
        e.bodyType === 'standard' &&
        e.body.trim() === wanted &&
        !this.#claimedOwn.has(e.id),
    );
    if (!match) return undefined;
    this.#claim(match.id);
    return { providerMessageId: match.id };
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
    if (mode === 'end' && !this.#terminal && !this.#left) {
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

  async fetchHistory(since?: HistorySince): Promise<HistoryCatchUp> {
    // The newest message the session had before the gap: what follows it is what it may have missed.
    const known = since?.knownIds;
    const after = known ? this.#seenOrder.findLast((id) => known.has(id)) : undefined;
    const messages: ProviderMessage[] = [];
    for (const event of await this.#readAfter(after)) {
      const message = await this.#toProviderMessage(event);
      if (!message) continue;
      this.#seenOrder.push(message.id);
      messages.push(message);
    }
    return { messages };
  }

  /** The conversation's messages after `after` (from the start without it), oldest first, page by page. */
  async #readAfter(after: string | undefined): Promise<ChatMessageEvent[]> {
    const chat = this.#requireChat();
    const collected: ChatMessageEvent[] = [];
    let cursor = after;
    for (let page = 0; page < HISTORY_MAX_PAGES; page++) {
      const query = new URLSearchParams({ sortOrder: 'ascending', maxResults: String(HISTORY_PAGE_SIZE) });
      if (cursor) query.set('after', cursor);
      const response = await this.#call(
        {
          method: 'GET',
          url: `${this.#conversationUrl(chat)}/messages?${query.toString()}`,
          headers: this.#auth(chat),
          retry: 'idempotent',
        },
        'conversation',
      );
      const raw = parseEntities(response.body);
      const events = raw
        .map((e) =>
          typeof e === 'object' && e !== null ? parseChatMessage(e as Record<string, unknown>) : undefined,
        )
        .filter((e): e is ChatMessageEvent => e !== undefined);
      collected.push(...events);
      const newest = events.at(-1);
      if (!newest || raw.length < HISTORY_PAGE_SIZE) break;
      cursor = newest.id;
    }
    return collected;
  }

  // ── stream ─────────────────────────────────────────────────────────────────────────────────────────

  #connectStream(): Promise<void> {
    const chat = this.#requireChat();
    this.#dropSocket();
    const connection = ++this.#connection;
    const current = () => connection === this.#connection;
    const origin = this.#context.config.settings.origin;
    const connectMs = this.#context.config.settings.timeouts.connectMs;
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      // A stream that neither opens nor fails (a silent peer, a handshake that stalls) counts as a failed
      // attempt after connectMs: without this a reconnect would wait on it forever, never reaching the
      // reconnect window's RECONNECT_EXHAUSTED.
      const timer = this.#clock.setTimeout(() => {
        if (settled) return;
        settled = true;
        if (current()) this.#dropSocket();
        reject(
          failure('TIMEOUT', `the WebChat event stream did not open within ${connectMs} ms`, {
            retryable: true,
          }),
        );
      }, connectMs);
      const markSettled = () => {
        settled = true;
        this.#clock.clearTimeout(timer);
      };
      const socket = this.#socketFactory(chat.eventStreamUri, origin ? { Origin: origin } : {}, {
        open: () => {
          if (!current() || settled) return;
          markSettled();
          resolve();
        },
        message: (text) => {
          if (current()) this.#enqueue(parseStreamEvent(text));
        },
        close: (code) => {
          if (!current()) return;
          this.#socket = undefined;
          if (!settled) {
            markSettled();
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
          markSettled();
          reject(
            failure('PROVIDER_UNAVAILABLE', `the WebChat event stream failed: ${error.message}`, {
              retryable: true,
              // The HTTP status of a refused upgrade: Genesys answered, so something is definitely wrong.
              ...(error.status !== undefined ? { provider: { code: error.status } } : {}),
            }),
          );
        },
      });
      this.#socket = socket;
    });
  }

  /**
   * Genesys refused to reopen the stream (4xx on the upgrade): the chat may have ended while it was down
   * (UNCONFIRMED for real Genesys; the emulator refuses an ended chat's stream with
   * chat.error.conversation.state). The member list says: a guest no longer connected means it ended, and
   * the end waits behind the messages the session reads back. Otherwise the refusal stands and the
   * reconnector tries again.
   */
  async #reconnectRefused(thrown: unknown): Promise<void> {
    const status = toBridgeError(thrown).provider?.code;
    if (typeof status !== 'number' || status < 400 || status >= 500 || this.#closed || this.#terminal)
      throw thrown;
    const chat = this.#requireChat();
    let connected: MemberInfo[];
    try {
      connected = await this.#connectedMembers(chat);
    } catch {
      throw thrown;
    }
    if (connected.some((m) => m.id === chat.memberId)) throw thrown;
    this.#guestDisconnected(undefined);
  }

  async #resumed(): Promise<void> {
    if (this.#closed || this.#terminal) return;
    // Presence changes during the outage are not replayed by the stream: read the member list instead.
    // What it finds happened during the outage, so it is reported before `online`; stream events are
    // handled on the same chain, so every live one after the reconnect comes after `online` (the session
    // holds those behind the messages it reads back).
    this.#enqueueTask(async () => {
      try {
        await this.#resyncMembers();
      } finally {
        // A failed member read is reported (as an error) but the stream is back all the same.
        if (!this.#closed && !this.#terminal) this.#context.events.connectivity('online');
      }
    });
    await this.#chain;
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
        const message = await this.#toProviderMessage(event);
        if (!message) return;
        this.#seenOrder.push(message.id);
        this.#context.events.message(message);
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

  async #connectedMembers(chat: CreatedChat): Promise<MemberInfo[]> {
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
    return connected;
  }

  async #resyncMembers(): Promise<void> {
    const chat = this.#requireChat();
    const connected = await this.#connectedMembers(chat);
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

/** A chat as resumeState() stored it. */
function storedChat(value: unknown): CreatedChat | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const chat = value as Record<string, unknown>;
  const text = (key: string) =>
    typeof chat[key] === 'string' && chat[key] !== '' ? (chat[key] as string) : undefined;
  const conversationId = text('conversationId');
  const memberId = text('memberId');
  const jwt = text('jwt');
  const eventStreamUri = text('eventStreamUri');
  if (!conversationId || !memberId || !jwt || !eventStreamUri) return undefined;
  return { conversationId, memberId, jwt, eventStreamUri };
}
