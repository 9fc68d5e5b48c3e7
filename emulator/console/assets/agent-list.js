// The agent console's list of conversations (one button each) and the capacity line. Items are kept
// and updated in place, so a focused button keeps focus and a countdown does not blink on each update.

import { h } from './dom.js';

export class ConversationList {
  #list;
  #capacity;
  #onSelect;
  /** conversationId -> { item, button, state, countdown } */
  #items = new Map();

  constructor(listEl, capacityEl, onSelect) {
    this.#list = listEl;
    this.#capacity = capacityEl;
    this.#onSelect = onSelect;
  }

  /** Shows `entries` in order, marking `selectedId`; `capacity` is the agent's {message, chat} capacity. */
  render(entries, selectedId, activeCount, capacity) {
    this.#capacity.textContent = `${activeCount} active; capacity ${capacity.message} messages, ${capacity.chat} chats.`;
    const keep = new Set(entries.map((e) => e.id));
    for (const [id, shown] of this.#items) {
      if (keep.has(id)) continue;
      shown.item.remove();
      this.#items.delete(id);
    }
    entries.forEach((entry, index) => {
      const shown = this.#items.get(entry.id) ?? this.#add(entry.id);
      shown.name.textContent = entry.customer?.name ?? 'Customer';
      shown.state.textContent = `${entry.queueName ?? ''} - ${entry.state}`;
      if (entry.state !== 'alerting') shown.countdown.textContent = '';
      shown.button.setAttribute('aria-current', entry.id === selectedId ? 'true' : 'false');
      // Moved only when out of place: moving a node would take focus away from its button.
      const at = this.#list.children[index];
      if (at !== shown.item) this.#list.insertBefore(shown.item, at ?? null);
    });
  }

  countdown(id, msLeft) {
    const shown = this.#items.get(id);
    if (shown) shown.countdown.textContent = `${Math.max(0, Math.ceil(msLeft / 1000))} s left`;
  }

  clear(text) {
    this.#list.replaceChildren();
    this.#items.clear();
    this.#capacity.textContent = text;
  }

  #add(id) {
    const name = h('span', {});
    const state = h('span', { class: 'sub' });
    const countdown = h('span', { class: 'sub' });
    const button = h(
      'button',
      { type: 'button', 'data-conversation-id': id, onclick: () => this.#onSelect(id) },
      name,
      state,
      countdown,
    );
    const shown = { item: h('li', {}, button), button, name, state, countdown };
    this.#items.set(id, shown);
    return shown;
  }
}
