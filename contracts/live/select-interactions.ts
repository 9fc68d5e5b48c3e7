import { type StateKey, stateKeyOf } from '../states.ts';

interface PactJson {
  interactions: { description: string; providerStates?: { name: string }[] }[];
  [key: string]: unknown;
}

export interface Selection {
  /** The pact with only the interactions the world can set up. */
  pact: PactJson;
  skipped: { description: string; reason: string }[];
}

/** Keeps the interactions whose every provider state the world can set up; names the others and why. */
export function selectInteractions(
  pact: PactJson,
  unsupported: (state: StateKey) => string | undefined,
): Selection {
  const skipped: Selection['skipped'] = [];
  const interactions = pact.interactions.filter((interaction) => {
    for (const { name } of interaction.providerStates ?? []) {
      const key = stateKeyOf(name);
      const reason =
        key === undefined ? `its state "${name}" is not one of contracts/states.ts` : unsupported(key);
      if (reason !== undefined) {
        skipped.push({ description: interaction.description, reason });
        return false;
      }
    }
    return true;
  });
  return { pact: { ...pact, interactions }, skipped };
}
