import { MatchersV3, PactV4, type V3MockServer } from '@pact-foundation/pact';
import { inject } from 'vitest';
import { CONSUMER, PROVIDERS, type ProviderKey } from '../names.ts';

/**
 * The Pact for one Genesys surface, writing into this run's pact directory (contracts/support/pact-dir.ts).
 * Each consumer test file builds its own; Pact merges their interactions into one file per provider.
 */
export function pactWith(provider: ProviderKey): PactV4 {
  return new PactV4({
    consumer: CONSUMER,
    provider: PROVIDERS[provider],
    dir: inject('pactDir'),
    logLevel: 'warn',
  });
}

/** The native mock-server handle PactV4 keeps privately; only its matched check is used. */
interface MockServerHandle {
  mockServerMatchedSuccessfully(port: number): boolean;
}

/** How long to wait for the mock server to book requests it has already answered. */
const BOOKING_LIMIT_MS = 2000;

/**
 * Wraps an HTTP test body so it returns only once the mock server has booked every request it answered.
 * pact-core 19's mock server answers first and records the match afterwards on another thread, so on a
 * busy machine Pact can check "was every request received?" before the last one is recorded and fail a
 * test whose requests all matched (pact-foundation/pact-core-mock-server#13, pact-js#1835; fixed upstream
 * only for Node 22+). The wait is for that booking, polled, never a fixed delay: a test whose requests did
 * not match stops waiting at the limit and Pact reports the mismatch as usual.
 */
export function booked<T>(pact: PactV4, body: (server: V3MockServer) => Promise<T>) {
  return async (server: V3MockServer): Promise<T> => {
    const result = await body(server);
    const handle = (pact as unknown as { pact: MockServerHandle }).pact;
    const deadline = Date.now() + BOOKING_LIMIT_MS;
    while (!handle.mockServerMatchedSuccessfully(server.port) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    return result;
  };
}

/** Message contents as the bridge reads them off a socket: JSON text. */
export function contentText(content: unknown): string {
  if (Buffer.isBuffer(content)) return content.toString('utf8');
  return JSON.stringify(content);
}

export function contentJson(content: unknown): Record<string, unknown> {
  return JSON.parse(contentText(content)) as Record<string, unknown>;
}

/** `${name}`: how a request refers to a value a provider state returned (Pact's expression, not a JS template). */
export function fromState(name: string): string {
  return `\${${name}}`;
}

/** A declared body (with matchers) as the plain JSON example a peer would send: Pact's own `reify`. */
export function example(declared: unknown): Record<string, unknown> {
  return MatchersV3.reify(declared) as Record<string, unknown>;
}
