import { MatchersV3 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import {
  configureSessionFrame,
  echoFrame,
  getJwtFrame,
  presenceClearFrame,
  textMessageFrame,
  typingFrame,
} from '../../bridge/channels/webmessaging-frames.ts';
import { BridgeFailure } from '../../bridge/errors.ts';
import { NotDeliveredFailure } from '../../bridge/session/channel-adapter.ts';
import { WEB_MESSAGING_EXCHANGES as EXCHANGES } from '../names.ts';
import { type GivenState, state } from '../states.ts';
import { EXAMPLE } from './examples.ts';
import { contentJson, pactWith } from './pact.ts';
import { settle } from './settle.ts';
import {
  exchange,
  type HarnessOptions,
  RECONNECT_DELAY_MS,
  type WebMessagingHarness,
  webMessagingHarness,
} from './webmessaging-harness.ts';
import { jwtResponse, sessionResponse } from './webmessaging-replies.ts';

/**
 * The Web Messaging frames the bridge sends, each with the reply it relies on, as synchronous messages.
 * Every request is what the bridge's own frame builders produce, and the real adapter must send exactly
 * it; the reply is fed to the real adapter and the test asserts what the bridge makes of it. Replies
 * declare only the fields the bridge reads.
 */
const { integer, like } = MatchersV3;
const pact = pactWith('webMessaging');
const token = EXAMPLE.guestToken;
const deploymentId = EXAMPLE.messengerDeploymentId;
const agentName = EXAMPLE.agentName;

const deployment = state('messengerDeployment', { deploymentId, queueName: EXAMPLE.queueName });
const session = state('guestSession', { token, deploymentId });
const answered = state('messageAnswered', { agentName, token });
const ended = state('messageEnded', { agentName, token });

type Json = Record<string, unknown>;

/**
 * Declares the exchange and runs `run` with the adapter wired to answer the pact's request with the
 * pact's reply. The adapter's first tracing id always opens the session.
 */
function exchangeTest(
  description: string,
  states: GivenState[],
  request: Json,
  reply: Json,
  run: (harness: WebMessagingHarness, reply: Json) => Promise<void>,
  options: Partial<HarnessOptions> = {},
): Promise<unknown> {
  let interaction = pact.addSynchronousInteraction(description);
  for (const given of states) interaction = interaction.given(given.name, given.params);
  return interaction
    .withRequest((r) => r.withJSONContent(request))
    .withResponse((r) => r.withJSONContent(reply))
    .executeTest(async (message) => {
      const declared = contentJson(message.Request.content);
      const replies = message.Response.map((r) => contentJson(r.content));
      const harness = webMessagingHarness({
        tracingIds: [String(declared['tracingId'])],
        respond: exchange(declared, replies),
        ...options,
      });
      await run(harness, replies[0]!);
      expect(harness.sockets.opened.flatMap((s) => s.sent)).toContainEqual(declared);
    });
}

/** Opens the adapter (with the stand-in SessionResponse), then drops its socket so it reconnects. */
async function openThenReconnect({ adapter, events, sockets, clock }: WebMessagingHarness): Promise<void> {
  await adapter.open();
  sockets.current.drop();
  expect(await events.next('connectivity')).toMatchObject({ state: 'reconnecting' });
  clock.advance(RECONNECT_DELAY_MS);
}

async function rejection(promise: Promise<unknown>): Promise<BridgeFailure> {
  const thrown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(thrown).toBeInstanceOf(BridgeFailure);
  return thrown as BridgeFailure;
}

describe('Web Messaging: frames the bridge sends and the replies it relies on', () => {
  it('configureSession for a new session: connected, and the custom-attribute budget', async () => {
    await exchangeTest(
      EXCHANGES.configureNew,
      [deployment],
      configureSessionFrame(token, deploymentId, 'trace-configure'),
      sessionResponse('trace-configure'),
      async ({ adapter, sockets }) => {
        expect(await adapter.open()).toEqual({ maxCustomDataBytes: 2048 });
        expect(sockets.current.url).toContain(`deploymentId=${deploymentId}`);
      },
    );
  });

  it('configureSession again after a dropped connection resumes the same session', async () => {
    await exchangeTest(
      EXCHANGES.configureResume,
      [deployment, session],
      configureSessionFrame(token, deploymentId, 'trace-resume'),
      { class: 'SessionResponse', tracingId: 'trace-resume', body: { connected: true, newSession: false } },
      async (harness) => {
        await openThenReconnect(harness);
        expect(await harness.events.next('connectivity')).toMatchObject({ state: 'online' });
        expect(harness.events.of('ended')).toEqual([]);
      },
      { tracingIds: ['trace-open', 'trace-resume'] },
    );
  });

  it('configureSession after a read-only disconnect: the session ends read-only', async () => {
    await exchangeTest(
      EXCHANGES.configureReadOnly,
      [deployment, session, answered, ended],
      configureSessionFrame(token, deploymentId, 'trace-resume'),
      { class: 'SessionResponse', tracingId: 'trace-resume', body: { readOnly: true } },
      async (harness) => {
        await openThenReconnect(harness);
        expect((await harness.events.next('ended')).end).toEqual({ reason: 'readOnly', by: 'system' });
      },
      { tracingIds: ['trace-open', 'trace-resume'] },
    );
  });

  it('configureSession for an expired session: refused with 4006, the session ends expired', async () => {
    await exchangeTest(
      EXCHANGES.configureExpired,
      [deployment, session, state('sessionExpired', { token })],
      configureSessionFrame(token, deploymentId, 'trace-resume'),
      { class: 'string', code: 4006 },
      async (harness) => {
        await openThenReconnect(harness);
        const { end } = await harness.events.next('ended');
        expect(end).toMatchObject({ reason: 'sessionExpired', error: { code: 'SESSION_EXPIRED' } });
      },
      { tracingIds: ['trace-open', 'trace-resume'] },
    );
  });

  it('onMessage Text with the custom attributes: the echo gives the provider message id', async () => {
    const attributes = { QueueName: EXAMPLE.queueName, ...EXAMPLE.chatAttributes };
    await exchangeTest(
      EXCHANGES.sendText,
      [deployment, session],
      textMessageFrame(token, 'trace-message', EXAMPLE.customerText, attributes),
      {
        class: 'StructuredMessage',
        tracingId: 'trace-message',
        body: { id: like(EXAMPLE.messageId), type: like('Text') },
      },
      async ({ adapter }) => {
        await adapter.open();
        expect(await adapter.sendMessage({ text: EXAMPLE.customerText, attributes })).toEqual({
          providerMessageId: EXAMPLE.messageId,
        });
      },
      { tracingIds: ['trace-open', 'trace-message'] },
    );
  });

  it('onMessage Typing: confirmed by its echo, not by the fallback timer', async () => {
    await exchangeTest(
      EXCHANGES.sendTyping,
      [deployment, session],
      typingFrame(token, 'trace-typing'),
      {
        class: 'StructuredMessage',
        tracingId: 'trace-typing',
        body: { id: like(EXAMPLE.messageId), type: like('Event') },
      },
      async ({ adapter, clock }) => {
        await adapter.open();
        const before = clock.now();
        await adapter.sendTyping();
        expect(clock.now()).toBe(before);
      },
      { tracingIds: ['trace-open', 'trace-typing'] },
    );
  });

  it('echo: the reply keeps the connection alive through the next heartbeat', async () => {
    await exchangeTest(
      EXCHANGES.echo,
      [deployment, session],
      echoFrame(token, 'trace-echo'),
      {
        class: 'StructuredMessage',
        tracingId: 'trace-echo',
        body: { id: like(EXAMPLE.outboundMessageId), type: like('Text') },
      },
      async ({ adapter, sockets, clock }) => {
        await adapter.open();
        clock.advance(30_000);
        await settle();
        clock.advance(30_000);
        const socket = sockets.current;
        expect(socket.terminated).toBe(false);
        expect(socket.sent.filter((f) => f['action'] === 'echo')).toHaveLength(2);
      },
      { tracingIds: ['trace-open', 'trace-echo', 'trace-echo-again'], heartbeatMs: 30_000 },
    );
  });

  it('getJwt: the JWT is what the bridge presents to the history API', async () => {
    const authorizations: string[] = [];
    await exchangeTest(
      EXCHANGES.getJwt,
      [deployment, session],
      getJwtFrame(token, 'trace-jwt'),
      jwtResponse('trace-jwt'),
      async ({ adapter }, reply) => {
        await adapter.open();
        await adapter.fetchHistory();
        expect(authorizations).toEqual([`bearer ${(reply['body'] as Json)['jwt']}`]);
      },
      {
        tracingIds: ['trace-open', 'trace-jwt'],
        // The history reply is not this contract's subject (webmessaging-history.pact.test.ts is).
        fetch: async (_url, init) => {
          authorizations.push((init.headers as Record<string, string>)['Authorization'] ?? '');
          return new Response(JSON.stringify({ entities: [], pageCount: 0 }), { status: 200 });
        },
      },
    );
  });

  it('onMessage Presence Clear: SessionClearedEvent ends the session cleanly', async () => {
    await exchangeTest(
      EXCHANGES.presenceClear,
      [deployment, session],
      presenceClearFrame(token, 'trace-clear'),
      { class: 'SessionClearedEvent' },
      async ({ adapter, events, sockets }) => {
        await adapter.open();
        await adapter.close('end');
        expect(events.of('error')).toEqual([]);
        expect(sockets.current.closed).toBe(true);
      },
      { tracingIds: ['trace-open', 'trace-clear'] },
    );
  });

  it('onMessage over the rate limit: not delivered, retry after the given seconds', async () => {
    await exchangeTest(
      EXCHANGES.tooManyRequests,
      [deployment, session, state('rateSpent', { token })],
      textMessageFrame(token, 'trace-too-fast', 'Are you still there?'),
      {
        class: 'TooManyRequestsErrorMessage',
        body: { retryAfter: integer(1), errorMessage: like('Message rate too high for this session') },
      },
      async ({ adapter }, reply) => {
        await adapter.open();
        const failure = await rejection(adapter.sendMessage({ text: 'Are you still there?' }));
        const retryAfter = (reply['body'] as Json)['retryAfter'] as number;
        expect(failure).toBeInstanceOf(NotDeliveredFailure);
        expect(failure.error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
        expect(failure.error.retryAfterMs).toBe(retryAfter * 1000);
      },
      { tracingIds: ['trace-open', 'trace-too-fast'] },
    );
  });

  it('onMessage with oversized custom attributes: refused with 4013', async () => {
    const attributes = { QueueName: EXAMPLE.queueName, notes: 'n'.repeat(3000) };
    await exchangeTest(
      EXCHANGES.attributesTooLarge,
      [deployment, session],
      textMessageFrame(token, 'trace-big', EXAMPLE.customerText, attributes),
      { class: 'string', code: 4013 },
      async ({ adapter }) => {
        await adapter.open();
        const failure = await rejection(adapter.sendMessage({ text: EXAMPLE.customerText, attributes }));
        expect(failure.error.code).toBe('METADATA_TOO_LARGE');
      },
      { tracingIds: ['trace-open', 'trace-big'] },
    );
  });

  it('onMessage with over-long text: refused with 4011', async () => {
    const text = 't'.repeat(4001);
    await exchangeTest(
      EXCHANGES.textTooLong,
      [deployment, session],
      textMessageFrame(token, 'trace-long', text),
      { class: 'string', code: 4011 },
      async ({ adapter }) => {
        await adapter.open();
        expect((await rejection(adapter.sendMessage({ text }))).error.code).toBe('MESSAGE_TOO_LONG');
      },
      { tracingIds: ['trace-open', 'trace-long'] },
    );
  });

  it('onMessage on a read-only session: refused with 409, the session ends read-only', async () => {
    await exchangeTest(
      EXCHANGES.readOnlyRefusal,
      [deployment, session, answered, ended],
      textMessageFrame(token, 'trace-late', 'Hello?'),
      { class: 'string', code: 409 },
      async ({ adapter, events }) => {
        await adapter.open();
        expect((await rejection(adapter.sendMessage({ text: 'Hello?' }))).error.code).toBe(
          'SESSION_READ_ONLY',
        );
        expect((await events.next('ended')).end).toEqual({ reason: 'readOnly', by: 'system' });
      },
      { tracingIds: ['trace-open', 'trace-late'] },
    );
  });
});
