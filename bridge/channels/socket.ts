import WebSocket from 'ws';

/**
 * The one place the bridge opens WebSockets. Adapters see a small callback interface so tests can swap
 * the transport, and the `ws` specifics (handshake errors, binary frames) stay here.
 */
export interface SocketHandlers {
  open(): void;
  message(text: string): void;
  close(code: number, reason: string): void;
  /** `status` is the HTTP status when the upgrade itself was refused (e.g. 403 for an unknown deployment). */
  error(error: Error & { status?: number }): void;
}

export interface GuestSocket {
  send(text: string): void;
  close(): void;
  /** Drops the connection without a closing handshake (dead peer). */
  terminate(): void;
}

export type SocketFactory = (
  url: string,
  headers: Record<string, string>,
  handlers: SocketHandlers,
) => GuestSocket;

export const wsSocketFactory: SocketFactory = (url, headers, handlers) => {
  const socket = new WebSocket(url, { headers });
  socket.on('open', () => handlers.open());
  socket.on('message', (data, isBinary) => {
    if (!isBinary) handlers.message(data.toString());
  });
  socket.on('close', (code, reason) => handlers.close(code, reason.toString()));
  socket.on('error', (error: Error & { status?: number }) => {
    // ws reports a refused upgrade as "Unexpected server response: 403".
    const status = /Unexpected server response: (\d{3})/.exec(error.message)?.[1];
    if (status) error.status = Number(status);
    handlers.error(error);
  });
  return {
    send: (text) => socket.send(text),
    close: () => socket.close(1000),
    terminate: () => socket.terminate(),
  };
};
