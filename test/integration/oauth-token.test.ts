import { describe, expect, it } from 'vitest';
import { basic, clients } from '../support/api.ts';
import { injectableEmulator } from '../support/emulators.ts';

const FORM = { 'content-type': 'application/x-www-form-urlencoded' };

describe('POST /oauth/token', () => {
  it('issues a bearer token for Basic credentials, with the lifetime of the client', async () => {
    const emulator = await injectableEmulator();
    const { org } = clients(emulator);
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: basic(org.id, org.secret) },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 86400 });
    expect(emulator.events.ofType('token.issued')).toHaveLength(1);
  });

  it('accepts client_id and client_secret as form fields', async () => {
    const emulator = await injectableEmulator();
    const { org } = clients(emulator);
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: FORM,
      payload: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: org.id,
        client_secret: org.secret,
      }).toString(),
    });
    expect(res.statusCode).toBe(200);
  });

  it.each([
    ['missing grant', 'client_id=a', undefined, 400, 'invalid_request'],
    ['unknown grant', 'grant_type=password', undefined, 400, 'unsupported_grant_type'],
    ['malformed Basic header', 'grant_type=client_credentials', 'Basic !!!', 400, 'invalid_request'],
    [
      'Basic header without a colon',
      'grant_type=client_credentials',
      `Basic ${Buffer.from('abc').toString('base64')}`,
      400,
      'invalid_request',
    ],
    ['no client at all', 'grant_type=client_credentials', undefined, 401, 'invalid_client'],
    ['unknown client', 'grant_type=client_credentials', basic('nobody', 'x'), 401, 'invalid_client'],
    ['repeated grant_type', 'grant_type=client_credentials&grant_type=x', undefined, 400, 'invalid_request'],
  ])('%s gets an OAuth error body', async (_name, payload, authorization, status, error) => {
    const emulator = await injectableEmulator();
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, ...(authorization ? { authorization } : {}) },
      payload,
    });
    expect(res.statusCode, res.body).toBe(status);
    expect(res.json()).toEqual({
      error,
      description: expect.any(String),
      error_description: expect.any(String),
    });
  });

  it('answers invalid_client with 400 when the fidelity switch says so', async () => {
    const emulator = await injectableEmulator({ fidelity: { oauthInvalidClientStatus: 400 } });
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { ...FORM, authorization: basic('nobody', 'x') },
      payload: 'grant_type=client_credentials',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_client');
  });

  it('ignores a JSON body: the grant must be form-encoded', async () => {
    const emulator = await injectableEmulator();
    const { org } = clients(emulator);
    const res = await emulator.inject({
      method: 'POST',
      url: '/oauth/token',
      headers: { authorization: basic(org.id, org.secret), 'content-type': 'application/json' },
      payload: JSON.stringify({ grant_type: 'client_credentials' }),
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toBe('invalid_request');
  });
});
