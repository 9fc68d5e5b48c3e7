import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';
import { closeSocket, FrameCollector, openSocket } from '../support/frames.ts';

const ON_QUEUE = 'e08eaf1b-ee47-4fa9-a231-1200e284798f';
const AVAILABLE = '6a3af858-942f-489d-9700-5f9bcdcdae9b';
const BUSY = '31fe3bac-dea6-44b7-bed7-47f91660a1a0';
const BREAK = '227b37e2-f1d0-4dd0-8f50-badd7cf6d158';

async function setup() {
  const emulator = await startEmulator();
  const alda = emulator.fixture.users.find((u) => u.name === 'Alda Moore')!;
  const auth = await bearerFor(emulator, clients(emulator).agents.find((c) => c.user === alda.id)!);
  const api = (method: 'GET' | 'PATCH' | 'PUT', url: string, payload?: unknown) =>
    emulator.inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const presence = async () =>
    (await api('GET', `/api/v2/users/${alda.id}/presences/purecloud`)).json().presenceDefinition
      .systemPresence;
  const routing = async () => (await api('GET', `/api/v2/users/${alda.id}/routingstatus`)).json().status;
  const setPresence = (id: string) =>
    api('PATCH', `/api/v2/users/${alda.id}/presences/purecloud`, { presenceDefinition: { id } });
  const setRouting = (status: string) => api('PUT', `/api/v2/users/${alda.id}/routingstatus`, { status });
  return { emulator, alda, api, presence, routing, setPresence, setRouting };
}

describe('presence: GET/PATCH /users/{id}/presences/purecloud, definitions, system presences', () => {
  it('a user reads Available until they choose; PATCH answers the UserPresence with the new definition', async () => {
    const { alda, api, setPresence } = await setup();
    const before = await api('GET', `/api/v2/users/${alda.id}/presences/PURECLOUD`);
    expect(before.json()).toEqual({
      source: 'PURECLOUD',
      primary: true,
      presenceDefinition: {
        id: AVAILABLE,
        systemPresence: 'Available',
        selfUri: `/api/v2/presencedefinitions/${AVAILABLE}`,
      },
      message: '',
      modifiedDate: expect.any(String),
      selfUri: `/api/v2/users/${alda.id}/presences/PURECLOUD`,
    });
    const busy = await setPresence(BUSY);
    expect(busy.statusCode).toBe(200);
    expect(busy.json().presenceDefinition).toMatchObject({ id: BUSY, systemPresence: 'Busy' });
    const message = await api('PATCH', `/api/v2/users/${alda.id}/presences/purecloud`, {
      message: 'back at 3',
    });
    expect(message.json()).toMatchObject({ message: 'back at 3', presenceDefinition: { id: BUSY } });
  });

  it('On Queue presence and routing status move together, whichever API the agent uses', async () => {
    const { emulator, alda, presence, routing, setPresence, setRouting } = await setup();
    // By presence: On Queue makes the agent IDLE, any other presence OFF_QUEUE.
    await setPresence(ON_QUEUE);
    expect([await presence(), await routing()]).toEqual(['On Queue', 'IDLE']);
    await setPresence(BREAK);
    expect([await presence(), await routing()]).toEqual(['Break', 'OFF_QUEUE']);
    // By routing status: IDLE makes the presence On Queue; OFF_QUEUE restores the presence from before.
    await setRouting('IDLE');
    expect([await presence(), await routing()]).toEqual(['On Queue', 'IDLE']);
    await setRouting('OFF_QUEUE');
    expect([await presence(), await routing()]).toEqual(['Break', 'OFF_QUEUE']);
    // A missed alert keeps the On Queue presence; choosing On Queue again clears NOT_RESPONDING.
    await setPresence(ON_QUEUE);
    emulator.customers.start({ queueName: 'Grocery Support', text: 'hello' });
    await emulator.clock.advance(30_000);
    expect([await presence(), await routing()]).toEqual(['On Queue', 'NOT_RESPONDING']);
    await setPresence(ON_QUEUE);
    expect(await routing()).toBe('IDLE');
    // ...and the conversation still waiting in her queue is offered to her again at once.
    const [conversation] = emulator.conversations.list();
    const legs = conversation!.participants.filter((p) => p.userId === alda.id).map((p) => p.state);
    expect(legs).toEqual(['disconnected', 'alerting']);
  });

  it('a message alone changes neither the presence nor the routing status', async () => {
    const { alda, api, presence, routing, setPresence } = await setup();
    await setPresence(ON_QUEUE);
    await api('PATCH', `/api/v2/users/${alda.id}/presences/purecloud`, { message: 'lunch soon' });
    expect([await presence(), await routing()]).toEqual(['On Queue', 'IDLE']);
  });

  it('refuses bad requests with Genesys errors and changes nothing', async () => {
    const { emulator, alda, api, presence, routing, setPresence } = await setup();
    await setPresence(BUSY);
    const unknownDefinition = await setPresence('not-a-presence');
    expect(expectApiError(unknownDefinition, 400, 'invalid.value').message).toContain(ON_QUEUE);
    expectApiError(
      await api('PATCH', `/api/v2/users/${alda.id}/presences/purecloud`, {}),
      400,
      'bad.request',
    );
    expectApiError(
      await api('PATCH', `/api/v2/users/${alda.id}/presences/purecloud`, { presenceDefinition: {} }),
      400,
      'bad.request',
    );
    expectApiError(await api('GET', '/api/v2/users/nobody/presences/purecloud'), 404, 'not.found');
    expectApiError(
      await api('PATCH', '/api/v2/users/nobody/presences/purecloud', {
        presenceDefinition: { id: ON_QUEUE },
      }),
      404,
      'not.found',
    );
    expectApiError(await api('GET', `/api/v2/users/${alda.id}/presences/my-custom-source`), 404, 'not.found');
    expect([await presence(), await routing()]).toEqual(['Busy', 'OFF_QUEUE']);
    const noToken = await emulator.inject({
      method: 'GET',
      url: `/api/v2/users/${alda.id}/presences/purecloud`,
    });
    expectApiError(noToken, 401, 'authentication.required');
  });

  it('lists the ten system presence definitions with Genesys paging, and the system presences', async () => {
    const { api } = await setup();
    const page2 = (await api('GET', '/api/v2/presencedefinitions?pageSize=4&pageNumber=2')).json();
    expect(page2).toMatchObject({ pageSize: 4, pageNumber: 2, total: 10, pageCount: 3 });
    expect(page2.entities.map((e: { systemPresence: string }) => e.systemPresence)).toEqual([
      'Meal',
      'Meeting',
      'Training',
      'Idle',
    ]);
    expect(page2.nextUri).toContain('pageNumber=3');
    expect(page2.previousUri).toContain('pageNumber=1');
    expect(page2.entities[0]).toEqual({
      id: expect.any(String),
      languageLabels: { en_US: 'Meal' },
      systemPresence: 'Meal',
      deactivated: false,
      primary: true,
      selfUri: expect.stringMatching(/^\/api\/v2\/presencedefinitions\//),
    });
    expect((await api('GET', '/api/v2/presencedefinitions?deleted=true')).json()).toMatchObject({
      entities: [],
      total: 0,
    });
    expect((await api('GET', `/api/v2/presencedefinitions/${ON_QUEUE}`)).json().systemPresence).toBe(
      'On Queue',
    );
    expectApiError(await api('GET', '/api/v2/presencedefinitions/nope'), 404, 'not.found');
    expectApiError(await api('GET', '/api/v2/presencedefinitions?pageSize=0'), 400, 'bad.request');
    expectApiError(await api('GET', '/api/v2/presencedefinitions?deleted=maybe'), 400, 'bad.request');
    const system = (await api('GET', '/api/v2/systempresences')).json();
    expect(system).toHaveLength(10);
    expect(system).toContainEqual({
      id: 'ON_QUEUE',
      name: 'On Queue',
      selfUri: '/api/v2/systempresences/ON_QUEUE',
    });
  });

  it('publishes v2.users.{id}.presence when the presence changes, also when routing status moved it', async () => {
    const { emulator, alda, setRouting } = await setup();
    const authorization = await setupAuth(emulator, alda.id);
    const created = await emulator.inject({
      method: 'POST',
      url: '/api/v2/notifications/channels',
      headers: { authorization },
    });
    const { id } = created.json();
    const subscribed = await emulator.inject({
      method: 'PUT',
      url: `/api/v2/notifications/channels/${id}/subscriptions`,
      headers: { authorization },
      payload: [{ id: `v2.users.${alda.id}.presence` }],
    });
    expect(subscribed.statusCode, subscribed.body).toBe(200);
    const socket = await openSocket(`${emulator.wsUrl}/channels/${id}`);
    try {
      const frames = new FrameCollector<{ topicName: string; eventBody: Record<string, unknown> }>(socket);
      await setRouting('IDLE');
      const frame = await frames.next((f) => f.topicName === `v2.users.${alda.id}.presence`);
      expect(frame.eventBody).toEqual({
        source: 'PURECLOUD',
        presenceDefinition: { id: ON_QUEUE, systemPresence: 'ON_QUEUE' },
        primary: true,
        message: '',
        modifiedDate: new Date(emulator.clock.now()).toISOString(),
      });
    } finally {
      await closeSocket(socket);
    }
  });
});

async function setupAuth(emulator: TestEmulator, userId: string): Promise<string> {
  return bearerFor(emulator, clients(emulator).agents.find((c) => c.user === userId)!);
}
