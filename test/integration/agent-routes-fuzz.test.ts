import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { startCustomer } from '../support/agents.ts';
import { bearerFor, clients } from '../support/api.ts';
import { whiteBoxEmulator } from '../support/white-box.ts';

/**
 * Random bodies on every agent route: the emulator always answers with a Genesys error body or a
 * success, never a 5xx, and a refused request leaves the conversation and the agent exactly as they were.
 * White-box: "exactly as they were" is the agent's routing record (routing.agents), which no public door
 * shows byte for byte.
 */
describe('agent routes under random input', () => {
  it('answer 4xx Genesys bodies to malformed requests and change nothing when they refuse', async () => {
    const emulator = await whiteBoxEmulator();
    const fx = emulator.fixture;
    const alda = fx.users.find((u) => u.name === 'Alda Moore')!;
    const token = await bearerFor(emulator, clients(emulator).agents.find((c) => c.user === alda.id)!);
    const inject = (method: string, url: string, payload?: string, contentType = 'application/json') =>
      emulator.inject({
        method: method as 'POST',
        url,
        headers: { authorization: token, 'content-type': contentType },
        ...(payload === undefined ? {} : { payload }),
      });
    await inject('PUT', `/api/v2/users/${alda.id}/routingstatus`, '{"status":"IDLE"}');
    const cid = await startCustomer(emulator, { queueName: 'Grocery Support', text: 'hello' });
    const leg = emulator.runtime.conversations.get(cid).participants.find((p) => p.userId === alda.id)!;
    expect(
      (
        await inject(
          'PATCH',
          `/api/v2/conversations/messages/${cid}/participants/${leg.id}`,
          '{"state":"connected"}',
        )
      ).statusCode,
    ).toBe(202);

    const c = `/api/v2/conversations`;
    const routes: [string, string][] = [
      ['PATCH', `${c}/messages/${cid}/participants/${leg.id}`],
      ['PATCH', `${c}/${cid}/participants/${leg.id}`],
      ['PATCH', `${c}/messages/${cid}/participants/${leg.id}/attributes`],
      ['POST', `${c}/messages/${cid}/communications/${leg.communicationId}/messages`],
      ['POST', `${c}/messages/${cid}/communications/${leg.communicationId}/typing`],
      ['POST', `${c}/messages/${cid}/participants/${leg.id}/replace`],
      ['POST', `${c}/${cid}/participants/${leg.id}/replace/queue`],
      ['POST', `${c}/${cid}/participants/${leg.id}/replace/agent`],
      ['POST', `${c}/messages/${cid}/participants/${leg.id}/communications/${leg.communicationId}/wrapup`],
      ['PATCH', `${c}/messages/${cid}`],
      ['PUT', `/api/v2/users/${alda.id}/routingstatus`],
      ['PUT', `/api/v2/routing/users/${alda.id}/utilization`],
      ['POST', `${c}/messages/nope/communications/${leg.communicationId}/messages`],
      ['PATCH', `${c}/messages/${cid}/participants/not-a-participant`],
    ];
    const snapshot = () =>
      JSON.stringify({
        conversation: emulator.runtime.conversations.get(cid),
        agent: emulator.runtime.store.table('routing.agents').get(alda.id),
      });

    const body = fc.oneof(
      fc.json(),
      fc.string(),
      fc.constant(''),
      fc.constant('{"state":'),
      fc
        .record({ state: fc.oneof(fc.string(), fc.integer(), fc.constant(null)) })
        .map((o) => JSON.stringify(o)),
      // Well-formed bodies with bad values reach the domain, where refusals must still change nothing.
      fc
        .record(
          {
            queueId: fc.oneof(fc.string(), fc.uuid()),
            queueName: fc.string(),
            userId: fc.oneof(fc.string(), fc.uuid()),
            address: fc.string(),
            transferType: fc.constantFrom('Unattended', 'Attended', 'Sideways'),
          },
          { requiredKeys: [] },
        )
        .map((o) => JSON.stringify(o)),
      fc
        .record({ state: fc.constantFrom('connected', 'disconnected', 'alerting') })
        .map((o) => JSON.stringify(o)),
      fc.record({ wrapup: fc.record({ code: fc.string() }) }).map((o) => JSON.stringify(o)),
      fc
        .record({ status: fc.constantFrom('IDLE', 'OFF_QUEUE', 'INTERACTING', 'NOT_RESPONDING', 'BUSY') })
        .map((o) => JSON.stringify(o)),
      fc.record({ attributes: fc.dictionary(fc.string(), fc.anything()) }).map((o) => JSON.stringify(o)),
      fc
        .record({ textBody: fc.oneof(fc.string({ maxLength: 5000 }), fc.integer()) })
        .map((o) => JSON.stringify(o)),
    );
    const contentType = fc.constantFrom(
      'application/json',
      'text/plain',
      'application/x-www-form-urlencoded',
      'application/xml',
    );

    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...routes),
        body,
        contentType,
        async ([method, url], payload, type) => {
          const before = snapshot();
          const res = await inject(method, url, payload, type);
          expect(res.statusCode, res.body).toBeLessThan(500);
          if (res.statusCode >= 400) {
            expect(res.json()).toMatchObject({
              status: res.statusCode,
              code: expect.any(String),
              contextId: expect.any(String),
            });
            expect(snapshot()).toBe(before);
          }
        },
      ),
      { numRuns: 400 },
    );

    // Still fully working afterwards: the agent can send on the conversation.
    const sent = await inject(
      'POST',
      `${c}/messages/${cid}/communications/${leg.communicationId}/messages`,
      '{"textBody":"still here"}',
    );
    if (emulator.runtime.conversations.get(cid).endTime === undefined)
      expect(sent.statusCode, sent.body).toBe(200);
  });
});
