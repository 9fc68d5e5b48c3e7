import type { DomainEvent, Fixture } from '../../emulator/index.ts';
import { didYouMean } from './did-you-mean.ts';
import type { LoadedScenario } from './load.ts';

type FlowRun = DomainEvent<'flow.run'>;
type TraceEntry = FlowRun['data']['trace'][number];

/**
 * A flow that did not find the queue it was asked for takes its failure path, and the default org's
 * flow then routes to General: a scenario whose QueueName has a typo would pass without anyone
 * noticing. So a run warns for each flow run of a customer's conversation that took a queue failure
 * path (Transfer to ACD failed, or Find Queue found nothing), unless the scenario checks that
 * customer's flow with `expectFlow`, which is how a scenario says the failure path is intended.
 */
export function flowFailureWarnings(
  scenario: LoadedScenario,
  conversationsOf: ReadonlyMap<string, readonly string[]>,
  timeline: readonly DomainEvent[],
  fixture: Fixture | undefined,
): string[] {
  const checked = new Set(
    scenario.steps.flatMap((s) =>
      s.verb === 'expectFlow' ? [(s.args as { customer: string }).customer] : [],
    ),
  );
  const queues = fixture?.queues.map((q) => q.name) ?? [];
  const warnings: string[] = [];
  for (const [actor, ids] of conversationsOf) {
    if (checked.has(actor)) continue;
    const runs = timeline.filter(
      (e): e is FlowRun => e.type === 'flow.run' && ids.includes(e.conversationId ?? ''),
    );
    for (const run of runs) {
      const failed = queueFailures(run.data.trace);
      if (failed.length === 0) continue;
      const where = failed.map((f) => describeFailure(f, run.data.trace)).join('; ');
      const read = run.data.trace
        .filter((t) => t.kind === 'participantDataRead')
        .map((t) =>
          t.value === undefined
            ? `${t.attribute} is not set`
            : `${t.attribute} = ${JSON.stringify(t.value)}${queueHint(t.value, queues)}`,
        );
      const ended = run.data.queue ? `went on to ${run.data.queue.name}` : `ended with ${run.data.outcome}`;
      warnings.push(
        `${actor}: flow "${run.data.flow}" took its failure path (${where}) and ${ended}` +
          `${read.length ? `; it read ${read.join(', ')}` : ''}. If that is intended, say so with expectFlow.`,
      );
    }
  }
  return warnings;
}

/** Trace entries that mean a queue was not found: a failed Transfer to ACD, or Find Queue's notFound. */
function queueFailures(trace: readonly TraceEntry[]): TraceEntry[] {
  return trace.filter(
    (t) =>
      t.kind === 'transferFailed' ||
      (t.kind === 'outputPath' &&
        t.output === 'notFound' &&
        trace.some((a) => a.kind === 'action' && a.path === t.path && a.type === 'findQueue')),
  );
}

function describeFailure(entry: TraceEntry, trace: readonly TraceEntry[]): string {
  const action = trace.find((a) => a.kind === 'action' && a.path === entry.path);
  const name = action?.kind === 'action' ? (action.name ?? action.type) : entry.path;
  return entry.kind === 'transferFailed' ? `${name}: ${entry.errorMessage}` : `${name}: no such queue`;
}

/** A value the flow read that is not a queue name but is near one. */
function queueHint(value: string, queues: readonly string[]): string {
  if (queues.some((q) => q.toLowerCase() === value.toLowerCase())) return '';
  const hint = didYouMean(value, queues);
  return hint ? ` (no queue has that name${hint})` : '';
}
