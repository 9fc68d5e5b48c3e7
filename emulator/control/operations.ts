import type { Fixture } from '../config/fixture-schema.ts';
import { parseFixture, parseFixtureText } from '../config/load-fixture.ts';
import { ManualClock } from '../domain/clock.ts';
import type { Conversation, ConversationMessage } from '../domain/conversations/model.ts';
import { errors } from '../domain/errors.ts';
import type { DomainEvent } from '../domain/events.ts';
import type { HttpFault } from '../domain/faults.ts';
import { originOf, selfContained } from '../durability.ts';
import { makeReproPack, type ReproPack } from '../inspect/repro-pack.ts';
import { buildSequence, type SequenceModel, toMermaid } from '../inspect/sequence.ts';
import type { EmulatorRuntime } from '../runtime.ts';
import { parseInput } from '../surfaces/validate.ts';
import { packageVersion } from '../version.ts';
import {
  AdvanceInput,
  CustomerTextInput,
  type EventsFilter,
  EventsInput,
  HttpFaultInput,
  type HttpFaultSpec,
  ReproPackInput,
  StartCustomerInput,
  type StartCustomerSpec,
} from './schemas.ts';

/**
 * Everything the emulator lets a test do from outside Genesys's own API: load or read the org, reset,
 * move a manual clock, read the timeline, inject faults, script a customer. The handle calls these from
 * code and the control plane (`/__emulator/`) is a thin HTTP face of the same operations, so both check
 * input the same way and behave the same.
 */
export class EmulatorControl {
  constructor(private readonly runtime: EmulatorRuntime) {}

  fixture(): Fixture {
    return this.runtime.fixture;
  }

  /**
   * Replaces the org (an object, or YAML/JSON text) and resets. Flow files are refused here: a fixture
   * that arrives from outside must inline its flows, so a request can never make the emulator read a
   * path. Throws a FixtureError naming each bad field; nothing changes then.
   */
  load(input: unknown, source = 'fixture'): Fixture {
    const fixture = typeof input === 'string' ? parseFixtureText(input, source) : parseFixture(input, source);
    this.runtime.loadFixture(fixture);
    return fixture;
  }

  /** Loads an already validated fixture (one read from disk may carry inlined flow files). */
  loadParsed(fixture: Fixture): void {
    this.runtime.loadFixture(fixture);
  }

  reset(): void {
    this.runtime.reset();
  }

  clock(): { kind: 'system' | 'manual'; now: string } {
    return { kind: this.runtime.clock.kind, now: new Date(this.runtime.clock.now()).toISOString() };
  }

  /** Moves a manual clock forward, firing the timers that fall due; a 409 on the system clock. */
  advance(input: { ms: number }): { now: string } {
    const { ms } = parseInput(AdvanceInput, input, 'body');
    const clock = this.manualClock();
    clock.advance(ms);
    const now = new Date(clock.now()).toISOString();
    this.runtime.events.emit('clock.advanced', { ms, now });
    return { now };
  }

  manualClock(): ManualClock {
    const clock = this.runtime.clock;
    if (!(clock instanceof ManualClock))
      throw errors.conflict(
        'The emulator runs on the system clock; start it with a manual clock to advance time.',
      );
    return clock;
  }

  events(filter: EventsFilter = {}): { entities: DomainEvent[]; lastSeq: number } {
    const q = parseInput(EventsInput, filter, 'query');
    const types = q.type === undefined ? undefined : Array.isArray(q.type) ? q.type : q.type.split(',');
    return {
      entities: this.runtime.events.list({
        ...(q.conversationId === undefined ? {} : { conversationId: q.conversationId }),
        ...(q.afterSeq === undefined ? {} : { afterSeq: q.afterSeq }),
        ...(types === undefined ? {} : { types }),
        ...(q.limit === undefined ? {} : { limit: q.limit }),
      }),
      lastSeq: this.runtime.events.lastSeq,
    };
  }

  /**
   * One conversation as a sequence diagram (model and Mermaid text), built from its events on the
   * timeline with the loaded org's names; 404 when the timeline holds nothing of that conversation.
   */
  sequence(conversationId: string): { model: SequenceModel; mermaid: string } {
    const events = this.runtime.events.list({ conversationId });
    if (events.length === 0)
      throw errors.notFound(`conversation ${conversationId} on the timeline`, { entityId: conversationId });
    const model = this.#sequenceModel(conversationId, events);
    return { model, mermaid: toMermaid(model) };
  }

  #sequenceModel(conversationId: string, events: readonly DomainEvent[]): SequenceModel {
    const org = this.runtime.org();
    return buildSequence(conversationId, events, {
      userName: (id) => org.userById(id)?.name,
      queueName: (id) => org.queueById(id)?.name,
    });
  }

  /**
   * A repro pack of the whole state, or of one conversation and what it touched (404 for a
   * conversation the emulator does not hold): the org, the seed and clock it started from, the
   * state and timeline, and each conversation's sequence diagram.
   */
  reproPack(input: { conversationId?: string } = {}): ReproPack {
    const { conversationId } = parseInput(ReproPackInput, input, 'query');
    const runtime = this.runtime;
    if (conversationId !== undefined) runtime.conversations.get(conversationId);
    return makeReproPack(
      {
        emulatorVersion: packageVersion(),
        origin: runtime.durable?.origin ?? originOf(runtime, runtime.fixture),
        fixture: selfContained(runtime.fixture),
        image: runtime.image(),
        mermaid: (id, events) => toMermaid(this.#sequenceModel(id, events as DomainEvent[])),
      },
      conversationId,
    );
  }

  addHttpFault(spec: HttpFaultSpec): HttpFault {
    const f = parseInput(HttpFaultInput, spec, 'body');
    return this.runtime.faults.add({
      path: f.path,
      count: f.count,
      retryAfterSeconds: f.retryAfterSeconds,
      ...(f.method === undefined ? {} : { method: f.method }),
      ...(f.status === undefined ? {} : { status: f.status }),
      ...(f.delayMs === undefined ? {} : { delayMs: f.delayMs }),
    });
  }

  httpFaults(): HttpFault[] {
    return this.runtime.faults.list();
  }

  clearHttpFaults(): void {
    this.runtime.faults.clear();
  }

  /** Drops the guest's sockets of a conversation like a network failure; how many were dropped. */
  dropGuestSocket(conversationId: string): number {
    this.runtime.conversations.get(conversationId);
    return this.runtime.guestLinks.drop(conversationId);
  }

  /**
   * A scripted customer: starts a conversation on the core exactly as a channel would (attributes,
   * first message, flow or queue), so agents can be tested without a guest socket.
   */
  startCustomer(spec: StartCustomerSpec): Conversation {
    const body = parseInput(StartCustomerInput, spec, 'body');
    const { runtime } = this;
    let flow = body.flow;
    if (body.deploymentId !== undefined) {
      const deployment = runtime.org().messengerDeployment(body.deploymentId);
      if (!deployment) throw errors.notFound(`messenger deployment ${body.deploymentId}`);
      flow = deployment.flow;
    }
    const core = runtime.conversations;
    const how = flow !== undefined ? { flow } : { queueName: body.queueName!, priority: body.priority };
    // Refused before the conversation exists: an unknown flow or queue leaves nothing behind.
    core.assertRoutable(how);
    const conversation = core.start({
      mediaType: body.mediaType,
      channel: body.channel,
      customerName: body.customerName,
      attributes: body.attributes,
      ...(body.deploymentId === undefined ? {} : { deploymentId: body.deploymentId }),
    });
    if (body.text !== undefined) core.customerMessage(conversation.id, body.text);
    core.route(conversation, how);
    return conversation;
  }

  customerSays(conversationId: string, input: { text: string }): ConversationMessage {
    const { text } = parseInput(CustomerTextInput, input, 'body');
    return this.runtime.conversations.customerMessage(conversationId, text);
  }

  customerTyping(conversationId: string): void {
    this.runtime.conversations.customerTyping(conversationId);
  }

  customerLeaves(conversationId: string): void {
    this.runtime.conversations.customerLeft(conversationId);
  }

  /** Conversations waiting in a queue (by id or name), best first; undefined for an unknown queue. */
  waiting(queue: string): readonly string[] | undefined {
    const org = this.runtime.org();
    const found = org.queueById(queue) ?? org.queueByName(queue);
    return found && this.runtime.router.waitingIn(found.id);
  }
}
