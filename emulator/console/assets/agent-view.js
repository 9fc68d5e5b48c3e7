// The conversation pane of the agent console: transcript, actions for the leg's state, Participant
// Data and the flow and routing events that brought the conversation here. It owns the page's static
// skeleton (agent.html) and only fills it; every action goes to the handlers the app passes in.

import { byId, clockTime, fill, h } from './dom.js';
import { detailLines, summary } from './timeline-format.js';

const STATE_TEXT = { alerting: 'Alerting', connected: 'Connected', disconnected: 'Ended' };

export class ConversationView {
  #handlers;
  #entry;
  /** messageId -> rendered item, so updates append instead of re-announcing the whole log. */
  #rendered = new Map();
  #el = {};

  constructor(handlers) {
    this.#handlers = handlers;
    for (const id of [
      'conversation-heading',
      'conversation-body',
      'leg-state',
      'alert-left',
      'answer',
      'disconnect',
      'transcript',
      'typing',
      'composer',
      'reply',
      'transfer',
      'transfer-target',
      'wrapup',
      'wrapup-code',
      'close-conversation',
      'action-error',
      'attributes',
      'routing',
      'timeline-link',
      'details',
    ]) {
      this.#el[id] = byId(id);
    }
    this.#wire();
  }

  get entry() {
    return this.#entry;
  }

  /**
   * Shows "the customer is typing" on the open conversation for as long as the indicator lasts, or
   * until the customer's message arrives or the leg ends (hideTyping), whichever comes first.
   */
  showTyping(conversationId, durationMs = 5000) {
    if (this.#entry?.id !== conversationId || this.#entry.state !== 'connected') return;
    clearTimeout(this.#typingTimer);
    this.#el.typing.hidden = false;
    this.#typingTimer = setTimeout(() => this.hideTyping(), durationMs);
  }

  hideTyping() {
    clearTimeout(this.#typingTimer);
    this.#el.typing.hidden = true;
  }

  #typingTimer;

  #wire() {
    const el = this.#el;
    const act = (name, ...args) => {
      if (!this.#entry) return;
      el['action-error'].textContent = '';
      const entry = this.#entry;
      Promise.resolve()
        .then(() => this.#handlers[name](entry, ...args))
        .catch((error) => {
          el['action-error'].textContent = `${name} failed: ${error.message}`;
        });
    };
    el.answer.addEventListener('click', () => act('answer'));
    el.disconnect.addEventListener('click', () => act('disconnect'));
    el['close-conversation'].addEventListener('click', () => act('close'));
    el.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      const text = el.reply.value.trim();
      if (!text) return;
      el.reply.value = '';
      if (this.#entry) this.#entry.draft = '';
      act('send', text);
    });
    el.reply.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' && !event.shiftKey) {
        event.preventDefault();
        el.composer.requestSubmit();
      }
    });
    el.reply.addEventListener('input', () => {
      if (!this.#entry) return;
      this.#entry.draft = el.reply.value;
      if (el.reply.value) act('typing');
    });
    el.transfer.addEventListener('submit', (event) => {
      event.preventDefault();
      const [kind, id] = el['transfer-target'].value.split(':');
      act('transfer', kind === 'queue' ? { queueId: id } : { userId: id });
    });
    el.wrapup.addEventListener('submit', (event) => {
      event.preventDefault();
      act('wrapup', el['wrapup-code'].value.trim());
    });
  }

  /** The transfer picker: queues first, then the other agents. */
  setTransferTargets(queues, agents) {
    fill(
      this.#el['transfer-target'],
      h(
        'optgroup',
        { label: 'Queues' },
        ...queues.map((q) => h('option', { value: `queue:${q.id}` }, q.name)),
      ),
      h(
        'optgroup',
        { label: 'Agents' },
        ...agents.map((a) => h('option', { value: `user:${a.id}` }, a.name)),
      ),
    );
  }

  /** Shows another conversation (or none). */
  show(entry) {
    this.#entry = entry;
    this.hideTyping();
    this.#rendered.clear();
    fill(this.#el.transcript);
    fill(this.#el.routing);
    fill(this.#el.attributes.tBodies[0]);
    this.#el['action-error'].textContent = '';
    this.#el.reply.value = entry?.draft ?? '';
    this.#el['conversation-body'].hidden = !entry;
    this.#el.details.hidden = !entry;
    if (!entry) {
      this.#el['conversation-heading'].textContent = 'No conversation selected';
      return;
    }
    this.#el['timeline-link'].href = `/console/timeline?conversationId=${encodeURIComponent(entry.id)}`;
    this.refresh(entry);
  }

  /** Redraws what changed in the shown conversation. */
  refresh(entry) {
    if (entry !== this.#entry) return;
    const el = this.#el;
    const customer = entry.customer?.name ?? 'Customer';
    el['conversation-heading'].textContent = `${customer}${entry.queueName ? ` - ${entry.queueName}` : ''}`;
    const disconnectType = entry.communication?.disconnectType;
    el['leg-state'].className = `badge ${entry.state}`;
    el['leg-state'].textContent =
      (STATE_TEXT[entry.state] ?? entry.state) + (disconnectType ? ` (${disconnectType})` : '');
    const open = entry.state === 'connected';
    el.answer.hidden = entry.state !== 'alerting';
    el.disconnect.hidden = !open;
    el.composer.hidden = !open;
    el.transfer.hidden = !open;
    el.wrapup.hidden = entry.state !== 'disconnected';
    el.wrapup.querySelector('button[type=submit]').hidden = Boolean(entry.leg.wrapup);
    el['wrapup-code'].disabled = Boolean(entry.leg.wrapup);
    if (entry.leg.wrapup) el['wrapup-code'].value = entry.leg.wrapup.code;
    if (entry.state !== 'alerting') el['alert-left'].textContent = '';
    // An ended leg hears no more typing.
    if (!open) this.hideTyping();
    this.#renderMessages(entry);
    this.#renderAttributes(entry);
  }

  /** Remaining alerting time, when the leg is alerting. */
  countdown(entry, msLeft) {
    if (entry !== this.#entry || entry.state !== 'alerting') return;
    this.#el['alert-left'].textContent = `${Math.max(0, Math.ceil(msLeft / 1000))} s left to answer`;
  }

  #renderMessages(entry) {
    for (const m of entry.messages) {
      let item = this.#rendered.get(m.id);
      // The customer's message is what they were typing: the indicator goes when it arrives.
      if (!item && m.purpose === 'customer') this.hideTyping();
      if (!item) {
        const kind = m.mine ? 'mine' : m.purpose === 'workflow' ? 'bot' : '';
        item = h('li', { class: kind, 'data-message-id': m.id });
        this.#rendered.set(m.id, item);
        this.#el.transcript.append(item);
      }
      const who = `${m.name} (${m.purpose})${m.time ? ` ${clockTime(m.time)}` : ''}`;
      const text = m.text ?? '...';
      if (item.dataset.text !== text) {
        item.dataset.text = text;
        fill(item, h('span', { class: 'who' }, who), text);
      }
    }
    this.#el.transcript.scrollTop = this.#el.transcript.scrollHeight;
  }

  #renderAttributes(entry) {
    const rows = [];
    for (const p of entry.conversation.participants) {
      for (const [name, value] of Object.entries(p.attributes ?? {})) {
        const label = p.purpose === 'customer' ? name : `${name} (${p.purpose})`;
        rows.push(h('tr', {}, h('th', { scope: 'row' }, label), h('td', {}, value)));
      }
    }
    if (!rows.length) rows.push(h('tr', {}, h('td', { colspan: 2, class: 'muted' }, 'No Participant Data')));
    fill(this.#el.attributes.tBodies[0], rows);
  }

  /** The flow and routing events of the shown conversation, oldest first. */
  showRouting(conversationId, events, names) {
    if (conversationId !== this.#entry?.id) return;
    fill(
      this.#el.routing,
      events.map((e) => {
        const details = detailLines(e);
        return h(
          'li',
          {},
          `${clockTime(e.time)} ${summary(e, names)}`,
          details.length
            ? h(
                'ul',
                {},
                details.map((line) => h('li', {}, line)),
              )
            : null,
        );
      }),
    );
  }
}
