// A minimal Web Messaging guest (guest-protocols.md PART 2): the `/v1?deploymentId=` WebSocket, frames
// `{action, token, tracingId, ...}` out and `{type, class, code, body, tracingId}` in.

/** A UUID v4 without crypto.randomUUID, which exists only on secure origins (not http://192.168...). */
export function newToken() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export class GuestSocket {
  #deploymentId;
  #token;
  #socket;
  #next = 0;
  #onFrame;
  #onClose;

  /** `onFrame(frame)` for every server frame; `onClose(event)` when the socket closes. */
  constructor(deploymentId, token, onFrame, onClose) {
    this.#deploymentId = deploymentId;
    this.#token = token;
    this.#onFrame = onFrame;
    this.#onClose = onClose;
  }

  get token() {
    return this.#token;
  }

  get open() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Opens the socket and configures the session (a known token resumes it). */
  connect(startNew = false) {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const query = `deploymentId=${encodeURIComponent(this.#deploymentId)}&application=emulator-console`;
    const socket = new WebSocket(`${scheme}://${location.host}/v1?${query}`);
    this.#socket = socket;
    socket.addEventListener('open', () => this.configure(startNew));
    socket.addEventListener('message', (message) => {
      if (socket === this.#socket) this.#onFrame(JSON.parse(message.data));
    });
    socket.addEventListener('close', (event) => {
      if (socket === this.#socket) this.#onClose(event);
    });
  }

  close() {
    const socket = this.#socket;
    this.#socket = undefined;
    socket?.close();
  }

  /** Sends one action; returns its tracingId (echoed on the reply or the message echo). */
  send(action, fields = {}) {
    const tracingId = `console-${++this.#next}`;
    this.#socket.send(JSON.stringify({ action, token: this.#token, tracingId, ...fields }));
    return tracingId;
  }

  configure(startNew = false) {
    return this.send('configureSession', { deploymentId: this.#deploymentId, startNew });
  }

  /** A text message; custom attributes ride in `message.channel.metadata.customAttributes`. */
  sendText(text, customAttributes) {
    const message = { type: 'Text', text };
    if (customAttributes && Object.keys(customAttributes).length)
      message.channel = { metadata: { customAttributes } };
    return this.send('onMessage', { message });
  }

  typing() {
    return this.#event({ eventType: 'Typing', typing: { type: 'On' } });
  }

  /** Presence Clear: the guest ends the conversation and wipes the transcript. */
  clear() {
    return this.#event({ eventType: 'Presence', presence: { type: 'Clear' } });
  }

  /** Leaves the session on every socket; the reply is SessionResponse `connected:false`. */
  closeSession() {
    return this.send('closeSession', { closeAllConnections: true });
  }

  getJwt() {
    return this.send('getJwt');
  }

  #event(event) {
    return this.send('onMessage', { message: { type: 'Event', events: [event] } });
  }
}
