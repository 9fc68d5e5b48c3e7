import { wsSocketFactory } from '../../bridge/channels/socket.ts';
import { nodeHttpFetch } from '../../bridge/http/node-http-fetch.ts';
import type { FetchLike, SocketFactory } from '../../bridge/index.ts';
import type { ActivitySource } from '../../emulator/index.ts';

/**
 * What the bridge is doing right now, as far as waiting is concerned: a counter that moves with every
 * bridge event and guest frame, and the bridge's HTTP requests still in flight. Waits watch it beside
 * the emulator's own activity (an ActivitySource of the emulator's public API).
 */
export class ActivityProbe implements ActivitySource {
  count = 0;
  inFlight = 0;

  /** The bridge's sockets, counting every frame in either direction. */
  readonly socketFactory: SocketFactory = (url, headers, handlers) => {
    const socket = wsSocketFactory(url, headers, {
      ...handlers,
      open: () => {
        this.count++;
        handlers.open();
      },
      message: (text) => {
        this.count++;
        handlers.message(text);
      },
      close: (code, reason) => {
        this.count++;
        handlers.close(code, reason);
      },
    });
    return {
      ...socket,
      send: (text) => {
        this.count++;
        socket.send(text);
      },
    };
  };

  /**
   * The bridge's HTTP calls, counted while they are in flight. They go over node:http rather than global
   * fetch: a run makes dozens, and fetch's own machinery was a tenth of the library's CPU.
   */
  readonly fetch: FetchLike = async (...args: Parameters<FetchLike>) => {
    this.inFlight++;
    try {
      return await nodeHttpFetch(...args);
    } finally {
      this.inFlight--;
      this.count++;
    }
  };
}
