import { describe, expect, it } from 'vitest';
import { clients } from '../support/api.ts';
import { startEmulator } from '../support/emulators.ts';
import { platformSdk } from '../support/platform-sdk.ts';

describe('the official purecloud-platform-client-v2 SDK against the emulator', () => {
  it('logs in with a default-fixture client and finds a queue by name', async () => {
    const emulator = await startEmulator();
    const { platformClient, client } = platformSdk(emulator);
    const { org } = clients(emulator);

    const login = await client.loginClientCredentialsGrant(org.id, org.secret);
    expect(login.accessToken).toEqual(expect.any(String));

    const general = emulator.fixture.queues.find((q) => q.name === 'General')!;
    const listing = await new platformClient.RoutingApi().getRoutingQueues({ name: 'General' });
    expect(listing.entities?.map((q) => ({ id: q.id, name: q.name }))).toEqual([
      { id: general.id, name: 'General' },
    ]);
    expect(listing.total).toBe(1);

    const orgMe = await new platformClient.OrganizationApi().getOrganizationsMe();
    expect(orgMe.id).toBe(emulator.fixture.org.id);
  });

  it('gets a Genesys-shaped 401 for a wrong secret', async () => {
    const emulator = await startEmulator();
    const { client } = platformSdk(emulator);
    const { org } = clients(emulator);

    const failure = await client.loginClientCredentialsGrant(org.id, 'not-the-secret').then(
      () => undefined,
      (e: { response?: { status: number; data: unknown } }) => e,
    );
    // The SDK rejects a failed login with the raw axios error (platform-architect.md §1.1).
    expect(failure?.response?.status).toBe(401);
    expect(failure?.response?.data).toEqual({
      error: 'invalid_client',
      description: 'authentication failed',
      error_description: 'authentication failed',
    });
  });

  it('fails with credentials.expired once the clock passes expires_in', async () => {
    const emulator = await startEmulator();
    const { platformClient, client } = platformSdk(emulator);
    const agent = clients(emulator).agents[0]!;

    await client.loginClientCredentialsGrant(agent.id, agent.secret);
    const users = new platformClient.UsersApi();
    const me = await users.getUsersMe();
    expect(me.id).toBe(agent.user);

    await emulator.clock.advance(agent.accessTokenValiditySeconds * 1000 - 1);
    await expect(users.getUsersMe()).resolves.toMatchObject({ id: agent.user });

    await emulator.clock.advance(1);
    // For API calls the SDK rejects with the parsed Genesys error body.
    await expect(users.getUsersMe()).rejects.toMatchObject({ status: 401, code: 'credentials.expired' });
  });
});
