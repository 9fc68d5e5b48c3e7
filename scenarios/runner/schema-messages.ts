import type { z } from 'zod';
import { didYouMean } from './did-you-mean.ts';

/**
 * Schema errors in the scenario author's words. zod's own messages ("Invalid input: expected string,
 * received number") describe types; an author needs to hear what the field takes, what they wrote, and
 * the name they probably meant. Each message here is a predicate the loader puts after the field's name:
 * `advance` + `takes a duration such as 30s, got 30`. Schemas with a phrase of their own (durations,
 * actor names, text matches) set it with zod's `error` option in schema.ts, which wins over this map.
 */

interface SchemaInternals {
  _zod: { def: { type: string; shape?: Record<string, SchemaInternals> } };
}

/** `"x"`, `30`, `{"agent":"alda"}`: what the author wrote, as compact as possible. */
export function shown(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** The fields of an object schema, optional ones marked with `?`: `customer, text, within?`. */
export function fieldsOf(schema: unknown): string[] {
  const shape = (schema as SchemaInternals | undefined)?._zod.def.shape;
  if (!shape) return [];
  // A field with a default may be left out too (zod marks it `defaulted`).
  return Object.entries(shape).map(([key, field]) =>
    field._zod.def.type === 'optional' || field._zod.def.type === 'default' ? `${key}?` : key,
  );
}

const TYPE_WORDS: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  record: 'a map of name: value',
  object: 'a map of fields',
};

function expectedWords(issue: { expected?: string; inst?: unknown }): string {
  const fields = fieldsOf(issue.inst);
  if (issue.expected === 'object' && fields.length) return `{ ${fields.join(', ')} }`;
  return TYPE_WORDS[issue.expected ?? ''] ?? issue.expected ?? 'something else';
}

/** The per-parse error map: `schema.safeParse(input, { error: authorErrors })`. */
export const authorErrors: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return 'is missing';
      return `takes ${expectedWords(issue)}, got ${shown(issue.input)}`;
    case 'invalid_value': {
      const values = issue.values.map((v) => shown(v));
      const typed = typeof issue.input === 'string' ? issue.input : '';
      const hint = didYouMean(
        typed,
        issue.values.filter((v): v is string => typeof v === 'string'),
      );
      return `takes ${values.length === 1 ? values[0] : `one of ${values.join(', ')}`}, got ${shown(issue.input)}${hint}`;
    }
    case 'unrecognized_keys': {
      const fields = fieldsOf(issue.inst);
      const names = fields.map((f) => f.replace(/\?$/, ''));
      const which = issue.keys.map((k) => `"${k}"${didYouMean(k, names)}`).join('; ');
      return `has no field ${which}${fields.length ? ` (its fields: ${fields.join(', ')})` : ''}`;
    }
    case 'too_small':
      if (issue.origin === 'string') return 'must not be empty';
      if (issue.origin === 'array')
        return `needs at least ${issue.minimum} entr${issue.minimum === 1 ? 'y' : 'ies'}`;
      return `takes a number of at least ${issue.minimum}, got ${shown(issue.input)}`;
    case 'too_big':
      return `takes a number of at most ${issue.maximum}, got ${shown(issue.input)}`;
    case 'invalid_format':
      return `is not in the expected form, got ${shown(issue.input)}`;
    case 'invalid_union':
      return `takes ${unionWords(issue.errors)}, got ${shown(issue.input)}`;
    default:
      return undefined;
  }
};

/** `429 or 503` for a union of literals; otherwise what each branch expected. */
function unionWords(branches: readonly (readonly z.core.$ZodIssue[])[]): string {
  const words = branches.map((issues) => {
    const first = issues[0];
    if (first?.code === 'invalid_value') return first.values.map((v) => shown(v)).join(' or ');
    if (first?.code === 'invalid_type') return TYPE_WORDS[first.expected] ?? first.expected;
    return 'something else';
  });
  return [...new Set(words)].join(' or ');
}
