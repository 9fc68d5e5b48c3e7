import { decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { expectApiError } from '../support/api.ts';
import { type EmulatorDoors, startEmulator } from '../support/emulators.ts';
import { createBody, GUEST_BASE, guestRequest, is, openStream, webchatFixture } from '../support/webchat.ts';
import { stateMark, type WhiteBoxEmulator, whiteBoxEmulator } from '../support/white-box.ts';

/** Creating a chat: the deployment decides, the routing target is checked, the JWT is shaped like Genesys's. */

function create(emulator: EmulatorDoors, payload: unknown) {
  return guestRequest(emulator, {
    method: 'POST',
    url: GUEST_BASE,
    payload: payload as Record<string, unknown>,
  });
}

/** White-box: "changing nothing" includes the surface's own table of chats, which no public door shows. */
async function refused(emulator: WhiteBoxEmulator, payload: unknown, status: number, code: string) {
  const mark = stateMark(emulator);
  const body = expectApiError(await create(emulator, payload), status, code);
  mark.expectUnchanged();
  return body;
}

const memberToken = (expSeconds: number) =>
  new SignJWT({ sub: 'customer-7' })
    .setProtectedHeader({ alg: 'HS256' })
    .setExpirationTime(expSeconds)
    .sign(new TextEncoder().encode('the org signs these with its own key'));

describe('creating a guest chat', () => {
  it('returns the conversation id, a Genesys-shaped RS256 JWT and the stream URI carrying it', async () => {
    const emulator = await startEmulator();
    const res = await create(emulator, createBody(emulator));
    expect(res.statusCode, res.body).toBe(200);
    const chat = res.json();
    expect(Object.keys(chat).sort()).toEqual(['eventStreamUri', 'id', 'jwt', 'member']);
    expect(chat.member).toEqual({ id: expect.any(String) });
    expect(chat.eventStreamUri).toBe(`ws://127.0.0.1:${emulator.port}/v1/token/${chat.jwt}`);

    expect(decodeProtectedHeader(chat.jwt)).toEqual({ alg: 'RS256', kid: expect.any(String), typ: 'JWT' });
    const claims = decodeJwt(chat.jwt);
    const fx = emulator.fixture;
    expect(claims).toEqual({
      data: { conv: chat.id, did: fx.deployments.webchat[0]!.id, sub: chat.member.id },
      iss: 'urn:purecloud:webchat',
      org: fx.org.id,
      iat: emulator.clock.now() / 1000,
      exp: emulator.clock.now() / 1000 + 24 * 3600,
    });
    // The guest member id is the customer's chat communication, as agents see it.
    const customer = emulator.conversations.get(chat.id)!.participants[0]!;
    expect(customer).toMatchObject({
      purpose: 'customer',
      communicationId: chat.member.id,
      name: 'Jane Guest',
    });
    expect(emulator.conversations.get(chat.id)).toMatchObject({
      mediaType: 'chat',
      channel: 'webchat',
    });
  });

  it('accepts the lower-case targetType real clients send and ignores keys outside the model', async () => {
    const emulator = await startEmulator();
    const body = createBody(emulator);
    const res = await create(emulator, {
      ...body,
      routingTarget: {
        targetType: 'queue',
        targetAddress: 'general',
        skills: ['Billing'],
        language: 'English',
      },
      memberInfo: { displayName: 'Jane', profileImageUrl: 'https://example.com/a.png', firstName: null },
      journeyContext: { customer: { id: 'c1', idType: 'cookie' } },
    });
    expect(res.statusCode, res.body).toBe(200);
  });

  it('refuses an unknown deployment, a deployment of another org and a disabled one, changing nothing', async () => {
    const emulator = await whiteBoxEmulator({ fixture: webchatFixture() });
    const body = createBody(emulator);
    const unknown = await refused(
      emulator,
      { ...body, deploymentId: 'no-such-deployment' },
      404,
      'not.found',
    );
    expect(unknown.details).toEqual([expect.objectContaining({ fieldName: 'deploymentId' })]);
    const wrongOrg = await refused(emulator, { ...body, organizationId: 'another-org' }, 404, 'not.found');
    expect(wrongOrg.details).toEqual([expect.objectContaining({ fieldName: 'organizationId' })]);
    await refused(emulator, { ...body, deploymentId: 'webchat-disabled' }, 400, 'chat.deployment.disabled');
  });

  it('on a deployment that requires authentication, asks for memberAuthToken and checks it', async () => {
    const emulator = await whiteBoxEmulator({ fixture: webchatFixture() });
    const body = { ...createBody(emulator), deploymentId: 'webchat-auth' };
    const now = emulator.clock.now() / 1000;
    await refused(emulator, body, 400, 'chat.deployment.require.auth');
    await refused(emulator, { ...body, memberAuthToken: 'not-a-jwt' }, 400, 'chat.deployment.bad.auth');
    const expired = await memberToken(now - 1);
    await refused(emulator, { ...body, memberAuthToken: expired }, 400, 'chat.deployment.bad.auth');

    const res = await create(emulator, { ...body, memberAuthToken: await memberToken(now + 600) });
    expect(res.statusCode, res.body).toBe(200);
    const chat = res.json();
    const self = await guestRequest(emulator, {
      url: `${GUEST_BASE}/${chat.id}/members/${chat.member.id}`,
      headers: { authorization: `Bearer ${chat.jwt}` },
    });
    expect(self.json()).toMatchObject({ role: 'CUSTOMER', authenticatedGuest: true });
  });

  it('refuses a missing displayName, a bad routing target and an unknown queue with their codes', async () => {
    const emulator = await whiteBoxEmulator();
    const body = createBody(emulator);
    const noName = await refused(emulator, { ...body, memberInfo: {} }, 400, 'bad.request');
    expect(noName.details).toEqual([expect.objectContaining({ fieldName: 'memberInfo.displayName' })]);
    await refused(emulator, { ...body, memberInfo: { displayName: '   ' } }, 400, 'bad.request');
    await refused(emulator, { ...body, memberInfo: undefined }, 400, 'bad.request');
    const routing = 'chat.error.createconversationrequest.routingtarget';
    await refused(emulator, { ...body, routingTarget: undefined }, 400, routing);
    await refused(
      emulator,
      { ...body, routingTarget: { targetType: 'USER', targetAddress: 'General' } },
      400,
      routing,
    );
    await refused(emulator, { ...body, routingTarget: { targetType: 'QUEUE' } }, 400, routing);
    await refused(
      emulator,
      { ...body, routingTarget: { targetType: 'QUEUE', targetAddress: 'No Such Queue' } },
      400,
      'chat.error.invalid.queue',
    );
    const badJson = await guestRequest(emulator, {
      method: 'POST',
      url: GUEST_BASE,
      headers: { 'content-type': 'application/json' },
      payload: '{"organizationId": ',
    });
    expectApiError(badJson, 400, 'bad.request');
  });

  it("runs the deployment's inbound chat flow once the stream attaches; the guest sees the flow and the queue", async () => {
    const emulator = await startEmulator({ fixture: webchatFixture() });
    const fx = emulator.fixture;
    const mia = fx.users.find((u) => u.name === 'Mia Welch')!;
    await emulator.agent(mia.id).goOnQueue();
    const res = await create(emulator, {
      ...createBody(emulator, { customFields: { QueueName: 'Sports Support' } }),
      deploymentId: 'webchat-flow',
    });
    const chat = res.json();
    expect(emulator.events.list({ conversationId: chat.id, type: ['flow.run'] })).toEqual([]);

    const guest = await openStream(chat.eventStreamUri);
    const conversation = () => emulator.conversations.get(chat.id)!;
    const workflow = await guest.frames.next(
      (f) => is.memberChange(f) && f.eventBody.member!.id !== chat.member.id,
      'the flow member',
    );
    const greeting = await guest.frames.next(is.text('Connecting you to Sports Support'), 'the greeting');
    expect(greeting.eventBody.sender!.id).toBe(workflow.eventBody.member!.id);
    await guest.frames.next(is.member(workflow.eventBody.member!.id, 'DISCONNECTED'), 'the flow leaving');
    const queued = await guest.frames.next(
      (f) => is.memberChange(f) && f.eventBody.member!.state === 'CONNECTED',
    );
    await guest.frames.next((f) => is.memberChange(f) && f.eventBody.member!.state === 'ALERTING', 'Mia');

    const roles = conversation().participants.map((p) => `${p.purpose}:${p.state}`);
    expect(roles).toEqual(['customer:connected', 'workflow:disconnected', 'acd:connected', 'agent:alerting']);
    const auth = { authorization: `Bearer ${chat.jwt}` };
    const member = (id: string) =>
      guestRequest(emulator, { url: `${GUEST_BASE}/${chat.id}/members/${id}`, headers: auth }).then((r) =>
        r.json(),
      );
    expect(await member(workflow.eventBody.member!.id)).toMatchObject({
      role: 'WORKFLOW',
      state: 'DISCONNECTED',
    });
    expect(await member(queued.eventBody.member!.id)).toMatchObject({
      role: 'ACD',
      displayName: 'Sports Support',
    });
  });

  it('a flow that finds no queue disconnects: the guest sees its own DISCONNECTED and the stream closes', async () => {
    const emulator = await startEmulator({ fixture: webchatFixture() });
    const res = await create(emulator, {
      ...createBody(emulator, { customFields: { QueueName: 'Nowhere' } }),
      deploymentId: 'webchat-flow',
    });
    const chat = res.json();
    const guest = await openStream(chat.eventStreamUri);
    await guest.frames.next(is.member(chat.member.id, 'DISCONNECTED'), 'the guest DISCONNECTED');
    expect(await guest.closed).toMatchObject({ code: 1000 });
    expect(emulator.conversations.get(chat.id)!.endTime).toBeDefined();
  });
});
