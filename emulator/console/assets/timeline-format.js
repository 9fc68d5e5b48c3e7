// Turns timeline events (GET /console/api/timeline) into short readable lines. Shared by the agent
// console (flow path and routing for one conversation) and the timeline page.

/** How a value read by a flow is shown: as Architect's debugger does, NOT_SET bare. */
function shown(value) {
  return value === undefined || value === null ? 'NOT_SET' : JSON.stringify(value);
}

/** One line per flow trace entry. */
export function traceLine(entry) {
  switch (entry.kind) {
    case 'stateEntered':
      return `state "${entry.state}"`;
    case 'action':
      return `${entry.type}${entry.name ? ` "${entry.name}"` : ''}`;
    case 'participantDataRead':
      return `read ${entry.attribute} = ${shown(entry.value)}`;
    case 'participantDataWritten':
      return `wrote ${entry.attribute} = ${shown(entry.value)}`;
    case 'variableAssigned':
      return `${entry.variable} = ${entry.value}`;
    case 'outputPath':
      return `-> ${entry.output}`;
    case 'responseSent':
      return `sent response ${shown(entry.text)}`;
    case 'queueChosen':
      return `queue chosen: ${entry.queue.name} (priority ${entry.priority})`;
    case 'transferFailed':
      return `transfer failed: ${entry.errorType} ${entry.errorMessage}`;
    case 'taskEntered':
      return `task "${entry.task}"`;
    case 'taskReturned':
      return `task "${entry.task}" returned ${entry.outputPath}`;
    case 'error':
      return `error: ${entry.message}`;
    default:
      return entry.kind;
  }
}

/** One line per routing candidate: who, and why they were passed over. */
export function candidateLine(decision, candidate) {
  if (candidate.userId === decision.chosenUserId) return `${candidate.name}: chosen`;
  return `${candidate.name}: ${candidate.skipped ?? 'eligible'}`;
}

function targetOf(target, names) {
  if (target.type === 'queue') return `queue ${names.queue(target.queueId)}`;
  return `agent ${names.user(target.userId)}`;
}

/**
 * The one-line summary of an event. `names` resolves ids to names ({queue(id), user(id)}); unknown
 * ids are shown as they are.
 */
export function summary(event, names) {
  const d = event.data;
  switch (event.type) {
    case 'conversation.created':
      return `${d.channel} ${d.mediaType} conversation created${d.deploymentId ? ` (deployment ${d.deploymentId})` : ''}`;
    case 'conversation.ended':
      return `conversation ended: ${d.reason}`;
    case 'participant.added':
      return `${d.purpose} participant added (${d.state})${who(d, names)}`;
    case 'participant.state.changed':
      return `${d.purpose}${who(d, names)}: ${d.from} -> ${d.to}${d.disconnectType ? ` (${d.disconnectType})` : ''}`;
    case 'participant.attributes.updated':
      return `Participant Data: ${Object.entries(d.attributes)
        .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
        .join(', ')}`;
    case 'participant.wrapup':
      return `wrap-up ${d.name ?? d.code}${d.userId ? ` by ${names.user(d.userId)}` : ''}`;
    case 'message.sent':
      return `${d.message.purpose} message: ${JSON.stringify(d.message.text)}`;
    case 'typing.sent':
      return `${d.purpose} typing`;
    case 'message.delivered':
      return `message ${d.messageId} delivered to the guest (delivery-success)`;
    case 'notifications.topics.unpublished':
      return `channel ${d.channelId} subscribed to topics the emulator never publishes: ${d.topics.join(', ')}`;
    case 'flow.run':
      return `flow "${d.flow}": ${d.outcome}${d.queue ? ` -> ${d.queue.name}` : ''}`;
    case 'conversation.queued':
      return `queued in ${d.queueName} (priority ${d.priority}): ${d.reason}`;
    case 'routing.decision':
      return `routing in ${d.queueName}: ${d.outcome === 'alerted' ? `alerted ${names.user(d.chosenUserId)}` : 'no agent available, waiting'}`;
    case 'agent.alerted':
      return `alerting ${names.user(d.userId)} for ${Math.round(d.alertingTimeoutMs / 1000)} s`;
    case 'agent.noanswer':
      return `${names.user(d.userId)} did not answer in time`;
    case 'agent.routingStatus.changed':
      return `${names.user(d.userId)}: ${d.from} -> ${d.to}`;
    case 'conversation.transferred':
      return `transferred to ${targetOf(d.target, names)}`;
    case 'fixture.loaded':
      return `fixture loaded: org ${d.orgId}, ${d.queues} queues, ${d.users} users, ${d.flows} flows`;
    case 'emulator.reset':
      return 'emulator reset';
    case 'clock.advanced':
      return `clock advanced ${d.ms} ms to ${d.now}`;
    case 'token.issued':
      return `token issued to client ${d.clientId}${d.userId ? ` (${names.user(d.userId)})` : ''}`;
    case 'token.rejected':
      return `token refused${d.clientId ? ` for client ${d.clientId}` : ''}: ${d.reason}`;
    default:
      return JSON.stringify(d);
  }
}

function who(d, names) {
  return d.userId ? ` ${names.user(d.userId)}` : '';
}

/** Details worth a list under the summary: a flow's trace, a routing decision's candidates. */
export function detailLines(event) {
  if (event.type === 'flow.run') return event.data.trace.map(traceLine);
  if (event.type === 'routing.decision')
    return event.data.candidates.map((c) => candidateLine(event.data, c));
  return [];
}

/** The events that explain how a conversation got to whom: the agent console's "Flow and routing". */
export const ROUTING_EVENT_TYPES = new Set([
  'flow.run',
  'conversation.queued',
  'routing.decision',
  'agent.alerted',
  'agent.noanswer',
  'conversation.transferred',
]);
