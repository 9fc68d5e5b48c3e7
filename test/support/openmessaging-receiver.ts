import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { onTestFinished } from 'vitest';

/** One webhook delivery as the receiver got it. */
export interface ReceivedDelivery {
  raw: Buffer;
  headers: IncomingHttpHeaders;
  body: {
    id: string;
    type: string;
    text?: string;
    originatingEntity?: string;
    conversationId?: string;
    channel: { id: string; to: { id: string }; from: { id: string; nickname?: string } };
    events?: { eventType: string; typing?: { type: string; duration?: number } }[];
  };
  /** X-Hub-Signature-256 checked against the raw bytes with the integration's secret. */
  signatureValid: boolean;
  /** What the receiver answered. */
  status: number;
}

/**
 * A test's own Open Messaging webhook receiver on 127.0.0.1: it records every delivery with its raw bytes,
 * checks `X-Hub-Signature-256` (base64 HMAC-SHA256 of the raw body) the way an integrator must, and
 * answers with the statuses it is told to (then 200). Closed when the test ends.
 */
export async function webhookReceiver(secret: string) {
  const deliveries: ReceivedDelivery[] = [];
  const answers: number[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const status = answers.shift() ?? 200;
      deliveries.push({
        raw,
        headers: request.headers,
        body: JSON.parse(raw.toString('utf8')) as ReceivedDelivery['body'],
        signatureValid: verify(secret, raw, request.headers['x-hub-signature-256']),
        status,
      });
      response.writeHead(status, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  onTestFinished(close);
  return {
    url: `http://127.0.0.1:${port}/genesys/webhook`,
    deliveries,
    /** The next deliveries are answered with these statuses, in order. */
    answerNext(...statuses: number[]) {
      answers.push(...statuses);
    },
    close,
  };
}

function verify(secret: string, raw: Buffer, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = Buffer.from(createHmac('sha256', secret).update(raw).digest('base64'));
  const given = Buffer.from(header.slice('sha256='.length));
  return given.length === expected.length && timingSafeEqual(given, expected);
}
