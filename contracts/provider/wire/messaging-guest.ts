import { type FrameLog, openFrameLog } from './frame-log.ts';

type Json = Record<string, unknown>;

/**
 * A Web Messaging guest connection written from the protocol (guest-protocols.md part 2) as plain JSON:
 * the provider side plays the guest to put a session in a state, and replays the bridge's own request
 * frames from the pact on it.
 */
export class MessagingGuest {
  #traces = 0;

  private constructor(
    readonly log: FrameLog,
    readonly deploymentId: string,
  ) {}

  static async connect(socketUrl: string, deploymentId: string, origin?: string): Promise<MessagingGuest> {
    const query = new URLSearchParams({ deploymentId, application: 'genesys-contract-verifier' });
    const log = await openFrameLog(
      `${socketUrl}?${query.toString()}`,
      `guest socket of ${deploymentId}`,
      origin ? { Origin: origin } : undefined,
    );
    return new MessagingGuest(log, deploymentId);
  }

  /** Sends a frame and waits for its reply (see `isReplyTo`). */
  async request(frame: Json): Promise<Json> {
    const from = this.log.mark();
    this.log.send(frame);
    const tracingId = frame['tracingId'];
    return this.log.waitFor(
      (reply) => isReplyTo(reply, tracingId),
      `reply to ${String(frame['action'])} ${String(tracingId)}`,
      from,
    );
  }

  /** A frame of the guest's own making, with a fresh tracingId. */
  ask(token: string, frame: Json): Promise<Json> {
    return this.request({ token, tracingId: `verifier-${++this.#traces}`, ...frame });
  }

  async configure(token: string): Promise<Json> {
    const reply = await this.ask(token, { action: 'configureSession', deploymentId: this.deploymentId });
    if (reply['class'] !== 'SessionResponse')
      throw new Error(`configureSession failed: ${JSON.stringify(reply)}`);
    return reply;
  }

  say(token: string, text: string): Promise<Json> {
    return this.ask(token, { action: 'onMessage', message: { type: 'Text', text } });
  }

  /** The first pushed frame from `from` on that matches (agent messages, events, session events). */
  pushed(match: (frame: Json) => boolean, description: string, from = 0): Promise<Json> {
    return this.log.waitFor(match, description, from);
  }

  close(): Promise<void> {
    return this.log.close();
  }
}

/**
 * The reply to a request: the frame carrying its tracingId; or, since Genesys does not trace every answer,
 * an untraced `response` (errors, SessionExpiredEvent) or the SessionClearedEvent that answers Presence Clear.
 */
export function isReplyTo(frame: Json, tracingId: unknown): boolean {
  if (frame['tracingId'] !== undefined) return frame['tracingId'] === tracingId;
  return frame['type'] === 'response' || frame['class'] === 'SessionClearedEvent';
}

/** An Outbound StructuredMessage of this type (Text, Event), as Genesys pushes agent and flow output. */
export function outbound(type: string, match: (body: Json) => boolean = () => true) {
  return (frame: Json) => {
    const body = (frame['body'] ?? {}) as Json;
    return (
      frame['class'] === 'StructuredMessage' &&
      body['direction'] === 'Outbound' &&
      body['type'] === type &&
      match(body)
    );
  };
}

/** An Outbound event of this eventType (Typing, Presence) and, optionally, subtype. */
export function outboundEvent(eventType: string, subtype?: string) {
  return outbound('Event', (body) =>
    ((body['events'] ?? []) as Json[]).some((event) => {
      if (event['eventType'] !== eventType) return false;
      if (subtype === undefined) return true;
      const detail = (event[eventType.toLowerCase()] ?? {}) as Json;
      return detail['type'] === subtype;
    }),
  );
}
