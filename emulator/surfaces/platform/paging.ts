import { z } from 'zod';

/**
 * Genesys's page-number listings (`QueueEntityListing` and friends): entities, pageSize, pageNumber,
 * total, pageCount and the first/self/next/previous/last URIs.
 */
export const PagingQuerySchema = z.object({
  pageNumber: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(25),
});

export function pageOf<T>(
  all: readonly T[],
  pageNumber: number,
  pageSize: number,
  basePath: string,
  extraQuery: Record<string, string | undefined> = {},
) {
  const total = all.length;
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const uri = (n: number) => {
    const q = new URLSearchParams({ pageSize: String(pageSize), pageNumber: String(n) });
    for (const [k, v] of Object.entries(extraQuery)) if (v !== undefined) q.set(k, v);
    return `${basePath}?${q.toString()}`;
  };
  return {
    entities: all.slice((pageNumber - 1) * pageSize, pageNumber * pageSize),
    pageSize,
    pageNumber,
    total,
    firstUri: uri(1),
    selfUri: uri(pageNumber),
    ...(pageNumber < pageCount ? { nextUri: uri(pageNumber + 1) } : {}),
    ...(pageNumber > 1 ? { previousUri: uri(pageNumber - 1) } : {}),
    lastUri: uri(pageCount),
    pageCount,
  };
}

/**
 * A listing that is never paged (the caller's active conversations): one page holding everything, with
 * the listing URIs its model has.
 */
export function singlePage<T>(entities: readonly T[], path: string) {
  const uri = `${path}?pageNumber=1`;
  return {
    entities,
    pageSize: entities.length,
    pageNumber: 1,
    total: entities.length,
    firstUri: uri,
    selfUri: uri,
    lastUri: uri,
    pageCount: 1,
  };
}
