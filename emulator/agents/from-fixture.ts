import type { Fixture } from '../config/fixture-schema.ts';
import { Agent, type AgentOptions } from './agent.ts';

/**
 * An agent of a fixture's org, by user name (or id): the user and the OAuth client bound to them, with
 * a directory of the org's other users for transfers by name. Throws naming the org's agents when there
 * is no such user, or when no client lets the user log in.
 */
export function agentFromFixture(
  fixture: Fixture,
  nameOrId: string,
  options: Omit<AgentOptions, 'userId' | 'name' | 'client' | 'userIdOf'>,
): Agent {
  const user = fixture.users.find((u) => u.name === nameOrId) ?? fixture.users.find((u) => u.id === nameOrId);
  if (!user) {
    const names = fixture.users.map((u) => u.name).join(', ');
    throw new Error(`no agent named "${nameOrId}" in the org; its agents are: ${names}`);
  }
  const client = fixture.clients.find((c) => c.user === user.id);
  if (!client)
    throw new Error(`no OAuth client is bound to ${user.name} in the fixture, so they cannot log in`);
  return new Agent({
    ...options,
    userId: user.id,
    name: user.name,
    client,
    userIdOf: (name) => fixture.users.find((u) => u.name === name)?.id,
  });
}
