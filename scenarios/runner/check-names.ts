import type { Fixture } from '../../emulator/index.ts';
import { didYouMean, listNames } from './did-you-mean.ts';
import type { LoadedScenario } from './load.ts';

/** A name the scenario uses that the org it runs against does not have. */
export interface NameProblem {
  /** The step that names it; -1 for an actor declaration. */
  stepIndex: number;
  line?: number;
  verb: string;
  message: string;
}

/**
 * Checks the names a scenario takes from the org (agents' user names, the queues agents transfer to and
 * expectations name) against the org the run uses, before any step runs, so a typo fails at once with
 * the names that exist instead of as a timeout. A transfer's `queue` is not checked here: a bot may send
 * a QueueName the flow does not know on purpose (the run warns when the flow then takes its failure path).
 * Queue names compare regardless of letter case, as Genesys matches them by default.
 */
export function nameProblems(scenario: LoadedScenario, fixture: Fixture): NameProblem[] {
  const problems: NameProblem[] = [];
  const users = fixture.users.map((u) => u.name);
  for (const [actor, declared] of Object.entries(scenario.actors)) {
    if (!('agent' in declared)) continue;
    const name = declared.agent;
    if (fixture.users.some((u) => u.name === name || u.id === name)) continue;
    const line = scenario.actorLines?.[actor];
    problems.push({
      stepIndex: -1,
      ...(line ? { line } : {}),
      verb: 'setup',
      message: `actor "${actor}": the org has no user named "${name}"${didYouMean(name, users)} (its users are ${listNames(users)})`,
    });
  }
  const queues = fixture.queues.map((q) => q.name);
  const known = new Set(queues.map((q) => q.toLowerCase()));
  for (const step of scenario.steps) {
    const args = step.args as Record<string, unknown>;
    const named =
      step.verb === 'transferToQueue'
        ? args.queue
        : step.verb === 'expectConversation'
          ? args.queuedIn
          : step.verb === 'expectFlow'
            ? args.queue
            : undefined;
    if (typeof named !== 'string' || known.has(named.toLowerCase())) continue;
    problems.push({
      stepIndex: step.index,
      ...(step.line ? { line: step.line } : {}),
      verb: step.verb,
      message: `the org has no queue named "${named}"${didYouMean(named, queues)} (its queues are ${listNames(queues)})`,
    });
  }
  return problems;
}
