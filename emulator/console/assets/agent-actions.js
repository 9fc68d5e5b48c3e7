// The platform API calls an agent makes on a conversation, on the media-specific paths the SDK uses
// (`/conversations/messages/...` for Web Messaging, `/conversations/chats/...` for WebChat).

const TYPING_EVERY_MS = 5000;

export class AgentActions {
  #api;
  #userId;

  constructor(api, userId) {
    this.#api = api;
    this.#userId = userId;
  }

  setRoutingStatus(status) {
    return this.#api.request('PUT', `/api/v2/users/${this.#userId}/routingstatus`, { status });
  }

  #participant(entry, body) {
    return this.#api.request(
      'PATCH',
      `/api/v2/conversations/${entry.media}/${entry.id}/participants/${entry.leg.id}`,
      body,
    );
  }

  answer(entry) {
    return this.#participant(entry, { state: 'connected' });
  }

  disconnect(entry) {
    return this.#participant(entry, { state: 'disconnected' });
  }

  /**
   * Genesys's wrap-up `code` is a wrap-up code id; the agent picks or types a code's name (or id), found
   * among the codes offered for the participant. A name none has is sent as typed: the error says why.
   */
  async wrapup(entry, codeOrName) {
    const codes = await this.#api
      .request(
        'GET',
        `/api/v2/conversations/${entry.media}/${entry.id}/participants/${entry.leg.id}/wrapupcodes`,
      )
      .catch(() => []);
    const folded = codeOrName.toLowerCase();
    const found =
      codes.find((c) => c.id === codeOrName) ?? codes.find((c) => c.name?.toLowerCase() === folded);
    return this.#participant(entry, { wrapup: { code: found?.id ?? codeOrName } });
  }

  /** Returns the MessageData (messages) or WebChatMessage (chats) the API answers with. */
  send(entry, text) {
    const body = entry.media === 'chats' ? { body: text, bodyType: 'standard' } : { textBody: text };
    return this.#api.request(
      'POST',
      `/api/v2/conversations/${entry.media}/${entry.id}/communications/${entry.communication.id}/messages`,
      body,
    );
  }

  /** Typing On, at most once every 5 s per conversation (what Messenger clients do too). */
  typing(entry, now = Date.now()) {
    if (entry.lastTyping && now - entry.lastTyping < TYPING_EVERY_MS) return Promise.resolve();
    entry.lastTyping = now;
    return this.#api.request(
      'POST',
      `/api/v2/conversations/${entry.media}/${entry.id}/communications/${entry.communication.id}/typing`,
      { typing: { type: 'On' } },
    );
  }

  /** Blind transfer: `{ queueId }` or `{ userId }`. */
  transfer(entry, target) {
    return this.#api.request(
      'POST',
      `/api/v2/conversations/${entry.media}/${entry.id}/participants/${entry.leg.id}/replace`,
      target,
    );
  }
}
