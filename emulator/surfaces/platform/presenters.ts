import type { FixtureQueue, FixtureUser } from '../../config/fixture-schema.ts';
import { isoTime } from '../../domain/clock.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import type { AgentState } from '../../domain/routing/agent-state.ts';

/** Wire shapes of platform entities, with the fields real clients read (platform-architect.md §2). */

export function divisionRef(org: OrgDirectory) {
  return { id: org.divisionId, name: 'Home', selfUri: `/api/v2/authorization/divisions/${org.divisionId}` };
}

export function userRef(user: FixtureUser) {
  return { id: user.id, name: user.name, selfUri: `/api/v2/users/${user.id}` };
}

export function presentUser(org: OrgDirectory, user: FixtureUser) {
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
    selfUri: `/api/v2/users/${user.id}`,
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

export function presentQueue(org: OrgDirectory, queue: FixtureQueue, joinedCount: number) {
  const members = org.membersOf(queue.id).length;
  return {
    id: queue.id,
    name: queue.name,
    division: divisionRef(org),
    ...(queue.description ? { description: queue.description } : {}),
    memberCount: members,
    userMemberCount: members,
    joinedMemberCount: joinedCount,
    mediaSettings: mediaSettings(queue),
    routingRules: [],
    acwSettings: { wrapupPrompt: 'OPTIONAL', timeoutMs: 0 },
    skillEvaluationMethod: 'ALL',
    scoringMethod: 'TimestampAndPriority',
    lastAgentRoutingMode: 'Disabled',
    autoAnswerOnly: false,
    enableTranscription: false,
    enableManualAssignment: false,
    selfUri: `/api/v2/routing/queues/${queue.id}`,
  };
}

export function presentRoutingStatus(state: AgentState) {
  return { userId: state.userId, status: state.status, startTime: isoTime(state.statusSince) };
}

export function presentQueueMember(queueId: string, user: FixtureUser, state: AgentState) {
  return {
    id: user.id,
    name: user.name,
    user: userRef(user),
    ringNumber: 1,
    joined: true,
    memberBy: 'user',
    routingStatus: presentRoutingStatus(state),
    selfUri: `/api/v2/routing/queues/${queueId}/members/${user.id}`,
  };
}
