import { BaseSequencer, type TestSpecification } from 'vitest/node';

/** The contract phases in the order they must run: consumer tests write the pact files verification reads. */
const PHASES = ['/contracts/consumer/', '/contracts/provider/'] as const;

function phaseOf(spec: TestSpecification): number | undefined {
  if (spec.project.name !== 'contracts') return undefined;
  const path = spec.moduleId.replaceAll('\\', '/');
  const phase = PHASES.findIndex((folder) => path.includes(folder));
  return phase >= 0 ? phase : undefined;
}

/**
 * Vitest's own order (failed first, then slowest first) with one change: within the `contracts` project,
 * every consumer file comes before every provider file. The project runs its files one after another in
 * one worker (fileParallelism false, isolate false), in exactly this order, so verification always reads
 * the pact files this run's consumer phase wrote. Files of other projects keep their places.
 */
export class ContractPhaseSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const slots = sorted.flatMap((spec, index) => (phaseOf(spec) === undefined ? [] : [index]));
    // Array.prototype.sort is stable: vitest's order is kept within each phase.
    const contracts = slots.map((index) => sorted[index]!).sort((a, b) => phaseOf(a)! - phaseOf(b)!);
    slots.forEach((slot, k) => {
      sorted[slot] = contracts[k]!;
    });
    return sorted;
  }
}
