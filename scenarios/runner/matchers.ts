import type { z } from 'zod';
import { editDistance } from './did-you-mean.ts';
import type { TextMatch } from './schema.ts';

export type TextMatcher = z.output<typeof TextMatch>;

export function textMatches(match: TextMatcher, text: string | undefined): boolean {
  if (text === undefined) return false;
  if (typeof match === 'string') return text === match;
  if ('equals' in match) return text === match.equals;
  if ('contains' in match) return text.includes(match.contains);
  return new RegExp(match.matches).test(text);
}

export function describeMatch(match: TextMatcher): string {
  if (typeof match === 'string') return JSON.stringify(match);
  const [k, v] = Object.entries(match)[0]!;
  return `${k} ${JSON.stringify(v)}`;
}

/** `expected` is contained in `actual` (objects by key, recursively; everything else by equality). */
export function containsSubset(actual: unknown, expected: unknown): boolean {
  if (expected && typeof expected === 'object' && !Array.isArray(expected)) {
    if (!actual || typeof actual !== 'object') return false;
    return Object.entries(expected).every(([k, v]) =>
      containsSubset((actual as Record<string, unknown>)[k], v),
    );
  }
  return JSON.stringify(actual) === JSON.stringify(expected);
}

/**
 * What did arrive, for a failed text expectation: the texts nearest to the expected one first (by edit
 * distance to the text, or to the `contains` part; a `matches` pattern keeps arrival order), at most
 * five. `nothing arrived` when there was nothing.
 */
export function nearMisses(match: TextMatcher, texts: readonly (string | undefined)[], what: string): string {
  const arrived = texts.filter((t): t is string => t !== undefined);
  if (arrived.length === 0) return `no ${what} arrived`;
  const target =
    typeof match === 'string' ? match : 'matches' in match ? undefined : Object.values(match)[0]!;
  const ranked =
    target === undefined
      ? arrived
      : arrived
          .map((text, order) => ({ text, order, d: editDistance(target, text) }))
          .sort((a, b) => a.d - b.d || a.order - b.order)
          .map((r) => r.text);
  const shown = [...new Set(ranked)].slice(0, 5).map((t) => JSON.stringify(t));
  const n = arrived.length;
  return `${target === undefined ? `the ${what}s that arrived` : `the nearest of the ${n} ${what}${n === 1 ? '' : 's'} that arrived`}: ${shown.join(', ')}`;
}
