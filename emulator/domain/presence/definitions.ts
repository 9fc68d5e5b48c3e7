/**
 * Genesys's system presence definitions (platform-extra.md §3.2). Their ids recur across unrelated orgs,
 * so they are global constants; the emulator offers only these (no secondary, org-defined presences).
 *
 * Spelling differs by API: the definitions and the user's presence over REST say `On Queue` (a space);
 * notifications and analytics use upper case (`AVAILABLE`, and `ON_QUEUE` for On Queue: UNCONFIRMED).
 */
export interface SystemPresenceDefinition {
  id: string;
  /** As the REST definitions spell it (`On Queue`). */
  systemPresence: string;
  /** As notifications and queue observations spell it (`ON_QUEUE`). */
  upper: string;
}

const define = (id: string, systemPresence: string): SystemPresenceDefinition => ({
  id,
  systemPresence,
  upper: systemPresence.toUpperCase().replace(/ /g, '_'),
});

export const PRESENCE_DEFINITIONS: readonly SystemPresenceDefinition[] = [
  define('6a3af858-942f-489d-9700-5f9bcdcdae9b', 'Available'),
  define('31fe3bac-dea6-44b7-bed7-47f91660a1a0', 'Busy'),
  define('5e5c5c66-ea97-4e7f-ac41-6424784829f2', 'Away'),
  define('227b37e2-f1d0-4dd0-8f50-badd7cf6d158', 'Break'),
  define('3fd96123-badb-4f69-bc03-1b1ccc6d8014', 'Meal'),
  define('bbdff279-7ae1-48ea-bade-7831d7234c64', 'Meeting'),
  define('d2390a99-8546-bad9-8f0a-219548e8aeb0', 'Training'),
  define('7ffa01cd-7866-4ad7-8faa-31e11b42f51f', 'Idle'),
  define('e08eaf1b-ee47-4fa9-a231-1200e284798f', 'On Queue'),
  define('ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5', 'Offline'),
];

const byId = new Map(PRESENCE_DEFINITIONS.map((d) => [d.id, d]));

export const AVAILABLE = PRESENCE_DEFINITIONS[0]!;
export const ON_QUEUE = byId.get('e08eaf1b-ee47-4fa9-a231-1200e284798f')!;
export const OFFLINE = byId.get('ccf3c10a-aa2c-4845-8e8d-f59fa48c58e5')!;

export function presenceDefinition(id: string): SystemPresenceDefinition | undefined {
  return byId.get(id);
}
