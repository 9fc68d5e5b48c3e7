import type { FixtureQueue, FixtureUser } from '../../config/fixture-schema.ts';
import { isoTime } from '../../domain/clock.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import type { AgentState } from '../../domain/routing/agent-state.ts';

/** Wire shapes of platform entities, as the SDK's models have them (platform-architect.md §2). */

export function divisionRef(org: OrgDirectory) {
  return { id: org.divisionId, name: 'Home', selfUri: `/api/v2/authorization/divisions/${org.divisionId}` };
}

export function userRef(user: FixtureUser) {
  return { id: user.id, name: user.name, selfUri: `/api/v2/users/${user.id}` };
}

/** What `?expand=` adds to a User / UserMe (each already in its wire shape). */
export interface UserExpansions {
  routingStatus?: object;
  presence?: object;
  organization?: object;
}

/** User (and UserMe, which has every User field plus `organization` and more). */
export function presentUser(org: OrgDirectory, user: FixtureUser, expansions: UserExpansions = {}) {
  return {
    id: user.id,
    name: user.name,
    division: divisionRef(org),
    chat: { jabberId: `${user.id}@${org.org.id}.orgspan.com` },
    email: user.email,
    state: 'active',
    username: user.email,
    version: 1,
    acdAutoAnswer: false,
    ...expansions,
    selfUri: `/api/v2/users/${user.id}`,
  };
}

/** Organization (GET /api/v2/organizations/me and the `organization` expand of /users/me). */
export function presentOrganization(org: OrgDirectory) {
  const { id, name } = org.org;
  const slug =
    name
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-|-$/g, '') || 'org';
  return {
    id,
    name,
    defaultLanguage: 'en-us',
    defaultCountryCode: 'US',
    thirdPartyOrgName: slug,
    domain: slug,
    version: 1,
    state: 'active',
    productPlatform: 'PureCloud',
    features: {},
    selfUri: `/api/v2/organizations/${id}`,
  };
}

function mediaSettings(queue: FixtureQueue) {
  const digital = {
    alertingTimeoutSeconds: queue.alertingTimeoutSeconds,
    enableAutoAnswer: false,
    serviceLevel: { percentage: 0.8, durationMs: 20000 },
  };
  return {
    call: { ...digital, alertingTimeoutSeconds: 8 },
    callback: digital,
    chat: digital,
    email: digital,
    message: digital,
  };
}

/**
 * Queues exist as long as the fixture does: their audit fields are one fixed, plausible moment (the
 * fixture has no history), created and last changed by nobody in particular.
 */
export const QUEUE_DATE = '2024-01-01T00:00:00.000Z';

/**
 * Queue. Every member of a fixture queue is joined (activated in it), as Genesys needs for routing;
 * whether they take work is their routing status, not their membership. So `joinedMemberCount` equals
 * the members listed with `joined: true`.
 */
export function presentQueue(org: OrgDirectory, queue: FixtureQueue) {
  const members = org.membersOf(queue.id).length;
  return {
    id: queue.id,
    name: queue.name,
    division: divisionRef(org),
    description: queue.description ?? '',
    dateCreated: QUEUE_DATE,
    dateModified: QUEUE_DATE,
    memberCount: members,
    userMemberCount: members,
    joinedMemberCount: members,
    mediaSettings: mediaSettings(queue),
    routingRules: [],
    conditionalGroupRouting: { rules: [] },
    bullseye: { rings: [] },
    acwSettings: { wrapupPrompt: 'OPTIONAL', timeoutMs: 0 },
    skillEvaluationMethod: 'ALL',
    memberGroups: [],
    scoringMethod: 'TimestampAndPriority',
    lastAgentRoutingMode: 'Disabled',
    defaultMediaLanguage: 'en-US',
    autoAnswerOnly: false,
    enableTranscription: false,
    enableAudioMonitoring: false,
    enableManualAssignment: false,
    suppressInQueueCallRecording: false,
    selfUri: `/api/v2/routing/queues/${queue.id}`,
  };
}

export function presentRoutingStatus(state: AgentState) {
  return { userId: state.userId, status: state.status, startTime: isoTime(state.statusSince) };
}

/** QueueMember: the member's `user` is a whole User (its `version` is required). */
export function presentQueueMember(org: OrgDirectory, queueId: string, user: FixtureUser, state: AgentState) {
  return {
    id: user.id,
    name: user.name,
    user: presentUser(org, user),
    ringNumber: 1,
    joined: true,
    memberBy: 'user',
    routingStatus: presentRoutingStatus(state),
    selfUri: `/api/v2/routing/queues/${queueId}/members/${user.id}`,
  };
}
