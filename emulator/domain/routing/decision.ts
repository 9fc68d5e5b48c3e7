/**
 * Why ACD chose (or could not choose) an agent: every candidate considered with the reason it was
 * passed over. Recorded on the timeline so a routing surprise can be explained by reading it.
 */
export interface CandidateVerdict {
  userId: string;
  name: string;
  /** Undefined for an eligible candidate. */
  skipped?: string;
  /** When the agent last became idle (ms); the longest idle eligible agent wins. */
  idleSince?: number;
}

export interface RoutingDecision {
  conversationId: string;
  queueId: string;
  queueName: string;
  mediaType: string;
  chosenUserId?: string;
  outcome: 'alerted' | 'waiting';
  candidates: CandidateVerdict[];
}
