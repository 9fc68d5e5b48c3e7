import type { FastifyInstance } from 'fastify';
import type { Bridge } from '../../index.ts';
import type { BridgeEvent } from '../../types.ts';
import { ServiceError } from '../errors.ts';
import type { Lifecycle } from '../lifecycle.ts';
import { AfterSeqQuery, afterSeqOf, EventsQuery, parse, SessionParams } from '../schemas.ts';
import { followSession, isFinished, resumePoint } from '../session-feed.ts';

/**
 * Reading a session's events over HTTP: a snapshot or long-poll (`GET .../events?afterSeq=&wait=`), and
 * a Server-Sent Events stream (`GET .../events/stream`, resumable with `Last-Event-ID` or `afterSeq`)
 * that closes after `session.ended`.
 */
const DEFAULT_LIMIT = 1000;
const LAST_EVENT_ID = /^\d{1,15}$/;

export function eventRoutes(
  app: FastifyInstance,
  bridge: Bridge,
  lifecycle: Lifecycle,
  heartbeatMs: number,
): void {
  app.get('/v1/transfers/:sessionId/events', async (request, reply) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    const query = parse(EventsQuery, request.query, 'query');
    const afterSeq = afterSeqOf(query);
    const snapshot = await resumePoint(bridge, sessionId, afterSeq);
    if (snapshot.lastSeq === afterSeq && !isFinished(snapshot) && query.wait) {
      await firstNewEvent(bridge, lifecycle, sessionId, afterSeq, query.wait * 1000, reply.raw);
    }
    const events = (await bridge.readEvents(sessionId, { afterSeq })).slice(0, query.limit ?? DEFAULT_LIMIT);
    return { events, nextAfter: events.at(-1)?.seq ?? afterSeq };
  });

  app.get('/v1/transfers/:sessionId/events/stream', async (request, reply) => {
    const { sessionId } = parse(SessionParams, request.params, 'path');
    const query = parse(AfterSeqQuery, request.query, 'query');
    // A reconnecting EventSource repeats the original URL: its Last-Event-ID is the newer resume point.
    const lastEventId = request.headers['last-event-id'];
    if (lastEventId !== undefined && (typeof lastEventId !== 'string' || !LAST_EVENT_ID.test(lastEventId))) {
      throw new ServiceError('INVALID_REQUEST', 'Last-Event-ID must be the seq of the last event received');
    }
    const afterSeq = lastEventId !== undefined ? Number(lastEventId) : afterSeqOf(query);
    const snapshot = await resumePoint(bridge, sessionId, afterSeq);

    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-request-id': request.id,
      // Proxies such as nginx buffer responses unless told otherwise.
      'x-accel-buffering': 'no',
    });
    raw.write(`: events of session ${sessionId} after seq ${afterSeq}\n\n`);
    let finished = false;
    let stopFeed = () => {};
    const finish = () => {
      if (finished) return;
      finished = true;
      stopHeartbeat();
      untrack();
      stopFeed();
      if (!raw.writableEnded && !raw.destroyed) raw.end();
    };
    const untrack = lifecycle.track(finish);
    // A caller that went away must not turn the next event into a write on a dead response.
    const write = (text: string) => {
      if (!raw.writableEnded && !raw.destroyed) raw.write(text);
    };
    const stopHeartbeat = lifecycle.every(heartbeatMs, () => write(': heartbeat\n\n'));
    raw.on('close', finish);
    raw.on('error', finish);
    stopFeed = followSession(bridge, snapshot, afterSeq, {
      event: (event) => write(sseFrame(event)),
      // After the caller's write of session.ended, not inside the bridge's delivery of it.
      ended: () => queueMicrotask(finish),
    });
  });
}

function sseFrame(event: BridgeEvent): string {
  return `id: ${event.seq}\nevent: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/** Resolves at the first event after afterSeq, after waitMs on the service clock, or when the caller leaves. */
function firstNewEvent(
  bridge: Bridge,
  lifecycle: Lifecycle,
  sessionId: string,
  afterSeq: number,
  waitMs: number,
  response: NodeJS.EventEmitter,
): Promise<void> {
  return new Promise((resolve) => {
    let done = false;
    let stop: (() => void) | undefined;
    const finish = () => {
      if (done) return;
      done = true;
      lifecycle.clock.clearTimeout(timer);
      stop?.();
      untrack();
      response.off('close', finish);
      resolve();
    };
    const timer = lifecycle.clock.setTimeout(finish, waitMs);
    const untrack = lifecycle.track(finish);
    response.on('close', finish);
    // Several events often land together (a reorder window releasing); answering a microtask later
    // returns them in one response.
    stop = bridge.subscribe(sessionId, () => queueMicrotask(finish), { afterSeq });
    if (done) stop();
  });
}
