import type { Bridge } from '../index.ts';
import type { BridgeEvent, SessionSnapshot } from '../types.ts';
import { ServiceError } from './errors.ts';

/**
 * Following one session's events from a resume point, shared by the SSE and WebSocket streams and the
 * long-poll: what the log holds after `afterSeq` first, then new events as they come, in seq order, and
 * the end once `session.ended` has been handed over.
 */
export interface FeedSink {
  event(event: BridgeEvent): void;
  /** After `session.ended` was handed to event(), or at once when the caller has seen everything already. */
  ended(): void;
}

export function isFinished(snapshot: SessionSnapshot): boolean {
  return snapshot.state === 'ended' || snapshot.state === 'failed';
}

/** The session's snapshot, after checking afterSeq is a seq the caller can have seen. */
export async function resumePoint(
  bridge: Bridge,
  sessionId: string,
  afterSeq: number,
): Promise<SessionSnapshot> {
  const snapshot = await bridge.getSession(sessionId);
  if (!snapshot) {
    throw new ServiceError(
      'SESSION_NOT_FOUND',
      `no session ${sessionId} (it may have ended and been forgotten)`,
    );
  }
  if (afterSeq > snapshot.lastSeq) {
    throw new ServiceError(
      'INVALID_REQUEST',
      `afterSeq ${afterSeq} is beyond the last event of session ${sessionId} (seq ${snapshot.lastSeq})`,
    );
  }
  return snapshot;
}

/**
 * Replays events after afterSeq, then follows new ones. Call it right after resumePoint() with no await
 * in between, so the snapshot's view of "finished" still holds. Returns a stop function.
 */
export function followSession(
  bridge: Bridge,
  snapshot: SessionSnapshot,
  afterSeq: number,
  sink: FeedSink,
): () => void {
  if (isFinished(snapshot) && afterSeq >= snapshot.lastSeq) {
    sink.ended();
    return () => {};
  }
  let done = false;
  const stop = bridge.subscribe(
    snapshot.sessionId,
    (event) => {
      if (done) return;
      sink.event(event);
      if (event.type === 'session.ended') {
        done = true;
        sink.ended();
      }
    },
    { afterSeq },
  );
  return () => {
    done = true;
    stop();
  };
}
