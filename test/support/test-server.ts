import type { Server } from 'node:net';
import { onTestFinished } from 'vitest';

/**
 * Starts `server` on a free loopback port and closes it (and any connection a client kept alive) when
 * the calling test ends; resolves with the port.
 */
export async function listenForTest(server: Server & { closeAllConnections?: () => void }): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  onTestFinished(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  );
  return (server.address() as { port: number }).port;
}
