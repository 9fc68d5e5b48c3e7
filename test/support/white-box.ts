import { expect } from 'vitest';
import { buildEmulator, type Emulator } from '../../emulator/app.ts';
import { ManualClock } from '../../emulator/domain/clock.ts';
import { Activity, ClockWaits } from '../../emulator/handle/waiting.ts';
import {
  type Agent,
  agentFromFixture,
  parseFixtureSource,
  type StartEmulatorOptions,
} from '../../emulator/index.ts';
import { callerStack, type EmulatorDoors, TEST_DEFAULTS, tracked } from './emulators.ts';

/**
 * White-box access, for the few tests whose check reads state that no public door shows: a store table
 * compared byte for byte, the number of pending timers, a synthetic event. Everything else uses the
 * public handle (emulators.ts). Every test file that reaches this module is listed, with its reason, in
 * test/unit/import-rules.test.ts.
 */
export interface WhiteBoxEmulator extends Emulator, EmulatorDoors {
  /** The emulator's own ManualClock: advance() fires the due timers synchronously, settling no I/O. */
  readonly clock: ManualClock;
  /** An agent of the org acting through the public platform API, as the handle's `agent(name)`. */
  agent(nameOrId: string): Agent;
  /** As the handle's settle(): the emulator's own activity quiet. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

export type WhiteBoxOptions = Pick<StartEmulatorOptions, 'fixture' | 'controlPlane' | 'fidelity'>;

/** Like emulators.ts's startEmulator (same defaults, listening, leak-tracked), with the runtime exposed. */
export async function whiteBoxEmulator(options: WhiteBoxOptions = {}): Promise<WhiteBoxEmulator> {
  const where = callerStack();
  const { fixture, ...rest } = options;
  const emulator = await buildEmulator({
    ...TEST_DEFAULTS,
    ...rest,
    ...(fixture === undefined ? {} : { fixture: parseFixtureSource(fixture) }),
  });
  const { app, runtime } = emulator;
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const clock = runtime.clock;
  if (!(clock instanceof ManualClock)) throw new Error('white-box emulators run on a manual clock');
  const url = `http://127.0.0.1:${port}`;
  const waits = new ClockWaits(clock, new Activity(runtime.activity), { graceMs: 1000 });
  const agents = new Map<string, Agent>();
  return tracked(
    {
      app,
      runtime,
      url,
      wsUrl: `ws://127.0.0.1:${port}`,
      port,
      clock,
      get fixture() {
        return runtime.fixture;
      },
      inject: (request) => app.inject(request),
      settle: () => waits.settle(),
      agent(nameOrId) {
        const user = runtime.fixture.users.find((u) => u.name === nameOrId || u.id === nameOrId);
        const known = user && agents.get(user.id);
        if (known) return known;
        const agent = agentFromFixture(runtime.fixture, nameOrId, {
          hosts: { loginBase: url, apiBase: url },
          waits,
        });
        agents.set(agent.userId, agent);
        return agent;
      },
      close: async () => {
        await app.close();
      },
    },
    where,
  );
}

/**
 * Every state change is an event, so an unchanged event sequence (and an unchanged number of WebChat
 * chats, the surface's own table) shows a refused request changed nothing.
 */
export function stateMark(emulator: WhiteBoxEmulator) {
  const runtime = emulator.runtime;
  const chats = () => runtime.store.table('webchat.chats').size;
  const seq = runtime.events.lastSeq;
  const count = chats();
  return {
    expectUnchanged() {
      expect(runtime.events.list({ afterSeq: seq }).map((e) => e.type)).toEqual([]);
      expect(chats()).toBe(count);
    },
  };
}
