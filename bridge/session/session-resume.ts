import type { CustomerMessage, JsonValue, MetadataReport, SessionSnapshot } from '../types.ts';

/**
 * What a session needs, beyond its event log, to go on in another process (a takeover after its owner
 * died or handed it over, or a restart): written by the owner to the shared store as it goes, read back
 * by the next owner (bridge/cluster).
 */
export interface SessionProgress {
  /** Genesys accepted the transfer (`transfer.accepted` was logged). */
  accepted: boolean;
  /** Opening texts (transcript, summary, initial message) Genesys confirmed, in order. */
  startTextsSent: number;
  /** Anything at all went to Genesys (Web Messaging has no conversation before that). */
  anythingSent: boolean;
  /** The participant data the first message carries, refitted to Genesys's budget. */
  firstAttributes?: Record<string, string>;
  /** `queue.timeout` was logged. */
  queueTimeoutReported?: boolean;
  /** The last inbox command the owner took (the store's id). */
  commandCursor?: string;
  /** Provider ids of the latest customer messages Genesys confirmed (a lookup after a takeover skips them). */
  sentProviderIds?: string[];
}

/** A session taken over: where it was, and what is still to do. */
export interface SessionResume {
  /** The last snapshot the store holds (state, agent, conversation, lastSeq). */
  snapshot: SessionSnapshot;
  progress: SessionProgress;
  metadata: MetadataReport;
  /** The channel adapter's way back into the same Genesys conversation (ChannelAdapter.resumeState). */
  adapterState: JsonValue | undefined;
  /** Genesys message ids the bot already has. */
  seenProviderIds: readonly string[];
  /** Customer messages accepted and neither sent nor failed yet, oldest first. */
  pending: readonly CustomerMessage[];
  /**
   * The previous owner may have sent some of them (and of the opening texts) without recording it (it
   * died): each is looked up in Genesys before it is sent. False after a clean handover.
   */
  unconfirmed: boolean;
  /** When the previous owner last wrote (ms): the gap to fill from Genesys's history begins there. */
  since: number;
}

/** How many confirmed customer-message ids a session keeps for a later owner's lookups. */
export const SENT_IDS_KEPT = 20;
