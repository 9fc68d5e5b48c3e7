/**
 * Records what a Genesys client sees: every platform-API response the official SDKs receive (method,
 * the route template the SDK called, status, body) and every notification frame an agent's channel
 * delivers (topic, body, size). The SDKs are wrapped at `ApiClient.callApi`, which receives the route
 * template (`/api/v2/users/{userId}`) before it fills it in, so no URL has to be matched back to a route.
 */

export interface RecordedResponse {
  /** `GET /api/v2/users/{userId}` */
  route: string;
  status: number;
  body: unknown;
}

export interface RecordedFrame {
  topicName: string;
  eventBody: unknown;
  metadata: { CorrelationId?: string; type?: string } | undefined;
  /** Size of the frame as it came off the socket. */
  bytes: number;
  /** Whose channel received it. */
  listener: string;
  /** The story that was playing (`webmessaging`, `webchat`), for per-channel figures. */
  story: string;
}

/**
 * TEST-ONLY: renames one field of the first recorded body that matches, so the bite test can prove that
 * a wrong field fails the harness with the route (or topic), path and model. Kept in the recorder rather
 * than in the emulator's options: it tests the harness's own pipeline (record -> validate -> report) on a
 * real recorded body, and adds nothing to the emulator a user could switch on by mistake.
 */
export interface Tamper {
  /** A route key (`GET /api/v2/users/me`) or a topic-name prefix (`v2.users.`). */
  where: string;
  from: string;
  to: string;
  done?: boolean;
}

interface ExtendedResponse {
  status?: number;
  body?: unknown;
  text?: string;
  error?: unknown;
}

type CallApi = (path: string, method: string, ...rest: unknown[]) => Promise<unknown>;

/** Where a wrapped SDK client keeps the recorder it records into. */
const RECORDER = Symbol('conformance recorder');

export class Recorder {
  readonly responses: RecordedResponse[] = [];
  readonly frames: RecordedFrame[] = [];
  tamper: Tamper | undefined;
  /** Labels what is recorded from now on. */
  story = '';

  /**
   * Wraps an SDK ApiClient (platform or guest chat): each call runs on a view of the client with
   * `returnExtended` on, so status and body are seen; the caller gets what the SDK normally returns. The
   * SDKs' clients are process-wide singletons: the wrapper is installed once and records into the
   * recorder that wrapped the client last.
   */
  wrap(client: { callApi: CallApi }): void {
    const target = client as { callApi: CallApi; [RECORDER]?: Recorder };
    const installed = target[RECORDER] !== undefined;
    target[RECORDER] = this;
    if (installed) return;
    const original = client.callApi;
    client.callApi = (path, method, ...rest) => {
      const view = Object.create(client, { returnExtended: { value: true } }) as object;
      const route = `${method.toUpperCase()} ${path}`;
      const recorder = target[RECORDER]!;
      return original.call(view, path, method, ...rest).then(
        (ext) => {
          const r = ext as ExtendedResponse;
          recorder.#record(route, r.status ?? 0, r.body);
          return r.body ? r.body : r.text;
        },
        (ext: ExtendedResponse) => {
          if (ext?.status === undefined) throw ext;
          recorder.#record(route, ext.status, ext.body);
          throw ext.body ? ext.body : ext.text;
        },
      );
    };
  }

  /** A notification socket's raw frame, as `listener` received it. */
  frame(listener: string, data: Buffer | string): void {
    const text = data.toString();
    const parsed = JSON.parse(text) as {
      topicName: string;
      eventBody: unknown;
      metadata?: RecordedFrame['metadata'];
    };
    let eventBody = parsed.eventBody;
    if (this.#shouldTamper(parsed.topicName, (t) => parsed.topicName.startsWith(t)))
      eventBody = this.#renamed(eventBody);
    this.frames.push({
      topicName: parsed.topicName,
      eventBody,
      metadata: parsed.metadata,
      bytes: Buffer.byteLength(text),
      listener,
      story: this.story,
    });
  }

  #record(route: string, status: number, body: unknown): void {
    if (!route.includes(' /api/v2/')) return; // the OAuth login is not the platform API
    let recorded = body === undefined || body === '' ? undefined : structuredClone(body);
    if (status < 300 && this.#shouldTamper(route, (t) => t === route)) recorded = this.#renamed(recorded);
    this.responses.push({ route, status, body: recorded });
  }

  #shouldTamper(_: string, matches: (where: string) => boolean): boolean {
    return this.tamper !== undefined && !this.tamper.done && matches(this.tamper.where);
  }

  #renamed(body: unknown): unknown {
    const tamper = this.tamper!;
    if (typeof body !== 'object' || body === null || !(tamper.from in body)) return body;
    tamper.done = true;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(body)) out[k === tamper.from ? tamper.to : k] = v;
    return out;
  }
}
