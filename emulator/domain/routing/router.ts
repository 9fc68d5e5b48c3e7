import type { TimerHandle } from '../clock.ts';
import type { DomainContext } from '../context.ts';
import { conversationsTable, findConversation } from '../conversations/conversation-store.ts';
import type { Conversation, Participant } from '../conversations/model.ts';
import { addParticipant, changeParticipantState } from '../conversations/mutations.ts';
import { errors } from '../errors.ts';
import {
  AGENTS_TABLE,
  type AgentState,
  agentState,
  holdLeg,
  holdsAny,
  isOnQueue,
  mutableAgentState,
  type RoutingStatus,
  releaseLeg,
  setStatus,
} from './agent-state.ts';
import type { CandidateVerdict, RoutingDecision } from './decision.ts';
import { capacityBlocker, effectiveUtilization } from './utilization.ts';
import { before, type WaitingEntry, WaitingList } from './waiting-list.ts';

/** Who waits where: conversation id -> its place in a queue. The store holds it; #waiting is its index. */
const WAITING_TABLE = 'routing.waiting';
type StoredWaiting = WaitingEntry & { queueId: string };

/**
 * ACD routing (platform-architect.md §2.3-§2.5): conversations wait in queues; an available member
 * with capacity is alerted, the longest idle first; an alert that times out on the emulator clock marks
 * the agent NOT_RESPONDING, ends the leg as transfer.noanswer and offers the conversation to the next
 * agent; an agent who frees up takes the best waiting conversation of their queues.
 *
 * Each waiting conversation's place is in the store (routing.waiting); the sorted lists per queue are an
 * index of it and the alert timers are process state, both kept here and rebuilt by restored() after a
 * restart (data dir) or a repro pack. reset() drops them.
 */
export class AcdRouter {
  readonly #ctx: DomainContext;
  #waiting = new Map<string, WaitingList>();
  #alertTimers = new Map<string, TimerHandle>();
  #order = 0;
  /** Each queued conversation's arrival sequence: one whose alert timed out keeps its place among ties. */
  #arrival = new Map<string, number>();

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  reset(): void {
    for (const timer of this.#alertTimers.values()) this.#ctx.clock.clearTimeout(timer);
    this.#alertTimers.clear();
    this.#arrival.clear();
    this.#waiting.clear();
  }

  /** Puts a conversation in a queue (a flow's Transfer to ACD, a WebChat routing target, an agent transfer). */
  enqueue(conversation: Conversation, queueId: string, priority: number, reason: string): void {
    const ctx = this.#ctx;
    const queue = ctx.org().queueById(queueId);
    if (!queue) throw errors.notFound(`queue ${queueId}`, { entityId: queueId });
    for (const p of conversation.participants) {
      if (p.purpose === 'acd' && p.state === 'connected')
        changeParticipantState(ctx, conversation, p, 'disconnected', 'transfer');
    }
    addParticipant(ctx, conversation, { purpose: 'acd', state: 'connected', name: queue.name, queueId });
    conversation.queueId = queueId;
    conversation.priority = priority;
    conversation.enqueuedAt = ctx.clock.now();
    ctx.events.emit(
      'conversation.queued',
      { queueId, queueName: queue.name, priority, reason },
      conversation.id,
    );
    this.#addWaiting(queueId, {
      conversationId: conversation.id,
      priority,
      enqueuedAt: conversation.enqueuedAt,
      order: this.#arrive(conversation.id),
    });
    this.#routeQueue(queueId);
  }

  /** Alerts one user directly (blind transfer to an agent): no ACD selection, the user's capacity ignored. */
  alertUser(conversation: Conversation, userId: string): Participant {
    const user = this.#ctx.org().userById(userId);
    if (!user) throw errors.notFound(`user ${userId}`, { entityId: userId });
    const timeoutSeconds = conversation.queueId
      ? (this.#ctx.org().queueById(conversation.queueId)?.alertingTimeoutSeconds ?? 30)
      : 30;
    return this.#alert(conversation, userId, conversation.queueId, timeoutSeconds * 1000);
  }

  /** The agent answered: their participant connects, the acd leg ends, the agent is INTERACTING. */
  answered(conversation: Conversation, participant: Participant): void {
    const ctx = this.#ctx;
    this.#clearAlert(participant.id);
    changeParticipantState(ctx, conversation, participant, 'connected');
    for (const p of conversation.participants) {
      if (p.purpose === 'acd' && p.state === 'connected')
        changeParticipantState(ctx, conversation, p, 'disconnected', 'transfer');
    }
    if (participant.userId) {
      const state = mutableAgentState(ctx, participant.userId);
      if (state.status === 'IDLE') setStatus(ctx, state, 'INTERACTING');
    }
  }

  /**
   * An agent leg ended (disconnect, transfer, or the whole conversation ended): capacity frees, the
   * idle clock restarts, and the agent may take the next waiting conversation.
   */
  agentLegEnded(participant: Participant): void {
    const ctx = this.#ctx;
    this.#clearAlert(participant.id);
    if (!participant.userId) return;
    const state = mutableAgentState(ctx, participant.userId);
    if (!releaseLeg(state, participant.id)) return;
    if (participant.connectedTime !== undefined) state.idleSince = ctx.clock.now();
    if (state.status === 'INTERACTING' && !holdsAny(state)) setStatus(ctx, state, 'IDLE');
    this.#offerTo(participant.userId);
  }

  /** The conversation left ACD (ended, or answered elsewhere): it no longer waits anywhere. */
  dequeue(conversation: Conversation): void {
    this.#arrival.delete(conversation.id);
    if (conversation.queueId) this.#removeWaiting(conversation.queueId, conversation.id);
  }

  /** PUT /users/{id}/routingstatus: IDLE goes on queue (and recovers from NOT_RESPONDING), OFF_QUEUE leaves. */
  setRoutingStatus(userId: string, status: RoutingStatus): void {
    const ctx = this.#ctx;
    if (status !== 'IDLE' && status !== 'OFF_QUEUE') {
      throw errors.invalidValue('status', status, 'IDLE, OFF_QUEUE');
    }
    const state = mutableAgentState(ctx, userId);
    if (status === 'OFF_QUEUE') {
      setStatus(ctx, state, 'OFF_QUEUE');
      return;
    }
    if (Number.isNaN(state.idleSince)) state.idleSince = ctx.clock.now();
    setStatus(ctx, state, holdsAny(state) ? 'INTERACTING' : 'IDLE');
    this.#offerTo(userId);
  }

  /** Conversations waiting in a queue, best first. */
  waitingIn(queueId: string): readonly string[] {
    return (this.#waiting.get(queueId)?.entries() ?? []).map((e) => e.conversationId);
  }

  /**
   * After a restore (data dir, repro pack): the queues' order from the store, alert timers re-armed on
   * the emulator clock from each alerting leg's start and timeout (one already past its deadline times
   * out at once), and agents' held legs kept only where the conversation still has them.
   */
  restored(): void {
    const ctx = this.#ctx;
    this.reset();
    const waiting = ctx.store.table<StoredWaiting>(WAITING_TABLE);
    for (const entry of [...waiting.values()].sort((a, b) => a.order - b.order)) {
      if (!findConversation(ctx, entry.conversationId)) {
        waiting.delete(entry.conversationId);
        continue;
      }
      const { queueId, ...place } = entry;
      this.#list(queueId).add(place);
      this.#order = Math.max(this.#order, entry.order);
    }
    const live = new Set<string>();
    for (const conversation of conversationsTable(ctx).values()) {
      for (const p of conversation.participants) {
        if (p.purpose !== 'agent' || (p.state !== 'alerting' && p.state !== 'connected')) continue;
        live.add(p.id);
        if (p.state !== 'alerting') continue;
        const due = (p.startAlertingTime ?? ctx.clock.now()) + (p.alertingTimeoutMs ?? 30_000);
        this.#armAlert(conversation.id, p.id, Math.max(0, due - ctx.clock.now()));
      }
    }
    for (const state of ctx.store.table<AgentState>(AGENTS_TABLE).values()) {
      for (const leg of Object.keys(state.active))
        if (!live.has(leg)) releaseLeg(mutableAgentState(ctx, state.userId), leg);
    }
  }

  #arrive(conversationId: string): number {
    const order = ++this.#order;
    this.#arrival.set(conversationId, order);
    return order;
  }

  #list(queueId: string): WaitingList {
    let list = this.#waiting.get(queueId);
    if (!list) {
      list = new WaitingList();
      this.#waiting.set(queueId, list);
    }
    return list;
  }

  #addWaiting(queueId: string, entry: WaitingEntry): void {
    this.#ctx.store.table<StoredWaiting>(WAITING_TABLE).set(entry.conversationId, { ...entry, queueId });
    this.#list(queueId).add(entry);
  }

  #removeWaiting(queueId: string, conversationId: string): void {
    this.#ctx.store.table<StoredWaiting>(WAITING_TABLE).delete(conversationId);
    this.#waiting.get(queueId)?.remove(conversationId);
  }

  /**
   * Offers waiting conversations of one queue, best first, while members can take them. Whether anyone
   * can take a conversation depends only on its media type, so one nobody can take holds up only the
   * conversations of its own media type behind it: a chat does not wait for message capacity.
   */
  #routeQueue(queueId: string): void {
    const list = this.#waiting.get(queueId);
    if (!list) return;
    const stuck = new Set<string>();
    for (const entry of [...list.entries()]) {
      const conversation = findConversation(this.#ctx, entry.conversationId);
      if (!conversation) {
        this.#removeWaiting(queueId, entry.conversationId);
        continue;
      }
      if (stuck.has(conversation.mediaType)) continue;
      if (!this.#tryOffer(conversation, queueId)) stuck.add(conversation.mediaType);
    }
  }

  /** An agent became available: offer the best waiting conversation across their queues, repeatedly. */
  #offerTo(userId: string): void {
    const ctx = this.#ctx;
    const user = ctx.org().userById(userId);
    if (!user || !isOnQueue(agentState(ctx, userId).status)) return;
    const queues = user.queues.map((name) => ctx.org().queueByName(name)).filter((q) => q !== undefined);
    for (let guard = 0; guard < 1000; guard++) {
      let best: { queueId: string; entry: NonNullable<ReturnType<WaitingList['first']>> } | undefined;
      for (const q of queues) {
        for (const entry of this.#waiting.get(q.id)?.entries() ?? []) {
          const conversation = findConversation(ctx, entry.conversationId);
          if (!conversation || this.#blockerFor(userId, conversation)) continue;
          if (!best || before(entry, best.entry)) best = { queueId: q.id, entry };
          break;
        }
      }
      if (!best) return;
      const conversation = findConversation(ctx, best.entry.conversationId)!;
      if (!this.#tryOffer(conversation, best.queueId)) return;
    }
  }

  /** Why this user cannot be offered this conversation now, or undefined. */
  #blockerFor(userId: string, conversation: Conversation): string | undefined {
    const ctx = this.#ctx;
    const state = agentState(ctx, userId);
    if (!isOnQueue(state.status)) return state.status;
    const { utilization } = effectiveUtilization(ctx, userId);
    return capacityBlocker(utilization, state.held, conversation.mediaType);
  }

  /** Chooses the longest-idle eligible member and alerts them; records the decision either way. */
  #tryOffer(conversation: Conversation, queueId: string): boolean {
    const ctx = this.#ctx;
    const queue = ctx.org().queueById(queueId)!;
    const candidates: CandidateVerdict[] = [];
    let chosen: CandidateVerdict | undefined;
    for (const member of ctx.org().membersOf(queueId)) {
      const state = agentState(ctx, member.id);
      const verdict: CandidateVerdict = { userId: member.id, name: member.name };
      const blocker = this.#blockerFor(member.id, conversation);
      if (blocker) verdict.skipped = blocker;
      else {
        verdict.idleSince = state.idleSince;
        if (!chosen || state.idleSince < chosen.idleSince!) chosen = verdict;
      }
      candidates.push(verdict);
    }
    const decision: RoutingDecision = {
      conversationId: conversation.id,
      queueId,
      queueName: queue.name,
      mediaType: conversation.mediaType,
      outcome: chosen ? 'alerted' : 'waiting',
      candidates,
      ...(chosen ? { chosenUserId: chosen.userId } : {}),
    };
    ctx.events.emit('routing.decision', decision, conversation.id);
    if (!chosen) return false;
    this.#removeWaiting(queueId, conversation.id);
    this.#alert(conversation, chosen.userId, queueId, queue.alertingTimeoutSeconds * 1000);
    return true;
  }

  #alert(
    conversation: Conversation,
    userId: string,
    queueId: string | undefined,
    timeoutMs: number,
  ): Participant {
    const ctx = this.#ctx;
    const user = ctx.org().userById(userId)!;
    const participant = addParticipant(ctx, conversation, {
      purpose: 'agent',
      state: 'alerting',
      name: user.name,
      userId,
      ...(queueId === undefined ? {} : { queueId }),
      alertingTimeoutMs: timeoutMs,
    });
    holdLeg(mutableAgentState(ctx, userId), participant.id, conversation.mediaType);
    ctx.events.emit(
      'agent.alerted',
      {
        participantId: participant.id,
        userId,
        ...(queueId === undefined ? {} : { queueId }),
        alertingTimeoutMs: timeoutMs,
      },
      conversation.id,
    );
    this.#armAlert(conversation.id, participant.id, timeoutMs);
    return participant;
  }

  #armAlert(conversationId: string, participantId: string, ms: number): void {
    const timer = this.#ctx.clock.setTimeout(() => this.#alertTimedOut(conversationId, participantId), ms);
    this.#alertTimers.set(participantId, timer);
  }

  /**
   * Not answered in time: an agent on queue is NOT_RESPONDING until they go back on queue; the
   * conversation is re-offered.
   */
  #alertTimedOut(conversationId: string, participantId: string): void {
    const ctx = this.#ctx;
    this.#alertTimers.delete(participantId);
    const conversation = findConversation(ctx, conversationId);
    const participant = conversation?.participants.find((p) => p.id === participantId);
    if (!conversation || !participant || participant.state !== 'alerting') return;
    changeParticipantState(ctx, conversation, participant, 'disconnected', 'transfer.noanswer');
    ctx.events.emit('agent.noanswer', { participantId, userId: participant.userId! }, conversation.id);
    this.#offerMissed(conversation, participant);
  }

  /**
   * The agent declined the alert (their leg is already disconnected): a declined offer counts as a missed
   * one (NOT_RESPONDING is "missed/declined an offer", platform-extra.md §3.3), so the conversation goes
   * back to its queue as after a ring-out, instead of waiting nowhere. False when it has no queue to go
   * back to (the caller then ends it if nobody else is on it).
   */
  alertDeclined(conversation: Conversation, participant: Participant): boolean {
    this.#clearAlert(participant.id);
    return this.#offerMissed(conversation, participant);
  }

  /** An offer to `participant` (now disconnected) was missed: the agent and the conversation move on. */
  #offerMissed(conversation: Conversation, participant: Participant): boolean {
    const ctx = this.#ctx;
    const state = mutableAgentState(ctx, participant.userId!);
    releaseLeg(state, participant.id);
    // Not Responding is an ACD routing status (platform-architect.md §2.5): an agent who is off queue and
    // misses an alert (a conversation transferred to them by name) stays off queue.
    if (state.status !== 'OFF_QUEUE') setStatus(ctx, state, 'NOT_RESPONDING');
    if (conversation.endTime !== undefined) return false;
    const queueId = conversation.queueId;
    if (!queueId) return false;
    // Back in its queue with its original arrival time, so it keeps its place.
    const hasAcd = conversation.participants.some((p) => p.purpose === 'acd' && p.state === 'connected');
    if (!hasAcd) {
      const queue = ctx.org().queueById(queueId);
      addParticipant(ctx, conversation, {
        purpose: 'acd',
        state: 'connected',
        name: queue?.name ?? 'queue',
        queueId,
      });
    }
    this.#addWaiting(queueId, {
      conversationId: conversation.id,
      priority: conversation.priority,
      enqueuedAt: conversation.enqueuedAt ?? ctx.clock.now(),
      order: this.#arrival.get(conversation.id) ?? ++this.#order,
    });
    this.#routeQueue(queueId);
    return true;
  }

  #clearAlert(participantId: string): void {
    const timer = this.#alertTimers.get(participantId);
    if (timer) this.#ctx.clock.clearTimeout(timer);
    this.#alertTimers.delete(participantId);
  }
}
