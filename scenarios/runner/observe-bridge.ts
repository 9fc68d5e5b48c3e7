import type { Bridge } from '../../bridge/index.ts';
import type { ActivityProbe } from './activity.ts';
import type { Transcript } from './transcript.ts';

/**
 * Every bridge event becomes a transcript line and counts as activity. Ids and times that differ from
 * run to run (session, event ids, wall-clock observation) are left out so transcripts stay comparable.
 */
export function observeBridge(bridge: Bridge, transcript: Transcript, probe: ActivityProbe): void {
  bridge.onEvent((event) => {
    probe.count++;
    const {
      type,
      seq,
      sessionId: _s,
      eventId: _e,
      occurredAt: _o,
      observedAt: _b,
      channel: _c,
      ...rest
    } = event;
    transcript.add('bridge', `#${seq} ${type}`, rest);
  });
}
