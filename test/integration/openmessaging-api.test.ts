import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';

/**
 * The Open Messaging API's rules (platform-extra.md §1.1-§1.4): integration CRUD with its validation and
 * asynchronous creation, routing recipients, and every refusal of the inbound API as a Genesys ErrorBody
 * that changes nothing (no conversation, no event, no Participant Data).
 */

const INTEGRATIONS = '/api/v2/conversations/messaging/integrations/open';
const inbound = (id: string, kind: string) => `/api/v2/conversations/messages/${id}/inbound/open/${kind}`;

async function api(emulator: TestEmulator) {
  const auth = await bearerFor(emulator, clients(emulator).org);
  return (method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE', url: string, payload?: unknown) =>
    emulator.inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
}

const from = { id: 'cust-1', idType: 'Opaque', nickname: 'Pat' };
const message = (extra: Record<string, unknown> = {}, channel: Record<string, unknown> = {}) => ({
  channel: { from, time: '2026-01-01T09:00:00.000Z', ...channel },
  text: 'hello',
  ...extra,
});

describe('Open Messaging integrations', () => {
  it('are created Initiated, complete on the emulator clock, list, change and delete; bad bodies are refused', async () => {
    const emulator = await startEmulator();
    const call = await api(emulator);
    const valid = {
      name: 'Acme',
      outboundNotificationWebhookUrl: 'https://bot.example/hook',
      outboundNotificationWebhookSignatureSecretToken: '0123456789abcdef',
    };
    expectApiError(
      await call('POST', INTEGRATIONS, {
        ...valid,
        outboundNotificationWebhookSignatureSecretToken: 'short',
      }),
      400,
      'bad.request',
    );
    expectApiError(
      await call('POST', INTEGRATIONS, { ...valid, outboundNotificationWebhookUrl: 'ftp://x' }),
      400,
      'bad.request',
    );
    expectApiError(
      await call('POST', INTEGRATIONS, { outboundNotificationWebhookUrl: 'https://x.example' }),
      400,
      'bad.request',
    );
    const before = (await call('GET', INTEGRATIONS)).json();
    expect(before.entities.map((e: { name: string }) => e.name)).toEqual(['Bot Handoff Open Messaging']);

    const created = await call('POST', INTEGRATIONS, valid);
    expect(created.statusCode).toBe(200);
    const id = created.json().id as string;
    expect(created.json()).toMatchObject({
      createStatus: 'Initiated',
      outboundNotificationWebhookUrl: valid.outboundNotificationWebhookUrl,
    });
    // Not ready yet: the inbound API refuses, and nothing is created.
    expectApiError(await call('POST', inbound(id, 'message'), message()), 400, 'bad.request');
    expect(emulator.conversations.list()).toEqual([]);
    expectApiError(await call('POST', INTEGRATIONS, valid), 400, 'bad.request'); // the name is taken
    await emulator.clock.advance(1_000);
    expect((await call('GET', `${INTEGRATIONS}/${id}`)).json().createStatus).toBe('Completed');

    const list = (await call('GET', `${INTEGRATIONS}?pageSize=1&pageNumber=2`)).json();
    expect(list).toMatchObject({ total: 2, pageSize: 1, pageNumber: 2, pageCount: 2 });
    expect(list.entities[0].id).toBe(id);

    const patched = await call('PATCH', `${INTEGRATIONS}/${id}`, {
      outboundNotificationWebhookUrl: 'https://bot.example/v2',
      webhookHeaders: { 'X-A': '1' },
    });
    expect(patched.json()).toMatchObject({
      name: 'Acme',
      outboundNotificationWebhookUrl: 'https://bot.example/v2',
      webhookHeaders: { 'X-A': '1' },
    });
    expectApiError(
      await call('PATCH', `${INTEGRATIONS}/${id}`, { outboundNotificationWebhookSignatureSecretToken: 'x' }),
      400,
      'bad.request',
    );
    expect(
      (await call('GET', `${INTEGRATIONS}/${id}`)).json().outboundNotificationWebhookSignatureSecretToken,
    ).toBe(valid.outboundNotificationWebhookSignatureSecretToken);

    expect((await call('DELETE', `${INTEGRATIONS}/${id}`)).statusCode).toBe(204);
    expectApiError(await call('GET', `${INTEGRATIONS}/${id}`), 404, 'not.found');
    expectApiError(await call('DELETE', `${INTEGRATIONS}/${id}`), 404, 'not.found');

    // A reset brings back the fixture's integrations as they were, and forgets the rest.
    await emulator.reset();
    const afterReset = await api(emulator);
    expect((await afterReset('GET', INTEGRATIONS)).json().total).toBe(1);
  });

  it('route through message recipients: listed as open, a flow attached by id, anything but an inbound message flow refused', async () => {
    const emulator = await startEmulator();
    const call = await api(emulator);
    const integration = emulator.fixture.openMessaging[0]!;
    const listed = (await call('GET', '/api/v2/routing/message/recipients?messengerType=open')).json();
    expect(listed.entities).toEqual([
      expect.objectContaining({
        id: integration.id,
        messengerType: 'open',
        flow: expect.objectContaining({ name: integration.flow }),
      }),
    ]);
    expect((await call('GET', '/api/v2/routing/message/recipients?messengerType=sms')).json().total).toBe(0);
    expectApiError(
      await call('GET', '/api/v2/routing/message/recipients?messengerType=carrier-pigeon'),
      400,
      'invalid.value',
    );
    expectApiError(
      await call('PUT', `/api/v2/routing/message/recipients/${integration.id}`, {
        flow: { id: 'no-such-flow' },
      }),
      400,
      'bad.request',
    );
    expectApiError(
      await call('PUT', `/api/v2/routing/message/recipients/${integration.id}`, {}),
      400,
      'bad.request',
    );
    expectApiError(await call('GET', '/api/v2/routing/message/recipients/unknown'), 404, 'not.found');
    const flowId = listed.entities[0].flow.id;
    const put = await call('PUT', `/api/v2/routing/message/recipients/${integration.id}`, {
      flow: { id: flowId },
    });
    expect(put.json()).toMatchObject({ id: integration.id, flow: { id: flowId } });
  });
});

describe('the Open Messaging inbound API', () => {
  it('refuses every bad request with a Genesys ErrorBody and changes nothing', async () => {
    const emulator = await startEmulator();
    const call = await api(emulator);
    const id = emulator.fixture.openMessaging[0]!.id;
    const seq = emulator.events.lastSeq;
    const refusals: [string, unknown, number, string][] = [
      ['message', { channel: { from, time: '2026-01-01T09:00:00.000Z' } }, 400, 'bad.request'], // no text
      ['message', message({ text: '' }), 400, 'bad.request'],
      ['message', message({}, { from: { id: 'x', idType: 'Pigeon' } }), 400, 'bad.request'],
      ['message', message({}, { from: { idType: 'Opaque' } }), 400, 'bad.request'],
      ['message', message({}, { time: 'yesterday' }), 400, 'bad.request'],
      ['message', message({ metadata: { customAttributes: { QueueName: 'General' } } }), 400, 'bad.request'],
      ['message', message({}, { metadata: { customAttributes: { n: 1 } } }), 400, 'bad.request'],
      [
        'message',
        message({}, { metadata: { customAttributes: { big: 'x'.repeat(2100) } } }),
        400,
        'bad.request',
      ],
      ['message', message({ text: 'x'.repeat(4001) }), 400, 'bad.request'],
      [
        'message',
        message({
          content: [
            { contentType: 'Attachment', attachment: { mediaType: 'Image', url: 'https://x.example/a.png' } },
          ],
        }),
        400,
        'bad.request',
      ],
      [
        'event',
        { channel: { from, time: '2026-01-01T09:00:00.000Z' }, events: [{ eventType: 'Presence' }] },
        400,
        'bad.request',
      ],
      ['event', { channel: { from, time: '2026-01-01T09:00:00.000Z' }, events: [] }, 400, 'bad.request'],
      [
        'receipt',
        { id: 'abc', channel: { to: { id: 'cust-1' }, time: '2026-01-01T09:00:00.000Z' }, status: 'Sent' },
        400,
        'invalid.value',
      ],
      [
        'receipt',
        {
          id: 'abc',
          channel: { to: { id: 'cust-1' }, time: '2026-01-01T09:00:00.000Z' },
          status: 'Delivered',
        },
        404,
        'not.found',
      ],
    ];
    for (const [kind, body, status, code] of refusals) {
      expectApiError(await call('POST', inbound(id, kind), body), status, code);
    }
    expectApiError(
      await call('POST', inbound('no-such-integration', 'message'), message()),
      404,
      'not.found',
    );
    const anonymous = await emulator.inject({
      method: 'POST',
      url: inbound(id, 'message'),
      payload: message(),
    });
    expectApiError(anonymous, 401, 'authentication.required');
    expect(emulator.conversations.list()).toEqual([]);
    expect(emulator.events.list({ afterSeq: seq }).map((e) => e.type)).not.toContain('conversation.created');
  });

  it('keys the customer by integration, idType and id: a refused message leaves the open conversation as it was; the legacy fields are accepted', async () => {
    const emulator = await startEmulator();
    const call = await api(emulator);
    const id = emulator.fixture.openMessaging[0]!.id;
    const first = await call(
      'POST',
      `${inbound(id, 'message')}?prefetchConversationId=true`,
      message(
        { type: 'Text', direction: 'Inbound' },
        { platform: 'Open', type: 'Private', to: { id }, metadata: { customAttributes: { orderId: 'A-1' } } },
      ),
    );
    expect(first.statusCode, first.body).toBe(200);
    const cid = first.json().conversationId as string;
    // Without prefetchConversationId the answer leaves the id out (UNCONFIRMED).
    const again = await call(
      'POST',
      inbound(id, 'message'),
      message({ text: 'again' }, { from: { ...from, idType: 'opaque' } }),
    );
    expect(again.json().conversationId).toBeUndefined();
    expect(again.json().channel.from.idType).toBe('Opaque');
    const conversation = () => emulator.conversations.get(cid)!;
    expect(conversation().messages.map((m) => m.text)).toEqual(['hello', 'again']);
    const snapshot = JSON.stringify(conversation());
    expectApiError(
      await call(
        'POST',
        inbound(id, 'message'),
        message({ text: 'x'.repeat(4001) }, { metadata: { customAttributes: { orderId: 'B-2' } } }),
      ),
      400,
      'bad.request',
    );
    expect(JSON.stringify(conversation())).toBe(snapshot);
    // Another idType is another customer.
    const other = await call(
      'POST',
      `${inbound(id, 'message')}?prefetchConversationId=true`,
      message({}, { from: { ...from, idType: 'Email' } }),
    );
    expect(other.json().conversationId).not.toBe(cid);
  });
});
