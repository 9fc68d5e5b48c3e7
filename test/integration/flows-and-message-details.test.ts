import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator } from '../support/emulators.ts';
import { withMessengerFlow } from '../support/fixtures.ts';
import type { Wire } from '../support/webmessaging.ts';

async function setup(fixture?: Parameters<typeof startEmulator>[0]) {
  const emulator = await startEmulator(fixture);
  const auth = await bearerFor(emulator, clients(emulator).org);
  const get = (url: string) => emulator.inject({ method: 'GET', url, headers: { authorization: auth } });
  return { emulator, get };
}

const SECOND_FLOW = `
inboundShortMessage:
  name: Second Flow
  division: Home
  startUpRef: "/inboundShortMessage/states/state[Start_1]"
  defaultLanguage: en-us
  supportedLanguages:
    en-us:
      defaultLanguageSkill:
        noValue: true
  states:
    - state:
        name: Start
        refId: Start_1
        actions:
          - transferToAcd:
              name: To General
              targetQueue:
                lit:
                  name: General
              priority:
                lit: 0
              preferredAgents:
                noValue: true
              languageSkill:
                noValue: true
`;

describe('GET /api/v2/flows: the fixture flows with stable ids', () => {
  it('lists, filters by type and name, pages and sorts; one flow by id', async () => {
    const fixture = withMessengerFlow(SECOND_FLOW, {
      flowName: 'Second Flow',
      deploymentId: 'second-deployment',
    });
    const { get } = await setup({ fixture });
    const all = (await get('/api/v2/flows')).json();
    expect(all).toMatchObject({ total: 2, pageNumber: 1, pageSize: 25, pageCount: 1 });
    expect(all.entities.map((f: Wire) => f.name)).toEqual(['Bot Handoff Message Flow', 'Second Flow']);
    expect(all.entities[0]).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: 'Bot Handoff Message Flow',
      division: { id: expect.any(String), name: 'Home', selfUri: expect.any(String) },
      type: 'INBOUNDSHORTMESSAGE',
      active: true,
      system: false,
      deleted: false,
      selfUri: `/api/v2/flows/${all.entities[0].id}`,
    });
    const desc = (await get('/api/v2/flows?sortOrder=desc&pageSize=1')).json();
    expect(desc).toMatchObject({ total: 2, pageCount: 2, entities: [{ name: 'Second Flow' }] });
    expect(desc.nextUri).toContain('pageNumber=2');
    expect((await get('/api/v2/flows?name=second*')).json().entities.map((f: Wire) => f.name)).toEqual([
      'Second Flow',
    ]);
    expect((await get('/api/v2/flows?type=inboundchat')).json().total).toBe(0);
    expect((await get('/api/v2/flows?type=inboundchat,INBOUNDSHORTMESSAGE')).json().total).toBe(2);
    expect((await get(`/api/v2/flows?id=${all.entities[1].id}`)).json().entities).toEqual([all.entities[1]]);
    expect((await get('/api/v2/flows?deleted=true')).json().total).toBe(0);
    expect((await get(`/api/v2/flows/${all.entities[1].id}`)).json()).toEqual(all.entities[1]);
    // Stable: another emulator on the same org gives the same ids.
    const again = await setup({ fixture });
    expect((await again.get('/api/v2/flows')).json().entities.map((f: Wire) => f.id)).toEqual(
      all.entities.map((f: Wire) => f.id),
    );
    expectApiError(await get('/api/v2/flows/nope'), 404, 'not.found');
    expectApiError(await get('/api/v2/flows?type=spaceship'), 400, 'bad.request');
    expectApiError(await get('/api/v2/flows?pageSize=101'), 400, 'bad.request');
  });
});

describe('GET /api/v2/conversations/messages/{messageId}/details', () => {
  it("a message id leads to its conversation's MessageData, with either id form; chats and unknown ids are 404", async () => {
    const { emulator, get } = await setup();
    const conversation = emulator.customers.start({ queueName: 'General', text: 'hello' });
    const [message] = emulator.conversations.get(conversation.id)!.messages;
    const details = await get(`/api/v2/conversations/messages/${message!.id}/details`);
    expect(details.statusCode).toBe(200);
    expect(details.json()).toMatchObject({
      id: message!.id,
      conversationId: conversation.id,
      direction: 'inbound',
      messengerType: 'webmessaging',
      timestamp: expect.any(String),
      status: expect.any(String),
    });
    const dashless = await get(`/api/v2/conversations/messages/${message!.id.replaceAll('-', '')}/details`);
    expect(dashless.json().conversationId).toBe(conversation.id);
    const normalized = (
      await get(`/api/v2/conversations/messages/${message!.id}/details?useNormalizedMessage=true`)
    ).json();
    expect(normalized).not.toHaveProperty('textBody');
    expect(normalized.conversationId).toBe(conversation.id);

    const chat = emulator.customers.start({
      queueName: 'General',
      text: 'chat hello',
      mediaType: 'chat',
      channel: 'webchat',
    });
    const [chatMessage] = emulator.conversations.get(chat.id)!.messages;
    expectApiError(await get(`/api/v2/conversations/messages/${chatMessage!.id}/details`), 404, 'not.found');
    expectApiError(await get('/api/v2/conversations/messages/nope/details'), 404, 'not.found');
    expectApiError(
      await get(`/api/v2/conversations/messages/${message!.id}/details?useNormalizedMessage=maybe`),
      400,
      'bad.request',
    );
    // After a reset the emulator holds no message any more.
    await emulator.reset();
    const auth = await bearerFor(emulator, clients(emulator).org);
    const gone = await emulator.inject({
      method: 'GET',
      url: `/api/v2/conversations/messages/${message!.id}/details`,
      headers: { authorization: auth },
    });
    expectApiError(gone, 404, 'not.found');
  });
});
