/**
 * A `name` query filter with leading and trailing `*` wildcards, as Genesys's listings take it
 * (platform-architect.md §2.1): without a wildcard the whole name must match. Case is folded
 * (UNCONFIRMED, as for queues).
 */
export function nameFilter(pattern: string | undefined): (name: string) => boolean {
  if (pattern === undefined) return () => true;
  const p = pattern.toLowerCase();
  const starts = p.startsWith('*');
  const ends = p.endsWith('*') && p.length > 1;
  const core = p.slice(starts ? 1 : 0, ends ? -1 : undefined);
  return (name) => {
    const n = name.toLowerCase();
    if (starts && ends) return n.includes(core);
    if (starts) return n.endsWith(core);
    if (ends) return n.startsWith(core);
    return n === core;
  };
}

/** A multi-valued query parameter (`id=a&id=b` or `id=a,b`). */
export function listParam(v: string | string[]): string[] {
  return (Array.isArray(v) ? v : [v]).flatMap((x) => x.split(',')).filter((x) => x !== '');
}
