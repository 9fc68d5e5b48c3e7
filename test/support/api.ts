import { expect } from 'vitest';
import type { EmulatorDoors } from './emulators.ts';

/** The default fixture's org-level client and the agent clients, straight from the loaded fixture. */
export function clients(emulator: EmulatorDoors) {
  const fx = emulator.fixture;
  const org = fx.clients.find((c) => c.user === undefined)!;
  const agents = fx.clients.filter((c) => c.user !== undefined);
  return { org, agents };
}

export function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
}

/** Logs a client in through /oauth/token (inject) and returns its bearer header. */
export async function bearerFor(
  emulator: EmulatorDoors,
  client: { id: string; secret: string },
): Promise<string> {
  const res = await emulator.inject({
    method: 'POST',
    url: '/oauth/token',
    headers: {
      authorization: basic(client.id, client.secret),
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: 'grant_type=client_credentials',
  });
  expect(res.statusCode, res.body).toBe(200);
  return `Bearer ${res.json().access_token}`;
}

/** Asserts a Genesys ErrorBody with this status and code; prints the body when it fails. */
export function expectApiError(
  res: { statusCode: number; body: string; headers: Record<string, unknown> },
  status: number,
  code: string,
) {
  expect(res.statusCode, res.body).toBe(status);
  const body = JSON.parse(res.body);
  expect(body, res.body).toMatchObject({
    status,
    code,
    message: expect.any(String),
    contextId: expect.any(String),
  });
  expect(res.headers['inin-correlation-id']).toBe(body.contextId);
  return body;
}
