import { isoTime } from '../../domain/clock.ts';
import { flowIdOf } from '../../domain/flows/flow-ids.ts';
import type { OpenIntegrationRecord } from '../../domain/openmessaging/integrations.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import { presentFlow } from '../platform/flows.ts';

/** OpenIntegration and Recipient as the SDK's models have them (platform-extra.md §1.1-§1.2). */

const INTEGRATIONS = '/api/v2/conversations/messaging/integrations/open';
const RECIPIENTS = '/api/v2/routing/message/recipients';

/** Who created or changed it: a user for an agent's login, nothing for an org-level client. */
function by(org: OrgDirectory, id: string | undefined) {
  if (id === undefined || !org.userById(id)) return undefined;
  return { id, selfUri: `/api/v2/users/${id}` };
}

export function presentIntegration(org: OrgDirectory, r: OpenIntegrationRecord) {
  return {
    id: r.id,
    name: r.name,
    supportedContent:
      r.supportedContentId === undefined
        ? undefined
        : {
            id: r.supportedContentId,
            selfUri: `/api/v2/conversations/messaging/supportedcontent/${r.supportedContentId}`,
          },
    messagingSetting:
      r.messagingSettingId === undefined
        ? undefined
        : {
            id: r.messagingSettingId,
            selfUri: `/api/v2/conversations/messaging/settings/${r.messagingSettingId}`,
          },
    outboundNotificationWebhookUrl: r.webhookUrl,
    // Genesys echoes the secret back (platform-extra.md §1.1).
    outboundNotificationWebhookSignatureSecretToken: r.secret,
    webhookHeaders: Object.keys(r.webhookHeaders).length > 0 ? { ...r.webhookHeaders } : undefined,
    // A live capture spells it lower-case (casing UNCONFIRMED).
    status: 'active',
    recipient: { id: r.id, selfUri: `${RECIPIENTS}/${r.id}` },
    dateCreated: isoTime(r.createdAt),
    dateModified: isoTime(r.modifiedAt),
    createdBy: by(org, r.createdBy),
    modifiedBy: by(org, r.modifiedBy),
    createStatus: r.createStatus,
    selfUri: `${INTEGRATIONS}/${r.id}`,
  };
}

export function presentRecipient(org: OrgDirectory, r: OpenIntegrationRecord) {
  const flow = r.flow === undefined ? undefined : org.fixture.flows.find((f) => f.name === r.flow);
  return {
    id: r.id,
    name: r.name,
    flow: flow ? presentFlow(org, flow) : undefined,
    dateCreated: isoTime(r.createdAt),
    dateModified: isoTime(r.recipientModifiedAt),
    messengerType: 'open',
    selfUri: `${RECIPIENTS}/${r.id}`,
  };
}

/** The flow (by name) whose id a RecipientRequest names, if it is an inbound message flow. */
export function inboundMessageFlowById(org: OrgDirectory, flowId: string) {
  return org.fixture.flows.find((f) => f.type === 'inboundShortMessage' && flowIdOf(org, f.name) === flowId);
}
