import type { FastifyPluginAsync } from 'fastify';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { named } from '../plugin-name.ts';
import { chatsTable, findChat } from './chats.ts';
import './events.ts';
import { GuestStreams } from './event-stream.ts';
import { FrameWriter } from './frames.ts';
import { guestLeaves } from './guest-auth.ts';
import { GuestTokens } from './jwt.ts';
import { guestRoutes } from './routes.ts';
import { streamRoute } from './stream-route.ts';
import type { WebChatDeps } from './surface-deps.ts';
import { GuestFrameTranslator } from './translator.ts';

/**
 * The WebChat v2 guest API (guest-protocols.md PART 1): the REST endpoints under
 * /api/v2/webchat/guest/, guest JWTs, and the event stream at each chat's `eventStreamUri`. It is a
 * view of the conversation core: guests act through the core's customer operations, and everything
 * that happens to the conversation reaches the guest through one subscriber on the event bus.
 */
export const webchatSurface: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  const frames = new FrameWriter(runtime.correlationIds);
  const tokens = new GuestTokens(runtime.clock, () => runtime.keys);
  const streams = new GuestStreams(runtime.clock, frames, (conversationId) => {
    // Unresponsive for GUEST_IDLE_MS: the guest leaves as Genesys's idle rule says (member-leave).
    const conversation = findConversation(runtime, conversationId);
    const chat = findChat(runtime, conversationId);
    if (chat && conversation && conversation.endTime === undefined)
      guestLeaves(runtime, chat, 'session.expired');
  });
  const translator = new GuestFrameTranslator(runtime, streams, frames, (e) =>
    app.log.error({ err: e }, 'webchat frame translation failed'),
  );
  const unsubscribe = runtime.events.subscribe((event) => translator.onEvent(event));
  runtime.onReset(() => streams.closeAll());
  // After a restore no guest is attached: each open chat's idle clock runs until its guest re-attaches.
  runtime.onRestore(() => {
    for (const chat of chatsTable(runtime).values()) {
      const conversation = findConversation(runtime, chat.conversationId);
      if (conversation && conversation.endTime === undefined && !chat.left)
        streams.watchIdle(chat.conversationId);
    }
  });
  // The control plane's drop-guest-socket fault reaches guest chat streams through this.
  runtime.guestLinks.register((conversationId) => streams.drop(conversationId));
  app.addHook('preClose', async () => streams.closeAll());
  app.addHook('onClose', async () => {
    unsubscribe();
  });

  const deps: WebChatDeps = { runtime, tokens, streams, frames, translator };
  await app.register(named(guestRoutes), deps);
  await app.register(named(streamRoute), deps);
};
