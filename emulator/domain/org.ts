import type {
  Fixture,
  FixtureClient,
  FixtureQueue,
  FixtureUser,
  MessengerDeployment,
  WebChatDeployment,
} from '../config/fixture-schema.ts';

/**
 * Read-only view of the loaded fixture with the look-ups the surfaces need. Rebuilt whenever a fixture
 * is loaded; never mutated.
 */
export class OrgDirectory {
  readonly fixture: Fixture;
  readonly divisionId: string;
  readonly #queuesById = new Map<string, FixtureQueue>();
  readonly #queuesByFoldedName = new Map<string, FixtureQueue>();
  readonly #usersById = new Map<string, FixtureUser>();
  readonly #clientsById = new Map<string, FixtureClient>();
  readonly #membersByQueueId = new Map<string, FixtureUser[]>();

  constructor(fixture: Fixture, divisionId: string) {
    this.fixture = fixture;
    this.divisionId = divisionId;
    for (const q of fixture.queues) {
      this.#queuesById.set(q.id, q);
      this.#queuesByFoldedName.set(foldQueueName(q.name), q);
      this.#membersByQueueId.set(q.id, []);
    }
    for (const u of fixture.users) {
      this.#usersById.set(u.id, u);
      for (const name of u.queues) {
        const q = this.#queuesByFoldedName.get(foldQueueName(name));
        if (q) this.#membersByQueueId.get(q.id)!.push(u);
      }
    }
    for (const c of fixture.clients) this.#clientsById.set(c.id, c);
  }

  get org() {
    return this.fixture.org;
  }

  get queues(): readonly FixtureQueue[] {
    return this.fixture.queues;
  }

  get users(): readonly FixtureUser[] {
    return this.fixture.users;
  }

  queueById(id: string): FixtureQueue | undefined {
    return this.#queuesById.get(id);
  }

  /**
   * Queue names match case-insensitively on the trimmed name unless `exact` is asked for: whether
   * Genesys folds case is UNCONFIRMED (platform-architect.md §4.1), and case-insensitive is the
   * behaviour users of dynamic `QueueName` routing expect.
   */
  queueByName(name: string, exact = false): FixtureQueue | undefined {
    const q = this.#queuesByFoldedName.get(foldQueueName(name));
    if (!q) return undefined;
    return exact && q.name !== name ? undefined : q;
  }

  userById(id: string): FixtureUser | undefined {
    return this.#usersById.get(id);
  }

  clientById(id: string): FixtureClient | undefined {
    return this.#clientsById.get(id);
  }

  membersOf(queueId: string): readonly FixtureUser[] {
    return this.#membersByQueueId.get(queueId) ?? [];
  }

  webchatDeployment(id: string): WebChatDeployment | undefined {
    return this.fixture.deployments.webchat.find((d) => d.id === id);
  }

  messengerDeployment(id: string): MessengerDeployment | undefined {
    return this.fixture.deployments.messenger.find((d) => d.id === id);
  }
}

export function foldQueueName(name: string): string {
  return name.trim().toLowerCase();
}
