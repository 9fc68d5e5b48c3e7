// The timeline page: every conversation with its events in order (GET /console/api/timeline), with
// filters, so a failing run can be understood by reading what the emulator decided and why. With one
// conversation chosen, its sequence diagram (GET /console/api/sequence) is drawn above its events.

import { consoleGet } from './api.js';
import { byId, clockTime, h, say } from './dom.js';
import { drawSequence } from './sequence-svg.js';
import { detailLines, summary } from './timeline-format.js';

const FOLLOW_EVERY_MS = 1000;
const PAGE = 10_000;
const OUTSIDE = '';

const el = {
  filters: byId('filters'),
  conversation: byId('conversation'),
  type: byId('type'),
  text: byId('text'),
  outside: byId('emulator-events'),
  live: byId('live'),
  refresh: byId('refresh'),
  count: byId('count'),
  main: byId('conversations'),
  sequence: byId('sequence'),
  drawing: byId('sequence-drawing'),
  mermaid: byId('mermaid'),
  copy: byId('copy-mermaid'),
  sequenceStatus: byId('sequence-status'),
};

let lastSeq = 0;
let agents = [];
/** queueId -> name, learnt from the events that carry both. */
const queueNames = new Map();
/** conversationId ('' for events outside conversations) -> { section, list } */
const groups = new Map();
/** Every rendered event: { event, item, key, haystack } */
const items = [];
const types = new Set();
let loading = false;
let follow;
/** The conversation whose diagram is drawn, and the last event of it the drawing includes. */
let drawn = { conversationId: '', lastSeq: 0 };

const names = {
  user: (id) => agents.find((a) => a.id === id)?.name ?? id,
  queue: (id) => queueNames.get(id) ?? id,
};

function groupOf(key, event) {
  let group = groups.get(key);
  if (group) return group;
  const title = key === OUTSIDE ? 'Outside conversations' : `Conversation ${key}`;
  const list = h('ol', { class: 'events' });
  const info = h('p', { class: 'muted' }, key === OUTSIDE ? '' : `started ${event.time}`);
  const section = h(
    'section',
    { class: 'panel', 'data-conversation-id': key },
    h('h2', {}, title),
    info,
    list,
  );
  group = { section, list, info };
  groups.set(key, group);
  el.main.append(section);
  if (key !== OUTSIDE)
    el.conversation.append(h('option', { value: key }, `${key} (${clockTime(event.time)})`));
  return group;
}

function learn(event) {
  const d = event.data;
  if (d?.queueId && d.queueName) queueNames.set(d.queueId, d.queueName);
  if (event.type === 'flow.run' && d.queue) queueNames.set(d.queue.id, d.queue.name);
  if (!types.has(event.type)) {
    types.add(event.type);
    const options = [...types].sort().map((t) => h('option', { value: t }, t));
    const chosen = el.type.value;
    el.type.replaceChildren(h('option', { value: '' }, 'All types'), ...options);
    el.type.value = chosen;
  }
}

function add(event) {
  if (event.type === 'emulator.reset') reset();
  learn(event);
  const key = event.conversationId ?? OUTSIDE;
  const group = groupOf(key, event);
  const text = summary(event, names);
  const details = detailLines(event);
  const item = h(
    'li',
    { 'data-type': event.type },
    h('span', { class: 'muted' }, `#${event.seq} ${clockTime(event.time)} `),
    h('strong', {}, event.type),
    ` ${text}`,
    details.length
      ? h(
          'ul',
          { class: 'trace' },
          details.map((line) => h('li', {}, line)),
        )
      : null,
    h('details', {}, h('summary', {}, 'data'), h('pre', {}, JSON.stringify(event.data, null, 2))),
  );
  group.list.append(item);
  group.lastSeq = event.seq;
  if (event.type === 'conversation.created') group.info.textContent = `${text}, ${event.time}`;
  if (event.type === 'conversation.ended') group.info.textContent += `; ${text}`;
  const haystack = `${event.type} ${text} ${details.join(' ')} ${JSON.stringify(event.data)}`.toLowerCase();
  items.push({ event, item, key, haystack });
}

/** The emulator was reset: its log starts over, and so does the page. */
function reset() {
  for (const { section } of groups.values()) section.remove();
  groups.clear();
  items.length = 0;
  el.conversation.replaceChildren(h('option', { value: '' }, 'All conversations'));
}

function applyFilters() {
  const conversation = el.conversation.value;
  const type = el.type.value;
  const text = el.text.value.trim().toLowerCase();
  const shownIn = new Map();
  let shown = 0;
  for (const { event, item, key, haystack } of items) {
    const visible =
      (key === OUTSIDE ? el.outside.checked : !conversation || key === conversation) &&
      (!type || event.type === type) &&
      (!text || haystack.includes(text));
    item.hidden = !visible;
    if (visible) {
      shown++;
      shownIn.set(key, true);
    }
  }
  for (const [key, group] of groups) group.section.hidden = !shownIn.has(key);
  const conversations = [...shownIn.keys()].filter((k) => k !== OUTSIDE).length;
  el.count.textContent = `${shown} events in ${conversations} conversations shown (of ${items.length} events).`;
  void drawChosen();
}

/** The chosen conversation's sequence diagram, redrawn when it has events the drawing lacks. */
async function drawChosen() {
  const conversationId = el.conversation.value;
  el.sequence.hidden = !conversationId;
  if (!conversationId) {
    drawn = { conversationId: '', lastSeq: 0 };
    return;
  }
  const latest = groups.get(conversationId)?.lastSeq ?? 0;
  if (drawn.conversationId === conversationId && drawn.lastSeq >= latest) return;
  drawn = { conversationId, lastSeq: latest };
  try {
    const { model, mermaid } = await consoleGet(
      `sequence?conversationId=${encodeURIComponent(conversationId)}`,
    );
    if (drawn.conversationId !== conversationId) return;
    el.drawing.replaceChildren(drawSequence(model, `Sequence diagram of conversation ${conversationId}`));
    el.mermaid.textContent = mermaid;
    say(el.sequenceStatus, `${model.actors.length} actors, ${model.steps.length} steps`, 'muted');
  } catch (error) {
    say(el.sequenceStatus, `The diagram could not load: ${error.message}`, 'error');
  }
}

async function copyMermaid() {
  try {
    await navigator.clipboard.writeText(el.mermaid.textContent);
    say(el.sequenceStatus, 'Mermaid text copied', 'muted');
  } catch {
    // No clipboard (an insecure origin, a denied permission): open the text so it can be selected.
    el.mermaid.closest('details').open = true;
    say(el.sequenceStatus, 'Select the Mermaid text below to copy it', 'muted');
  }
}

/** Reads the events after the last one seen, a page at a time. */
async function load() {
  if (loading) return;
  loading = true;
  try {
    for (;;) {
      const page = await consoleGet(`timeline?afterSeq=${lastSeq}&limit=${PAGE}`);
      for (const event of page.entities) add(event);
      if (page.entities.length) lastSeq = page.entities.at(-1).seq;
      if (page.entities.length < PAGE) break;
    }
  } finally {
    loading = false;
  }
  applyFilters();
}

function schedule() {
  clearTimeout(follow);
  if (el.live.checked) follow = setTimeout(() => load().finally(schedule), FOLLOW_EVERY_MS);
}

async function init() {
  agents = (await consoleGet('agents')).entities;
  await load();
  const wanted = new URLSearchParams(location.search).get('conversationId');
  if (wanted) el.conversation.value = wanted;
  applyFilters();
  schedule();
}

el.filters.addEventListener('submit', (event) => event.preventDefault());
for (const input of [el.conversation, el.type, el.outside]) input.addEventListener('change', applyFilters);
el.text.addEventListener('input', applyFilters);
el.live.addEventListener('change', schedule);
el.refresh.addEventListener('click', () => load());
el.copy.addEventListener('click', copyMermaid);

init().catch((error) => {
  el.count.textContent = `The timeline could not load: ${error.message}`;
});
