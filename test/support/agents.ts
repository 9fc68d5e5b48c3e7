import { expect } from 'vitest';
import type WebSocket from 'ws';
import type { EmulatorDoors } from './emulators.ts';
import { closeSocket, FrameCollector, openSocket } from './frames.ts';
import { platformSdk } from './platform-sdk.ts';

export interface NotificationFrame {
  topicName: string;
  version: string;
  eventBody: {
    id: string;
    participants?: {
      id: string;
      purpose: string;
      userId?: string;
      queueId?: string;
      messages?: { id: string; state: string; disconnectType?: string }[];
    }[];
    message?: string;
    routingStatus?: { status: string };
  };
  metadata: { CorrelationId: string };
}

/**
 * Agents driven through the official platform SDK. The SDK holds one token per process, so each agent
 * keeps its own token and switches it in before acting, as a multi-agent test harness must.
 */
export async function sdkAgents(emulator: EmulatorDoors) {
  const { platformClient, client } = platformSdk(emulator);
  const fx = emulator.fixture;
  const sockets: WebSocket[] = [];

  async function agent(name: string) {
    const user = fx.users.find((u) => u.name === name)!;
    const login = fx.clients.find((c) => c.user === user.id)!;
    const { accessToken } = await client.loginClientCredentialsGrant(login.id, login.secret);
    const as = <T>(fn: () => T): T => {
      client.setAccessToken(accessToken);
      return fn();
    };
    const conversations = new platformClient.ConversationsApi();
    const users = new platformClient.UsersApi();
    const notifications = new platformClient.NotificationsApi();
    let frames: FrameCollector<NotificationFrame> | undefined;

    return {
      user,
      conversations,
      as,
      goOnQueue: () => as(() => users.putUserRoutingstatus(user.id, { status: 'IDLE' })),
      goOffQueue: () => as(() => users.putUserRoutingstatus(user.id, { status: 'OFF_QUEUE' })),
      routingStatus: () => as(() => users.getUserRoutingstatus(user.id)),
      /** Opens a notification channel subscribed to this agent's conversation topic. */
      async listen() {
        const channel = await as(() => notifications.postNotificationsChannels());
        await as(() =>
          notifications.putNotificationsChannelSubscriptions(channel.id!, [
            { id: `v2.users.${user.id}.conversations` },
          ]),
        );
        const socket = await openSocket(channel.connectUri!);
        sockets.push(socket);
        frames = new FrameCollector<NotificationFrame>(socket);
        return frames;
      },
      /** Waits for a notification where this agent's leg is alerting; returns the conversation and participant ids. */
      async alert(conversationId?: string) {
        expect(frames, 'call listen() first').toBeDefined();
        const frame = await frames!.next(
          (f) =>
            f.topicName === `v2.users.${user.id}.conversations` &&
            (conversationId === undefined || f.eventBody.id === conversationId) &&
            (f.eventBody.participants ?? []).some(
              (p) => p.userId === user.id && p.messages?.[0]?.state === 'alerting',
            ),
          `an alert for ${name}`,
        );
        const leg = frame.eventBody.participants!.filter((p) => p.userId === user.id).at(-1)!;
        return {
          conversationId: frame.eventBody.id,
          participantId: leg.id,
          communicationId: leg.messages![0]!.id,
        };
      },
      answer: (cid: string, pid: string) =>
        as(() =>
          conversations.patchConversationsMessageParticipant(cid, pid, { body: { state: 'connected' } }),
        ),
      send: (cid: string, commId: string, text: string) =>
        as(() =>
          conversations.postConversationsMessageCommunicationMessages(cid, commId, { textBody: text }),
        ),
      typing: (cid: string, commId: string) =>
        as(() =>
          conversations.postConversationsMessageCommunicationTyping(cid, commId, { typing: { type: 'On' } }),
        ),
      transferToQueue: (cid: string, pid: string, queueId: string) =>
        as(() => conversations.postConversationsMessageParticipantReplace(cid, pid, { queueId })),
      transferToAgent: (cid: string, pid: string, userId: string) =>
        as(() => conversations.postConversationParticipantReplaceAgent(cid, pid, { userId })),
      disconnect: (cid: string, pid: string) =>
        as(() =>
          conversations.patchConversationsMessageParticipant(cid, pid, { body: { state: 'disconnected' } }),
        ),
      /** Wraps up with a code given by name: Genesys takes its id, found among the participant's codes. */
      wrapup: async (cid: string, pid: string, codeName: string) => {
        const codes = await as(() => conversations.getConversationsMessageParticipantWrapupcodes(cid, pid));
        const code = codes.find((c) => c.name === codeName)?.id;
        expect(code, `a wrap-up code named ${codeName} among ${JSON.stringify(codes)}`).toBeDefined();
        return as(() =>
          conversations.patchConversationsMessageParticipant(cid, pid, {
            body: { wrapup: { code: code!, notes: 'done' } },
          }),
        );
      },
      conversation: (cid: string) => as(() => conversations.getConversation(cid)),
    };
  }

  return {
    agent,
    client,
    async closeAll() {
      await Promise.all(sockets.map(closeSocket));
    },
  };
}

/** A customer started through the control plane's scripted customer. */
export async function startCustomer(emulator: EmulatorDoors, body: Record<string, unknown>): Promise<string> {
  const res = await emulator.inject({ method: 'POST', url: '/__emulator/conversations', payload: body });
  expect(res.statusCode, res.body).toBe(200);
  return res.json().id as string;
}

export async function customerSays(emulator: EmulatorDoors, conversationId: string, text: string) {
  const res = await emulator.inject({
    method: 'POST',
    url: `/__emulator/conversations/${conversationId}/messages`,
    payload: { text },
  });
  expect(res.statusCode, res.body).toBe(200);
}
