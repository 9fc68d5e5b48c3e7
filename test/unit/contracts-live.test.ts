import { describe, expect, it } from 'vitest';
import { parseLiveConfig } from '../../contracts/live/config.ts';
import { LiveWorld } from '../../contracts/live/live-world.ts';
import { selectInteractions } from '../../contracts/live/select-interactions.ts';
import { STATES } from '../../contracts/states.ts';

/** Live contract verification's configuration (environment only) and which interactions it can run. */
const MESSENGER = 'a2b3c4d5-e6f7-4809-9a1b-2c3d4e5f6a7b';
const WEBCHAT = '6b1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f';
const ORG = '3f0c9a52-7d1e-4b8a-9c2f-5e6d7a8b9c01';

const ready = {
  GENESYS_LOGIN_URL: 'https://login.mypurecloud.ie',
  GENESYS_MESSENGER_DEPLOYMENT_ID: MESSENGER,
  GENESYS_QUEUE_NAME: 'Support',
};

describe('parseLiveConfig', () => {
  it('skips, saying why, when no org is named', () => {
    expect(parseLiveConfig({})).toEqual({
      status: 'skipped',
      reason: expect.stringContaining('GENESYS_LOGIN_URL is not set'),
    });
    expect(parseLiveConfig({ GENESYS_LOGIN_URL: '  ' })).toMatchObject({ status: 'skipped' });
  });

  it('skips when no deployment is named', () => {
    const result = parseLiveConfig({
      GENESYS_LOGIN_URL: 'https://login.mypurecloud.ie',
      GENESYS_QUEUE_NAME: 'Q',
    });
    expect(result).toEqual({
      status: 'skipped',
      reason: expect.stringMatching(/GENESYS_MESSENGER_DEPLOYMENT_ID.*GENESYS_WEBCHAT_DEPLOYMENT_ID/),
    });
  });

  it('derives the region hosts from the login URL', () => {
    const result = parseLiveConfig(ready);
    expect(result).toEqual({
      status: 'ready',
      config: {
        hosts: expect.objectContaining({
          apiBase: 'https://api.mypurecloud.ie',
          webMessagingUrl: 'wss://webmessaging.mypurecloud.ie/v1',
        }),
        messengerDeploymentId: MESSENGER,
        queueName: 'Support',
      },
    });
  });

  it('takes the optional agent token, origin and WebChat deployment', () => {
    const result = parseLiveConfig({
      ...ready,
      GENESYS_WEBCHAT_DEPLOYMENT_ID: WEBCHAT,
      GENESYS_ORG_ID: ORG,
      GENESYS_AGENT_TOKEN: 'agent-token',
      GENESYS_ORIGIN: 'https://shop.example.com',
    });
    expect(result).toMatchObject({
      status: 'ready',
      config: {
        webChatDeploymentId: WEBCHAT,
        organizationId: ORG,
        agentToken: 'agent-token',
        origin: 'https://shop.example.com',
      },
    });
  });

  it('names every problem of a half-configured run', () => {
    const result = parseLiveConfig({
      GENESYS_LOGIN_URL: 'https://api.mypurecloud.ie',
      GENESYS_WEBCHAT_DEPLOYMENT_ID: 'not-a-uuid',
      GENESYS_ORIGIN: 'shop.example.com',
    });
    expect(result.status).toBe('invalid');
    const problems = result.status === 'invalid' ? result.problems.join('\n') : '';
    expect(problems).toContain('GENESYS_LOGIN_URL');
    expect(problems).toContain('GENESYS_QUEUE_NAME is required');
    expect(problems).toContain('GENESYS_ORG_ID is required');
    expect(problems).toContain('GENESYS_WEBCHAT_DEPLOYMENT_ID must be a Genesys id');
    expect(problems).toContain('GENESYS_ORIGIN');
  });

  it('refuses an emulator URL: npm test verifies the emulator already', () => {
    const result = parseLiveConfig({ ...ready, GENESYS_LOGIN_URL: 'http://127.0.0.1:8080' });
    expect(result).toEqual({ status: 'invalid', problems: [expect.stringContaining('emulator')] });
  });
});

describe('selectInteractions', () => {
  const pact = {
    consumer: { name: 'c' },
    interactions: [
      { description: 'configure', providerStates: [{ name: STATES.guestSession }] },
      {
        description: 'agent text',
        providerStates: [{ name: STATES.guestSession }, { name: STATES.messageSaid }],
      },
      { description: 'expiry', providerStates: [{ name: STATES.sessionExpired }] },
      { description: 'unknown', providerStates: [{ name: 'a state nobody declared' }] },
    ],
  };

  it('keeps what a live org without an agent token can do, and says why the rest is skipped', () => {
    const parsed = parseLiveConfig(ready);
    if (parsed.status !== 'ready') throw new Error('the ready configuration did not parse');
    const world = new LiveWorld(parsed.config);
    const { pact: kept, skipped } = selectInteractions(pact, (state) => world.unsupported(state));
    expect(kept.interactions.map((i) => i.description)).toEqual(['configure']);
    expect(kept.consumer).toEqual({ name: 'c' });
    expect(skipped).toEqual([
      { description: 'agent text', reason: expect.stringContaining('GENESYS_AGENT_TOKEN') },
      { description: 'expiry', reason: expect.stringContaining('lifetime') },
      { description: 'unknown', reason: expect.stringContaining('not one of contracts/states.ts') },
    ]);
  });

  it('keeps agent interactions once an agent token is given', () => {
    const parsed = parseLiveConfig({ ...ready, GENESYS_AGENT_TOKEN: 'agent-token' });
    if (parsed.status !== 'ready') throw new Error('the configuration did not parse');
    const world = new LiveWorld(parsed.config);
    const { pact: kept } = selectInteractions(pact, (state) => world.unsupported(state));
    expect(kept.interactions.map((i) => i.description)).toEqual(['configure', 'agent text']);
  });
});
