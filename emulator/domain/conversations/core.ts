import type { LoadedFlow } from '../architect/index.ts';
import type { Principal } from '../auth.ts';
import type { DomainContext } from '../context.ts';
import { ApiError, errors } from '../errors.ts';
import type { FlowRegistry } from '../flows/flow-registry.ts';
import { runInboundFlow } from '../flows/run-inbound-flow.ts';
import type { AcdRouter } from '../routing/router.ts';
import { wrapupCodes } from '../wrapup/wrapup-codes.ts';
import {
  conversationsTable,
  findConversation,
  getConversation,
  getParticipant,
  participantByCommunication,
} from './conversation-store.ts';
import { assertRoomForMessage } from './message-limit.ts';
import {
  type Conversation,
  type ConversationMessage,
  customerOf,
  isActive,
  type Participant,
  type Wrapup,
} from './model.ts';
import {
  appendMessage,
  changeParticipantState,
  createConversation,
  endConversation,
  mergeAttributes,
  type NewConversation,
} from './mutations.ts';

export type TransferTarget = { queueId?: string; queueName?: string } | { userId: string };

/**
 * The conversation core: every channel (WebChat, Web Messaging) and every agent surface calls these
 * operations; none of them knows about HTTP or sockets. Errors are catalogue ApiErrors, thrown before
 * anything changes, so a refused request leaves the conversation exactly as it was.
 */
/** How a new conversation is routed: through an inbound flow, or straight to a queue by name. */
export type RouteHow = { flow: string } | { queueName: string; priority?: number };

export class ConversationCore {
  readonly #ctx: DomainContext;
  readonly #router: AcdRouter;
  readonly #flows: () => FlowRegistry;

  constructor(ctx: DomainContext, router: AcdRouter, flows: () => FlowRegistry) {
    this.#ctx = ctx;
    this.#router = router;
    this.#flows = flows;
  }

  get(conversationId: string): Conversation {
    return getConversation(this.#ctx, conversationId);
  }

  /** Conversations the user has an alerting or connected leg in. */
  activeFor(userId: string): Conversation[] {
    const out: Conversation[] = [];
    for (const c of conversationsTable(this.#ctx).values()) {
      if (c.participants.some((p) => p.userId === userId && p.purpose === 'agent' && isActive(p)))
        out.push(c);
    }
    return out;
  }

  // ---- customer side (called by the guest surfaces) ----

  start(input: NewConversation): Conversation {
    return createConversation(this.#ctx, input);
  }

  /**
   * Starts routing: the deployment's inbound flow decides the queue, or the named queue is used
   * directly (WebChat without a flow). A flow that disconnects ends the conversation.
   */
  route(conversation: Conversation, how: RouteHow): void {
    const target = this.#target(how);
    if ('flow' in target) {
      const result = runInboundFlow(this.#ctx, conversation, target.flow);
      if (result.kind === 'transfer')
        this.#router.enqueue(conversation, result.queueId, result.priority, `flow ${target.flow.name}`);
      else this.#end(conversation, `flow disconnected: ${result.reason}`, 'endpoint');
      return;
    }
    this.#router.enqueue(conversation, target.queueId, target.priority, 'routing target');
  }

  /** Throws route's 404 for an unknown flow or queue, before anything is created for a conversation. */
  assertRoutable(how: RouteHow): void {
    this.#target(how);
  }

  #target(how: RouteHow): { flow: LoadedFlow } | { queueId: string; priority: number } {
    if ('flow' in how) {
      const flow = this.#flows().get(how.flow);
      if (!flow) throw errors.notFound(`flow ${how.flow}`);
      return { flow };
    }
    const queue = this.#ctx.org().queueByName(how.queueName, this.#ctx.fidelity.queueNameMatch === 'exact');
    if (!queue) throw errors.notFound(`queue named ${how.queueName}`, { entityName: how.queueName });
    return { queueId: queue.id, priority: how.priority ?? 0 };
  }

  customerMessage(conversationId: string, text: string, bodyType?: string): ConversationMessage {
    const conversation = this.#open(conversationId);
    assertRoomForMessage(this.#ctx, conversation);
    return appendMessage(this.#ctx, conversation, customerOf(conversation), text, bodyType);
  }

  customerTyping(conversationId: string): void {
    const conversation = this.#open(conversationId);
    const customer = customerOf(conversation);
    this.#ctx.events.emit('typing.sent', { participantId: customer.id, purpose: 'customer' }, conversationId);
  }

  setCustomerAttributes(conversationId: string, attributes: Record<string, string>): void {
    const conversation = this.get(conversationId);
    mergeAttributes(this.#ctx, conversation, customerOf(conversation), attributes);
  }

  /** The customer left (WebChat leave, Web Messaging session closed): the conversation ends. */
  customerLeft(conversationId: string, disconnectType: 'client' | 'session.expired' = 'client'): void {
    const conversation = this.get(conversationId);
    this.#end(
      conversation,
      disconnectType === 'client' ? 'customer left' : 'session expired',
      disconnectType,
    );
  }

  // ---- agent side (called by the platform API) ----

  /** PATCH participant {state: connected}: the alerted agent answers. */
  answer(conversationId: string, participantId: string, principal?: Principal): void {
    const conversation = this.#open(conversationId);
    const participant = this.#agentLeg(conversation, participantId, principal);
    if (participant.state === 'connected') return;
    if (participant.state !== 'alerting') throw this.#badState(participant, 'answer');
    this.#router.answered(conversation, participant);
    this.#router.dequeue(conversation);
  }

  /**
   * PATCH participant {state: disconnected}: the agent leaves. When no other agent remains, the
   * conversation ends for the customer too (UNCONFIRMED for messaging; it is what Messenger's
   * conversationDisconnect setting implies, platform-architect.md §3.3 step 8).
   */
  disconnect(conversationId: string, participantId: string, principal?: Principal): void {
    const conversation = this.get(conversationId);
    const participant = getParticipant(conversation, participantId);
    this.#checkOwner(participant, principal);
    if (!isActive(participant)) return;
    if (participant.purpose === 'customer') {
      this.customerLeft(conversationId);
      return;
    }
    const declined = participant.state === 'alerting';
    changeParticipantState(this.#ctx, conversation, participant, 'disconnected', 'client');
    // A declined alert is offered again, as one that rang out; it does not strand the conversation.
    if (declined && this.#router.alertDeclined(conversation, participant)) return;
    this.#router.agentLegEnded(participant);
    const othersActive = conversation.participants.some((p) => p.purpose === 'agent' && isActive(p));
    const waiting = conversation.participants.some((p) => p.purpose === 'acd' && p.state === 'connected');
    if (!othersActive && !waiting) this.#end(conversation, 'agent disconnected', 'peer');
  }

  /** PATCH {state: disconnected} on the conversation: everyone leaves. */
  disconnectAll(conversationId: string): void {
    this.#end(this.get(conversationId), 'disconnected by API', 'client');
  }

  wrapup(
    conversationId: string,
    participantId: string,
    wrapup: Omit<Wrapup, 'endTime'>,
    principal?: Principal,
  ): void {
    const conversation = this.get(conversationId);
    const participant = this.#agentLeg(conversation, participantId, principal);
    if (isActive(participant)) {
      throw new ApiError(
        400,
        'bad.request',
        'Wrap-up can be set only after the participant has disconnected.',
      );
    }
    // The code must be one of the queue's wrap-up codes, by id (platform-extra.md §4).
    const code = wrapupCodes(this.#ctx.org()).check(participant.queueId, wrapup.code);
    participant.wrapup = {
      ...wrapup,
      name: code.name,
      endTime: new Date(this.#ctx.clock.now()).toISOString(),
    };
    this.#ctx.events.emit(
      'participant.wrapup',
      {
        participantId,
        code: code.id,
        name: code.name,
        ...(wrapup.notes === undefined ? {} : { notes: wrapup.notes }),
        ...(participant.userId ? { userId: participant.userId } : {}),
      },
      conversationId,
    );
    changeParticipantState(this.#ctx, conversation, participant, 'terminated');
  }

  patchAttributes(
    conversationId: string,
    participantId: string,
    attributes: Record<string, string>,
  ): Participant {
    const conversation = this.get(conversationId);
    const participant = getParticipant(conversation, participantId);
    mergeAttributes(this.#ctx, conversation, participant, attributes);
    return participant;
  }

  agentMessage(
    conversationId: string,
    communicationId: string,
    text: string,
    bodyType?: string,
    principal?: Principal,
  ) {
    const conversation = this.#open(conversationId);
    const participant = participantByCommunication(conversation, communicationId);
    this.#checkOwner(participant, principal);
    if (participant.purpose !== 'agent' || participant.state !== 'connected')
      throw this.#badState(participant, 'send a message');
    assertRoomForMessage(this.#ctx, conversation);
    return appendMessage(this.#ctx, conversation, participant, text, bodyType);
  }

  /**
   * A guest's socket took an outbound message: Genesys moves its status from `sent` to
   * `delivery-success`. Once per message; a message or conversation that is gone (reset) is ignored.
   */
  messageDelivered(conversationId: string, messageId: string): void {
    const message = this.#recentMessage(conversationId, messageId);
    if (message?.direction !== 'outbound' || message.deliveredAt !== undefined) return;
    if (message.failedAt !== undefined) return;
    message.deliveredAt = this.#ctx.clock.now();
    this.#ctx.events.emit('message.delivered', { messageId }, conversationId);
  }

  /**
   * The guest's side could not take an outbound message (an Open Messaging Failed receipt, or its webhook
   * gave up): Genesys shows it as `delivery-failed`. Once per message; a delivered one stays delivered.
   */
  messageFailed(conversationId: string, messageId: string, reason: string): void {
    const message = this.#recentMessage(conversationId, messageId);
    if (message?.direction !== 'outbound' || message.deliveredAt !== undefined) return;
    if (message.failedAt !== undefined) return;
    message.failedAt = this.#ctx.clock.now();
    this.#ctx.events.emit('message.failed', { messageId, reason }, conversationId);
  }

  /**
   * A message by id, looked for from the newest: deliveries and failures are of recent messages, so one
   * costs the same in a conversation of 10 messages as of 1,000 (issue 19).
   */
  #recentMessage(conversationId: string, messageId: string): ConversationMessage | undefined {
    return findConversation(this.#ctx, conversationId)?.messages.findLast((m) => m.id === messageId);
  }

  agentTyping(conversationId: string, communicationId: string, principal?: Principal): void {
    const conversation = this.#open(conversationId);
    const participant = participantByCommunication(conversation, communicationId);
    this.#checkOwner(participant, principal);
    if (participant.purpose !== 'agent' || participant.state !== 'connected')
      throw this.#badState(participant, 'send typing');
    this.#ctx.events.emit('typing.sent', { participantId: participant.id, purpose: 'agent' }, conversationId);
  }

  /**
   * Blind transfer (replace): the customer's side stays open, the agent's leg ends as `transfer`, the
   * target queue or user is alerted, Participant Data stays on the customer. The target is checked
   * first, so an unknown queue or user changes nothing.
   */
  transfer(
    conversationId: string,
    participantId: string,
    target: TransferTarget,
    principal?: Principal,
  ): void {
    const ctx = this.#ctx;
    const conversation = this.#open(conversationId);
    const participant = this.#agentLeg(conversation, participantId, principal);
    if (!isActive(participant)) throw this.#badState(participant, 'transfer');
    if ('userId' in target) {
      if (!ctx.org().userById(target.userId))
        throw errors.notFound(`user ${target.userId}`, { entityId: target.userId });
      changeParticipantState(ctx, conversation, participant, 'disconnected', 'transfer');
      this.#router.agentLegEnded(participant);
      ctx.events.emit(
        'conversation.transferred',
        { fromParticipantId: participant.id, target: { type: 'user', userId: target.userId } },
        conversationId,
      );
      this.#router.alertUser(conversation, target.userId);
      return;
    }
    const exact = ctx.fidelity.queueNameMatch === 'exact';
    const queue =
      target.queueId !== undefined
        ? ctx.org().queueById(target.queueId)
        : ctx.org().queueByName(target.queueName ?? '', exact);
    if (!queue) {
      const what = target.queueId ?? target.queueName ?? '';
      throw errors.notFound(`queue ${what}`, { entityId: what });
    }
    changeParticipantState(ctx, conversation, participant, 'disconnected', 'transfer');
    ctx.events.emit(
      'conversation.transferred',
      { fromParticipantId: participant.id, target: { type: 'queue', queueId: queue.id } },
      conversationId,
    );
    // Free the transferring agent first: their idle clock restarts now, so if they are also a member of
    // the target queue, members who have waited longer are offered the conversation before them.
    this.#router.agentLegEnded(participant);
    this.#router.enqueue(conversation, queue.id, conversation.priority, `transfer from ${participant.name}`);
  }

  #open(conversationId: string): Conversation {
    const conversation = this.get(conversationId);
    if (conversation.endTime !== undefined) {
      throw new ApiError(400, 'bad.request', `Conversation ${conversationId} has ended.`, {
        entityId: conversationId,
      });
    }
    return conversation;
  }

  #agentLeg(conversation: Conversation, participantId: string, principal?: Principal): Participant {
    const participant = getParticipant(conversation, participantId);
    if (participant.purpose !== 'agent') {
      throw new ApiError(
        400,
        'bad.request',
        `Participant ${participantId} is a ${participant.purpose} participant, not an agent.`,
      );
    }
    this.#checkOwner(participant, principal);
    return participant;
  }

  /** A token bound to a user acts only on that user's legs; an org-level client may act on any. */
  #checkOwner(participant: Participant, principal?: Principal): void {
    if (principal?.userId && participant.userId && principal.userId !== participant.userId) {
      throw errors.notAuthorized(`Participant ${participant.id} belongs to another user.`);
    }
  }

  #badState(participant: Participant, action: string): ApiError {
    return new ApiError(
      400,
      'bad.request',
      `Cannot ${action}: participant ${participant.id} is ${participant.state}.`,
      {
        entityId: participant.id,
      },
    );
  }

  #end(
    conversation: Conversation,
    reason: string,
    customerDisconnectType: 'client' | 'peer' | 'endpoint' | 'session.expired',
  ): void {
    const ctx = this.#ctx;
    if (conversation.endTime !== undefined) return;
    this.#router.dequeue(conversation);
    const agentLegs = conversation.participants.filter((p) => p.purpose === 'agent' && isActive(p));
    endConversation(ctx, conversation, reason, (p) => {
      if (p.purpose === 'customer') return customerDisconnectType;
      if (p.purpose === 'acd' || p.purpose === 'workflow') return 'endpoint';
      return customerDisconnectType === 'client' || customerDisconnectType === 'session.expired'
        ? 'peer'
        : 'client';
    });
    for (const leg of agentLegs) this.#router.agentLegEnded(leg);
  }
}
