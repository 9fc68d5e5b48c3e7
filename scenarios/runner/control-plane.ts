import type { DomainEvent, Fixture, ReproPack } from '../../emulator/index.ts';

/** What GET /__emulator/clock tells about a target; absent when it has no control plane. */
export interface TargetClock {
  kind: 'manual' | 'system';
  now: number;
}

/**
 * The emulator's control plane (`/__emulator/`) over HTTP, as a remote world uses it. Every call but
 * the probe throws on an unexpected answer, naming the call and what the target said.
 */
export class ControlPlane {
  constructor(readonly baseUrl: string) {}

  /** The control plane answers GET /__emulator/clock with 200; anything else means there is none. */
  static async probe(baseUrl: string): Promise<TargetClock | undefined> {
    const res = await fetch(`${baseUrl}/__emulator/clock`).catch((e: unknown) => {
      throw new Error(`cannot reach the target ${baseUrl}: ${(e as Error).message}`);
    });
    if (res.status !== 200) {
      await res.body?.cancel();
      return undefined;
    }
    const body = (await res.json()) as { kind?: string; now?: string };
    return { kind: body.kind === 'manual' ? 'manual' : 'system', now: Date.parse(body.now ?? '') };
  }

  async #send<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' } }),
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} failed with ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  }

  reset(): Promise<unknown> {
    return this.#send('POST', '/__emulator/reset');
  }

  fixture(): Promise<Fixture> {
    return this.#send('GET', '/__emulator/fixture');
  }

  /**
   * Loads a fixture. The control plane refuses flow files (a request must never make the emulator read
   * a path), so flows go inline: a fixture read from disk already carries each file's text as `yaml`.
   */
  loadFixture(fixture: Fixture): Promise<unknown> {
    const flows = fixture.flows.map(({ file: _file, ...flow }) => flow);
    return this.#send('POST', '/__emulator/fixture', { ...fixture, flows });
  }

  events(afterSeq: number): Promise<{ entities: DomainEvent[]; lastSeq: number }> {
    return this.#send('GET', `/__emulator/events?afterSeq=${afterSeq}`);
  }

  reproPack(): Promise<ReproPack> {
    return this.#send('GET', '/__emulator/repro-pack');
  }

  async sequence(conversationId: string): Promise<string> {
    const res = await fetch(
      `${this.baseUrl}/__emulator/conversations/${encodeURIComponent(conversationId)}/sequence`,
    );
    const text = await res.text();
    if (!res.ok) throw new Error(`GET sequence of ${conversationId} failed with ${res.status}: ${text}`);
    return text;
  }

  async advance(ms: number): Promise<void> {
    await this.#send('POST', '/__emulator/clock/advance', { ms });
  }

  async waiting(queueId: string): Promise<string[]> {
    const body = await this.#send<{ conversationIds: string[] }>(
      'GET',
      `/__emulator/queues/${encodeURIComponent(queueId)}/waiting`,
    );
    return body.conversationIds;
  }
}
