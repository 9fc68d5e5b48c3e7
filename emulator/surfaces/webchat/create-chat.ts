import { decodeJwt } from 'jose';
import type { WebChatDeployment } from '../../config/fixture-schema.ts';
import { customerOf } from '../../domain/conversations/model.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { type ChatRoute, chatsTable, type GuestChat, type GuestProfile } from './chats.ts';
import { chatErrors } from './errors.ts';
import type { GuestTokens } from './jwt.ts';
import { type CreateChatInput, RoutingTarget } from './schemas.ts';

/** Participant Data key the platform adds for a queue routing target (guest-protocols.md §1.6, S7). */
export const LEGACY_QUEUE_ATTRIBUTE = 'context.genesys.legacyRoutingTargetQueueAddress';

export interface CreatedChat {
  chat: GuestChat;
  jwt: string;
}

/**
 * POST /api/v2/webchat/guest/conversations: the deployment decides (exists in this org, enabled,
 * authentication), then the routing target is checked, and only then is anything created. The
 * conversation starts with the guest alone; routing waits for the event stream (§1.3).
 */
export async function createChat(
  runtime: EmulatorRuntime,
  tokens: GuestTokens,
  input: CreateChatInput,
): Promise<CreatedChat> {
  // Keys first: every check and the creation below then run without yielding, on one org snapshot.
  await tokens.ready();
  const org = runtime.org();
  const deployment = org.webchatDeployment(input.deploymentId);
  if (!deployment) throw chatErrors.unknownDeployment(input.deploymentId);
  if (input.organizationId !== org.org.id)
    throw chatErrors.wrongOrganization(input.deploymentId, input.organizationId);
  if (deployment.disabled) throw chatErrors.deploymentDisabled(deployment.id);
  const authenticated = checkMemberAuth(runtime, deployment, input.memberAuthToken);
  const parsed = RoutingTarget.safeParse(input.routingTarget);
  if (!parsed.success) throw chatErrors.routingTarget(parsed.error.issues[0]?.message ?? 'invalid');
  const target = parsed.data;
  const route = chooseRoute(runtime, deployment, target.targetAddress, target.priority);

  const { memberInfo } = input;
  const attributes: Record<string, string> = {};
  for (const [key, value] of Object.entries(memberInfo.customFields ?? {}))
    attributes[`context.${key}`] = value;
  attributes[LEGACY_QUEUE_ATTRIBUTE] = target.targetAddress;

  const conversation = runtime.conversations.start({
    mediaType: 'chat',
    channel: 'webchat',
    deploymentId: deployment.id,
    customerName: memberInfo.displayName,
    attributes,
  });
  const chat: GuestChat = {
    conversationId: conversation.id,
    memberId: customerOf(conversation).communicationId,
    deploymentId: deployment.id,
    route,
    profile: profileOf(memberInfo),
    authenticated,
    attached: false,
    left: false,
    notes: [],
  };
  chatsTable(runtime).set(chat.conversationId, chat);
  const jwt = await tokens.sign({
    conversationId: chat.conversationId,
    deploymentId: chat.deploymentId,
    memberId: chat.memberId,
    organizationId: org.org.id,
  });
  return { chat, jwt };
}

/**
 * memberAuthToken is the org's own signed JWT (POST /api/v2/signeddata, not emulated), so its signature
 * cannot be checked here: a well-formed JWT that has not expired on the emulator clock is accepted and
 * marks the guest authenticated; anything else is `chat.deployment.bad.auth`.
 */
function checkMemberAuth(
  runtime: EmulatorRuntime,
  deployment: WebChatDeployment,
  token: string | undefined,
): boolean {
  if (token === undefined) {
    if (deployment.authenticationRequired) throw chatErrors.requireAuth(deployment.id);
    return false;
  }
  let claims: ReturnType<typeof decodeJwt>;
  try {
    claims = decodeJwt(token);
  } catch {
    throw chatErrors.badAuth('memberAuthToken is not a JWT');
  }
  if (typeof claims.exp === 'number' && claims.exp * 1000 <= runtime.clock.now())
    throw chatErrors.badAuth('memberAuthToken has expired');
  return true;
}

/**
 * A deployment with an inbound chat flow routes through it (the flow decides the queue, so the routing
 * target's queue is not checked); without one the routing target names the queue, which must exist.
 */
function chooseRoute(
  runtime: EmulatorRuntime,
  deployment: WebChatDeployment,
  queueName: string,
  priority: number,
): ChatRoute {
  if (deployment.flow !== undefined) return { flow: deployment.flow };
  const exact = runtime.fidelity.queueNameMatch === 'exact';
  const queue = runtime.org().queueByName(queueName, exact);
  if (!queue) throw chatErrors.invalidQueue(queueName);
  return { queueName: queue.name, priority };
}

function profileOf(info: CreateChatInput['memberInfo']): GuestProfile {
  const profile: GuestProfile = {};
  if (info.firstName !== undefined) profile.firstName = info.firstName;
  if (info.lastName !== undefined) profile.lastName = info.lastName;
  if (info.email !== undefined) profile.email = info.email;
  if (info.phoneNumber !== undefined) profile.phoneNumber = info.phoneNumber;
  if (info.avatarImageUrl !== undefined) profile.avatarImageUrl = info.avatarImageUrl;
  if (info.customFields !== undefined) profile.customFields = info.customFields;
  return profile;
}
