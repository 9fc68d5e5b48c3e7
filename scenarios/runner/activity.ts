import { wsSocketFactory } from '../../bridge/channels/socket.ts';
import type { FetchLike, SocketFactory } from '../../bridge/index.ts';

/**
 * What the run is doing right now, as far as waiting is concerned: a counter that moves with every
 * emulator event, bridge event and guest frame, and the bridge's HTTP requests still in flight.
 */
export class ActivityProbe {
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

  /** The bridge's HTTP calls, counted while they are in flight. */
  readonly fetch: FetchLike = async (...args: Parameters<FetchLike>) => {
    this.inFlight++;
    try {
      return await (globalThis.fetch as unknown as FetchLike)(...args);
    } finally {
      this.inFlight--;
      this.count++;
    }
  };
}

/**
 * Returns once nothing has happened (no counted activity) for several event-loop turns in a row,
 * confirmed across timer turns (loopback I/O lands in the poll phase between turns). A bridge HTTP call
 * still in flight after ten silent timer turns is taken to be held on the emulator's clock (a slow-answer
 * fault): the run is then idle too, and time has to move for it to finish.
 */
export async function untilQuiet(probe: ActivityProbe): Promise<void> {
  let seen = probe.count;
  let stillTurns = 0;
  for (let round = 0; round < 5000; round++) {
    for (let turn = 0; turn < 8; turn++) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (probe.count !== seen) {
        seen = probe.count;
        stillTurns = 0;
      }
    }
    await new Promise<void>((resolve) => setTimeout(resolve, 1));
    if (probe.count !== seen) {
      seen = probe.count;
      stillTurns = 0;
      continue;
    }
    stillTurns++;
    if (stillTurns >= (probe.inFlight === 0 ? 2 : 10)) return;
  }
}
