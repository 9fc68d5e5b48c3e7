import type { FixtureFlow } from '../../config/fixture-schema.ts';
import { nameUuid } from '../ids.ts';
import type { OrgDirectory } from '../org.ts';

/**
 * Flows in the fixture have names, not ids; Genesys's have both. The id is derived from the org and the
 * name, so it is stable across runs and the same in GET /api/v2/flows and in analytics (`flow.flowId`).
 */
export function flowIdOf(org: OrgDirectory, flowName: string): string {
  return nameUuid(`flow:${org.org.id}:${flowName}`);
}

/** Genesys's flow type as the Flow model spells it (`INBOUNDSHORTMESSAGE`, `INBOUNDCHAT`). */
export function flowTypeOf(flow: Pick<FixtureFlow, 'type'>): string {
  return flow.type.toUpperCase();
}
