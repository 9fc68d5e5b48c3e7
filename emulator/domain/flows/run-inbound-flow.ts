import { type FlowHost, type LoadedFlow, runFlow } from '../architect/index.ts';
import type { DomainContext } from '../context.ts';
import { type Conversation, customerOf } from '../conversations/model.ts';
import {
  addParticipant,
  appendMessage,
  changeParticipantState,
  mergeAttributes,
} from '../conversations/mutations.ts';

export type InboundFlowResult =
  | { kind: 'transfer'; queueId: string; priority: number }
  | { kind: 'disconnect'; reason: string };

/**
 * Runs an inbound flow for a new conversation (platform-architect.md §3.3 steps 2-3): a `workflow`
 * participant joins, Get/Set Participant Data read and write the customer's attributes, Send Response
 * texts reach the customer, and the run is recorded on the timeline with its trace.
 */
export function runInboundFlow(
  ctx: DomainContext,
  conversation: Conversation,
  flow: LoadedFlow,
): InboundFlowResult {
  const customer = customerOf(conversation);
  const workflow = addParticipant(ctx, conversation, {
    purpose: 'workflow',
    state: 'connected',
    name: flow.name,
  });
  const host: FlowHost = {
    getParticipantData: (name) => customer.attributes[name],
    setParticipantData: (name, value) => mergeAttributes(ctx, conversation, customer, { [name]: value }),
    listQueues: () => ctx.org().queues,
    sendResponse: (text) => {
      appendMessage(ctx, conversation, workflow, text);
    },
  };
  const lastCustomerText = [...conversation.messages].reverse().find((m) => m.purpose === 'customer')?.text;
  const prefix = flow.type === 'inboundChat' ? 'Chat' : 'Message';
  const run = runFlow(flow, host, {
    [`${prefix}.ConversationId`]: conversation.id,
    [`${prefix}.IsNewConversation`]: true,
    [`${prefix}.Language`]: 'en-us',
    ...(lastCustomerText === undefined ? {} : { [`${prefix}.Message.body`]: lastCustomerText }),
  });
  const outcome = run.outcome;
  ctx.events.emit(
    'flow.run',
    {
      flow: flow.name,
      outcome: outcome.kind === 'transfer' ? 'transfer' : `disconnect (${outcome.reason})`,
      ...(outcome.kind === 'transfer' ? { queue: { id: outcome.queue.id, name: outcome.queue.name } } : {}),
      trace: run.trace,
    },
    conversation.id,
  );
  changeParticipantState(
    ctx,
    conversation,
    workflow,
    'disconnected',
    outcome.kind === 'transfer' ? 'transfer' : 'endpoint',
  );
  if (outcome.kind === 'transfer')
    return { kind: 'transfer', queueId: outcome.queue.id, priority: outcome.priority };
  return { kind: 'disconnect', reason: outcome.error ?? outcome.reason };
}
