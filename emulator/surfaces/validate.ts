import type { z } from 'zod';
import { ApiError } from '../domain/errors.ts';

/**
 * Edge validation: parses a body, query or params object with its zod schema, or throws a Genesys
 * 400 `bad.request` whose message and `details` name each bad field.
 */
export function parseInput<S extends z.ZodType>(
  schema: S,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details = result.error.issues.slice(0, 10).map((issue) => ({
    errorCode: issue.code,
    fieldName: issue.path.map(String).join('.') || where,
  }));
  const first = result.error.issues[0];
  const field = first?.path.map(String).join('.') || where;
  throw new ApiError(400, 'bad.request', `Invalid ${where}: ${field}: ${first?.message ?? 'invalid'}`, {
    messageParams: { field },
    details,
  });
}
