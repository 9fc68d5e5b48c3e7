/** One of N parts of a scenario library, so N CI machines can share it (1-based, like CI matrices). */
export interface Shard {
  index: number;
  count: number;
}

/** `I/N` with 1 <= I <= N; null when the text is not that. */
export function parseShard(text: string): Shard | null {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!match) return null;
  const index = Number(match[1]);
  const count = Number(match[2]);
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(count) || count < 1 || index < 1 || index > count)
    return null;
  return { index, count };
}

/**
 * The files of one shard: sorted by path, then dealt out in turn (file k goes to shard k mod N + 1), so
 * the split depends only on the file names, each shard gets about 1/N of the files, and the N shards
 * together take every file exactly once.
 */
export function filesOfShard(files: readonly string[], shard: Shard): string[] {
  return [...files].sort().filter((_, k) => k % shard.count === shard.index - 1);
}
