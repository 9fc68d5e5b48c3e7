import type { DomainContext } from '../context.ts';

/**
 * Utilization: how many interactions of each media type an agent may hold at once, and which media may
 * interrupt work in progress (platform-architect.md §2.4). Agent-level settings (the fixture's
 * `capacity`, then PUT /routing/users/{id}/utilization) override the org level, which overrides
 * Genesys's platform defaults. The API spells it `interruptableMediaTypes`.
 */
export const UTILIZATION_MEDIA = ['call', 'callback', 'chat', 'email', 'message'] as const;
export type UtilizationMedia = (typeof UTILIZATION_MEDIA)[number];

export interface MediaUtilization {
  maximumCapacity: number;
  interruptableMediaTypes: UtilizationMedia[];
  includeNonAcd: boolean;
}

export type Utilization = Record<UtilizationMedia, MediaUtilization>;

const PLATFORM_DEFAULTS: Utilization = {
  call: { maximumCapacity: 1, interruptableMediaTypes: [], includeNonAcd: false },
  callback: { maximumCapacity: 1, interruptableMediaTypes: [], includeNonAcd: false },
  chat: { maximumCapacity: 4, interruptableMediaTypes: [], includeNonAcd: false },
  // Email may be interrupted by default.
  email: {
    maximumCapacity: 1,
    interruptableMediaTypes: ['call', 'callback', 'chat', 'message'],
    includeNonAcd: false,
  },
  message: { maximumCapacity: 1, interruptableMediaTypes: [], includeNonAcd: false },
};

const ORG_TABLE = 'routing.utilization.org';
const USER_TABLE = 'routing.utilization.user';
/** Effective settings per agent, computed once: routing reads them for every candidate it considers. */
const CACHE_TABLE = 'routing.utilization.effective';
const ORG_KEY = 'org';

type Partial = { [K in UtilizationMedia]?: MediaUtilization };

export function orgUtilization(ctx: DomainContext): Utilization {
  const custom = ctx.store.table<Partial>(ORG_TABLE).get(ORG_KEY) ?? {};
  return { ...PLATFORM_DEFAULTS, ...custom };
}

/** A PUT lists only the media types it customises; the others revert to the defaults. */
export function setOrgUtilization(ctx: DomainContext, custom: Partial): void {
  ctx.store.table<Partial>(ORG_TABLE).set(ORG_KEY, custom);
  clearCache(ctx);
}

export function resetOrgUtilization(ctx: DomainContext): void {
  ctx.store.table<Partial>(ORG_TABLE).delete(ORG_KEY);
  clearCache(ctx);
}

function clearCache(ctx: DomainContext): void {
  const cache = ctx.store.table<Effective>(CACHE_TABLE);
  for (const key of [...cache.values()].map((e) => e.userId)) cache.delete(key);
}

/** Agent-level settings: from the API if set, else from the fixture's capacity; undefined = org level. */
export function agentUtilizationOverride(ctx: DomainContext, userId: string): Partial | undefined {
  const fromApi = ctx.store.table<Partial>(USER_TABLE).get(userId);
  if (fromApi) return fromApi;
  const user = ctx.org().userById(userId);
  if (!user) return undefined;
  const fromFixture: Partial = {};
  const org = orgUtilization(ctx);
  if (user.capacity.message !== undefined)
    fromFixture.message = { ...org.message, maximumCapacity: user.capacity.message };
  if (user.capacity.chat !== undefined)
    fromFixture.chat = { ...org.chat, maximumCapacity: user.capacity.chat };
  return Object.keys(fromFixture).length ? fromFixture : undefined;
}

export function setAgentUtilization(ctx: DomainContext, userId: string, custom: Partial): void {
  ctx.store.table<Partial>(USER_TABLE).set(userId, custom);
  ctx.store.table<Effective>(CACHE_TABLE).delete(userId);
}

/** Deleting the agent's settings makes it follow the org level (the fixture's capacity is dropped too). */
export function resetAgentUtilization(ctx: DomainContext, userId: string): void {
  ctx.store.table<Partial>(USER_TABLE).set(userId, {});
  ctx.store.table<Effective>(CACHE_TABLE).delete(userId);
}

interface Effective {
  userId: string;
  utilization: Utilization;
  level: 'Agent' | 'Organization';
}

export function effectiveUtilization(ctx: DomainContext, userId: string): Omit<Effective, 'userId'> {
  const cache = ctx.store.table<Effective>(CACHE_TABLE);
  const cached = cache.get(userId);
  if (cached) return cached;
  const override = agentUtilizationOverride(ctx, userId);
  const org = orgUtilization(ctx);
  const effective: Effective =
    !override || Object.keys(override).length === 0
      ? { userId, utilization: org, level: 'Organization' }
      : { userId, utilization: { ...org, ...override }, level: 'Agent' };
  cache.set(userId, effective);
  return effective;
}

/**
 * Why an agent holding `active` interactions cannot take one more of `media`, or undefined if they can.
 * Capacity is per media type; work in progress of another media type blocks the offer unless that
 * type lists `media` as able to interrupt it.
 */
export function capacityBlocker(
  utilization: Utilization,
  active: Readonly<Record<string, number>>,
  media: UtilizationMedia,
): string | undefined {
  const held = active[media] ?? 0;
  const max = utilization[media].maximumCapacity;
  if (held >= max) return `at capacity for ${media} (${held}/${max})`;
  for (const other of UTILIZATION_MEDIA) {
    if (other === media || (active[other] ?? 0) === 0) continue;
    if (!utilization[other].interruptableMediaTypes.includes(media))
      return `busy with ${other}, which ${media} may not interrupt`;
  }
  return undefined;
}
