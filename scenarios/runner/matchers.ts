import type { z } from 'zod';
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
