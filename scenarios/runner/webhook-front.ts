import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type Bridge, hubSignature, nodeHttpFetch } from '../../bridge/index.ts';
import { type Fixture, PlatformClient, type PlatformHosts, type TimerHandle } from '../../emulator/index.ts';
import type { ActivityProbe } from './activity.ts';

const RUNNER_HEADER = 'x-scenario-runner';

/** The clock a held answer waits on: the run's (the emulator's manual clock in-process). */
export interface FrontClock {
  setTimeout(fn: () => void, ms: number): TimerHandle | { readonly id: number };
}

interface Delivery {
  raw: Buffer;
  signature: string | undefined;
}

/**
 * The bridge's Open Messaging webhook receiver as a scenario runs it: a loopback HTTP server whose
 * requests go to the bridge's own listener (`bridge.openMessagingWebhook`), with the org's integration
 * pointed at it through the platform API. In front of the bridge it can play a receiver that is down
 * (the next deliveries answered with a status, never reaching the bridge) or slow (the answer held on
 * the run's clock while the bridge takes the delivery late), and it can post deliveries itself: the last
 * one again (a duplicate), or a forged one (a bad or missing signature).
 */
export class WebhookFront {
  readonly #failures: number[] = [];
  readonly #holds: number[] = [];
  readonly #server: Server;
  #last: Delivery | undefined;
  #url = '';

  constructor(
    private readonly bridge: Bridge,
    private readonly clock: FrontClock,
    private readonly probe: ActivityProbe,
    private readonly log: (line: string) => void,
  ) {
    this.#server = createServer((request, response) => {
      this.probe.inFlight++;
      this.probe.count++;
      response.on('close', () => {
        this.probe.inFlight = Math.max(0, this.probe.inFlight - 1);
        this.probe.count++;
      });
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const delivery = { raw: Buffer.concat(chunks), signature: signatureOf(request.headers) };
        const answer = (status: number, body: object) =>
          response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
        // The runner's own posts (a replay, a forgery) go straight to the bridge.
        if (request.headers[RUNNER_HEADER] !== undefined) {
          const result = this.bridge.openMessagingWebhook.accept(delivery.raw, delivery.signature);
          answer(result.status, result.body);
          return;
        }
        const failure = this.#failures.shift();
        if (failure !== undefined) {
          this.log(`webhook receiver down: delivery answered ${failure}`);
          answer(failure, { error: 'injected' });
          return;
        }
        this.#last = delivery;
        const hold = this.#holds.shift();
        if (hold === undefined) {
          const result = this.bridge.openMessagingWebhook.accept(delivery.raw, delivery.signature);
          answer(result.status, result.body);
          return;
        }
        this.log(`webhook receiver slow: the answer waits ${hold} ms`);
        this.clock.setTimeout(() => {
          const result = this.bridge.openMessagingWebhook.accept(delivery.raw, delivery.signature);
          if (!response.destroyed) answer(result.status, result.body);
        }, hold);
      });
    });
  }

  get url(): string {
    return this.#url;
  }

  /** Listens on loopback and points the fixture's first integration at this receiver. */
  async start(hosts: PlatformHosts, fixture: Fixture | undefined): Promise<void> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#url = `http://127.0.0.1:${(this.#server.address() as { port: number }).port}/v1/openmessaging/webhook`;
    const integration = fixture?.openMessaging[0];
    const client = fixture?.clients.find((c) => c.user === undefined);
    if (!integration || !client)
      throw new Error(
        'an openmessaging run needs a fixture with an openMessaging integration and an org-level client',
      );
    const platform = new PlatformClient('webhook setup', hosts, client);
    await platform.call('PATCH', `/api/v2/conversations/messaging/integrations/open/${integration.id}`, {
      outboundNotificationWebhookUrl: this.#url,
    });
  }

  /** The next `count` deliveries are answered `status` without reaching the bridge. */
  failNext(status: number, count: number): void {
    for (let i = 0; i < count; i++) this.#failures.push(status);
  }

  /** The next `count` deliveries reach the bridge only after `delayMs` of the run's time, and are answered then. */
  holdNext(delayMs: number, count: number): void {
    for (let i = 0; i < count; i++) this.#holds.push(delayMs);
  }

  /** Posts the last delivery again, byte for byte with its signature; the receiver's status. */
  async replayLast(): Promise<number> {
    if (!this.#last) throw new Error('no webhook delivery has arrived yet');
    return this.#post(this.#last.raw, this.#last.signature);
  }

  /**
   * Posts an agent message that Genesys did not send, to the customer's session: signed with the wrong
   * secret, or not signed at all. Answers the receiver's status.
   */
  async forge(
    customerId: string,
    integrationId: string,
    text: string,
    signature: 'bad' | 'missing',
  ): Promise<number> {
    const raw = Buffer.from(
      JSON.stringify({
        id: `forged-${text.length}-${Date.now().toString(36)}`,
        channel: {
          id: integrationId,
          platform: 'Open',
          type: 'Private',
          to: { id: customerId, idType: 'Opaque' },
          from: { id: integrationId, idType: 'Opaque' },
          time: new Date(0).toISOString(),
        },
        direction: 'Outbound',
        originatingEntity: 'Human',
        type: 'Text',
        text,
      }),
    );
    return this.#post(raw, signature === 'bad' ? hubSignature('not-the-integration-secret', raw) : undefined);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.#server.closeAllConnections();
      this.#server.close(() => resolve());
    });
  }

  async #post(raw: Buffer, signature: string | undefined): Promise<number> {
    const res = await nodeHttpFetch(this.#url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [RUNNER_HEADER]: '1',
        ...(signature ? { 'x-hub-signature-256': signature } : {}),
      },
      body: raw,
    });
    await res.text();
    return res.status;
  }
}

function signatureOf(headers: IncomingHttpHeaders): string | undefined {
  const value = headers['x-hub-signature-256'];
  return Array.isArray(value) ? value[0] : value;
}
