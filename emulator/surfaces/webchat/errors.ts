import { ApiError, errors } from '../../domain/errors.ts';

/**
 * The guest chat error catalogue (guest-protocols.md §1.8, PART 3). The chat.* codes are the ones a
 * long-lived third-party SDK records, all HTTP 400. Where the reference leaves the answer UNCONFIRMED
 * the choice is made here, once, so switching it later is a one-line change:
 *
 * - unknown deployment, and a deployment of another organization: 404 `not.found` naming the field
 *   (the pair organizationId + deploymentId does not name an existing deployment);
 * - a JWT used on another conversation, or on another member's resource: 403 `not.authorized`
 *   (the token is valid, it just does not grant this);
 * - a body over 4,000 characters: 400 `bad.request` with a `details[]` entry for `body`.
 */
export const chatErrors = {
  unknownDeployment: (deploymentId: string) =>
    errors.notFound(`webchat deployment ${deploymentId}`, {
      entityId: deploymentId,
      details: [{ errorCode: 'deployment.not.found', fieldName: 'deploymentId', entityId: deploymentId }],
    }),
  wrongOrganization: (deploymentId: string, organizationId: string) =>
    errors.notFound(`webchat deployment ${deploymentId} in organization ${organizationId}`, {
      entityId: deploymentId,
      details: [
        { errorCode: 'organization.mismatch', fieldName: 'organizationId', entityId: organizationId },
      ],
    }),
  deploymentDisabled: (deploymentId: string) =>
    new ApiError(400, 'chat.deployment.disabled', `Chat deployment ${deploymentId} is disabled.`, {
      entityId: deploymentId,
    }),
  requireAuth: (deploymentId: string) =>
    new ApiError(
      400,
      'chat.deployment.require.auth',
      `Chat deployment ${deploymentId} requires an authenticated guest (memberAuthToken).`,
      { entityId: deploymentId },
    ),
  badAuth: (why: string) =>
    new ApiError(400, 'chat.deployment.bad.auth', `Guest authentication failed: ${why}.`, {
      details: [{ errorCode: 'bad.auth', fieldName: 'memberAuthToken' }],
    }),
  routingTarget: (why: string) =>
    new ApiError(
      400,
      'chat.error.createconversationrequest.routingtarget',
      `The routing target is not valid: ${why}.`,
      { details: [{ errorCode: 'invalid.routing.target', fieldName: 'routingTarget' }] },
    ),
  invalidQueue: (queueName: string) =>
    new ApiError(400, 'chat.error.invalid.queue', `The queue [${queueName}] is not valid.`, {
      entityName: queueName,
      messageParams: { queue: queueName },
    }),
  conversationState: (conversationId: string) =>
    new ApiError(
      400,
      'chat.error.conversation.state',
      `Conversation ${conversationId} has ended; the action is not allowed.`,
      { entityId: conversationId },
    ),
  memberState: (memberId: string) =>
    new ApiError(
      400,
      'chat.error.member.state',
      `Member ${memberId} has left the conversation; the action is not allowed.`,
      { entityId: memberId },
    ),
  otherConversation: () => errors.notAuthorized('The guest token was issued for another conversation.'),
  otherMember: () => errors.notAuthorized('The guest token was issued for another member.'),
} as const;
