import { findMessage } from '../../domain/conversations/message-index.ts';
import { assertRoomForMessage } from '../../domain/conversations/message-limit.ts';
import type { Conversation, ConversationMessage } from '../../domain/conversations/model.ts';
import { errors } from '../../domain/errors.ts';
import type { OpenIntegrationRecord } from '../../domain/openmessaging/integrations.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import type { InboundEvent, InboundMessage, InboundReceipt, OpenFrom } from './inbound-schemas.ts';
import { customDataBytes, MAX_CUSTOM_DATA_BYTES, MAX_TEXT_LENGTH } from './limits.ts';
import type { OpenCustomers } from './open-customers.ts';

/**
 * The inbound API's decisions (platform-extra.md §1.3-§1.4). Every check runs before anything changes,
 * so a refused request leaves the integration, the customer and the conversation as they were. The
 * first message of a customer starts a conversation with `channel.metadata.customAttributes` as the
 * customer's Participant Data, then runs the integration's inbound message flow (Get Participant Data
 * and FindQueue route exactly as on Web Messaging); later messages join the open conversation and
 * update its Participant Data with the attributes they carry (UNCONFIRMED, as on Web Messaging).
 */
export class OpenInbound {
  constructor(
    private readonly runtime: EmulatorRuntime,
    private readonly customers: OpenCustomers,
  ) {}

  /** The integration, ready to take messages. */
  integration(integrationId: string): OpenIntegrationRecord {
    const integration = this.runtime.openIntegrations.get(integrationId);
    if (integration.createStatus !== 'Completed') {
      // UNCONFIRMED: Genesys's answer while the asynchronous creation runs.
      throw errors.badRequest(
        `Open Messaging integration ${integrationId} is still being created (createStatus Initiated).`,
        { entityId: integrationId },
      );
    }
    return integration;
  }

  message(
    integration: OpenIntegrationRecord,
    body: InboundMessage,
  ): { conversation: Conversation; message: ConversationMessage } {
    const { from, metadata } = body.channel;
    if (body.content?.length) {
      throw errors.badRequest(
        'The Genesys Cloud emulator does not emulate attachment content on Open Messaging: send text.',
        { details: [{ errorCode: 'not.emulated', fieldName: 'content' }] },
      );
    }
    const text = body.text ?? '';
    if (text.length > MAX_TEXT_LENGTH) {
      throw errors.badRequest(`text is ${text.length} characters; at most ${MAX_TEXT_LENGTH} are allowed.`, {
        messageParams: { max: String(MAX_TEXT_LENGTH) },
        details: [{ errorCode: 'too.long', fieldName: 'text' }],
      });
    }
    const attributes = metadata?.customAttributes;
    if (attributes && customDataBytes(attributes) > MAX_CUSTOM_DATA_BYTES) {
      throw errors.badRequest(
        `channel.metadata.customAttributes take ${customDataBytes(attributes)} bytes; at most ${MAX_CUSTOM_DATA_BYTES} are allowed.`,
        {
          messageParams: { max: String(MAX_CUSTOM_DATA_BYTES) },
          details: [{ errorCode: 'too.large', fieldName: 'channel.metadata.customAttributes' }],
        },
      );
    }
    const core = this.runtime.conversations;
    const open = this.customers.openConversation(integration.id, from.idType, from.id);
    if (open) {
      assertRoomForMessage(this.runtime, open);
      if (attributes && Object.keys(attributes).length > 0) core.setCustomerAttributes(open.id, attributes);
      return { conversation: open, message: core.customerMessage(open.id, text) };
    }
    const conversation = core.start({
      mediaType: 'message',
      channel: 'open',
      deploymentId: integration.id,
      externalAddress: { id: from.id, idType: from.idType },
      customerName: customerName(from),
      attributes: attributes ?? {},
    });
    this.customers.remember(integration.id, from.idType, from.id, conversation.id);
    const message = core.customerMessage(conversation.id, text);
    if (integration.flow === undefined) {
      // UNCONFIRMED what Genesys does without message routing: the conversation waits, unrouted, and the
      // timeline says why.
      this.runtime.events.emit(
        'openmessaging.unrouted',
        {
          integrationId: integration.id,
          reason: `no inbound message flow is attached (PUT /api/v2/routing/message/recipients/${integration.id})`,
        },
        conversation.id,
      );
    } else {
      core.route(conversation, { flow: integration.flow });
    }
    return { conversation, message };
  }

  /** Typing: shown to the agents of the customer's open conversation; nothing to show without one. */
  event(integration: OpenIntegrationRecord, body: InboundEvent): void {
    const { from } = body.channel;
    const open = this.customers.openConversation(integration.id, from.idType, from.id);
    if (open) this.runtime.conversations.customerTyping(open.id);
  }

  /** Delivered or Failed for one of the agent's messages on this integration; its status follows. */
  receipt(integration: OpenIntegrationRecord, body: InboundReceipt): void {
    if (body.status !== 'Delivered' && body.status !== 'Failed') {
      throw errors.invalidValue('status', body.status, 'Delivered, Failed');
    }
    const found = findMessage(this.runtime, body.id);
    if (
      found?.conversation.channel !== 'open' ||
      found.conversation.deploymentId !== integration.id ||
      found.message.direction !== 'outbound'
    ) {
      // UNCONFIRMED: Genesys's answer to a receipt for a message it did not send on this integration.
      throw errors.notFound(`outbound message ${body.id} on integration ${integration.id}`, {
        entityId: body.id,
      });
    }
    const core = this.runtime.conversations;
    if (body.status === 'Delivered') core.messageDelivered(found.conversation.id, found.message.id);
    else {
      const reason = body.reasons?.map((r) => (r.code ? `${r.code}: ${r.message}` : r.message)).join('; ');
      core.messageFailed(found.conversation.id, found.message.id, reason || 'Failed receipt');
    }
  }
}

/** The agent's name for the customer: nickname, else first and last name, else their id. */
function customerName(from: OpenFrom): string {
  const full = [from.firstName, from.lastName].filter((x) => x !== undefined && x.trim() !== '').join(' ');
  return from.nickname?.trim() || full || from.id;
}
