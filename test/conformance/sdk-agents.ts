import type WebSocket from 'ws';
import type { EmulatorDoors } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';
import { platformSdk } from '../support/platform-sdk.ts';
import type { Recorder } from './recorder.ts';

/** A notification frame as an agent desktop reads it: untyped wire JSON. */
export interface Frame {
  topicName: string;
  // biome-ignore lint/suspicious/noExplicitAny: notification bodies are untyped wire JSON here.
  eventBody: any;
  metadata?: { CorrelationId?: string; type?: string };
}

/** The topics an agent desktop follows for itself (platform-extra.md §7, platform-architect.md §3.4). */
export const userTopics = (userId: string) => [
  `v2.users.${userId}.conversations`,
  `v2.users.${userId}.conversations.messages`,
  `v2.users.${userId}.conversations.chats`,
  `v2.users.${userId}.routingStatus`,
  `v2.users.${userId}.presence`,
  `v2.users.${userId}.conversations.inbound.typing.event`,
];

/** A supervisor's view of a queue's conversations. */
export const queueTopics = (queueId: string) => [
  `v2.routing.queues.${queueId}.conversations`,
  `v2.routing.queues.${queueId}.conversations.messages`,
  `v2.routing.queues.${queueId}.conversations.chats`,
];

/**
 * Agents on the official platform SDK whose every API response and notification frame goes to the
 * recorder. The SDK keeps one token per process, so each agent switches its own in before acting.
 */
export async function recordingAgents(emulator: EmulatorDoors, recorder: Recorder) {
  const { platformClient, client } = platformSdk(emulator);
  recorder.wrap(client as never);
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
    const api = {
      users: new platformClient.UsersApi(),
      routing: new platformClient.RoutingApi(),
      conversations: new platformClient.ConversationsApi(),
      notifications: new platformClient.NotificationsApi(),
      organization: new platformClient.OrganizationApi(),
    };
    let channelId = '';
    let frames: FrameCollector<Frame> | undefined;
    let socket: WebSocket | undefined;

    /** A raw SDK call for routes SDK 262 no longer has methods for (the ACD chat routes). */
    const callApi = (method: string, path: string, params: Record<string, string>, body: unknown = null) =>
      as(() =>
        client.callApi(
          path,
          method,
          params,
          {},
          {},
          {},
          body,
          ['PureCloud OAuth'],
          ['application/json'],
          ['application/json'],
        ),
      ) as Promise<unknown>;

    return {
      user,
      name,
      as,
      api,
      callApi,
      /** Opens a channel subscribed to `topics` (PUT replaces), reads the list back and connects. */
      async listen(topics: string[]) {
        const channel = await as(() => api.notifications.postNotificationsChannels());
        channelId = channel.id!;
        await as(() =>
          api.notifications.putNotificationsChannelSubscriptions(
            channelId,
            topics.map((id) => ({ id })),
          ),
        );
        await as(() => api.notifications.getNotificationsChannelSubscriptions(channelId));
        await as(() => api.notifications.getNotificationsChannels());
        socket = await openSocket(channel.connectUri!);
        sockets.push(socket);
        socket.on('message', (data) => recorder.frame(name, data as Buffer));
        frames = new FrameCollector<Frame>(socket);
      },
      /** POST adds topics to the channel. */
      subscribe: (topics: string[]) =>
        as(() =>
          api.notifications.postNotificationsChannelSubscriptions(
            channelId,
            topics.map((id) => ({ id })),
          ),
        ),
      /** The next frame (received at any time, not returned before) that matches. */
      next(match: (f: Frame) => boolean, what: string) {
        if (!frames) throw new Error(`${name} is not listening`);
        return frames.next(match, `${what} (${name})`);
      },
      /** Waits until every frame sent to this channel so far has arrived: a ping, then its pong. */
      async ping() {
        if (!socket || !frames) throw new Error(`${name} is not listening`);
        socket.send(JSON.stringify({ message: 'ping' }));
        await frames.next(
          (f) => f.topicName === 'channel.metadata' && f.eventBody?.message === 'pong',
          `the pong (${name})`,
        );
      },
      /** Waits for this agent's leg of `media` to alert; returns its participant and communication ids. */
      async alert(media: 'messages' | 'chats', conversationId?: string) {
        // biome-ignore lint/suspicious/noExplicitAny: wire JSON.
        const mine = (f: Frame): any =>
          (f.eventBody?.participants ?? []).filter((p: { userId?: string }) => p.userId === user.id).at(-1);
        const frame = await this.next(
          (f) =>
            f.topicName === `v2.users.${user.id}.conversations` &&
            (conversationId === undefined || f.eventBody.id === conversationId) &&
            mine(f)?.[media]?.[0]?.state === 'alerting',
          `an alert on ${media}`,
        );
        const leg = mine(frame);
        return {
          conversationId: frame.eventBody.id as string,
          participantId: leg.id as string,
          communicationId: leg[media][0].id as string,
        };
      },
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

export type RecordingAgent = Awaited<ReturnType<Awaited<ReturnType<typeof recordingAgents>>['agent']>>;
