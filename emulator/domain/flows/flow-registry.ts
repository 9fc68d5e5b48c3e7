import type { Fixture } from '../../config/fixture-schema.ts';
import { FixtureError } from '../../config/load-fixture.ts';
import type { Fidelity } from '../../config/options.ts';
import { FlowLoadError, type FlowSource, type LoadedFlow, loadFlow } from '../architect/index.ts';

/**
 * Flows loaded in this process, by their source and options. A loaded flow is read-only, so emulators
 * started with the same fixture (every test and scenario run starts its own) share it instead of parsing
 * and compiling the YAML again. Bounded: the oldest entry goes first.
 */
const loadedFlows = new Map<string, LoadedFlow>();
const LOADED_FLOWS_MAX = 64;

function loadFlowOnce(source: FlowSource, queueNameMatch: Fidelity['queueNameMatch']): LoadedFlow {
  const key = JSON.stringify([source.name, source.yaml, source.substitutions, queueNameMatch]);
  const kept = loadedFlows.get(key);
  if (kept) return kept;
  const loaded = loadFlow(source, { queueNameMatch });
  if (loadedFlows.size >= LOADED_FLOWS_MAX) loadedFlows.delete(loadedFlows.keys().next().value!);
  loadedFlows.set(key, loaded);
  return loaded;
}

/**
 * The fixture's Architect flows, each loaded once (parse and expression compilation happen here, not
 * per conversation). A flow that fails to load fails the whole fixture, naming the flow and where in it
 * the problem is: nothing is skipped silently.
 */
export class FlowRegistry {
  readonly #flows = new Map<string, LoadedFlow>();

  constructor(fixture: Fixture, fidelity: Fidelity) {
    fixture.flows.forEach((flow, i) => {
      try {
        const loaded = loadFlowOnce(
          {
            name: flow.file ?? `flows[${i}] (${flow.name})`,
            yaml: flow.yaml ?? '',
            substitutions: flow.substitutions,
          },
          fidelity.queueNameMatch,
        );
        if (loaded.type !== flow.type) {
          throw new FixtureError('flows', [
            {
              path: `flows[${i}].type`,
              message: `the YAML is an ${loaded.type} flow but the fixture says ${flow.type}`,
            },
          ]);
        }
        this.#flows.set(flow.name, loaded);
      } catch (e) {
        if (e instanceof FlowLoadError) {
          throw new FixtureError('flows', [{ path: `flows[${i}] (${flow.name})`, message: e.message }]);
        }
        throw e;
      }
    });
  }

  get(name: string): LoadedFlow | undefined {
    return this.#flows.get(name);
  }
}
