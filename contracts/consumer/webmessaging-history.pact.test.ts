import { MatchersV3 } from '@pact-foundation/pact';
import { describe, expect, it } from 'vitest';
import { getJwtFrame } from '../../bridge/channels/webmessaging-frames.ts';
import { state } from '../states.ts';
import { EXAMPLE, ISO_TIME } from './examples.ts';
import { booked, example, fromState, pactWith } from './pact.ts';
import { exchange, webMessagingHarness } from './webmessaging-harness.ts';
import { jwtResponse } from './webmessaging-replies.ts';

/**
 * The Web Messaging history API, which the bridge reads after a reconnect to catch up with what the agent
 * sent meanwhile: the real adapter (JWT over the scripted socket, then HTTP through the bridge's
 * HttpClient to the Pact mock server) and what it derives.
 */
const { arrayContaining, fromProviderState, integer, like, regex } = MatchersV3;
const pact = pactWith('webMessaging');
const token = EXAMPLE.guestToken;
const deploymentId = EXAMPLE.messengerDeploymentId;
const agentName = EXAMPLE.agentName;
const PATH = '/api/v2/webmessaging/messages';

/** An adapter whose getJwt is answered with `jwt`, talking HTTP to the mock server. */
function historyHarness(apiBase: string, jwt: string) {
  return webMessagingHarness({
    apiBase,
    fetch,
    tracingIds: ['trace-open', 'trace-jwt'],
    respond: exchange(getJwtFrame(token, 'trace-jwt'), [example(jwtResponse('trace-jwt', jwt))]),
  });
}

describe('Web Messaging history API', () => {
  it('the first page of history: outbound agent messages, with the JWT from getJwt', async () => {
    await pact
      .addInteraction()
      .given(...given(state('messengerDeployment', { deploymentId, queueName: EXAMPLE.queueName })))
      .given(...given(state('guestSession', { token, deploymentId })))
      .given(...given(state('messageAnswered', { agentName, token })))
      .given(...given(state('messageSaid', { agentName, text: EXAMPLE.agentText, token })))
      .given(...given(state('historyJwt', { token })))
      .uponReceiving('a request for the first page of the guest history')
      .withRequest('GET', PATH, (r) =>
        r.query({ pageNumber: '1', pageSize: '25' }).headers({
          Authorization: fromProviderState(`bearer ${fromState('jwt')}`, `bearer ${EXAMPLE.jwt}`),
        }),
      )
      .willRespondWith(200, (r) =>
        r.jsonBody({
          entities: arrayContaining({
            id: like(EXAMPLE.outboundMessageId),
            type: 'Text',
            direction: 'Outbound',
            text: like(EXAMPLE.agentText),
            originatingEntity: 'Human',
            channel: { time: regex(ISO_TIME, EXAMPLE.time), from: { nickname: like(agentName) } },
          }),
          pageCount: integer(1),
        }),
      )
      .executeTest(
        booked(pact, async (server) => {
          const { adapter } = historyHarness(server.url, EXAMPLE.jwt);
          await adapter.open();
          expect(await adapter.fetchHistory()).toEqual({
            messages: [
              {
                id: EXAMPLE.outboundMessageId,
                text: EXAMPLE.agentText,
                occurredAt: Date.parse(EXAMPLE.time),
                sender: { kind: 'human', agent: { displayName: agentName } },
              },
            ],
          });
        }),
      );
  });

  it('a JWT Genesys does not accept: 401, the bridge reports AUTH_FAILED', async () => {
    const badJwt = 'not-a-genesys-jwt';
    await pact
      .addInteraction()
      .given(...given(state('messengerDeployment', { deploymentId, queueName: EXAMPLE.queueName })))
      .uponReceiving('a history request with a JWT Genesys did not issue')
      .withRequest('GET', PATH, (r) =>
        r.query({ pageNumber: '1', pageSize: '25' }).headers({ Authorization: `bearer ${badJwt}` }),
      )
      .willRespondWith(401)
      .executeTest(
        booked(pact, async (server) => {
          const { adapter } = historyHarness(server.url, badJwt);
          await adapter.open();
          await expect(adapter.fetchHistory()).rejects.toMatchObject({ error: { code: 'AUTH_FAILED' } });
        }),
      );
  });
});

function given(s: { name: string; params: Record<string, string> }): [string, Record<string, string>] {
  return [s.name, s.params];
}
