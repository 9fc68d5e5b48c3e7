import { createServer, type Server } from 'node:http';
import { FRAME_WAIT_MS } from './frame-log.ts';

type Json = Record<string, unknown>;

/** One webhook delivery: its parsed body and the signature header it came with. */
export interface Delivery {
  body: Json;
  signature: string;
}

/**
 * An Open Messaging integration's webhook as a verifier runs it: a loopback HTTP server that answers 200
 * and keeps every delivery with its `X-Hub-Signature-256`, so a message provider can hand the pact the
 * body and header Genesys really sent.
 */
export class WebhookReceiver {
  readonly deliveries: Delivery[] = [];
  #waiters: { match: (d: Delivery) => boolean; resolve: (d: Delivery) => void }[] = [];

  private constructor(
    readonly url: string,
    private readonly server: Server,
  ) {}

  static async start(): Promise<WebhookReceiver> {
    let receiver: WebhookReceiver | undefined;
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        response.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
        const header = request.headers['x-hub-signature-256'];
        receiver?.take({
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json,
          signature: typeof header === 'string' ? header : '',
        });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as { port: number };
    receiver = new WebhookReceiver(`http://127.0.0.1:${port}/webhook`, server);
    return receiver;
  }

  /** The first delivery that matches, received already or still to come. */
  waitFor(match: (delivery: Delivery) => boolean, description: string): Promise<Delivery> {
    const found = this.deliveries.find(match);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`the webhook got no ${description} within ${FRAME_WAIT_MS} ms`)),
        FRAME_WAIT_MS,
      );
      this.#waiters.push({
        match,
        resolve: (delivery) => {
          clearTimeout(timer);
          resolve(delivery);
        },
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }

  /** Records a delivery (the server's handler calls it). */
  take(delivery: Delivery): void {
    this.deliveries.push(delivery);
    for (const waiter of [...this.#waiters]) {
      if (!waiter.match(delivery)) continue;
      this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
      waiter.resolve(delivery);
    }
  }
}
