import type { IncomingMessage, ServerResponse } from 'node:http';
import type { OpenMessagingHub } from './openmessaging-hub.ts';
import { verifyHubSignature } from './openmessaging-signature.ts';
import { WebhookBodySchema } from './openmessaging-wire.ts';

/**
 * The receiving end of Genesys's Open Messaging webhook (platform-extra.md §1.5), for every Open
 * Messaging configuration of a bridge. A delivery must carry a valid `X-Hub-Signature-256` for one of
 * the integrations' secrets (401 otherwise, so a forged body changes nothing) and be JSON (400). It is
 * answered 200 at once and processed after the answer: Genesys gives a receiver 10 s and retries on
 * silence, and a slow bot must not turn into duplicate deliveries. Retries that do come are dropped by
 * message id in the hub. Bodies the bridge has no use for (receipts, other events) are accepted and ignored.
 */
export interface WebhookAnswer {
  status: 200 | 400 | 401 | 413;
  body: { status: 'accepted' } | { error: string };
}

/** Genesys's bodies are small; anything near this is not one of them. */
export const MAX_WEBHOOK_BYTES = 1024 * 1024;

export class OpenMessagingWebhook {
  readonly #hubs: () => readonly OpenMessagingHub[];
  readonly #onError: (error: unknown) => void;

  constructor(hubs: () => readonly OpenMessagingHub[], onError: (error: unknown) => void) {
    this.#hubs = hubs;
    this.#onError = onError;
  }

  /** Checks one delivery (its raw bytes and signature header) and answers it; processing follows the answer. */
  accept(rawBody: Uint8Array | string, signature: string | string[] | undefined): WebhookAnswer {
    const header = Array.isArray(signature) ? signature[0] : signature;
    const hub = this.#hubs().find((h) => verifyHubSignature(h.secret, rawBody, header));
    if (!hub) return { status: 401, body: { error: 'missing or invalid X-Hub-Signature-256' } };
    let json: unknown;
    try {
      json = JSON.parse(typeof rawBody === 'string' ? rawBody : Buffer.from(rawBody).toString('utf8'));
    } catch {
      return { status: 400, body: { error: 'the body is not JSON' } };
    }
    const parsed = WebhookBodySchema.safeParse(json);
    if (parsed.success && parsed.data.channel.id === hub.integrationId) {
      const body = parsed.data;
      queueMicrotask(() => {
        try {
          hub.receive(body);
        } catch (thrown) {
          this.#onError(thrown);
        }
      });
    }
    return { status: 200, body: { status: 'accepted' } };
  }

  /** A Node request listener to mount in your own HTTP server at the webhook URL (POST only). */
  readonly listener = (request: IncomingMessage, response: ServerResponse): void => {
    const answer = (status: number, body: object) => {
      response.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
    };
    if (request.method !== 'POST') {
      answer(405, { error: 'POST only' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_WEBHOOK_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (tooLarge) {
        answer(413, { error: 'the body is too large' });
        return;
      }
      const result = this.accept(Buffer.concat(chunks), request.headers['x-hub-signature-256']);
      answer(result.status, result.body);
    });
    request.on('error', () => response.destroy());
  };
}
