/**
 * "Did you mean ...": the valid names nearest to a mistyped one, for messages that must help a scenario
 * author fix a typo (a verb, an actor, an agent's or a queue's name, a field). Letter case is ignored
 * when comparing, so `onqueue` finds `onQueue`; a name that contains the typed text (or is contained in
 * it) counts as near too, so `Sports` finds `Sports Support`.
 */

/** Edit distance with adjacent transpositions (optimal string alignment), on lower-cased text. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  const rows = Array.from({ length: s.length + 1 }, (_, i) => [i, ...Array<number>(t.length).fill(0)]);
  for (let j = 1; j <= t.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= s.length; i++) {
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1])
        d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[s.length]![t.length]!;
}

/** The candidates near `name`, nearest first (at most `max`). */
export function nearest(name: string, candidates: readonly string[], max = 3): string[] {
  const typed = name.toLowerCase().trim();
  if (!typed) return [];
  const scored = [...new Set(candidates)].flatMap((candidate) => {
    const c = candidate.toLowerCase();
    const distance = editDistance(typed, c);
    // A third of the longer name may be wrong (at least 2 characters): catches typos, not guesses.
    const tolerance = Math.max(2, Math.floor(Math.max(typed.length, c.length) / 3));
    const contains = typed.length >= 3 && (c.includes(typed) || typed.includes(c));
    if (distance > tolerance && !contains) return [];
    return [{ candidate, score: contains ? Math.min(distance, tolerance) : distance }];
  });
  // Only the best and those nearly as good: "Shoe Support" means "Shoes Support", not every "... Support"
  // (and the same name in another letter case, score 0, is the one meant).
  const best = Math.min(...scored.map((s) => s.score));
  return scored
    .filter((s) => s.score <= (best === 0 ? 0 : best + 1))
    .sort((a, b) => a.score - b.score || a.candidate.localeCompare(b.candidate))
    .slice(0, max)
    .map((s) => s.candidate);
}

/** `; did you mean "onQueue"?` (or `"a" or "b"`), or nothing when no valid name is near. */
export function didYouMean(name: string, candidates: readonly string[]): string {
  const near = nearest(name, candidates);
  if (near.length === 0) return '';
  return `; did you mean ${near.map((n) => JSON.stringify(n)).join(' or ')}?`;
}

/** `"a", "b" and "c"` for a list of valid names. */
export function listNames(names: readonly string[]): string {
  const quoted = names.map((n) => JSON.stringify(n));
  return quoted.length <= 1
    ? (quoted[0] ?? 'none')
    : `${quoted.slice(0, -1).join(', ')} and ${quoted.at(-1)}`;
}
