import { describe, expect, it } from 'vitest';
import { bearerFor, clients, expectApiError } from '../support/api.ts';
import { startEmulator } from '../support/emulators.ts';
import type { Wire } from '../support/webmessaging.ts';

/**
 * Three conversations a minute apart: one in Sports Support answered by Mia and wrapped up, one in
 * General answered by Alda and still live, one waiting in Shoes Support (nobody there on queue).
 */
async function setup() {
  const emulator = await startEmulator();
  const auth = await bearerFor(emulator, clients(emulator).org);
  const post = (url: string, payload: unknown) =>
    emulator.inject({ method: 'POST', url, headers: { authorization: auth }, payload: payload as object });
  const get = (url: string) => emulator.inject({ method: 'GET', url, headers: { authorization: auth } });
  const queue = (name: string) => emulator.fixture.queues.find((q) => q.name === name)!.id;
  const start = emulator.clock.now();
  const mia = emulator.agent('Mia Welch');
  await mia.goOnQueue();
  const sports = emulator.customers.start({
    queueName: 'Sports Support',
    text: 'bike',
    attributes: { tier: 'gold' },
  });
  await mia.nextAlert();
  await emulator.clock.advance(2_000);
  await mia.answer();
  await emulator.clock.advance(10_000);
  await mia.disconnect();
  const resolved = emulator.fixture.wrapupCodes.find((c) => c.name === 'Resolved')!.id!;
  await mia.wrapUp(resolved, 'fixed');
  await mia.goOffQueue();
  await emulator.clock.advance(48_000);
  const alda = emulator.agent('Alda Moore');
  await alda.goOnQueue();
  const general = emulator.customers.start({ queueName: 'General', text: 'hello' });
  await alda.nextAlert();
  await alda.answer();
  await emulator.clock.advance(60_000);
  const shoes = emulator.customers.start({ queueName: 'Shoes Support', text: 'shoes' });
  const interval = `${new Date(start - 3_600_000).toISOString()}/${new Date(start + 3_600_000).toISOString()}`;
  const query = async (body: Wire) => {
    const res = await post('/api/v2/analytics/conversations/details/query', { interval, ...body });
    expect(res.statusCode, res.body).toBe(200);
    return res.json() as Wire;
  };
  const ids = (answer: Wire) => (answer.conversations ?? []).map((c: Wire) => c.conversationId);
  return {
    emulator,
    post,
    get,
    queue,
    interval,
    query,
    ids,
    sports: sports.id,
    general: general.id,
    shoes: shoes.id,
    resolved,
    start,
  };
}

describe('analytics conversation details: query, GET, jobs', () => {
  it('the query pages and orders the conversations of the interval, with totalHits', async () => {
    const { query, ids, sports, general, shoes, emulator } = await setup();
    expect(ids(await query({}))).toEqual([sports, general, shoes]);
    const desc = await query({ order: 'desc', paging: { pageSize: 2, pageNumber: 1 } });
    expect(desc.totalHits).toBe(3);
    expect(ids(desc)).toEqual([shoes, general]);
    expect(ids(await query({ order: 'desc', paging: { pageSize: 2, pageNumber: 2 } }))).toEqual([sports]);
    // Past the last page: no `conversations` at all, as real answers leave it out.
    expect(await query({ paging: { pageSize: 2, pageNumber: 3 } })).toEqual({ totalHits: 3 });
    // conversationEnd: only the ended one has it; it sorts first, live ones last.
    expect(ids(await query({ orderBy: 'conversationEnd' }))[0]).toBe(sports);
    expect(ids(await query({ order: 'unordered' })).sort()).toEqual([sports, general, shoes].sort());
    const later = `${new Date(emulator.clock.now() + 60_000).toISOString()}/${new Date(emulator.clock.now() + 120_000).toISOString()}`;
    expect(await query({ interval: later })).toEqual({ totalHits: 0 });
  });

  it('segment and conversation filters select on the dimensions Genesys names', async () => {
    const { query, ids, queue, sports, general, shoes, resolved } = await setup();
    const segment = (type: 'and' | 'or', predicates: Wire[], clauses?: Wire[]) => ({
      segmentFilters: [{ type, predicates, ...(clauses ? { clauses } : {}) }],
    });
    expect(
      ids(await query(segment('and', [{ dimension: 'queueId', value: queue('Shoes Support') }]))),
    ).toEqual([shoes]);
    // Predicates of one filter must hold on the same segment: Mia's wrap-up in Sports Support.
    expect(
      ids(
        await query(
          segment('and', [
            { dimension: 'segmentType', value: 'wrapup' },
            { dimension: 'wrapUpCode', value: resolved },
          ]),
        ),
      ),
    ).toEqual([sports]);
    expect(
      ids(
        await query(
          segment('and', [
            { dimension: 'purpose', value: 'Agent' }, // case folded, as Genesys's own example filters
            { dimension: 'queueId', value: queue('Shoes Support') },
          ]),
        ),
      ),
    ).toEqual([]);
    const either = segment(
      'or',
      [],
      [
        { type: 'and', predicates: [{ dimension: 'queueId', value: queue('General') }] },
        { type: 'and', predicates: [{ dimension: 'wrapUpNote', value: 'fixed' }] },
      ],
    );
    expect(ids(await query(either))).toEqual([sports, general]);
    expect(ids(await query(segment('and', [{ dimension: 'wrapUpCode', operator: 'exists' }])))).toEqual([
      sports,
    ]);
    // A segment of 12 s: the agent's interact in Sports Support (alert 2 s, talk 10 s).
    const long = segment('and', [
      { dimension: 'purpose', value: 'agent' },
      { metric: 'tSegmentDuration', range: { gte: 10_000, lt: 11_000 } },
    ]);
    expect(ids(await query(long))).toEqual([sports]);
    const conversation = (predicates: Wire[]) => ({ conversationFilters: [{ type: 'and', predicates }] });
    expect(ids(await query(conversation([{ dimension: 'conversationId', value: general }])))).toEqual([
      general,
    ]);
    expect(ids(await query(conversation([{ dimension: 'conversationEnd', operator: 'notExists' }])))).toEqual(
      [general, shoes],
    );
    expect(
      ids(await query(conversation([{ dimension: 'customerParticipation', value: 'true' }]))),
    ).toHaveLength(3);
  });

  it('a conversation in detail: participants, sessions, segments and metrics, without Participant Data', async () => {
    const { get, queue, sports, resolved, emulator } = await setup();
    const res = await get(`/api/v2/analytics/conversations/${sports}/details`);
    expect(res.statusCode).toBe(200);
    const detail = res.json();
    expect(detail).toMatchObject({
      conversationId: sports,
      originatingDirection: 'inbound',
      customerParticipation: true,
      divisionIds: [expect.any(String)],
      conversationStart: expect.any(String),
      conversationEnd: expect.any(String),
    });
    expect(detail.participants.map((p: Wire) => p.purpose)).toEqual(['customer', 'acd', 'agent']);
    const [customer, acd, agent] = detail.participants;
    expect(customer.sessions[0]).toMatchObject({
      mediaType: 'message',
      messageType: 'webmessaging',
      direction: 'inbound',
    });
    expect(customer.sessions[0].segments).toEqual([
      expect.objectContaining({
        segmentType: 'interact',
        queueId: queue('Sports Support'),
        disconnectType: 'peer',
      }),
    ]);
    expect(acd).toMatchObject({ participantName: 'Sports Support' });
    expect(acd.sessions[0].segments[0]).toMatchObject({
      segmentType: 'interact',
      disconnectType: 'transfer',
    });
    expect(agent.sessions[0].segments.map((s: Wire) => s.segmentType)).toEqual([
      'alert',
      'interact',
      'wrapup',
    ]);
    expect(agent.sessions[0].segments[2]).toMatchObject({ wrapUpCode: resolved, wrapUpNote: 'fixed' });
    const metrics = Object.fromEntries(agent.sessions[0].metrics.map((m: Wire) => [m.name, m.value]));
    expect(metrics).toMatchObject({ tAlert: 2_000, tTalk: 10_000, tAcw: 0, tHandle: 10_000 });
    expect(JSON.stringify(detail)).not.toContain('"attributes"');
    expect(detail.participants.some((p: Wire) => 'attributes' in p)).toBe(false);
    // The conversation's end is its last segment's end (the wrap-up, here at the disconnect's time).
    expect(detail.conversationEnd).toBe(agent.sessions[0].segments[2].segmentEnd);
    void emulator;

    const several = await get(`/api/v2/analytics/conversations/details?id=${sports},nope`);
    expect(several.json().conversations.map((c: Wire) => c.conversationId)).toEqual([sports]);
    expectApiError(await get('/api/v2/analytics/conversations/nope/details'), 404, 'not.found');
    expectApiError(await get('/api/v2/analytics/conversations/details'), 400, 'bad.request');
  });

  it('refuses bad queries with Genesys errors', async () => {
    const { post, start } = await setup();
    const url = '/api/v2/analytics/conversations/details/query';
    const day = 24 * 3600 * 1000;
    const iso = (ms: number) => new Date(ms).toISOString();
    const refuse = async (body: Wire, fragment?: string) => {
      const error = expectApiError(await post(url, body), 400, 'bad.request');
      if (fragment) expect(error.message).toContain(fragment);
    };
    await refuse({}, 'interval');
    await refuse({ interval: 'yesterday' }, 'interval');
    await refuse({ interval: `${iso(start)}/${iso(start - 1)}` }, 'after the start');
    await refuse({ interval: `${iso(start)}/${iso(start + 8 * day)}` }, '7 days');
    const filtered = {
      segmentFilters: [{ type: 'and', predicates: [{ dimension: 'purpose', value: 'agent' }] }],
    };
    expect(
      (await post(url, { interval: `${iso(start)}/${iso(start + 8 * day)}`, ...filtered })).statusCode,
    ).toBe(200);
    await refuse({ interval: `${iso(start)}/${iso(start + 32 * day)}`, ...filtered }, '31 days');
    const interval = `${iso(start)}/${iso(start + day)}`;
    await refuse({
      interval,
      segmentFilters: [{ type: 'and', predicates: [{ dimension: 'colour', value: 'x' }] }],
    });
    await refuse({ interval, segmentFilters: [{ type: 'xor', predicates: [] }] });
    await refuse({ interval, segmentFilters: [{ type: 'and', predicates: [{ dimension: 'purpose' }] }] });
    await refuse(
      {
        interval,
        segmentFilters: [{ type: 'and', predicates: [{ type: 'property', property: 'p', value: 'v' }] }],
      },
      'property',
    );
    await refuse(
      { interval, aggregations: [{ type: 'termFrequency', dimension: 'wrapUpCode' }] },
      'aggregations',
    );
    await refuse({ interval, evaluationFilters: [{ type: 'and' }] }, 'evaluation');
    await refuse({ interval, paging: { pageSize: 201, pageNumber: 1 } });
    await refuse({ interval, order: 'sideways' });
  });

  it('a details job is QUEUED, PENDING, then FULFILLED on the emulator clock; its results page and carry Participant Data', async () => {
    const { post, get, emulator, interval, sports, general, shoes } = await setup();
    const submitted = await post('/api/v2/analytics/conversations/details/jobs', { interval });
    expect(submitted.statusCode).toBe(202);
    const { jobId } = submitted.json();
    const status = async () => (await get(`/api/v2/analytics/conversations/details/jobs/${jobId}`)).json();
    expect(await status()).toMatchObject({
      state: 'QUEUED',
      submissionDate: expect.any(String),
      expirationDate: expect.any(String),
    });
    expectApiError(
      await get(`/api/v2/analytics/conversations/details/jobs/${jobId}/results`),
      400,
      'bad.request',
    );
    await emulator.clock.advance(500);
    expect((await status()).state).toBe('PENDING');
    // A message after submission but before completion is in the results; one after completion is not.
    emulator.customers.say(general, 'still there?');
    await emulator.clock.advance(1_500);
    expect(await status()).toMatchObject({ state: 'FULFILLED', completionDate: expect.any(String) });
    await emulator.clock.advance(1);
    const later = emulator.customers.start({ queueName: 'General', text: 'too late' });
    const first = (
      await get(`/api/v2/analytics/conversations/details/jobs/${jobId}/results?pageSize=2`)
    ).json();
    expect(first.conversations.map((c: Wire) => c.conversationId)).toEqual([sports, general]);
    expect(first.cursor).toEqual(expect.any(String));
    expect(first.dataAvailabilityDate).toBe((await status()).completionDate);
    const customer = first.conversations[0].participants.find((p: Wire) => p.purpose === 'customer');
    expect(customer.attributes).toEqual({ tier: 'gold' });
    const second = (
      await get(
        `/api/v2/analytics/conversations/details/jobs/${jobId}/results?pageSize=2&cursor=${first.cursor}`,
      )
    ).json();
    expect(second.conversations.map((c: Wire) => c.conversationId)).toEqual([shoes]);
    expect(second.cursor).toBeUndefined();
    expect(JSON.stringify([first, second])).not.toContain(later.id);
    const generalCustomer = first.conversations[1].participants.find((p: Wire) => p.purpose === 'customer');
    expect(generalCustomer.sessions[0].segments[0].segmentEnd).toBeUndefined(); // still live at completion

    expectApiError(
      await get(`/api/v2/analytics/conversations/details/jobs/${jobId}/results?cursor=bogus`),
      400,
      'bad.request',
    );
    expectApiError(await get('/api/v2/analytics/conversations/details/jobs/nope'), 404, 'not.found');
    expectApiError(
      await post('/api/v2/analytics/conversations/details/jobs', { interval: 'bad' }),
      400,
      'bad.request',
    );

    const limited = (
      await post('/api/v2/analytics/conversations/details/jobs', { interval, limit: 1 })
    ).json();
    const cancelled = (await post('/api/v2/analytics/conversations/details/jobs', { interval })).json();
    const del = await emulator.inject({
      method: 'DELETE',
      url: `/api/v2/analytics/conversations/details/jobs/${cancelled.jobId}`,
      headers: { authorization: await bearerFor(emulator, clients(emulator).org) },
    });
    expect(del.statusCode).toBe(204);
    await emulator.clock.advance(2_000);
    expect((await get(`/api/v2/analytics/conversations/details/jobs/${cancelled.jobId}`)).json().state).toBe(
      'CANCELLED',
    );
    const one = (await get(`/api/v2/analytics/conversations/details/jobs/${limited.jobId}/results`)).json();
    expect(one.conversations).toHaveLength(1);
  });
});
