import { dirname, resolve } from 'node:path';
import type { Fixture } from '../../emulator/config/fixture-schema.ts';
import { loadFixtureFile } from '../../emulator/config/load-fixture.ts';
import { AgentActor } from './agent-actor.ts';
import { CustomerActor } from './customer-actor.ts';
import type { LoadedScenario, ScenarioStep } from './load.ts';
import { type Cast, STEP_HANDLERS } from './steps.ts';
import { ExpectationFailed, type ScenarioChannel, World } from './world.ts';

export interface ScenarioResult {
  scenario: string;
  file: string;
  channel: ScenarioChannel;
  passed: boolean;
  /** Real time the run took, ms. */
  durationMs: number;
  steps: number;
  failure?: { stepIndex: number; line?: number; verb: string; message: string; detail?: unknown };
  transcript: string;
  fullTranscript: string;
}

/** Runs one scenario on one channel: fresh emulator and bridge, steps in order, stop at the first failure. */
export async function runScenario(
  scenario: LoadedScenario,
  channel: ScenarioChannel,
  options: { seed?: number } = {},
): Promise<ScenarioResult> {
  const started = performance.now();
  const fixture: Fixture | undefined =
    scenario.fixture === 'default'
      ? undefined
      : loadFixtureFile(resolve(dirname(scenario.file), scenario.fixture));
  const world = await World.create({
    ...(fixture ? { fixture } : {}),
    channel,
    seed: options.seed ?? scenario.seed,
    ...(scenario.bridge.queueName ? { queueName: scenario.bridge.queueName } : {}),
    ...(scenario.bridge.queueMetadataKey ? { queueMetadataKey: scenario.bridge.queueMetadataKey } : {}),
    ...(scenario.bridge.deploymentId ? { deploymentId: scenario.bridge.deploymentId } : {}),
    ...(scenario.bridge.origin ? { origin: scenario.bridge.origin } : {}),
  });
  const cast = castOf(scenario, world);
  let failure: ScenarioResult['failure'];
  let done = 0;
  try {
    for (const step of scenario.steps) {
      world.transcript.add('step', describeStep(step));
      await (STEP_HANDLERS[step.verb] as (w: World, c: Cast, a: unknown, s: ScenarioStep) => Promise<void>)(
        world,
        cast,
        step.args,
        step,
      );
      done++;
    }
  } catch (e) {
    const step = scenario.steps[done]!;
    const message = e instanceof Error ? e.message : String(e);
    failure = {
      stepIndex: step.index,
      ...(step.line ? { line: step.line } : {}),
      verb: step.verb,
      message,
      ...(e instanceof ExpectationFailed && e.detail !== undefined ? { detail: e.detail } : {}),
    };
    world.transcript.add(
      'runner',
      `FAILED at step ${step.index + 1} (${step.verb}): ${message}`,
      failure.detail,
    );
  } finally {
    for (const c of cast.customers.values()) c.unsubscribe?.();
    await world.close();
  }
  return {
    scenario: scenario.name,
    file: scenario.file,
    channel,
    passed: failure === undefined,
    durationMs: performance.now() - started,
    steps: scenario.steps.length,
    ...(failure ? { failure } : {}),
    transcript: world.transcript.render(false),
    fullTranscript: world.transcript.render(true),
  };
}

function castOf(scenario: LoadedScenario, world: World): Cast {
  const cast: Cast = { customers: new Map(), agents: new Map() };
  const fixture = world.emulator.runtime.fixture;
  let n = 0;
  for (const [name, actor] of Object.entries(scenario.actors)) {
    if ('customer' in actor) {
      const displayName = actor.customer.displayName ?? name;
      cast.customers.set(name, new CustomerActor(name, displayName, actor.customer.id ?? `customer-${++n}`));
    } else {
      cast.agents.set(
        name,
        AgentActor.fromFixture(name, actor.agent, fixture, world.baseUrl, (text, detail) =>
          world.transcript.add('agent', text, detail),
        ),
      );
    }
  }
  return cast;
}

export function describeStep(step: ScenarioStep): string {
  const args = typeof step.args === 'string' ? step.args : JSON.stringify(step.args);
  return `${step.index + 1}. ${step.verb} ${args}${step.note ? `  # ${step.note}` : ''}`;
}
