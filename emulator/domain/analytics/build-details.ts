import type { DomainContext } from '../context.ts';
import { findConversation } from '../conversations/conversation-store.ts';
import type { Conversation, DisconnectType, Participant } from '../conversations/model.ts';
import type { DomainEvent } from '../events.ts';
import { flowIdOf, flowTypeOf } from '../flows/flow-ids.ts';
import type {
  ConversationDetail,
  MetricDetail,
  ParticipantDetail,
  SegmentDetail,
  SessionDetail,
} from './details-model.ts';

/** The conversation events details are built from, in the order they happened. */
const DETAIL_EVENTS = new Set<string>([
  'conversation.created',
  'conversation.ended',
  'conversation.queued',
  'conversation.transferred',
  'participant.added',
  'participant.state.changed',
  'participant.wrapup',
  'flow.run',
  'message.sent',
]);

/** The conversation model's disconnect types as analytics spells them (segment `disconnectType`). */
const ANALYTICS_DISCONNECT: Record<DisconnectType, string> = {
  endpoint: 'endpoint',
  client: 'client',
  system: 'system',
  transfer: 'transfer',
  'transfer.noanswer': 'noAnswerTransfer',
  peer: 'peer',
  error: 'error',
  'session.expired': 'sessionExpired',
};

/**
 * Conversation details built from the event log (the timeline), as Genesys builds them from its own
 * detail events: one participant per conversation participant (customer, workflow, acd, agent), one
 * session each, and segments cut at every state change: a customer `interact` for the whole visit; the
 * flow's `interact` with `flow` (flowId, flowType, exitReason, transfer target); each queue's `interact`
 * from offer to answer (or abandon); an agent's `alert`, `interact` and `wrapup` (with `wrapUpCode`, the
 * code's id, and `wrapUpNote`). Metrics follow the names of a real Web Messaging capture (nConnected,
 * nFlow/tFlow, nOffered/tAcd/tAbandon, tAlert, tAnswered, tTalk/tTalkComplete, tAcw, tHandle,
 * nTransferred/nBlindTransferred). `conversationEnd` is the last segment's end once the conversation
 * ended, so a wrap-up after the customer left moves it, as in Genesys.
 *
 * Names, session ids and Participant Data come from the conversation the emulator holds. Events older
 * than the log keeps (100,000) are gone, and a conversation whose creation was dropped has no details.
 * UNCONFIRMED: the exact participant and segment sequence of a messaging conversation (platform-extra.md
 * §8 point 8); the shape follows a real Web Messaging capture (public code, see the reference).
 */
export function buildConversationDetails(
  ctx: DomainContext,
  options: { until?: number; conversationIds?: ReadonlySet<string> } = {},
): ConversationDetail[] {
  const byConversation = new Map<string, DomainEvent[]>();
  for (const event of ctx.events.list()) {
    const id = event.conversationId;
    if (id === undefined || !DETAIL_EVENTS.has(event.type)) continue;
    if (options.conversationIds && !options.conversationIds.has(id)) continue;
    if (options.until !== undefined && Date.parse(event.time) > options.until) continue;
    let list = byConversation.get(id);
    if (!list) {
      list = [];
      byConversation.set(id, list);
    }
    list.push(event);
  }
  const out: ConversationDetail[] = [];
  for (const [id, events] of byConversation) {
    const detail = new DetailBuilder(ctx, id, findConversation(ctx, id)).build(events);
    if (detail) out.push(detail);
  }
  return out;
}

interface Row {
  detail: ParticipantDetail;
  open?: SegmentDetail;
  connectedAt?: number;
  endedAt?: number;
  talk?: number;
}

class DetailBuilder {
  readonly #ctx: DomainContext;
  readonly #id: string;
  readonly #live: Conversation | undefined;
  readonly #rows = new Map<string, Row>();
  #start?: number;
  #ended?: number;
  #queueId?: string;
  #customerId?: string;
  #customerSpoke = false;
  #media: 'message' | 'chat' = 'message';
  #channel = 'webmessaging';
  #deploymentId?: string;

  constructor(ctx: DomainContext, id: string, live: Conversation | undefined) {
    this.#ctx = ctx;
    this.#id = id;
    this.#live = live;
  }

  build(events: readonly DomainEvent[]): ConversationDetail | undefined {
    for (const event of events) this.#apply(event, Date.parse(event.time));
    if (this.#start === undefined) return undefined;
    const participants = [...this.#rows.values()].map((r) => r.detail);
    const customerSession = this.#customerId ? this.#rows.get(this.#customerId)?.detail.session : undefined;
    for (const p of participants) {
      if (p.purpose === 'customer') {
        // The customer's segment names the queue the conversation was (last) routed to, as in Genesys.
        for (const s of p.session.segments) if (this.#queueId) s.queueId = this.#queueId;
        continue;
      }
      if (customerSession) p.session.peerId = customerSession.sessionId;
    }
    let end = this.#ended;
    if (end !== undefined) {
      for (const p of participants) for (const s of p.session.segments) if (s.end && s.end > end) end = s.end;
    }
    return {
      conversationId: this.#id,
      start: this.#start,
      ...(end === undefined ? {} : { end }),
      divisionIds: [this.#ctx.org().divisionId],
      customerParticipation: this.#customerSpoke,
      participants,
    };
  }

  #apply(event: DomainEvent, at: number): void {
    switch (event.type) {
      case 'conversation.created': {
        this.#start = at;
        this.#media = event.data.mediaType;
        this.#channel = event.data.channel;
        this.#deploymentId = event.data.deploymentId;
        this.#customerId = event.data.customerParticipantId;
        const row = this.#row(event.data.customerParticipantId, 'customer');
        this.#open(row, 'interact', at);
        this.#metric(row, 'nConnected', 1, at);
        return;
      }
      case 'participant.added': {
        const { participantId, purpose, state, userId, queueId } = event.data;
        const row = this.#row(participantId, purpose, userId);
        if (purpose === 'acd') this.#metric(row, 'nOffered', 1, at);
        if (purpose === 'workflow') this.#metric(row, 'nFlow', 1, at);
        if (purpose === 'agent' || purpose === 'acd') row.detail.session.requestedRoutings = ['Standard'];
        this.#open(row, state === 'alerting' ? 'alert' : 'interact', at, queueId);
        if (state === 'connected') row.connectedAt = at;
        return;
      }
      case 'participant.state.changed':
        this.#stateChanged(event as DomainEvent<'participant.state.changed'>, at);
        return;
      case 'participant.wrapup': {
        const row = this.#rows.get(event.data.participantId);
        if (!row) return;
        const from = row.endedAt ?? at;
        row.detail.session.segments.push({
          start: from,
          end: at,
          segmentType: 'wrapup',
          ...(this.#agentQueue(row) ? { queueId: this.#agentQueue(row)! } : {}),
          wrapUpCode: event.data.code,
          ...(event.data.notes === undefined ? {} : { wrapUpNote: event.data.notes }),
        });
        this.#metric(row, 'tAcw', at - from, at);
        this.#metric(row, 'tHandle', (row.talk ?? 0) + (at - from), at);
        return;
      }
      case 'flow.run': {
        const row = [...this.#rows.values()].reverse().find((r) => r.detail.purpose === 'workflow');
        if (!row) return;
        const flow = this.#ctx.org().fixture.flows.find((f) => f.name === event.data.flow);
        const queue = event.data.queue;
        row.detail.participantName = event.data.flow;
        row.detail.session.flow = {
          flowId: flowIdOf(this.#ctx.org(), event.data.flow),
          flowName: event.data.flow,
          flowType: flow ? flowTypeOf(flow) : 'INBOUNDSHORTMESSAGE',
          exitReason: queue ? 'TRANSFER' : 'DISCONNECT',
          ...(queue
            ? { transferType: 'ACD', transferTargetAddress: queue.id, transferTargetName: queue.name }
            : {}),
        };
        return;
      }
      case 'conversation.queued':
        this.#queueId = event.data.queueId;
        return;
      case 'conversation.transferred': {
        const row = this.#rows.get(event.data.fromParticipantId);
        if (!row) return;
        this.#metric(row, 'nBlindTransferred', 1, at);
        this.#metric(row, 'nTransferred', 1, at);
        return;
      }
      case 'message.sent':
        if (event.data.message.purpose === 'customer') this.#customerSpoke = true;
        return;
      case 'conversation.ended':
        this.#ended = at;
        return;
      default:
        return;
    }
  }

  #stateChanged(event: DomainEvent<'participant.state.changed'>, at: number): void {
    const { participantId, to, disconnectType } = event.data;
    const row = this.#rows.get(participantId);
    if (!row) return;
    const purpose = row.detail.purpose;
    if (to === 'connected') {
      const alert = this.#close(row, at);
      if (alert) {
        // tAnswered counts from the queue's offer (the open acd segment), as in the real capture.
        const offered = [...this.#rows.values()].find((r) => r.detail.purpose === 'acd' && r.open)?.open;
        this.#metric(row, 'tAlert', at - alert.start, at);
        this.#metric(row, 'tAnswered', at - (offered?.start ?? alert.start), at);
      }
      row.connectedAt = at;
      this.#open(row, 'interact', at, alert?.queueId ?? this.#agentQueue(row));
      if (purpose === 'agent') {
        row.detail.session.usedRouting = 'Standard';
        row.detail.session.selectedAgentId = row.detail.userId;
        // The queue leg still open is the one that offered the conversation: it learns who took it.
        for (const r of this.#rows.values())
          if (r.detail.purpose === 'acd' && r.open && row.detail.userId)
            r.detail.session.selectedAgentId = row.detail.userId;
      }
      return;
    }
    if (to !== 'disconnected') return;
    const closed = this.#close(row, at, disconnectType);
    row.endedAt = at;
    if (!closed) return;
    if (purpose === 'agent' && closed.segmentType === 'interact') {
      row.talk = at - closed.start;
      this.#metric(row, 'tTalk', row.talk, at);
      this.#metric(row, 'tTalkComplete', row.talk, at);
    }
    if (purpose === 'agent' && closed.segmentType === 'alert')
      this.#metric(row, 'tAlert', at - closed.start, at);
    if (purpose === 'workflow') {
      this.#metric(row, 'tFlow', at - closed.start, at);
      this.#metric(row, 'tFlowExit', at - closed.start, at);
    }
    if (purpose === 'acd')
      this.#metric(row, disconnectType === 'transfer' ? 'tAcd' : 'tAbandon', at - closed.start, at);
    if (purpose === 'customer') this.#metric(row, 'tConnected', at - closed.start, at);
  }

  #agentQueue(row: Row): string | undefined {
    return row.detail.session.segments[0]?.queueId;
  }

  #row(participantId: string, purpose: string, userId?: string): Row {
    let row = this.#rows.get(participantId);
    if (row) return row;
    const live = this.#live?.participants.find((p) => p.id === participantId);
    const session: SessionDetail = {
      sessionId: live?.communicationId ?? participantId,
      mediaType: this.#media,
      ...(this.#media === 'message'
        ? { messageType: this.#channel === 'webmessaging' ? 'webmessaging' : 'open' }
        : {}),
      direction: 'inbound',
      provider: this.#media === 'chat' ? 'PureCloud Webchat v2' : 'PureCloud Messaging',
      ...this.#addresses(),
      metrics: [],
      segments: [],
    };
    const customer = this.#customerName();
    if (purpose !== 'customer' && customer) session.remote = customer;
    row = {
      detail: {
        participantId,
        ...this.#name(live, userId),
        purpose,
        ...(userId === undefined ? {} : { userId }),
        attributes: { ...(live?.attributes ?? {}) },
        session,
      },
    };
    this.#rows.set(participantId, row);
    return row;
  }

  /** UNCONFIRMED: the customer's address (its display name) and the deployment it wrote to. */
  #addresses(): { addressFrom?: string; addressTo?: string } {
    const from = this.#customerName();
    return {
      ...(from ? { addressFrom: from } : {}),
      ...(this.#deploymentId ? { addressTo: this.#deploymentId } : {}),
    };
  }

  #customerName(): string | undefined {
    return this.#live?.participants.find((p) => p.purpose === 'customer')?.name;
  }

  #name(live: Participant | undefined, userId?: string): { participantName?: string } {
    const name = live?.name ?? (userId ? this.#ctx.org().userById(userId)?.name : undefined);
    return name === undefined ? {} : { participantName: name };
  }

  #open(row: Row, segmentType: 'alert' | 'interact', at: number, queueId?: string): void {
    const segment: SegmentDetail = { start: at, segmentType, ...(queueId ? { queueId } : {}) };
    row.detail.session.segments.push(segment);
    row.open = segment;
  }

  #close(row: Row, at: number, disconnectType?: DisconnectType): SegmentDetail | undefined {
    const segment = row.open;
    if (!segment) return undefined;
    segment.end = at;
    if (disconnectType) segment.disconnectType = ANALYTICS_DISCONNECT[disconnectType];
    row.open = undefined;
    return segment;
  }

  #metric(row: Row, name: string, value: number, at: number): void {
    const metric: MetricDetail = { name, value, emitDate: at };
    row.detail.session.metrics.push(metric);
  }
}
