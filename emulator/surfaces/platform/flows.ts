import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { FixtureFlow } from '../../config/fixture-schema.ts';
import { errors } from '../../domain/errors.ts';
import { flowIdOf, flowTypeOf } from '../../domain/flows/flow-ids.ts';
import type { OrgDirectory } from '../../domain/org.ts';
import type { EmulatorRuntime } from '../../runtime.ts';
import { parseInput } from '../validate.ts';
import { listParam, nameFilter } from './name-filter.ts';
import { PagingQuerySchema, pageOf } from './paging.ts';
import { divisionRef } from './presenters.ts';

/** The flow types getFlows accepts (ArchitectApi.getFlows `type`); the emulator holds two of them. */
const FLOW_TYPES = [
  'bot',
  'commonmodule',
  'digitalbot',
  'inboundcall',
  'inboundchat',
  'inboundemail',
  'inboundshortmessage',
  'inqueuecall',
  'inqueueemail',
  'inqueueshortmessage',
  'ivr',
  'outboundcall',
  'securecall',
  'speech',
  'surveyinvite',
  'voice',
  'voicemail',
  'voicesurvey',
  'workflow',
  'workitem',
] as const;

const multi = z.union([z.string(), z.array(z.string())]).transform(listParam);

const FlowsQuery = PagingQuerySchema.extend({
  pageSize: z.coerce.number().int().min(1).max(100).default(25),
  type: multi
    .pipe(
      z.array(
        z
          .string()
          .transform((t) => t.toLowerCase())
          .pipe(z.enum(FLOW_TYPES)),
      ),
    )
    .optional(),
  sortBy: z.enum(['name', 'id', 'type']).default('name'),
  sortOrder: z
    .string()
    .transform((v) => v.toLowerCase())
    .pipe(z.enum(['asc', 'desc', 'ascending', 'descending']))
    .default('asc'),
  id: multi.optional(),
  name: z.string().max(256).optional(),
  deleted: z.enum(['true', 'false']).optional(),
  divisionId: multi.optional(),
});
const FlowParams = z.object({ flowId: z.string().min(1) });

export function presentFlow(org: OrgDirectory, flow: FixtureFlow) {
  const id = flowIdOf(org, flow.name);
  return {
    id,
    name: flow.name,
    division: divisionRef(org),
    type: flowTypeOf(flow),
    active: true,
    system: false,
    deleted: false,
    selfUri: `/api/v2/flows/${id}`,
  };
}

/**
 * GET /api/v2/flows and /{flowId}: the fixture's Architect flows, published and active, with stable ids
 * (derived from the org and the name, the same as analytics' `flow.flowId`). Filters: `type` (one or
 * more), `name` (`*` wildcards), `id`, `divisionId`; Genesys paging and sorting. No flow is ever deleted,
 * so `deleted=true` lists none.
 */
export const flowsRoutes: FastifyPluginAsync<{ runtime: EmulatorRuntime }> = async (app, { runtime }) => {
  app.get('/api/v2/flows', async (request) => {
    const query = parseInput(FlowsQuery, request.query, 'query');
    const org = runtime.org();
    const matches = nameFilter(query.name);
    let flows = org.fixture.flows
      .map((f) => presentFlow(org, f))
      .filter((f) => matches(f.name))
      .filter((f) => !query.type || query.type.includes(f.type.toLowerCase() as (typeof FLOW_TYPES)[number]))
      .filter((f) => !query.id || query.id.includes(f.id));
    if (query.deleted === 'true' || (query.divisionId && !query.divisionId.includes(org.divisionId)))
      flows = [];
    const key = (f: ReturnType<typeof presentFlow>) =>
      query.sortBy === 'id' ? f.id : query.sortBy === 'type' ? f.type : f.name.toLowerCase();
    flows.sort((a, b) => key(a).localeCompare(key(b)));
    if (query.sortOrder.startsWith('desc')) flows.reverse();
    return pageOf(flows, query.pageNumber, query.pageSize, '/api/v2/flows', {
      name: query.name,
      type: query.type?.join(','),
    });
  });

  app.get('/api/v2/flows/:flowId', async (request) => {
    const { flowId } = parseInput(FlowParams, request.params, 'params');
    const org = runtime.org();
    const flow = org.fixture.flows.find((f) => flowIdOf(org, f.name) === flowId);
    if (!flow) throw errors.notFound(`flow ${flowId}`, { entityId: flowId });
    return presentFlow(org, flow);
  });
};
