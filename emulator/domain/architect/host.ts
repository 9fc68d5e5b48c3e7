// What the interpreter needs from the conversation core while a flow runs. Kept tiny on purpose: the core
// owns participant data and the org's queues; the interpreter only asks and tells.

/** A routing queue as the org knows it. */
export interface QueueRef {
  readonly id: string;
  readonly name: string;
}

/**
 * Supplied by the conversation core for one run.
 *
 * Queue lookup design: the host lists the org's queues and the interpreter applies the matching rules
 * itself (name case/trim rules from `FlowOptions.queueNameMatch`, case-insensitive trimmed id matching for
 * `FindQueueById`). That keeps every Architect matching rule in one place, in this folder, instead of
 * splitting it between the interpreter and each host. `listQueues` is called at most once per run, and only
 * if the flow actually looks a queue up.
 */
export interface FlowHost {
  /** Returns the attribute's value, or undefined when the conversation has no such attribute. Names are case-sensitive. */
  getParticipantData(name: string): string | undefined;
  setParticipantData(name: string, value: string): void;
  listQueues(): readonly QueueRef[];
  /** Delivers a Send Response text to the customer. */
  sendResponse(text: string): void;
}
