import type { DomainContext } from '../../domain/context.ts';
import { findConversation } from '../../domain/conversations/conversation-store.ts';
import type { Conversation } from '../../domain/conversations/model.ts';

const TABLE = 'openmessaging.customers';

/**
 * Which conversation an Open Messaging customer is in: keyed by integration, `channel.from.idType` and
 * `channel.from.id` (platform-extra.md §1.2, the threading key UNCONFIRMED). A later message continues
 * the customer's open conversation; one after it ended starts a new one. In the store, so a reset
 * forgets every customer with the conversations.
 */
export class OpenCustomers {
  readonly #ctx: DomainContext;

  constructor(ctx: DomainContext) {
    this.#ctx = ctx;
  }

  /** The customer's conversation while it is open. */
  openConversation(integrationId: string, idType: string, fromId: string): Conversation | undefined {
    const id = this.#table().get(key(integrationId, idType, fromId));
    const conversation = id === undefined ? undefined : findConversation(this.#ctx, id);
    return conversation && conversation.endTime === undefined ? conversation : undefined;
  }

  remember(integrationId: string, idType: string, fromId: string, conversationId: string): void {
    this.#table().set(key(integrationId, idType, fromId), conversationId);
  }

  #table() {
    return this.#ctx.store.table<string>(TABLE);
  }
}

function key(integrationId: string, idType: string, fromId: string): string {
  return `${integrationId}\n${idType.toLowerCase()}\n${fromId}`;
}
