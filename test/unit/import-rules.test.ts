import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { type ImportEdge, relativeImports } from '../support/import-graph.ts';

/**
 * The one import rule (README, Architecture): our own harness uses the emulator only through the
 * package's public doors, the emulator never imports upwards (the scenario runner, the commands), and
 * the bridge knows Genesys only through the wire.
 */
const root = fileURLToPath(new URL('../..', import.meta.url));
const PUBLIC_DOORS = ['emulator/index.ts', 'emulator/testing/index.ts'];

const show = (edges: ImportEdge[]) => edges.map((e) => `${e.from}:${e.line} imports ${e.to}`);
const inside = (dir: string) => (path: string) => path === dir || path.startsWith(`${dir}/`);
const internal = (e: ImportEdge) => inside('emulator')(e.to) && !PUBLIC_DOORS.includes(e.to);

/**
 * The tests that read the emulator's internals, each for a check no public door can express. Everything
 * else under test/ (but unit tests of one module, test/unit, and the benchmarks of domain modules,
 * test/bench) goes through the doors like any user. A file counts when it imports an internal module
 * itself or through another test file (test/support/white-box.ts).
 */
const WHITE_BOX: Record<string, string> = {
  'test/support/white-box.ts':
    'starts an emulator with its runtime exposed (same defaults and leak tracking), for the files below',
  'test/integration/agent-routes-fuzz.test.ts':
    "a refused agent request must leave the agent's routing record (store table routing.agents) byte-identical",
  'test/integration/control-plane.test.ts':
    'emits one synthetic conversation-scoped event to check the /__emulator/events conversationId filter',
  'test/integration/settle-activity.test.ts':
    'nothing may stay counted as under way (runtime.activity.inFlight) after sockets open, are refused or abandoned',
  'test/integration/webchat-bad-input.test.ts':
    'a refused guest request must leave the table of WebChat chats (webchat.chats) as it was',
  'test/integration/webchat-create.test.ts':
    'a refused create must leave the table of WebChat chats (webchat.chats) as it was',
  'test/integration/webchat-guest-api.test.ts':
    'a refused guest call must leave the table of WebChat chats (webchat.chats) as it was',
  'test/integration/webmessaging-bad-input.test.ts':
    "a refused frame must leave the guest's session record (store table webmessaging.sessions) byte-identical",
  'test/integration/webmessaging-sessions.test.ts':
    "counts the clock's pending timers (one shared expiry timer), and checks the ExpiryScheduler on a bare ManualClock",
};

describe('the import rule', () => {
  it('scenarios/ and contracts/ reach the emulator only through its public entry points', () => {
    const edges = relativeImports(root, ['scenarios', 'contracts']);
    expect(edges.length).toBeGreaterThan(50);
    expect(show(edges.filter(internal))).toEqual([]);
  });

  it('test/ (except test/unit and test/bench) reaches the emulator only through its public doors, but for these white-box files: each listed with its reason, none listed that does not need it', () => {
    const edges = relativeImports(root, ['test']);
    const exempt = (file: string) => inside('test/unit')(file) || inside('test/bench')(file);
    expect(edges.filter((e) => !exempt(e.from)).length).toBeGreaterThan(100);
    // A guard on the guard: the test helpers are seen reaching the public door.
    expect(edges).toContainEqual(
      expect.objectContaining({ from: 'test/support/emulators.ts', to: 'emulator/index.ts' }),
    );
    // Files that import internals, then every test file that imports one of those (a unit test's helper
    // too), until nothing changes.
    const reaching = new Map<string, ImportEdge>();
    for (const e of edges) if (internal(e) && !reaching.has(e.from)) reaching.set(e.from, e);
    for (let grew = true; grew; ) {
      grew = false;
      for (const e of edges)
        if (reaching.has(e.to) && !reaching.has(e.from)) {
          reaching.set(e.from, e);
          grew = true;
        }
    }
    const unlisted = [...reaching.values()].filter((e) => !exempt(e.from) && !(e.from in WHITE_BOX));
    expect(show(unlisted)).toEqual([]);
    const stale = Object.keys(WHITE_BOX).filter((file) => !reaching.has(file));
    expect(stale, 'listed as white-box but reaching only the public doors').toEqual([]);
    for (const [file, reason] of Object.entries(WHITE_BOX)) expect(reason.length, file).toBeGreaterThan(20);
  });

  it('the emulator (its CLI included) imports nothing from scenarios/, cli/, bridge/, contracts/ or test/', () => {
    const edges = relativeImports(root, ['emulator']);
    expect(edges.length).toBeGreaterThan(100);
    const upwards = edges.filter((e) =>
      ['scenarios', 'cli', 'bridge', 'contracts', 'test'].some((d) => inside(d)(e.to)),
    );
    expect(show(upwards)).toEqual([]);
  });

  it('the bridge imports nothing of the emulator, the runner or the tests', () => {
    const edges = relativeImports(root, ['bridge']);
    expect(edges.length).toBeGreaterThan(30);
    const foreign = edges.filter((e) =>
      ['emulator', 'scenarios', 'cli', 'contracts', 'test'].some((d) => inside(d)(e.to)),
    );
    expect(show(foreign)).toEqual([]);
  });

  it('the checker sees the kinds of import a violation could hide in', () => {
    // A guard on the guard: if the pattern stopped matching dynamic or multi-line imports, the rules
    // above would pass on an empty graph of those.
    const cli = relativeImports(root, ['cli']);
    expect(cli).toContainEqual(
      expect.objectContaining({ from: 'cli/genesys-emulator.ts', to: 'emulator/cli/start.ts' }),
    );
    expect(cli).toContainEqual(
      expect.objectContaining({ from: 'cli/genesys-emulator.ts', to: 'scenarios/runner/cli.ts' }),
    );
    const runner = relativeImports(root, ['scenarios']);
    expect(runner).toContainEqual(
      expect.objectContaining({ from: 'scenarios/runner/in-process-world.ts', to: 'emulator/index.ts' }),
    );
  });
});
