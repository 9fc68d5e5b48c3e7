import { PlatformAgent } from './wire/platform-agent.ts';
import type { ProviderWorld } from './world.ts';

/** The agents of one interaction, signed in on first use and signed out together. */
export class AgentPool {
  readonly #world: ProviderWorld;
  readonly #agents = new Map<string, Promise<PlatformAgent>>();

  constructor(world: ProviderWorld) {
    this.#world = world;
  }

  get(name: string): Promise<PlatformAgent> {
    let agent = this.#agents.get(name);
    if (!agent) {
      agent = this.#world
        .agentToken(name)
        .then((token) => PlatformAgent.signIn(this.#world.apiBase, token, name));
      this.#agents.set(name, agent);
    }
    return agent;
  }

  /** Off queue first: on a real org, an agent left on queue would be offered the next run's leftovers. */
  async close(): Promise<void> {
    const agents = await Promise.allSettled(this.#agents.values());
    this.#agents.clear();
    await Promise.all(
      agents.map(async (a) => {
        if (a.status !== 'fulfilled') return;
        await a.value.goOffQueue().catch(() => {});
        await a.value.close();
      }),
    );
  }
}
