import WebSocket from 'ws';

/**
 * Collects JSON frames from a WebSocket and lets a test wait for a specific one: no sleeps, and a
 * frame that arrived before the wait began is not missed.
 */
export class FrameCollector<T = Record<string, unknown>> {
  readonly frames: T[] = [];
  #waiters: { match: (f: T) => boolean; resolve: (f: T) => void }[] = [];
  #consumed = 0;

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as T;
      this.frames.push(frame);
      this.#waiters = this.#waiters.filter((w) => {
        if (!w.match(frame)) return true;
        w.resolve(frame);
        return false;
      });
    });
  }

  /** The first frame (received at any time) that matches and was not returned by next() before. */
  next(match: (frame: T) => boolean, what = 'a matching frame', timeoutMs = 3000): Promise<T> {
    for (let i = this.#consumed; i < this.frames.length; i++) {
      if (match(this.frames[i]!)) {
        this.#consumed = i + 1;
        return Promise.resolve(this.frames[i]!);
      }
    }
    return new Promise<T>((resolve, reject) => {
      // A guard against a hung test, not a timing assertion: it only fires if the frame never comes.
      const timer = setTimeout(
        () =>
          reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.frames.slice(-5))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (f) => {
          clearTimeout(timer);
          this.#consumed = this.frames.indexOf(f) + 1;
          resolve(f);
        },
      });
    });
  }
}

export async function openSocket(url: string, headers?: Record<string, string>): Promise<WebSocket> {
  const socket = new WebSocket(url, { headers });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return socket;
}

export async function closeSocket(socket: WebSocket): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return;
  await new Promise<void>((resolve) => {
    socket.once('close', () => resolve());
    socket.close();
  });
}
