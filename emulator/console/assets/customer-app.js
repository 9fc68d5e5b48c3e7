// The customer test page: a Web Messaging guest for one Messenger deployment, with custom attributes
// to steer the flow (QueueName), typing, agent messages, the read-only state after the agent leaves,
// and "start new". It speaks only the guest WebSocket protocol (plus history with the guest JWT).

import { consoleGet, PlatformClient } from './api.js';
import { byId, clockTime, fill, h } from './dom.js';
import { GuestSocket, newToken } from './guest-socket.js';

const TYPING_EVERY_MS = 5000;

const el = {
  setup: byId('setup'),
  deployment: byId('deployment'),
  deploymentFlow: byId('deployment-flow'),
  queueNames: byId('queue-names'),
  attributes: byId('attributes'),
  addAttribute: byId('add-attribute'),
  state: byId('session-state'),
  startNew: byId('start-new'),
  end: byId('end'),
  disconnect: byId('disconnect'),
  transcript: byId('transcript'),
  typing: byId('typing'),
  composer: byId('composer'),
  message: byId('message'),
  error: byId('error'),
};

let guest;
/** 'closed' | 'connecting' | 'open' | 'readOnly' */
let mode = 'closed';
/** tracingId -> the transcript item of a message waiting for its echo. */
const pending = new Map();
let startNewAfterClose = false;
let jwtRequest;
let lastTyping = 0;
let typingTimer;
let attributeRows = 0;

function tokenKey(deploymentId) {
  return `emulator-console-guest:${deploymentId}`;
}

function setMode(next, text) {
  mode = next;
  el.state.textContent = text;
  const open = next === 'open';
  el.message.disabled = !open;
  el.composer.querySelector('button').disabled = !open;
  el.startNew.hidden = next !== 'readOnly';
  el.end.hidden = !open;
  el.disconnect.hidden = next === 'closed';
}

/** The attribute the default flows route by: its value input offers the org's queue names. */
const QUEUE_ATTRIBUTE = 'QueueName';

function addAttributeRow(name = '', value = '') {
  const n = ++attributeRows;
  const nameInput = h('input', {
    'aria-label': `Attribute ${n} name`,
    placeholder: 'name',
    value: name,
    class: 'attribute-name',
  });
  const valueInput = h('input', {
    'aria-label': `Attribute ${n} value`,
    placeholder: 'value',
    value,
    class: 'attribute-value',
  });
  const offerQueues = () => {
    if (nameInput.value.trim() === QUEUE_ATTRIBUTE) valueInput.setAttribute('list', 'queue-names');
    else valueInput.removeAttribute('list');
  };
  nameInput.addEventListener('input', offerQueues);
  offerQueues();
  const row = h(
    'li',
    {},
    nameInput,
    valueInput,
    h(
      'button',
      {
        type: 'button',
        class: 'secondary',
        'aria-label': `Remove attribute ${n}`,
        onclick: () => row.remove(),
      },
      'Remove',
    ),
  );
  el.attributes.append(row);
  return row;
}

function customAttributes() {
  const out = {};
  for (const row of el.attributes.children) {
    const [name, value] = row.querySelectorAll('input');
    // An empty row is not an attribute: leaving a value blank is how a test tries "QueueName not set".
    if (name.value.trim() && value.value !== '') out[name.value.trim()] = value.value;
  }
  return out;
}

function addLine(kind, who, text, extra) {
  const item = h('li', { class: kind }, who ? h('span', { class: 'who' }, who) : null, text, extra ?? null);
  el.transcript.append(item);
  el.transcript.scrollTop = el.transcript.scrollHeight;
  return item;
}

function showMessage(body) {
  const time = clockTime(body.channel?.time);
  if (body.direction === 'Inbound') return addLine('mine', `You ${time}`, body.text);
  const who = body.channel?.from?.nickname || (body.originatingEntity === 'Bot' ? 'Bot' : 'Agent');
  const role = body.originatingEntity === 'Bot' ? 'bot' : 'agent';
  return addLine(role === 'bot' ? 'bot' : '', `${who} (${role}) ${time}`, body.text);
}

function connect(startNew = false) {
  guest?.close();
  pending.clear();
  const deploymentId = el.deployment.value;
  let token = sessionStorage.getItem(tokenKey(deploymentId));
  if (!token) {
    token = newToken();
    sessionStorage.setItem(tokenKey(deploymentId), token);
  }
  el.error.textContent = '';
  setMode('connecting', 'Connecting...');
  guest = new GuestSocket(deploymentId, token, onFrame, (event) =>
    setMode('closed', `Connection closed (${event.code}${event.reason ? ` ${event.reason}` : ''}).`),
  );
  guest.connect(startNew);
}

function onFrame(frame) {
  if (frame.code !== 200) return onError(frame);
  switch (frame.class) {
    case 'SessionResponse':
      return onSession(frame.body);
    case 'StructuredMessage':
      return onStructured(frame);
    case 'JwtResponse':
      if (frame.tracingId === jwtRequest) loadHistory(frame.body.jwt);
      return;
    case 'SessionClearedEvent':
      fill(el.transcript);
      addLine('system', '', 'The conversation was ended and cleared; the next message starts a new one.');
      return setMode('open', 'Connected. The conversation was cleared.');
    case 'SessionExpiredEvent':
      return setMode('readOnly', 'The session expired. Start a new conversation to continue.');
    case 'ConnectionClosedEvent':
      return setMode('closed', 'The server closed this connection (another page took the session over).');
    default:
      return;
  }
}

function onSession(body) {
  if (!body.connected) {
    if (startNewAfterClose) {
      startNewAfterClose = false;
      guest.configure(true);
      return;
    }
    return setMode('closed', 'Session closed.');
  }
  if (body.newSession) fill(el.transcript);
  else if (!el.transcript.children.length) jwtRequest = guest.getJwt();
  if (body.readOnly) return setMode('readOnly', 'Read-only: the conversation has ended.');
  setMode('open', body.newSession ? 'Connected: new session.' : 'Connected: session resumed.');
}

function onStructured(frame) {
  const body = frame.body;
  if (body.direction === 'Inbound') {
    if (body.type === 'Event') return;
    const mine = pending.get(frame.tracingId);
    pending.delete(frame.tracingId);
    if (mine) mine.querySelector('.status').textContent = `sent ${clockTime(body.channel?.time)}`;
    else showMessage(body);
    return;
  }
  if (body.type !== 'Event') {
    el.typing.textContent = '';
    showMessage(body);
    return;
  }
  for (const event of body.events ?? []) {
    if (event.eventType === 'Typing') showTyping(event.typing?.duration ?? 5000);
    if (event.eventType === 'Presence' && event.presence?.type === 'Disconnect') {
      el.typing.textContent = '';
      const who = body.channel?.from?.nickname || 'The agent';
      addLine('system', '', `${who} ended the conversation.`);
      if (body.metadata?.readOnly === 'true') setMode('readOnly', 'Read-only: the conversation has ended.');
      else setMode('open', 'The conversation has ended; the next message starts a new one.');
    }
  }
}

function showTyping(duration) {
  el.typing.textContent = 'Agent is typing...';
  clearTimeout(typingTimer);
  typingTimer = setTimeout(() => {
    el.typing.textContent = '';
  }, duration);
}

function onError(frame) {
  const text = typeof frame.body === 'string' ? frame.body : (frame.body?.errorMessage ?? 'error');
  const retry = frame.body?.retryAfter ? ` Retry after ${frame.body.retryAfter} s.` : '';
  el.error.textContent = `${frame.code}: ${text}${retry}`;
  const mine = pending.get(frame.tracingId);
  if (mine) {
    pending.delete(frame.tracingId);
    mine.querySelector('.status').textContent = 'not sent';
  }
}

/** A resumed session shows what was said before: the history endpoint, authorised by the guest JWT. */
async function loadHistory(jwt) {
  const response = await fetch('/api/v2/webmessaging/messages?pageSize=100', {
    headers: { authorization: `Bearer ${jwt}` },
  });
  if (!response.ok) return;
  const { entities } = await response.json();
  if (el.transcript.children.length) return;
  for (const body of entities.reverse()) if (body.type !== 'Event') showMessage(body);
}

async function init() {
  const { messenger } = await consoleGet('deployments');
  // The option shows the name (it fits a narrow select); the flow it runs is said under it.
  fill(
    el.deployment,
    messenger.map((d) => h('option', { value: d.id, 'data-flow': d.flow ?? '' }, d.name)),
  );
  const wanted = new URLSearchParams(location.search).get('deploymentId');
  if (wanted && messenger.some((d) => d.id === wanted)) el.deployment.value = wanted;
  if (!messenger.length) el.state.textContent = 'The loaded fixture has no Messenger deployment.';
  showDeploymentFlow();
  addAttributeRow(QUEUE_ATTRIBUTE, '');
  offerQueueNames().catch((error) => {
    el.error.textContent = `Queue names unavailable: ${error.message}`;
  });
}

function showDeploymentFlow() {
  const flow = el.deployment.selectedOptions[0]?.dataset.flow;
  el.deploymentFlow.textContent = flow ? `Runs the flow ${flow}.` : '';
}

/**
 * The org's queue names for QueueName, from the public API like any Genesys client: a Messenger guest
 * cannot list queues, so the page reads them as the fixture's first agent with a login client would
 * (the console's agent list names the clients; the login shows on the timeline as that client's token),
 * page by page as the agent console's transfer picker does.
 */
async function offerQueueNames() {
  const { entities: agents } = await consoleGet('agents');
  const agent = agents.find((a) => a.client);
  if (!agent) return;
  const api = new PlatformClient(agent.client.id, agent.client.secret);
  const names = [];
  for (let page = 1; ; page++) {
    const listing = await api.request('GET', `/api/v2/routing/queues?pageSize=100&pageNumber=${page}`);
    names.push(...listing.entities.map((q) => q.name));
    if (page >= (listing.pageCount ?? 1)) break;
  }
  fill(
    el.queueNames,
    names.map((name) => h('option', { value: name })),
  );
}

el.addAttribute.addEventListener('click', () => addAttributeRow().querySelector('input').focus());
el.deployment.addEventListener('change', showDeploymentFlow);
el.setup.addEventListener('submit', (event) => {
  event.preventDefault();
  connect();
});
el.composer.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = el.message.value.trim();
  if (!text || mode !== 'open') return;
  el.message.value = '';
  el.error.textContent = '';
  const tracingId = guest.sendText(text, customAttributes());
  pending.set(tracingId, addLine('mine', 'You', text, h('span', { class: 'status' }, 'sending...')));
});
el.message.addEventListener('keydown', (event) => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    el.composer.requestSubmit();
  }
});
el.message.addEventListener('input', () => {
  // Typing On at most every 5 s, as Messenger does; it counts toward the 2 messages/s limit too.
  if (!el.message.value || mode !== 'open' || Date.now() - lastTyping < TYPING_EVERY_MS) return;
  lastTyping = Date.now();
  guest.typing();
});
el.startNew.addEventListener('click', () => {
  // Read-only sessions need closeSession first, then configureSession{startNew} (guest-protocols §2.10).
  startNewAfterClose = true;
  guest.closeSession();
});
el.end.addEventListener('click', () => guest.clear());
el.disconnect.addEventListener('click', () => {
  guest.close();
  setMode('closed', 'Connection closed; Connect resumes the same session.');
});

init().catch((error) => {
  el.error.textContent = `The page could not start: ${error.message}`;
});
