import { describe, expect, it } from 'vitest';
import { defaultFixture, type FixtureInput, parseFixtureSource } from '../../emulator/index.ts';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator, type TestEmulator } from '../support/emulators.ts';

interface Code {
  id: string;
  name: string;
}

async function setup(emulator?: TestEmulator) {
  const emu = emulator ?? (await startEmulator());
  const dena = emu.fixture.users.find((u) => u.name === 'Dena Lakin')!; // Shoes Support, General
  const auth = await bearerFor(emu, clients(emu).agents.find((c) => c.user === dena.id)!);
  const api = (method: 'GET' | 'PATCH' | 'PUT' | 'POST', url: string, payload?: unknown) =>
    emu.inject({
      method,
      url,
      headers: { authorization: auth },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  const queue = (name: string) => emu.fixture.queues.find((q) => q.name === name)!;
  /** A conversation in `queueName`, answered by Dena and disconnected: ready for wrap-up. */
  const handled = async (queueName: string) => {
    await api('PUT', `/api/v2/users/${dena.id}/routingstatus`, { status: 'IDLE' });
    const conversation = emu.customers.start({ queueName, text: 'hello' });
    const leg = emu.conversations.get(conversation.id)!.participants.find((p) => p.userId === dena.id)!;
    const path = `/api/v2/conversations/messages/${conversation.id}/participants/${leg.id}`;
    expect((await api('PATCH', path, { state: 'connected' })).statusCode).toBe(202);
    expect((await api('PATCH', path, { state: 'disconnected' })).statusCode).toBe(202);
    return { cid: conversation.id, pid: leg.id, path };
  };
  return { emulator: emu, dena, api, queue, handled };
}

describe('wrap-up codes: the org list, a queue list, a participant list and the PATCH check', () => {
  it('GET /routing/wrapupcodes pages, sorts and filters by name (wildcards), id and division', async () => {
    const { api, emulator } = await setup();
    const all = (await api('GET', '/api/v2/routing/wrapupcodes?pageSize=100')).json();
    expect(all.total).toBe(7);
    expect(all.entities.map((c: Code) => c.name)).toEqual([...all.entities.map((c: Code) => c.name)].sort());
    expect(all.entities[0]).toEqual({
      id: expect.any(String),
      name: all.entities[0].name,
      division: { id: expect.any(String), name: 'Home', selfUri: expect.any(String) },
      selfUri: `/api/v2/routing/wrapupcodes/${all.entities[0].id}`,
    });
    const page2 = (
      await api('GET', '/api/v2/routing/wrapupcodes?pageSize=3&pageNumber=2&sortOrder=descending')
    ).json();
    expect(page2).toMatchObject({ pageSize: 3, pageNumber: 2, total: 7, pageCount: 3 });
    expect(page2.entities.map((c: Code) => c.name)).toEqual(
      [...all.entities]
        .reverse()
        .slice(3, 6)
        .map((c: Code) => c.name),
    );
    expect(page2.nextUri).toContain('pageNumber=3');
    const issues = (await api('GET', '/api/v2/routing/wrapupcodes?name=*order%20issue')).json();
    expect(issues.entities.map((c: Code) => c.name).sort()).toEqual(
      emulator.fixture.wrapupCodes
        .filter((c) => c.name.endsWith('order issue'))
        .map((c) => c.name)
        .sort(),
    );
    expect((await api('GET', '/api/v2/routing/wrapupcodes?name=resolved')).json().entities).toHaveLength(1);
    const resolved = emulator.fixture.wrapupCodes.find((c) => c.name === 'Resolved')!;
    const byId = (await api('GET', `/api/v2/routing/wrapupcodes?id=${resolved.id}`)).json();
    expect(byId.entities.map((c: Code) => c.id)).toEqual([resolved.id]);
    expect((await api('GET', '/api/v2/routing/wrapupcodes?divisionId=elsewhere')).json().total).toBe(0);
    expect((await api('GET', `/api/v2/routing/wrapupcodes/${resolved.id}`)).json().name).toBe('Resolved');
    expectApiError(await api('GET', '/api/v2/routing/wrapupcodes/nope'), 404, 'not.found');
    expectApiError(await api('GET', '/api/v2/routing/wrapupcodes?pageSize=0'), 400, 'bad.request');
    expectApiError(await api('GET', '/api/v2/routing/wrapupcodes?sortBy=color'), 400, 'bad.request');
  });

  it("a queue lists its own codes; a participant's list (a bare array) is its queue's", async () => {
    const { api, queue, handled } = await setup();
    const shoes = (
      await api('GET', `/api/v2/routing/queues/${queue('Shoes Support').id}/wrapupcodes`)
    ).json();
    expect(shoes.entities.map((c: Code) => c.name)).toEqual([
      'Resolved',
      'Not resolved',
      'Follow-up required',
      'Customer left',
      'Shoes order issue',
    ]);
    const general = (
      await api('GET', `/api/v2/routing/queues/${queue('General').id}/wrapupcodes?pageSize=2`)
    ).json();
    expect(general).toMatchObject({ total: 4, pageCount: 2, pageSize: 2 });
    const named = await api(
      'GET',
      `/api/v2/routing/queues/${queue('Shoes Support').id}/wrapupcodes?name=shoes*`,
    );
    expect(named.json().entities.map((c: Code) => c.name)).toEqual(['Shoes order issue']);
    expectApiError(await api('GET', '/api/v2/routing/queues/nope/wrapupcodes'), 404, 'not.found');

    const { cid, pid } = await handled('Shoes Support');
    const offered = await api('GET', `/api/v2/conversations/messages/${cid}/participants/${pid}/wrapupcodes`);
    expect(offered.statusCode).toBe(200);
    expect(offered.json().map((c: Code) => c.id)).toEqual(shoes.entities.map((c: Code) => c.id));
    const generic = await api('GET', `/api/v2/conversations/${cid}/participants/${pid}/wrapupcodes`);
    expect(generic.json()).toEqual(offered.json());
    expectApiError(
      await api('GET', `/api/v2/conversations/chats/${cid}/participants/${pid}/wrapupcodes`),
      404,
      'not.found',
    );
    expectApiError(
      await api('GET', `/api/v2/conversations/messages/${cid}/participants/nope/wrapupcodes`),
      404,
      'not.found',
    );
    expectApiError(
      await api('GET', `/api/v2/conversations/messages/nope/participants/${pid}/wrapupcodes`),
      404,
      'not.found',
    );
  });

  it("PATCH wrapup takes one of the queue's code ids; a name or another queue's code is refused and changes nothing", async () => {
    const { api, emulator, handled } = await setup();
    const { cid, pid, path } = await handled('General');
    const code = (name: string) => emulator.fixture.wrapupCodes.find((c) => c.name === name)!.id!;
    const byName = await api('PATCH', path, { wrapup: { code: 'Resolved' } });
    expect(expectApiError(byName, 400, 'invalid.value').message).toContain(code('Resolved'));
    const otherQueue = await api('PATCH', path, { wrapup: { code: code('Shoes order issue') } });
    expectApiError(otherQueue, 400, 'invalid.value');
    const viaCommunication = await api(
      'POST',
      `/api/v2/conversations/messages/${cid}/participants/${pid}/communications/x/wrapup`,
      { code: 'Resolved' },
    );
    expectApiError(viaCommunication, 400, 'invalid.value');
    const leg = () => emulator.conversations.get(cid)!.participants.find((p) => p.id === pid)!;
    expect(leg().state).toBe('disconnected');
    expect(leg().wrapup).toBeUndefined();
    expect(emulator.events.ofType('participant.wrapup')).toEqual([]);

    expect(
      (await api('PATCH', path, { wrapup: { code: code('Customer left'), notes: 'gone' } })).statusCode,
    ).toBe(202);
    expect(leg()).toMatchObject({
      state: 'terminated',
      wrapup: { code: code('Customer left'), name: 'Customer left', notes: 'gone' },
    });
    const wire = (await api('GET', `/api/v2/conversations/${cid}`)).json();
    expect(wire.participants.find((p: { id: string }) => p.id === pid).wrapup).toMatchObject({
      code: code('Customer left'),
      name: 'Customer left',
    });
    expect(emulator.events.ofType('participant.wrapup').map((e) => e.data)).toEqual([
      expect.objectContaining({ code: code('Customer left'), name: 'Customer left', notes: 'gone' }),
    ]);
  });

  it('the agent as code wraps up by name (any case), or with the first code offered, as scenarios do', async () => {
    const emulator = await startEmulator();
    const dena = emulator.agent('Dena Lakin');
    await dena.goOnQueue();
    const first = emulator.customers.start({ queueName: 'Shoes Support', text: 'hello' });
    await dena.nextAlert();
    await dena.answer();
    await dena.disconnect();
    await dena.wrapUp('shoes ORDER issue', 'refund');
    const second = emulator.customers.start({ queueName: 'General', text: 'hi again' });
    await dena.nextAlert();
    await dena.answer();
    await dena.disconnect();
    await dena.wrapUp();
    const wrapup = (id: string) =>
      emulator.conversations.get(id)!.participants.find((p) => p.purpose === 'agent')!.wrapup;
    expect(wrapup(first.id)).toMatchObject({ name: 'Shoes order issue', notes: 'refund' });
    expect(wrapup(second.id)).toMatchObject({ name: 'Resolved' });
  });

  it('the fixture: codes with given or derived ids, per-queue lists checked at load, defaults when absent', async () => {
    const base = structuredClone(defaultFixture()) as unknown as FixtureInput;
    const { wrapupCodes: _drop, ...withoutCodes } = base as FixtureInput & { wrapupCodes?: unknown };
    const queues = (withoutCodes.queues ?? []).map(({ wrapupCodes: _w, ...q }) => q);
    const plain = parseFixtureSource({ ...withoutCodes, queues });
    expect(plain.wrapupCodes.map((c) => c.name)).toEqual([
      'Resolved',
      'Not resolved',
      'Follow-up required',
      'Customer left',
    ]);
    expect(() =>
      parseFixtureSource({ ...base, queues: [{ ...base.queues![0]!, wrapupCodes: ['No such code'] }] }),
    ).toThrow(/queues.*wrapupCodes.*No such code/s);
    expect(() =>
      parseFixtureSource({ ...base, wrapupCodes: [{ name: 'Same' }, { name: 'same' }], queues }),
    ).toThrow(/duplicate name/);
    const emulator = await startEmulator({
      fixture: parseFixtureSource({ ...withoutCodes, queues, wrapupCodes: [{ name: 'Only one' }] }),
    });
    const { api } = await setup(emulator);
    const listed = (await api('GET', '/api/v2/routing/wrapupcodes')).json().entities;
    expect(listed).toEqual([
      expect.objectContaining({ name: 'Only one', id: expect.stringMatching(/^[0-9a-f-]{36}$/) }),
    ]);
    // The derived id is stable: the same org and name give the same id in another run.
    const again = await startEmulator({
      fixture: parseFixtureSource({ ...withoutCodes, queues, wrapupCodes: [{ name: 'Only one' }] }),
    });
    const { api: api2 } = await setup(again);
    expect((await api2('GET', '/api/v2/routing/wrapupcodes')).json().entities[0].id).toBe(listed[0].id);
  });
});
