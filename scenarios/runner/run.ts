import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type Agent, agentFromFixture, type Fixture, type ReproPack } from '../../emulator/index.ts';
import { type NameProblem, nameProblems } from './check-names.ts';
import { CustomerActor } from './customer-actor.ts';
import type { EmulatorKeeper } from './emulator-keeper.ts';
import { scenarioFixtureFile } from './fixture-files.ts';
import { flowFailureWarnings } from './flow-warnings.ts';
import { InProcessWorld } from './in-process-world.ts';
import type { LoadedScenario, ScenarioStep } from './load.ts';
import { describeNeeds, unmetNeeds } from './needs.ts';
import { RemoteWorld } from './remote-world.ts';
import { type Cast, STEP_HANDLERS } from './steps.ts';
import { Transcript } from './transcript.ts';
import {
  type BridgeOptions,
  ExpectationFailed,
  type ScenarioChannel,
  StepSkipped,
  type World,
} from './world.ts';

export interface RunOptions {
  seed?: number;
  /** Run against this Genesys (`--target`) instead of an in-process emulator. */
  target?: string;
  /** The target's org as a fixture (`--target-fixture`), for a target without a control plane. */
  targetFixture?: Fixture;
  /**
   * Lends in-process runs one emulator after another, started over for each run (not sent to pool
   * workers: each worker keeps its own). Without it every run starts a new emulator.
   */
  emulators?: EmulatorKeeper;
}

export interface SkippedStep {
  stepIndex: number;
  line?: number;
  verb: string;
  reason: string;
}

export interface ScenarioResult {
  scenario: string;
  file: string;
  channel: ScenarioChannel;
  passed: boolean;
  /** Real time the run took, ms. */
  durationMs: number;
  steps: number;
  /** Steps the target could not run (they need what it lacks); they neither pass nor fail. */
  skipped: SkippedStep[];
  /**
   * What passed but may not mean what the author thinks: a flow that took its failure path because it
   * found no queue by the name it was given, with no expectFlow saying that is intended.
   */
  warnings: string[];
  /** stepIndex -1 (verb `setup`) when the run could not start. */
  failure?: { stepIndex: number; line?: number; verb: string; message: string; detail?: unknown };
  transcript: string;
  /** The whole transcript; for a failed run followed by each customer conversation's sequence diagram. */
  fullTranscript: string;
  /**
   * A failed run: each customer conversation as a Mermaid `sequenceDiagram` (paste it into an issue
   * tracker that renders Mermaid), when the target draws them.
   */
  sequences?: { customer: string; conversationId: string; mermaid: string }[];
  /**
   * A failed run: the emulator's state as a repro pack carrying the scenario and this transcript
   * (`genesys-emulator start --from-pack` opens it), when the target is an emulator that makes one.
   */
  pack?: ReproPack;
}

/**
 * Runs one scenario on one channel, steps in order, stopping at the first failure. By default a fresh
 * emulator and bridge; with a target, a bridge pointed at it, and each step whose needs the target
 * does not meet is skipped.
 */
export async function runScenario(
  scenario: LoadedScenario,
  channel: ScenarioChannel,
  options: RunOptions = {},
): Promise<ScenarioResult> {
  const started = performance.now();
  const result = (
    world: { transcript: Transcript } | undefined,
    rest: Partial<ScenarioResult>,
    evidence: FailureEvidence = {},
  ): ScenarioResult => {
    const transcript = world?.transcript ?? new Transcript(() => Date.now());
    const fullTranscript = transcript.render(true) + mermaidAppendix(evidence.sequences ?? []);
    return {
      scenario: scenario.name,
      file: scenario.file,
      channel,
      passed: rest.failure === undefined,
      durationMs: performance.now() - started,
      steps: scenario.steps.length,
      skipped: rest.skipped ?? [],
      warnings: rest.warnings ?? [],
      ...(rest.failure ? { failure: rest.failure } : {}),
      transcript: transcript.render(false),
      fullTranscript,
      ...(evidence.sequences?.length ? { sequences: evidence.sequences } : {}),
      ...(evidence.pack && rest.failure
        ? {
            pack: {
              ...evidence.pack,
              scenario: {
                name: scenario.name,
                file: scenario.file,
                channel,
                seed: options.seed ?? scenario.seed,
                ...sourceOf(scenario.file),
                failure: rest.failure,
                transcript: fullTranscript,
              },
            },
          }
        : {}),
    };
  };

  let world: World;
  try {
    world = await createWorld(scenario, channel, options);
  } catch (e) {
    const failure = { stepIndex: -1, verb: 'setup', message: e instanceof Error ? e.message : String(e) };
    const transcript = new Transcript(() => Date.now());
    transcript.add('runner', `FAILED in setup: ${failure.message}`);
    return result({ transcript }, { failure });
  }

  // A target without a control plane cannot take the scenario's own org, and its steps assume that org.
  const blocked =
    scenario.fixture !== 'default' && !world.capabilities.controlPlane
      ? `${describeNeeds(['controlPlane'])} (to load the fixture ${scenario.fixture})`
      : undefined;
  const cast: Cast = { customers: new Map(), agents: new Map() };
  const skipped: SkippedStep[] = [];
  const skip = (step: ScenarioStep, reason: string) => {
    world.transcript.add('runner', `SKIPPED (${reason})`);
    skipped.push({
      stepIndex: step.index,
      ...(step.line ? { line: step.line } : {}),
      verb: step.verb,
      reason,
    });
  };
  let failure: ScenarioResult['failure'];
  let evidence: FailureEvidence = {};
  let current: ScenarioStep | undefined;
  const warnings: string[] = [];
  // Names taken from the org (agents, queues) are checked before anything runs: a typo fails at once.
  const misnamed = world.fixture ? nameProblems(scenario, world.fixture) : [];
  if (misnamed.length) {
    const [first, ...others] = misnamed;
    const at = (p: NameProblem) => `${scenario.file}${p.line ? `:${p.line}` : ''}`;
    failure = {
      stepIndex: first!.stepIndex,
      ...(first!.line ? { line: first!.line } : {}),
      verb: first!.verb,
      message: [first!.message, ...others.map((p) => `and ${at(p)}: ${p.message}`)].join('\n'),
    };
    world.transcript.add('runner', `FAILED before the first step: ${failure.message}`);
    await world.close();
    return result(world, { failure });
  }
  try {
    castScenario(scenario, world, cast);
    for (const step of scenario.steps) {
      current = step;
      await world.catchUp?.();
      world.transcript.add('step', describeStep(step));
      const unmet = unmetNeeds(step, world.capabilities);
      const reason = blocked ?? (unmet.length ? describeNeeds(unmet) : undefined);
      if (reason !== undefined) {
        skip(step, reason);
        continue;
      }
      try {
        await (STEP_HANDLERS[step.verb] as (w: World, c: Cast, a: unknown, s: ScenarioStep) => Promise<void>)(
          world,
          cast,
          step.args,
          step,
        );
      } catch (e) {
        if (!(e instanceof StepSkipped)) throw e;
        skip(step, e.reason);
      }
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    failure = {
      stepIndex: current?.index ?? -1,
      ...(current?.line ? { line: current.line } : {}),
      verb: current?.verb ?? 'setup',
      message,
      ...(e instanceof ExpectationFailed && e.detail !== undefined ? { detail: e.detail } : {}),
    };
    world.transcript.add(
      'runner',
      current
        ? `FAILED at step ${current.index + 1} (${current.verb}): ${message}`
        : `FAILED in setup: ${message}`,
      failure.detail,
    );
  } finally {
    const conversationsOf = new Map([...cast.customers].map(([name, c]) => [name, c.conversationIds]));
    warnings.push(...flowFailureWarnings(scenario, conversationsOf, world.timeline, world.fixture));
    for (const warning of warnings) world.transcript.add('runner', `WARNING ${warning}`);
    for (const c of cast.customers.values()) c.unsubscribe?.();
    if (failure) evidence = await failureEvidence(world, conversationsOf);
    // A target that cannot be reset keeps what agents left behind; the next run must find them free.
    if (!world.capabilities.controlPlane) for (const a of cast.agents.values()) await a.release();
    await world.close();
  }
  return result(world, { skipped, warnings, ...(failure ? { failure } : {}) }, evidence);
}

interface FailureEvidence {
  sequences?: NonNullable<ScenarioResult['sequences']>;
  pack?: ReproPack;
}

/**
 * What a failed run leaves for whoever reads it, taken before the emulator closes: each customer
 * conversation's sequence diagram and a repro pack of the emulator's state. Best effort: a target that
 * cannot make them, or fails to, leaves the run's own failure as it was.
 */
async function failureEvidence(
  world: World,
  conversationsOf: Map<string, readonly string[]>,
): Promise<FailureEvidence> {
  const evidence: FailureEvidence = {};
  try {
    const sequences: NonNullable<ScenarioResult['sequences']> = [];
    for (const [customer, ids] of conversationsOf) {
      for (const conversationId of ids) {
        const mermaid = await world.sequence?.(conversationId);
        if (mermaid) sequences.push({ customer, conversationId, mermaid });
      }
    }
    evidence.sequences = sequences;
    const pack = await world.reproPack?.();
    if (pack) evidence.pack = pack;
  } catch (e) {
    world.transcript.add('runner', `(no sequence diagram or repro pack: ${(e as Error).message})`);
  }
  return evidence;
}

/** The failure's sequence diagrams, after the transcript, as Markdown Mermaid blocks. */
function mermaidAppendix(sequences: NonNullable<ScenarioResult['sequences']>): string {
  return sequences
    .map(
      (s) =>
        `\n\nSequence diagram of ${s.customer}'s conversation ${s.conversationId} (Mermaid; paste it into an issue tracker that renders it):\n\n\`\`\`mermaid\n${s.mermaid}\`\`\``,
    )
    .join('');
}

/** The scenario file's text, for the pack (absent when it cannot be read). */
function sourceOf(file: string): { source?: string } {
  try {
    return { source: readFileSync(file, 'utf8') };
  } catch {
    return {};
  }
}

async function createWorld(
  scenario: LoadedScenario,
  channel: ScenarioChannel,
  options: RunOptions,
): Promise<World> {
  const fixture: Fixture | undefined =
    scenario.fixture === 'default'
      ? undefined
      : scenarioFixtureFile(resolve(dirname(scenario.file), scenario.fixture));
  const bridge: BridgeOptions = {
    channel,
    seed: options.seed ?? scenario.seed,
    ...(scenario.bridge.queueName ? { queueName: scenario.bridge.queueName } : {}),
    ...(scenario.bridge.queueMetadataKey ? { queueMetadataKey: scenario.bridge.queueMetadataKey } : {}),
    ...(scenario.bridge.deploymentId ? { deploymentId: scenario.bridge.deploymentId } : {}),
    ...(scenario.bridge.origin ? { origin: scenario.bridge.origin } : {}),
  };
  if (options.target === undefined)
    return InProcessWorld.create({ ...bridge, ...(fixture ? { fixture } : {}) }, options.emulators);
  return RemoteWorld.create({
    ...bridge,
    target: options.target,
    ...(fixture ? { fixture } : {}),
    ...(options.targetFixture ? { targetFixture: options.targetFixture } : {}),
  });
}

/** Customers are the bot's; agents act with the fixture's clients, when the world has credentials. */
function castScenario(scenario: LoadedScenario, world: World, cast: Cast): void {
  let n = 0;
  for (const [name, actor] of Object.entries(scenario.actors)) {
    if ('customer' in actor) {
      const displayName = actor.customer.displayName ?? name;
      cast.customers.set(name, new CustomerActor(name, displayName, actor.customer.id ?? `customer-${++n}`));
    } else if (world.fixture && world.capabilities.agents) {
      cast.agents.set(name, agentOf(name, actor.agent, world.fixture, world));
    }
  }
}

/** A scenario's agent: the fixture user with that name, logging in with the client bound to them. */
function agentOf(actor: string, userName: string, fixture: Fixture, world: World): Agent {
  try {
    return agentFromFixture(fixture, userName, {
      label: actor,
      hosts: world.hosts,
      waits: world,
      log: (text, detail) => world.transcript.add('agent', text, detail),
    });
  } catch (e) {
    throw new ExpectationFailed(`agent "${actor}": ${(e as Error).message}`);
  }
}

export function describeStep(step: ScenarioStep): string {
  const args = typeof step.args === 'string' ? step.args : JSON.stringify(step.args);
  return `${step.index + 1}. ${step.verb} ${args}${step.note ? `  # ${step.note}` : ''}`;
}
