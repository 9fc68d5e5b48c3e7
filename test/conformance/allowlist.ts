import type { Problem } from './validate.ts';

/**
 * The emulator's deliberate deviations from Genesys's models, each with its reason. The conformance
 * test fails on any mismatch not listed here, and on any entry here that no longer matches anything
 * (a stale entry would hide the next drift at the same place).
 *
 * `where` is the route key (`GET /api/v2/...`) or the documented topic (`v2.users.{id}.conversations`),
 * or a list of them sharing the reason; `path` is the JSON path with array indices and map keys
 * written `[*]`.
 */
export interface Allowed {
  where: string | readonly string[];
  path: string;
  problem: Problem;
  /** The model the field belongs to, when the path alone is ambiguous. */
  model?: string;
  reason: string;
}

const GUEST = '/api/v2/webchat/guest/conversations/{conversationId}';
const CHAT = '/api/v2/conversations/chats/{conversationId}';

/** The guest SDK's WebChatMemberInfo makes `role` required; real replies and frames name members by id. */
const MEMBER_BY_ID =
  'Genesys names a WebChat member by id alone here: captured real replies and stream frames carry ' +
  '`{"id": ...}` without `role` (guest-protocols.md §1.4 [S13], §1.5 [S4 testdata]); clients look the ' +
  'role up with GET .../members/{memberId}, which the emulator answers with it.';

export const ALLOWLIST: readonly Allowed[] = [
  {
    where: [
      'POST /api/v2/conversations/messages/{conversationId}/communications/{communicationId}/messages',
      'GET /api/v2/conversations/messages/{conversationId}/messages/{messageId}',
      'GET /api/v2/conversations/messages/{messageId}/details',
    ],
    path: 'textBody',
    problem: 'unknown',
    reason:
      'Deprecated and gone from the SDK 262 MessageData model, but Genesys still returns it unless the ' +
      'caller asks for useNormalizedMessage=true (platform-extra.md §5); agent tools read the text there.',
  },
  {
    where: 'POST /api/v2/webchat/guest/conversations',
    path: 'member.role',
    problem: 'missing',
    reason: `${MEMBER_BY_ID} The create reply carries only the member id (guest-protocols.md §1.4 [S2, S8, S13]).`,
  },
  {
    where: [
      `POST ${GUEST}/members/{memberId}/messages`,
      `POST ${GUEST}/members/{memberId}/typing`,
      `POST ${CHAT}/communications/{communicationId}/messages`,
      'v2.conversations.chats.{id}.messages',
    ],
    path: 'sender.role',
    problem: 'missing',
    reason: MEMBER_BY_ID,
  },
  {
    where: [`GET ${GUEST}/messages`, `GET ${CHAT}/messages`],
    path: 'entities[*].sender.role',
    problem: 'missing',
    reason: MEMBER_BY_ID,
  },
  {
    where: `GET ${CHAT}`,
    path: '',
    problem: 'no-model',
    reason:
      'SDK 262 dropped the ACD chat routes and their ChatConversation model with Web Chat v2 retirement ' +
      '(platform-architect.md §3.1, "<=252"); the route still serves that model for WebChat agent tools, ' +
      'checked by the REST tests instead.',
  },
];
