// What the signed-in agent knows about each of their conversations, built only from what Genesys
// clients get: the generic Conversation (notifications on v2.users.{id}.conversations and
// GET /api/v2/conversations/{id}) and message texts from GET .../messages/{messageId}.

/** A communication: the leg's `messages[]` (message media) or `chats[]` (WebChat) entry. */
export function communicationOf(participant) {
  return participant?.messages?.[0] ?? participant?.chats?.[0];
}

/** The agent's leg state as the console shows it: alerting, connected, or disconnected. */
export function legState(participant) {
  return communicationOf(participant)?.state ?? participant?.state ?? 'disconnected';
}

export class ConversationTracker {
  #api;
  #userId;
  #onChange;
  #queueName;
  /** conversationId -> entry, in arrival order. */
  #entries = new Map();
  /** messageId -> text, filled by fetches and by the agent's own sends. */
  #texts = new Map();

  /** `queueName(id)` names a queue: notification bodies carry only its id. */
  constructor(api, userId, onChange, queueName = () => undefined) {
    this.#api = api;
    this.#userId = userId;
    this.#onChange = onChange;
    this.#queueName = queueName;
  }

  get(id) {
    return this.#entries.get(id);
  }

  /** Entries still worth showing: alerting, connected, or ended but not yet closed by the agent. */
  visible() {
    return [...this.#entries.values()].filter((e) => !e.closed);
  }

  /** Conversations this agent is alerted on or connected to right now (for the capacity line). */
  activeCount() {
    return this.visible().filter((e) => ['alerting', 'connected'].includes(e.state)).length;
  }

  close(id) {
    const entry = this.#entries.get(id);
    if (entry) entry.closed = true;
  }

  rememberText(messageId, text) {
    this.#texts.set(messageId, text);
  }

  /** Takes a generic Conversation (a notification's eventBody or a GET) and updates its entry. */
  update(conversation) {
    const mine = conversation.participants.filter((p) => p.purpose === 'agent' && p.userId === this.#userId);
    const leg = mine.at(-1);
    if (!leg) return;
    let entry = this.#entries.get(conversation.id);
    const previous = entry?.state;
    if (!entry) {
      entry = { id: conversation.id, messages: [], seen: new Set(), draft: '', closed: false };
      this.#entries.set(conversation.id, entry);
    }
    entry.conversation = conversation;
    entry.leg = leg;
    entry.communication = communicationOf(leg);
    entry.media = leg.chats?.length ? 'chats' : 'messages';
    entry.state = legState(leg);
    entry.customer = conversation.participants.find((p) => p.purpose === 'customer');
    const queueId = leg.queueId ?? conversation.participants.findLast((p) => p.queueId)?.queueId;
    entry.queueName = leg.queueName ?? this.#queueName(queueId) ?? entry.queueName;
    // A new alert for a conversation the agent had closed (transferred back to them) shows again.
    if (entry.state === 'alerting' && previous !== 'alerting') {
      entry.closed = false;
      entry.alertSeenAt = undefined;
    }
    if (entry.media === 'chats') {
      // Chat communications list no messages: read the chat's history once, then follow its topic.
      if (!entry.chatHistoryRead) {
        entry.chatHistoryRead = true;
        this.#readChatHistory(entry);
      }
    } else this.#collectMessages(entry, conversation);
    this.#onChange(entry, previous);
  }

  /** A message from the chat's own topic (v2.conversations.chats.{id}.messages). */
  addChatMessage(message) {
    const entry = this.#entries.get(message.conversation?.id);
    if (!entry || entry.seen.has(message.id)) return;
    entry.seen.add(message.id);
    const sender = entry.conversation.participants.find(
      (p) => p.chats?.[0]?.id === message.sender?.id || p.id === message.sender?.id,
    );
    entry.messages.push({
      id: message.id,
      time: message.timestamp,
      purpose: sender?.purpose ?? 'customer',
      name: sender?.name ?? '',
      mine: sender?.userId === this.#userId,
      text: message.body,
    });
    this.#onChange(entry, entry.state);
  }

  async #readChatHistory(entry) {
    try {
      // The list comes in pages of at most 100 messages; `next` is the path of the following one.
      let next = `/api/v2/conversations/chats/${entry.id}/messages`;
      while (next) {
        const page = await this.#api.request('GET', next);
        for (const m of page.entities ?? []) this.addChatMessage(m);
        next = page.next;
      }
    } catch (error) {
      entry.messages.push({
        id: 'history-error',
        purpose: 'system',
        name: '',
        text: `(history unavailable: ${error.message})`,
      });
    }
  }

  /**
   * New message ids go to the end in first-seen order (the order notifications arrive in); several
   * new ones in one snapshot are ordered by time. Texts are fetched one by one and filled in.
   */
  #collectMessages(entry, conversation) {
    const fresh = [];
    for (const p of conversation.participants) {
      for (const m of communicationOf(p)?.messages ?? []) {
        if (entry.seen.has(m.messageId)) continue;
        entry.seen.add(m.messageId);
        fresh.push({
          id: m.messageId,
          time: m.messageTime,
          purpose: p.purpose,
          name: p.name,
          mine: p.userId === this.#userId,
          text: this.#texts.get(m.messageId),
        });
      }
    }
    fresh.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const message of fresh) {
      entry.messages.push(message);
      if (message.text === undefined) this.#fetchText(entry, message);
    }
  }

  async #fetchText(entry, message) {
    try {
      const data = await this.#api.request(
        'GET',
        `/api/v2/conversations/messages/${entry.id}/messages/${message.id}`,
      );
      message.text = data.textBody ?? '';
    } catch (error) {
      message.text = `(text unavailable: ${error.message})`;
    }
    this.#texts.set(message.id, message.text);
    this.#onChange(entry, entry.state);
  }
}
