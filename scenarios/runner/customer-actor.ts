import type { BridgeEvent } from '../../bridge/index.ts';

/** A customer as the bot sees them: one bridge session (per transfer) and everything it reported. */
export class CustomerActor {
  sessionId?: string;
  /** The Genesys conversations this customer's transfers created, oldest first. */
  conversationIds: string[] = [];
  /** Every event the bot received for this customer, in order. */
  events: BridgeEvent[] = [];
  /** Texts sent to Genesys for this customer over all transfers, in order: each transfer's opening texts, then what they said. */
  sent: string[] = [];
  /**
   * The last transfer's conversation id is not known yet: without a control plane only WebChat tells
   * the guest, so a Web Messaging customer's id is learned from the agent who is alerted for it.
   */
  conversationUnknown = false;
  transfers = 0;
  messages = 0;
  unsubscribe?: () => void;

  constructor(
    readonly actor: string,
    readonly displayName: string,
    readonly id: string,
  ) {}

  get conversationId(): string | undefined {
    return this.conversationIds.at(-1);
  }
}
