import type { InjectOptions } from 'fastify';
import guestChat from 'purecloud-guest-chat-client';
import { expect } from 'vitest';
import WebSocket from 'ws';
import { defaultFixture, type Fixture, parseFixtureSource } from '../../emulator/index.ts';
import { sdkAgents } from './agents.ts';
import type { EmulatorDoors } from './emulators.ts';
import { closeSocket, FrameCollector } from './frames.ts';

/** Helpers for WebChat v2 guest tests: the official guest SDK, raw guest calls, the stream, chat agents. */

export const GUEST_BASE = '/api/v2/webchat/guest/conversations';

// ---------------------------------------------------------------- the official guest SDK

/** The guest SDK's models as the tests use them (its typings export only ApiClient). */
export interface GuestChatApi {
  postWebchatGuestConversations(body: Record<string, unknown>): Promise<CreatedChat>;
  postWebchatGuestConversationMemberMessages(
    conversationId: string,
    memberId: string,
    body: { body: string; bodyType?: string },
  ): Promise<{ id: string; body: string; bodyType: string; sender: { id: string } }>;
  postWebchatGuestConversationMemberTyping(
    conversationId: string,
    memberId: string,
  ): Promise<{ id: string; sender: { id: string } }>;
  getWebchatGuestConversationMember(conversationId: string, memberId: string): Promise<MemberInfo>;
  getWebchatGuestConversationMembers(
    conversationId: string,
    opts?: { pageSize?: number; pageNumber?: number; excludeDisconnectedMembers?: boolean },
  ): Promise<{ entities: MemberInfo[]; total: number }>;
  getWebchatGuestConversationMessages(
    conversationId: string,
    opts?: { after?: string; before?: string; sortOrder?: string; maxResults?: number },
  ): Promise<{ entities: { id: string; body: string; bodyType: string; sender: { id: string } }[] }>;
  deleteWebchatGuestConversationMember(conversationId: string, memberId: string): Promise<void>;
}

export interface CreatedChat {
  id: string;
  jwt: string;
  eventStreamUri: string;
  member: { id: string };
}

export interface MemberInfo {
  id: string;
  displayName?: string;
  role: string;
  state?: string;
  customFields?: Record<string, string>;
}

interface GuestApiClient {
  config: { basePath: string; live_reload_config: boolean };
  defaultHeaders: Record<string, string>;
  setJwt(jwt: string): void;
}

/**
 * The guest SDK pointed at a test emulator the only way that works (guest-protocols.md §1.9): assign
 * `config.basePath` (setEnvironment would rebuild it as https://api.<host>). The SDK is a CommonJS
 * singleton; vitest isolates test files, and each test calls this again.
 */
export function guestSdk(emulator: EmulatorDoors) {
  const client = guestChat.ApiClient.instance as unknown as GuestApiClient;
  client.config.live_reload_config = false;
  client.config.basePath = emulator.url;
  client.defaultHeaders = {};
  const sdk = guestChat as unknown as { WebChatApi: new () => GuestChatApi };
  return { client, api: new sdk.WebChatApi() };
}

// ---------------------------------------------------------------- raw guest calls

export interface CreateOptions {
  displayName?: string;
  queue?: string;
  customFields?: Record<string, string>;
  deploymentId?: string;
}

export function createBody(emulator: EmulatorDoors, options: CreateOptions = {}): Record<string, unknown> {
  const fx = emulator.fixture;
  return {
    organizationId: fx.org.id,
    deploymentId: options.deploymentId ?? fx.deployments.webchat[0]!.id,
    routingTarget: { targetType: 'QUEUE', targetAddress: options.queue ?? 'General' },
    memberInfo: {
      displayName: options.displayName ?? 'Jane Guest',
      ...(options.customFields ? { customFields: options.customFields } : {}),
    },
  };
}

/** A guest request through inject, with the listening port as Host so eventStreamUri is reachable. */
export function guestRequest(emulator: EmulatorDoors, options: InjectOptions) {
  return emulator.inject({
    ...options,
    headers: { host: `127.0.0.1:${emulator.port}`, ...(options.headers ?? {}) },
  });
}

export async function createChat(emulator: EmulatorDoors, options: CreateOptions = {}): Promise<CreatedChat> {
  const res = await guestRequest(emulator, {
    method: 'POST',
    url: GUEST_BASE,
    payload: createBody(emulator, options),
  });
  expect(res.statusCode, res.body).toBe(200);
  return res.json() as CreatedChat;
}

export function bearer(chat: CreatedChat) {
  return { authorization: `Bearer ${chat.jwt}` };
}

// ---------------------------------------------------------------- the event stream

export interface GuestFrame {
  topicName: string;
  version: string;
  eventBody: {
    id?: string;
    conversation?: { id: string };
    member?: { id: string; state: string };
    sender?: { id: string };
    body?: string;
    bodyType?: string;
    timestamp?: string;
    message?: string;
  };
  metadata: { CorrelationId: string; type?: string };
}

export interface GuestStream {
  socket: WebSocket;
  frames: FrameCollector<GuestFrame>;
  closed: Promise<{ code: number; reason: string }>;
}

/**
 * Opens the guest stream with the collector listening from the start, as a browser client does: the
 * emulator sends CONNECTED right after the upgrade, possibly in the same packet as the handshake.
 */
export async function openStream(uri: string): Promise<GuestStream> {
  const socket = new WebSocket(uri);
  const frames = new FrameCollector<GuestFrame>(socket);
  const closed = new Promise<{ code: number; reason: string }>((resolve) =>
    socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return { socket, frames, closed };
}

export const is = {
  member: (memberId: string, state: string) => (f: GuestFrame) =>
    f.metadata.type === 'member-change' &&
    f.eventBody.member?.id === memberId &&
    f.eventBody.member.state === state,
  memberChange: (f: GuestFrame) => f.metadata.type === 'member-change',
  message: (f: GuestFrame) => f.metadata.type === 'message',
  bodyType: (bodyType: string, senderId?: string) => (f: GuestFrame) =>
    f.metadata.type === 'message' &&
    f.eventBody.bodyType === bodyType &&
    (senderId === undefined || f.eventBody.sender?.id === senderId),
  text: (body: string) => (f: GuestFrame) => f.metadata.type === 'message' && f.eventBody.body === body,
  typing: (senderId: string) => (f: GuestFrame) =>
    f.metadata.type === 'typing-indicator' && f.eventBody.sender?.id === senderId,
  heartbeat: (f: GuestFrame) =>
    f.topicName === 'channel.metadata' && f.eventBody.message === 'WebSocket Heartbeat',
};

/** A member-change ALERTING for someone other than the guest: an agent being offered the chat. */
export function alertingAgent(guestId: string) {
  return (f: GuestFrame) =>
    f.metadata.type === 'member-change' &&
    f.eventBody.member?.state === 'ALERTING' &&
    f.eventBody.member.id !== guestId;
}

// ---------------------------------------------------------------- agents on chats

interface ChatNotification {
  topicName: string;
  eventBody: {
    id: string;
    participants?: { id: string; userId?: string; chats?: { id: string; state: string }[] }[];
  };
}

/**
 * Agents on the official platform SDK, chat-flavoured. SDK 262 no longer has the ACD chat methods
 * (`/api/v2/conversations/chats/...` was dropped with Web Chat's retirement), so answers, transfers and
 * disconnects use the generic participant methods, and messages and typing go through the SDK's own
 * ApiClient.callApi with the agent's token, as an integrator on this SDK would do.
 */
export async function chatAgents(emulator: EmulatorDoors) {
  const agents = await sdkAgents(emulator);
  const { client } = agents;

  async function agent(name: string) {
    const base = await agents.agent(name);
    const { as, conversations, user } = base;
    let frames: FrameCollector<ChatNotification> | undefined;
    const chatCall = (path: string, params: Record<string, string>, body: unknown) =>
      as(() =>
        client.callApi(
          path,
          'POST',
          params,
          {},
          {},
          {},
          body,
          ['PureCloud OAuth'],
          ['application/json'],
          ['application/json'],
        ),
      );
    return {
      user,
      goOnQueue: base.goOnQueue,
      async listen() {
        frames = (await base.listen()) as unknown as FrameCollector<ChatNotification>;
      },
      /** Waits for this agent's leg of a chat to be alerting; returns its participant and communication ids. */
      async alert(conversationId: string) {
        expect(frames, 'call listen() first').toBeDefined();
        const mine = (f: ChatNotification) =>
          (f.eventBody.participants ?? []).filter((p) => p.userId === user.id).at(-1);
        const frame = await frames!.next(
          (f) => f.eventBody.id === conversationId && mine(f)?.chats?.[0]?.state === 'alerting',
          `a chat alert for ${name}`,
        );
        const leg = mine(frame)!;
        return { participantId: leg.id, communicationId: leg.chats![0]!.id };
      },
      answer: (cid: string, pid: string) =>
        as(() => conversations.patchConversationParticipant(cid, pid, { state: 'connected' })),
      send: (cid: string, commId: string, text: string) =>
        chatCall(
          '/api/v2/conversations/chats/{conversationId}/communications/{communicationId}/messages',
          { conversationId: cid, communicationId: commId },
          { body: text, bodyType: 'standard' },
        ),
      typing: (cid: string, commId: string) =>
        chatCall(
          '/api/v2/conversations/chats/{conversationId}/communications/{communicationId}/typing',
          { conversationId: cid, communicationId: commId },
          null,
        ),
      transferToQueue: (cid: string, pid: string, queueId: string) =>
        as(() => conversations.postConversationParticipantReplaceQueue(cid, pid, { queueId })),
      transferToAgent: (cid: string, pid: string, userId: string) =>
        as(() => conversations.postConversationParticipantReplaceAgent(cid, pid, { userId })),
      disconnect: (cid: string, pid: string) =>
        as(() => conversations.patchConversationParticipant(cid, pid, { state: 'disconnected' })),
      conversation: (cid: string) => as(() => conversations.getConversation(cid)),
    };
  }

  return { agent, client, closeAll: agents.closeAll };
}

export { closeSocket };

// ---------------------------------------------------------------- fixtures

/** An inbound chat flow that greets and routes by the guest's `QueueName` custom field (context.QueueName). */
const GUEST_CHAT_FLOW = `
inboundChat:
  name: Guest Chat Flow
  startUpRef: "/inboundChat/states/state[start]"
  variables:
    - stringVariable:
        name: Flow.QueueName
        initialValue:
          noValue: true
  states:
    - state:
        name: Start
        refId: start
        actions:
          - getParticipantData:
              name: Read the queue
              attributes:
                - attribute:
                    name:
                      lit: context.QueueName
                    variable: Flow.QueueName
          - sendResponse:
              name: Greet
              messageBody:
                exp: '"Connecting you to " + Flow.QueueName'
          - transferToAcd:
              name: To the queue
              targetQueue:
                exp: FindQueue(Flow.QueueName)
              priority:
                lit: 0
          - disconnect:
              name: No such queue
`;

/** The default org plus WebChat deployments that are disabled, need authentication, or run a flow. */
export function webchatFixture() {
  const base = defaultFixture();
  const deployment = (id: string, extra: Partial<Fixture['deployments']['webchat'][number]>) => ({
    id,
    allowedDomains: [],
    disabled: false,
    authenticationRequired: false,
    ...extra,
  });
  return parseFixtureSource({
    ...base,
    flows: [
      ...base.flows,
      { name: 'Guest Chat Flow', type: 'inboundChat', yaml: GUEST_CHAT_FLOW, substitutions: {} },
    ],
    deployments: {
      ...base.deployments,
      webchat: [
        ...base.deployments.webchat,
        deployment('webchat-disabled', { disabled: true }),
        deployment('webchat-auth', { authenticationRequired: true }),
        deployment('webchat-flow', { flow: 'Guest Chat Flow' }),
      ],
    },
  });
}
