import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ApiError, errors } from '../../domain/errors.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { sendApiError } from '../error-handler.ts';
import { principalOf, requireBearer } from '../platform/auth-hook.ts';
import { named } from '../plugin-name.ts';
import { parseInput } from '../validate.ts';
import { type Channel, MAX_TOPICS_PER_CHANNEL, NotificationHub } from './hub.ts';
import { topicStatus } from './topics.ts';

declare module '../../domain/events.ts' {
  interface EmulatorEventData {
    /** A channel subscribed to Genesys topics the emulator never publishes (accepted, but silent). */
    'notifications.topics.unpublished': { channelId: string; topics: string[] };
  }
}

const ChannelParams = z.object({ channelId: z.string().min(1) });
const SubscriptionBody = z
  .array(z.object({ id: z.string().min(1).max(512) }).passthrough())
  .max(MAX_TOPICS_PER_CHANNEL);
const SubscriptionQuery = z.object({ ignoreErrors: z.enum(['true', 'false']).optional() });

/**
 * The Notifications API (platform-architect.md §3.4): REST to create channels and manage subscriptions
 * (PUT replaces, POST adds), and the streaming WebSocket at the channel's `connectUri`, which points at
 * this emulator.
 */
export const notificationsSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (
  app,
  { runtime },
) => {
  const hub = new NotificationHub(runtime);
  runtime.onClosing(() => hub.shutdown());

  // The streaming socket carries no token: the channel id in the URL is the credential.
  app.get(
    '/channels/:channelId',
    {
      websocket: true,
      preValidation: async (request, reply) => {
        const { channelId } = request.params as { channelId: string };
        if (!hub.get(channelId)) return sendApiError(request, reply, errors.notFound(`channel ${channelId}`));
      },
    },
    (socket, request) => {
      const channel = hub.get((request.params as { channelId: string }).channelId)!;
      const handle = {
        send: (text: string) => {
          // Write-ahead: what caused this frame is in the data dir's journal before the frame leaves.
          runtime.beforeOutput();
          socket.send(text);
        },
        close: (code?: number, reason?: string) => socket.close(code, reason),
      };
      hub.attach(channel, handle);
      socket.on('message', (data) => {
        if (isPing(data.toString())) hub.ping(channel);
      });
      socket.on('close', () => hub.detach(channel, handle));
    },
  );

  await app.register(
    named(async (api) => {
      requireBearer(api, runtime);
      const owned = (request: FastifyRequest): Channel => {
        const { channelId } = parseInput(ChannelParams, request.params, 'params');
        const channel = hub.get(channelId);
        if (!channel || channel.clientId !== principalOf(request).clientId)
          throw errors.notFound(`channel ${channelId}`, { entityId: channelId });
        return channel;
      };
      const present = (request: FastifyRequest, channel: Channel) => {
        const host = request.headers.host ?? '127.0.0.1';
        return {
          connectUri: `ws://${host}/channels/${channel.id}`,
          id: channel.id,
          expires: new Date(channel.expiresAt).toISOString(),
        };
      };
      const listing = (channel: Channel) => ({
        entities: [...channel.topics].map((id) => ({
          id,
          state: 'Permitted',
          selfUri: `/api/v2/notifications/channels/${channel.id}/subscriptions`,
        })),
      });
      /**
       * The topics of a subscription request. Any topic Genesys has is accepted (genesys-topics.ts); one
       * the emulator never publishes is said so in the log and on the timeline, so a silent channel is
       * explained. A name Genesys does not have is refused with 400, the whole request unchanged, unless
       * `ignoreErrors=true` drops it.
       */
      const topicsOf = (request: FastifyRequest) => {
        const topics = parseInput(SubscriptionBody, request.body ?? [], 'body').map((t) => t.id);
        const { ignoreErrors } = parseInput(SubscriptionQuery, request.query, 'query');
        const unknown = topics.filter((t) => topicStatus(t) === 'unknown');
        if (unknown.length && ignoreErrors !== 'true') {
          throw new ApiError(400, 'bad.request', `Not Genesys notification topics: ${unknown.join(', ')}`, {
            details: unknown.map((t) => ({ errorCode: 'topic.not.found', fieldName: t })),
          });
        }
        return topics.filter((t) => !unknown.includes(t));
      };
      /** Once a subscription is taken: the topics in it that will stay silent, in the log and on the timeline. */
      const announceUnpublished = (request: FastifyRequest, channel: Channel, topics: string[]) => {
        const unpublished = topics.filter((t) => topicStatus(t) === 'unpublished');
        if (!unpublished.length) return;
        request.log.warn(
          { channelId: channel.id, topics: unpublished },
          `subscribed to ${unpublished.length} topic(s) the emulator never publishes: ${unpublished.join(', ')}`,
        );
        runtime.events.emit('notifications.topics.unpublished', {
          channelId: channel.id,
          topics: unpublished,
        });
      };

      api.post('/api/v2/notifications/channels', async (request) =>
        present(request, hub.create(principalOf(request).clientId)),
      );
      api.get('/api/v2/notifications/channels', async (request) => ({
        entities: hub.list(principalOf(request).clientId).map((c) => present(request, c)),
      }));
      api.head('/api/v2/notifications/channels/:channelId', async (request, reply) => {
        owned(request);
        return reply.status(200).send();
      });
      api.get('/api/v2/notifications/channels/:channelId/subscriptions', async (request) =>
        listing(owned(request)),
      );
      api.put('/api/v2/notifications/channels/:channelId/subscriptions', async (request) => {
        const channel = owned(request);
        const topics = topicsOf(request);
        channel.topics = new Set(topics);
        hub.saved(channel);
        announceUnpublished(request, channel, topics);
        return listing(channel);
      });
      api.post('/api/v2/notifications/channels/:channelId/subscriptions', async (request) => {
        const channel = owned(request);
        const topics = topicsOf(request);
        // A topic the channel already has (or one named twice) takes no second place in the limit.
        const adding = new Set(topics.filter((t) => !channel.topics.has(t)));
        if (channel.topics.size + adding.size > MAX_TOPICS_PER_CHANNEL) {
          throw new ApiError(400, 'bad.request', `A channel holds at most ${MAX_TOPICS_PER_CHANNEL} topics.`);
        }
        for (const t of topics) channel.topics.add(t);
        hub.saved(channel);
        announceUnpublished(request, channel, topics);
        return listing(channel);
      });
      api.delete('/api/v2/notifications/channels/:channelId/subscriptions', async (request, reply) => {
        const channel = owned(request);
        channel.topics.clear();
        hub.saved(channel);
        return reply.status(204).send();
      });
    }, 'notifications-api'),
  );
};

function isPing(text: string): boolean {
  try {
    const parsed = JSON.parse(text) as { message?: unknown };
    return parsed?.message === 'ping';
  } catch {
    return false;
  }
}
