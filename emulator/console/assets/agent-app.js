// The agent console: pick a fixture agent, sign in with that agent's OAuth client, follow routing
// status and conversations through a notifications channel, and act on them through the platform API.
// Nothing here reaches into the emulator: it is a Genesys client like any other, plus the read-only
// /console/api/ look-ups (the fixture's agents, the emulator clock, the timeline).

import { AgentActions } from './agent-actions.js';
import { ConversationTracker, legState } from './agent-conversations.js';
import { ConversationList } from './agent-list.js';
import { ConversationView } from './agent-view.js';
import { consoleGet, PlatformClient } from './api.js';
import { EmulatorClock } from './clock.js';
import { byId, fill, h, say } from './dom.js';
import { openNotifications } from './notifications.js';
import { ROUTING_EVENT_TYPES } from './timeline-format.js';

const el = {
  signin: byId('signin'),
  agent: byId('agent'),
  agentQueues: byId('agent-queues'),
  session: byId('session'),
  me: byId('me'),
  status: byId('routing-status'),
  onQueue: byId('on-queue'),
  offQueue: byId('off-queue'),
  signOut: byId('sign-out'),
  announce: byId('announce'),
  capacity: byId('capacity'),
  list: byId('conversations'),
  channel: byId('channel-state'),
};

const CHANNEL_TEXT = { connected: 'Live', reconnecting: 'Reconnecting...', closed: '' };

const clock = new EmulatorClock();
let agents = [];
/** The signed-in agent's state; undefined when signed out. */
let session;

const names = {
  user: (id) => agents.find((a) => a.id === id)?.name ?? id,
  queue: (id) => session?.queues.find((q) => q.id === id)?.name ?? id,
};

const list = new ConversationList(el.list, el.capacity, (id) => select(id));

const view = new ConversationView({
  answer: (entry) => session.actions.answer(entry),
  disconnect: (entry) => session.actions.disconnect(entry),
  typing: (entry) => session.actions.typing(entry),
  transfer: (entry, target) => session.actions.transfer(entry, target),
  async send(entry, text) {
    const data = await session.actions.send(entry, text);
    session.tracker.rememberText(data.id, text);
  },
  async wrapup(entry, code) {
    await session.actions.wrapup(entry, code);
    closeConversation(entry);
  },
  close: (entry) => closeConversation(entry),
});

function announce(text) {
  say(el.announce, text, 'banner');
}

async function init() {
  agents = (await consoleGet('agents')).entities;
  fill(
    el.agent,
    agents.map((a) =>
      h('option', { value: a.id, disabled: !a.client }, `${a.name}${a.client ? '' : ' (no login client)'}`),
    ),
  );
  // The picked agent's queues are said beside the picker: inside each option they made it too wide.
  const showQueues = () => {
    const picked = agents.find((a) => a.id === el.agent.value);
    el.agentQueues.textContent = picked ? `Queues: ${picked.queues.join(', ') || 'none'}` : '';
  };
  el.agent.addEventListener('change', showQueues);
  const wanted = new URLSearchParams(location.search).get('agent');
  const signInNow = wanted && agents.some((a) => a.id === wanted && a.client);
  if (signInNow) el.agent.value = wanted;
  showQueues();
  if (signInNow) await signIn(wanted);
}

async function signIn(agentId) {
  const agent = agents.find((a) => a.id === agentId);
  const api = new PlatformClient(agent.client.id, agent.client.secret);
  await api.login();
  const me = await api.request('GET', '/api/v2/users/me');
  const queues = await allQueues(api);
  session = {
    agent,
    me,
    api,
    queues,
    actions: new AgentActions(api, me.id),
    selectedId: undefined,
    routing: { busy: false, again: false },
  };
  // Notification bodies carry queue ids only (queueName is a REST field): names come from the queue list.
  const queueName = (id) => queues.find((q) => q.id === id)?.name;
  session.tracker = new ConversationTracker(api, me.id, onConversation, queueName);
  view.setTransferTargets(
    queues,
    agents.filter((a) => a.id !== me.id),
  );
  el.me.textContent = me.name;
  el.signin.hidden = true;
  el.session.hidden = false;
  history.replaceState(null, '', `?agent=${encodeURIComponent(agentId)}`);
  showStatus(await api.request('GET', `/api/v2/users/${me.id}/routingstatus`));
  renderList();
  const own = session;
  session.channel = openNotifications(
    api,
    [
      `v2.users.${me.id}.conversations`,
      `v2.users.${me.id}.routingStatus`,
      `v2.users.${me.id}.conversations.inbound.typing.event`,
    ],
    (topic, body, metadata) => {
      if (session !== own) return;
      if (topic.endsWith('.routingStatus')) showStatus(body.routingStatus);
      else if (topic.endsWith('.inbound.typing.event')) showCustomerTyping(body);
      else if (metadata?.type === 'typing-indicator') showChatTyping(body);
      else if (topic.startsWith('v2.conversations.chats.')) session.tracker.addChatMessage(body);
      else if (topic.startsWith('v2.users.')) session.tracker.update(body);
    },
    (state, error) => {
      if (session !== own) return;
      el.channel.textContent = CHANNEL_TEXT[state];
      if (state === 'connected') resync(own).catch((e) => announce(`Could not read back: ${e.message}`));
      else if (state === 'reconnecting')
        announce(`Notifications lost; reconnecting. ${error?.message ?? ''}`);
    },
  );
}

/** Every queue, page by page (Genesys pages at most 100 per request), for the transfer picker. */
async function allQueues(api) {
  const queues = [];
  for (let page = 1; ; page++) {
    const listing = await api.request('GET', `/api/v2/routing/queues?pageSize=100&pageNumber=${page}`);
    queues.push(...listing.entities);
    if (page >= (listing.pageCount ?? 1)) return queues;
  }
}

/**
 * After (re)connecting, anything missed while the socket was down is read back from the API: the
 * active conversations, and the final state of those shown as open that are no longer active (a
 * conversation that is gone altogether, after an emulator reset, is closed).
 */
async function resync(own) {
  const [active, status] = await Promise.all([
    own.api.request('GET', '/api/v2/conversations'),
    own.api.request('GET', `/api/v2/users/${own.me.id}/routingstatus`),
  ]);
  if (session !== own) return;
  for (const conversation of active.entities) own.tracker.update(conversation);
  const activeIds = new Set(active.entities.map((c) => c.id));
  for (const entry of own.tracker.visible()) {
    if (activeIds.has(entry.id) || entry.state === 'disconnected') continue;
    let conversation;
    try {
      conversation = await own.api.request('GET', `/api/v2/conversations/${entry.id}`);
    } catch {
      conversation = undefined;
    }
    if (session !== own) return;
    if (conversation) own.tracker.update(conversation);
    else closeConversation(entry);
  }
  showStatus(status);
  if (el.announce.textContent.startsWith('Notifications lost')) announce('');
}

function signOut() {
  session?.channel.close();
  session = undefined;
  view.show(undefined);
  el.session.hidden = true;
  el.signin.hidden = false;
  list.clear('Sign in to receive conversations.');
  announce('');
  history.replaceState(null, '', location.pathname);
}

function showStatus(status) {
  el.status.textContent = status.status;
  el.status.className = `badge ${status.status}`;
  el.onQueue.disabled = status.status === 'IDLE' || status.status === 'INTERACTING';
  el.offQueue.disabled = status.status === 'OFF_QUEUE';
  if (status.status === 'NOT_RESPONDING')
    announce('An alert was not answered in time: you are Not Responding.');
}

/**
 * Customer typing on a message conversation: Genesys publishes it to each agent on the conversation, on
 * `v2.users.{id}.conversations.inbound.typing.event` (`{conversationId, normalizedMessage{events}}`).
 */
function showCustomerTyping(body) {
  const entry = session.tracker.get(body.conversationId);
  const typing = body.normalizedMessage?.events?.find((e) => e.eventType === 'Typing')?.typing;
  if (entry) view.showTyping(entry.id, typing?.duration ?? 5000);
}

/** A chat's typing indicator (its own topic, `metadata.type: typing-indicator`) from the customer. */
function showChatTyping(body) {
  const entry = session.tracker.get(body.conversation?.id);
  const customer = entry?.conversation.participants.find((p) => p.purpose === 'customer');
  const from = body.sender?.id;
  if (entry && customer && (from === customer.id || from === customer.chats?.[0]?.id))
    view.showTyping(entry.id, 5000);
}

/** A chat's own feed carries its messages and the customer's typing; message conversations have none. */
function chatTopic(entry) {
  const chat = entry.conversation.participants.some((p) => p.chats?.length);
  return chat ? `v2.conversations.chats.${entry.id}.messages` : undefined;
}

function onConversation(entry, previous) {
  // A message text can arrive after sign-out or after signing in as someone else.
  if (session?.tracker.get(entry.id) !== entry) return;
  const feed = chatTopic(entry);
  if (feed) session.channel?.add(feed);
  const customer = entry.customer?.name ?? 'a customer';
  if (entry.state === 'alerting' && previous !== 'alerting') {
    announce(`Incoming conversation from ${customer}${entry.queueName ? ` in ${entry.queueName}` : ''}`);
    tick();
  }
  // With nothing on screen, the newest alert (or, after a reload, any open conversation) is shown.
  const selected = session.tracker.get(session.selectedId);
  if ((!selected || selected.closed) && !entry.closed && entry.state !== 'disconnected') select(entry.id);
  if (previous === 'alerting' && entry.state === 'connected') announce('');
  if (
    previous === 'alerting' &&
    entry.state === 'disconnected' &&
    entry.communication?.disconnectType === 'transfer.noanswer'
  ) {
    announce(`The conversation from ${customer} was not answered in time and went back to the queue.`);
    closeConversation(entry);
    return;
  }
  renderList();
  view.refresh(entry);
  // Routing events follow participant changes only; a message alone adds none, so skip the request.
  const participants = entry.conversation.participants.map((p) => `${p.id}:${legState(p)}`).join();
  if (entry.id === session.selectedId && participants !== entry.routingSeenFor) {
    entry.routingSeenFor = participants;
    refreshRouting(entry.id);
  }
}

function select(id) {
  session.selectedId = id;
  view.show(id ? session.tracker.get(id) : undefined);
  renderList();
  if (id) refreshRouting(id);
}

function closeConversation(entry) {
  session.tracker.close(entry.id);
  if (session.selectedId === entry.id) select(session.tracker.visible()[0]?.id);
  renderList();
}

function renderList() {
  if (!session) return;
  list.render(
    session.tracker.visible(),
    session.selectedId,
    session.tracker.activeCount(),
    session.agent.capacity,
  );
}

/** Flow and routing events for the shown conversation; one request at a time, the last one wins. */
async function refreshRouting(id) {
  const routing = session.routing;
  if (routing.busy) {
    routing.again = true;
    return;
  }
  routing.busy = true;
  try {
    const { entities } = await consoleGet(`timeline?conversationId=${encodeURIComponent(id)}`);
    view.showRouting(
      id,
      entities.filter((e) => ROUTING_EVENT_TYPES.has(e.type)),
      names,
    );
  } finally {
    routing.busy = false;
    if (routing.again) {
      routing.again = false;
      if (session?.selectedId) refreshRouting(session.selectedId);
    }
  }
}

let ticking;
let tickRunning = false;

/** Once a second while something alerts: the remaining time on the emulator's clock. */
async function tick() {
  if (tickRunning) return;
  clearTimeout(ticking);
  const alerting = session?.tracker.visible().filter((e) => e.state === 'alerting') ?? [];
  if (!alerting.length) return;
  tickRunning = true;
  let now;
  try {
    now = await clock.now();
  } finally {
    tickRunning = false;
  }
  for (const entry of alerting) {
    // Notifications do not carry startAlertingTime (a REST field): the alert's first tick stands in.
    entry.alertSeenAt ??= now;
    const start = Date.parse(entry.communication?.startAlertingTime ?? '') || entry.alertSeenAt;
    const left = start + (entry.leg.alertingTimeoutMs ?? 0) - now;
    view.countdown(entry, left);
    list.countdown(entry.id, left);
  }
  ticking = setTimeout(tick, 1000);
}

el.signin.addEventListener('submit', (event) => {
  event.preventDefault();
  signIn(el.agent.value).catch((error) => {
    signOut();
    announce(`Sign-in failed: ${error.message}`);
  });
});
el.onQueue.addEventListener('click', () =>
  session.actions.setRoutingStatus('IDLE').then(showStatus, (e) => announce(e.message)),
);
el.offQueue.addEventListener('click', () =>
  session.actions.setRoutingStatus('OFF_QUEUE').then(showStatus, (e) => announce(e.message)),
);
el.signOut.addEventListener('click', signOut);

init().catch((error) => announce(`The console could not start: ${error.message}`));
