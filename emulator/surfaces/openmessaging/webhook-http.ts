import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Clock } from '../../domain/clock.ts';
import type { AttemptResult } from './webhook-retry-policy.ts';

/**
 * One webhook POST: the bytes as given, the headers as given, and an answer window on the emulator's
 * clock (so a manual clock decides when a silent receiver has timed out). Resolves with what happened;
 * never rejects. Connections are kept alive between deliveries, as a real sender keeps them.
 */
export class WebhookHttp {
  readonly #http = new HttpAgent({ keepAlive: true });
  readonly #https = new HttpsAgent({ keepAlive: true });
  readonly #open = new Set<{ abort(): void }>();

  constructor(private readonly clock: Clock) {}

  post(url: string, body: Buffer, headers: Record<string, string>, windowMs: number): Promise<AttemptResult> {
    return new Promise<AttemptResult>((resolve) => {
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        resolve({ kind: 'network', message: `not a URL: ${url}` });
        return;
      }
      const secure = target.protocol === 'https:';
      let done = false;
      const finish = (result: AttemptResult) => {
        if (done) return;
        done = true;
        this.clock.clearTimeout(timer);
        this.#open.delete(handle);
        resolve(result);
      };
      const request = (secure ? httpsRequest : httpRequest)(target, {
        method: 'POST',
        agent: secure ? this.#https : this.#http,
        headers: { ...headers, 'Content-Length': String(body.length) },
      });
      const handle = {
        abort: () => {
          request.destroy();
          finish({ kind: 'network', message: 'delivery abandoned' });
        },
      };
      this.#open.add(handle);
      const timer = this.clock.setTimeout(() => {
        request.destroy();
        finish({ kind: 'timeout' });
      }, windowMs);
      request.on('response', (response) => {
        const status = response.statusCode ?? 0;
        // The answer counts once it is whole; its body is read and dropped.
        response.on('data', () => {});
        response.on('end', () => finish({ kind: 'answered', status }));
        response.on('error', (e) => finish({ kind: 'network', message: e.message }));
      });
      request.on('error', (e) => finish({ kind: 'network', message: e.message }));
      request.end(body);
    });
  }

  /** Abandons every delivery in flight (reset, shutdown). */
  abortAll(): void {
    for (const handle of [...this.#open]) handle.abort();
  }

  close(): void {
    this.abortAll();
    this.#http.destroy();
    this.#https.destroy();
  }
}
