import WebSocket from 'ws';

type Json = Record<string, unknown>;

/** How long a capture waits for a frame before giving up: a guard against a hung run, not a timing. */
export const FRAME_WAIT_MS = 5000;

/**
 * Every JSON frame a socket received, in order, and a way to wait for one: the frame a provider state or a
 * message provider is after may have arrived already or may still be on its way.
 */
export class FrameLog {
  readonly frames: Json[] = [];
  readonly closed: Promise<void>;
  #waiters: { match: (frame: Json) => boolean; from: number; resolve: (frame: Json) => void }[] = [];

  constructor(
    readonly socket: WebSocket,
    readonly what: string,
  ) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Json;
      this.frames.push(frame);
      const index = this.frames.length - 1;
      for (const waiter of [...this.#waiters]) {
        if (index < waiter.from || !waiter.match(frame)) continue;
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        waiter.resolve(frame);
      }
    });
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
  }

  /** Where the log ends now: `waitFor(..., mark())` sees only frames that arrive from here on. */
  mark(): number {
    return this.frames.length;
  }

  /** The first frame from index `from` on that matches, received already or still to come. */
  waitFor(match: (frame: Json) => boolean, description: string, from = 0): Promise<Json> {
    const found = this.frames.slice(from).find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(
          new Error(
            `${this.what}: no ${description} within ${FRAME_WAIT_MS} ms; last frames ${JSON.stringify(this.frames.slice(-4))}`,
          ),
        );
      }, FRAME_WAIT_MS);
      this.#waiters.push({
        match,
        from,
        resolve: (frame) => {
          clearTimeout(timer);
          resolve(frame);
        },
      });
    });
  }

  send(frame: Json): void {
    this.socket.send(JSON.stringify(frame));
  }

  async close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return;
    if (this.socket.readyState !== WebSocket.CONNECTING) this.socket.close();
    else this.socket.terminate();
    await this.closed;
  }
}

/** Opens a socket with its log listening from the first frame (servers may send one with the handshake). */
export async function openFrameLog(
  url: string,
  what: string,
  headers?: Record<string, string>,
): Promise<FrameLog> {
  const socket = new WebSocket(url, headers ? { headers } : {});
  const log = new FrameLog(socket, what);
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return log;
}
