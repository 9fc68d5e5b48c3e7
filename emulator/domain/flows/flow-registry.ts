import type { Fixture } from '../../config/fixture-schema.ts';
import { FixtureError } from '../../config/load-fixture.ts';
import type { Fidelity } from '../../config/options.ts';
import { FlowLoadError, type LoadedFlow, loadFlow } from '../architect/index.ts';

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
        const loaded = loadFlow(
          {
            name: flow.file ?? `flows[${i}] (${flow.name})`,
            yaml: flow.yaml ?? '',
            substitutions: flow.substitutions,
          },
          { queueNameMatch: fidelity.queueNameMatch },
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
