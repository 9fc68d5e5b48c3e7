import { MatchersV3 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { WEB_MESSAGING_PUSHES as PUSHES } from '../names.ts';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { contentText, pactWith } from './pact.ts';
import { settle } from './settle.ts';
import { exchange, type WebMessagingHarness, webMessagingHarness } from './webmessaging-harness.ts';

/**
 * Frames Genesys pushes on the guest socket without being asked, as asynchronous messages. Each is
 * delivered to the real adapter of an open session, and the test asserts what the bridge derives: an agent
 * or bot message, agent typing, the end of the conversation.
 */
const { integer, like, regex } = MatchersV3;
const pact = pactWith('webMessaging');
const token = EXAMPLE.guestToken;
const deploymentId = EXAMPLE.messengerDeploymentId;
const agentName = EXAMPLE.agentName;

const deployment = state('messengerDeployment', { deploymentId, queueName: EXAMPLE.queueName });
const session = state('guestSession', { token, deploymentId });
const answered = state('messageAnswered', { agentName, token });

type Json = Record<string, unknown>;

/** Declares the pushed frame, opens a session on the real adapter and delivers the frame to it. */
function pushTest(
  description: string,
  states: GivenState[],
  frame: Json,
  assert: (harness: WebMessagingHarness, frame: Json) => Promise<void>,
): Promise<unknown> {
  let interaction = pact.addAsynchronousInteraction();
  for (const given of states) interaction = interaction.given(given.name, given.params);
  return interaction
    .expectsToReceive(description, (b) => b.withJSONContent(frame))
    .executeTest(async (message) => {
      const text = contentText(message.contents.content);
      const harness = webMessagingHarness({ tracingIds: ['trace-open'], respond: exchange({}, []) });
      await harness.adapter.open();
      harness.sockets.current.deliver(text);
      await assert(harness, JSON.parse(text) as Json);
    });
}

const time = regex(ISO_TIME, EXAMPLE.time);
const occurredAt = Date.parse(EXAMPLE.time);

describe('Web Messaging: frames Genesys pushes and what the bridge makes of them', () => {
  it('an agent text message becomes an agent message with the display name and time', async () => {
    await pushTest(
      PUSHES.agentText,
      [deployment, session, answered, state('messageSaid', { agentName, text: EXAMPLE.agentText, token })],
      {
        class: 'StructuredMessage',
        body: {
          id: like(EXAMPLE.outboundMessageId),
          type: 'Text',
          direction: 'Outbound',
          text: like(EXAMPLE.agentText),
          originatingEntity: 'Human',
          channel: { time, from: { nickname: like(agentName) } },
        },
      },
      async ({ events }) => {
        expect((await events.next('message')).message).toEqual({
          id: EXAMPLE.outboundMessageId,
          text: EXAMPLE.agentText,
          occurredAt,
          sender: { kind: 'human', agent: { displayName: agentName } },
        });
      },
    );
  });

  it('a flow text message becomes a bot message', async () => {
    await pushTest(
      PUSHES.botText,
      [
        deployment,
        state('flowGreets', { deploymentId, greeting: EXAMPLE.greeting }),
        session,
        state('guestStarted', { token }),
      ],
      {
        class: 'StructuredMessage',
        body: {
          id: like(EXAMPLE.outboundMessageId),
          type: 'Text',
          direction: 'Outbound',
          text: like(EXAMPLE.greeting),
          originatingEntity: 'Bot',
          channel: { time },
        },
      },
      async ({ events }) => {
        expect((await events.next('message')).message).toEqual({
          id: EXAMPLE.outboundMessageId,
          text: EXAMPLE.greeting,
          occurredAt,
          sender: { kind: 'bot' },
        });
      },
    );
  });

  it('an agent typing event becomes agent typing for its duration', async () => {
    await pushTest(
      PUSHES.agentTyping,
      [deployment, session, answered, state('messageTyping', { agentName, token })],
      {
        class: 'StructuredMessage',
        body: {
          id: like(EXAMPLE.outboundMessageId),
          type: 'Event',
          direction: 'Outbound',
          channel: { time },
          events: [{ eventType: 'Typing', typing: { type: 'On', duration: integer(5000) } }],
        },
      },
      async ({ events }) => {
        expect(await events.next('typing')).toEqual({ kind: 'typing', durationMs: 5000, occurredAt });
      },
    );
  });

  it('Presence Disconnect ends the session as ended by the agent', async () => {
    await pushTest(
      PUSHES.disconnect,
      [deployment, session, answered, state('messageEnded', { agentName, token })],
      {
        class: 'StructuredMessage',
        body: {
          id: like(EXAMPLE.outboundMessageId),
          type: 'Event',
          direction: 'Outbound',
          channel: { time },
          events: [{ eventType: 'Presence', presence: { type: 'Disconnect' } }],
        },
      },
      async ({ events }) => {
        expect((await events.next('ended')).end).toEqual({ reason: 'agentEnded', by: 'agent', occurredAt });
      },
    );
  });

  it('SessionExpiredEvent ends the session as expired', async () => {
    await pushTest(
      PUSHES.sessionExpired,
      [deployment, session, state('sessionExpired', { token })],
      { class: 'SessionExpiredEvent' },
      async ({ events }) => {
        const { end } = await events.next('ended');
        expect(end).toMatchObject({ reason: 'sessionExpired', error: { code: 'SESSION_EXPIRED' } });
      },
    );
  });

  it('ConnectionClosedEvent ends the session: Genesys closed this connection', async () => {
    await pushTest(
      PUSHES.connectionClosed,
      [deployment, session, state('connectionRefused', { token })],
      { class: 'ConnectionClosedEvent' },
      async ({ events, sockets }) => {
        const { end } = await events.next('ended');
        expect(end).toMatchObject({ reason: 'error', error: { code: 'SESSION_ENDED' } });
        await settle();
        expect(sockets.opened).toHaveLength(1);
      },
    );
  });
});
