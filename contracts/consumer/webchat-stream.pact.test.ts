import { MatchersV3 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { parseStreamEvent } from '../../bridge/channels/webchat-protocol.ts';
import { WEB_CHAT_FRAMES as FRAMES } from '../names.ts';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { contentText, example, pactWith } from './pact.ts';
import { settle } from './settle.ts';
import { AGENT_LEFT_GRACE_MS, standInFetch, type WebChatHarness, webChatHarness } from './webchat-harness.ts';
import { agentMember, CHATS, createdChat, memberChange } from './webchat-replies.ts';

/**
 * WebChat v2 event-stream frames as asynchronous messages. Each is parsed by the bridge's real
 * `parseStreamEvent` and delivered to the real adapter of an open chat, whose REST calls a stand-in answers
 * with the REST contracts' own examples; the test asserts what the bridge derives.
 */
const { like, regex } = MatchersV3;
const pact = pactWith('webChat');
const { agentName } = EXAMPLE;
const time = regex(ISO_TIME, EXAMPLE.time);
const occurredAt = Date.parse(EXAMPLE.time);
const agent = { id: EXAMPLE.agentMemberId, displayName: agentName };

const deployment = state('webChatDeployment', {
  deploymentId: EXAMPLE.webChatDeploymentId,
  organizationId: EXAMPLE.organizationId,
  queueName: EXAMPLE.queueName,
});
const chat = state('guestChat', { deploymentId: EXAMPLE.webChatDeploymentId });
const answered = state('chatAnswered', { agentName });
const transferred = [
  state('chatAgentAvailable', { agentName: EXAMPLE.transferAgentName, queueName: EXAMPLE.transferQueueName }),
  state('chatTransferred', { agentName, queueName: EXAMPLE.transferQueueName }),
];

/** The agent-connected frame, delivered first where a test needs the bridge to know the agent. */
const agentConnected = memberChange(EXAMPLE.agentMemberId, 'CONNECTED');

type Json = Record<string, unknown>;

async function openChat(): Promise<WebChatHarness> {
  const harness = webChatHarness({
    apiBase: 'http://127.0.0.1:9',
    fetch: standInFetch({
      [`POST ${CHATS}`]: example(createdChat),
      [`GET ${CHATS}/${EXAMPLE.conversationId}/members/${EXAMPLE.agentMemberId}`]: example(agentMember),
    }),
  });
  await harness.open();
  return harness;
}

/** Lets the bridge learn who the agent is, as it would from the stream before anything else. */
async function agentKnown(harness: WebChatHarness): Promise<void> {
  harness.sockets.current.deliver(example(agentConnected));
  await harness.events.next('agentJoined');
}

function frameTest(
  description: string,
  states: GivenState[],
  frame: Json,
  assert: (harness: WebChatHarness, text: string) => Promise<void>,
): Promise<unknown> {
  let interaction = pact.addAsynchronousInteraction();
  for (const given of states) interaction = interaction.given(given.name, given.params);
  return interaction
    .expectsToReceive(description, (b) => b.withJSONContent(frame))
    .executeTest(async (message) => {
      const harness = await openChat();
      await assert(harness, contentText(message.contents.content));
    });
}

describe('WebChat event stream: frames and what the bridge makes of them', () => {
  it('member-change CONNECTED of an agent: the agent joined (role and name looked up)', async () => {
    await frameTest(FRAMES.agentConnected, [deployment, chat, answered], agentConnected, async (h, text) => {
      expect(parseStreamEvent(text)).toEqual({
        kind: 'memberChange',
        memberId: EXAMPLE.agentMemberId,
        state: 'CONNECTED',
        at: occurredAt,
      });
      h.sockets.current.deliver(text);
      expect(await h.events.next('agentJoined')).toMatchObject({ agent, occurredAt });
    });
  });

  it('message from the agent: an agent message', async () => {
    await frameTest(
      FRAMES.agentMessage,
      [deployment, chat, answered, state('chatSaid', { agentName, text: EXAMPLE.agentText })],
      {
        metadata: { type: 'message' },
        eventBody: {
          id: like(EXAMPLE.chatMessageId),
          sender: { id: like(EXAMPLE.agentMemberId) },
          body: like(EXAMPLE.agentText),
          bodyType: 'standard',
          timestamp: time,
        },
      },
      async (h, text) => {
        h.sockets.current.deliver(text);
        expect((await h.events.next('message')).message).toEqual({
          id: EXAMPLE.chatMessageId,
          text: EXAMPLE.agentText,
          occurredAt,
          sender: { kind: 'human', agent },
        });
      },
    );
  });

  it('typing-indicator from the agent: agent typing', async () => {
    await frameTest(
      FRAMES.agentTyping,
      [deployment, chat, answered, state('chatTyping', { agentName })],
      {
        metadata: { type: 'typing-indicator' },
        eventBody: { sender: { id: like(EXAMPLE.agentMemberId) }, timestamp: time },
      },
      async (h, text) => {
        h.sockets.current.deliver(text);
        expect(await h.events.next('typing')).toEqual({ kind: 'typing', durationMs: 4000, occurredAt });
      },
    );
  });

  it('member-change DISCONNECTED of the agent while the guest stays: a transfer', async () => {
    await frameTest(
      FRAMES.agentDisconnected,
      [deployment, chat, answered, ...transferred],
      memberChange(EXAMPLE.agentMemberId, 'DISCONNECTED'),
      async (h, text) => {
        await agentKnown(h);
        h.sockets.current.deliver(text);
        await settle();
        h.clock.advance(AGENT_LEFT_GRACE_MS);
        expect(await h.events.next('agentLeft')).toMatchObject({ agent, conversationContinues: true });
        expect((await h.events.next('transferred')).change).toEqual({
          kind: 'unknown',
          from: agent,
          inferred: true,
          occurredAt,
        });
      },
    );
  });

  it('member-change ALERTING of another agent while the first is connected: a transfer', async () => {
    await frameTest(
      FRAMES.agentAlerting,
      [deployment, chat, answered, ...transferred],
      memberChange(EXAMPLE.transferAgentMemberId, 'ALERTING'),
      async (h, text) => {
        await agentKnown(h);
        h.sockets.current.deliver(text);
        expect((await h.events.next('transferred')).change).toEqual({
          kind: 'unknown',
          from: agent,
          inferred: true,
          occurredAt,
        });
      },
    );
  });

  it('member-change DISCONNECTED of the guest: the agent ended the chat', async () => {
    await frameTest(
      FRAMES.guestDisconnected,
      [deployment, chat, answered, state('chatEnded', { agentName })],
      memberChange(EXAMPLE.guestMemberId, 'DISCONNECTED'),
      async (h, text) => {
        await agentKnown(h);
        h.sockets.current.deliver(text);
        expect(await h.events.next('agentLeft')).toMatchObject({ agent, conversationContinues: false });
        expect((await h.events.next('ended')).end).toEqual({ reason: 'agentEnded', by: 'agent', occurredAt });
      },
    );
  });

  it('a heartbeat: recognised, and nothing happens', async () => {
    await frameTest(
      FRAMES.heartbeat,
      [deployment, chat, state('streamQuiet', { seconds: '30' })],
      { topicName: 'channel.metadata' },
      async (h, text) => {
        expect(parseStreamEvent(text)).toEqual({ kind: 'heartbeat' });
        h.sockets.current.deliver(text);
        await h.adapter.close('detach');
        expect(h.events.log).toEqual([]);
      },
    );
  });
});
