import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { z } from 'zod';
import { type Fixture, FixtureSchema } from './fixture-schema.ts';
import { formatPath, parseLocatedYaml, YamlSyntaxError } from './yaml-locate.ts';

export interface FixtureProblem {
  path: string;
  line?: number;
  message: string;
}

/** A fixture that cannot be used. `problems` name each bad field; `message` is ready to print. */
export class FixtureError extends Error {
  constructor(
    readonly source: string,
    readonly problems: FixtureProblem[],
  ) {
    super(
      `invalid fixture ${source}:\n` +
        problems.map((p) => `  ${source}${p.line ? `:${p.line}` : ''} ${p.path}: ${p.message}`).join('\n'),
    );
    this.name = 'FixtureError';
  }
}

function problemsOf(error: z.ZodError, lineOf?: (path: readonly PropertyKey[]) => number | undefined) {
  return error.issues.map((issue) => {
    const line = lineOf?.(issue.path);
    return { path: formatPath(issue.path), message: issue.message, ...(line ? { line } : {}) };
  });
}

/** Validates an already-parsed fixture object (control plane, tests). */
export function parseFixture(value: unknown, source = 'fixture'): Fixture {
  const result = FixtureSchema.safeParse(value);
  if (!result.success) throw new FixtureError(source, problemsOf(result.error));
  const withFile = result.data.flows.findIndex((f) => f.file !== undefined);
  if (withFile >= 0) throw new FixtureError(source, [flowFileRefused(withFile)]);
  return validated(result.data);
}

/** Parses YAML or JSON fixture text; `baseDir` resolves flow `file:` entries. */
export function parseFixtureText(text: string, source: string, baseDir?: string): Fixture {
  let located: ReturnType<typeof parseLocatedYaml>;
  try {
    located = parseLocatedYaml(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError)
      throw new FixtureError(source, [
        { path: '(syntax)', message: e.message, ...(e.line ? { line: e.line } : {}) },
      ]);
    throw e;
  }
  const result = FixtureSchema.safeParse(located.value);
  if (!result.success) throw new FixtureError(source, problemsOf(result.error, located.lineOf));
  const fixture = result.data;
  // Inline each flow file so the active fixture is self-contained (GET /__emulator/fixture shows it whole).
  fixture.flows.forEach((flow, i) => {
    if (flow.file === undefined) return;
    if (baseDir === undefined) {
      const line = located.lineOf(['flows', i, 'file']);
      throw new FixtureError(source, [{ ...flowFileRefused(i), ...(line ? { line } : {}) }]);
    }
    const path = resolve(baseDir, flow.file);
    try {
      flow.yaml = readFileSync(path, 'utf8');
    } catch (e) {
      const line = located.lineOf(['flows', i, 'file']);
      throw new FixtureError(source, [
        {
          path: `flows[${i}].file`,
          message: `cannot read ${path}: ${(e as Error).message}`,
          ...(line ? { line } : {}),
        },
      ]);
    }
  });
  return validated(fixture);
}

/**
 * Only a fixture read from disk may point at flow files beside it; one sent over the control plane must
 * inline its flows, so a request can never make the emulator read an arbitrary path.
 */
function flowFileRefused(i: number): FixtureProblem {
  return {
    path: `flows[${i}].file`,
    message: 'flow files can be used only in a fixture file on disk; inline the flow as yaml',
  };
}

export function loadFixtureFile(path: string): Fixture {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new FixtureError(path, [{ path: '(file)', message: (e as Error).message }]);
  }
  return parseFixtureText(text, path, dirname(resolve(path)));
}

/**
 * Fixtures this module checked (every default filled in) and froze. Nothing can change them since, so
 * the handle takes one as it is: a scenario library starts its emulator over with the same fixture for
 * every run, and checking it again cost about a millisecond a run.
 */
const checked = new WeakSet<Fixture>();

/** Freezes a fixture that passed the schema and remembers it as checked. */
export function validated(fixture: Fixture): Fixture {
  checked.add(deepFreeze(fixture));
  return fixture;
}

/** Whether `value` is a fixture this module checked (and so is frozen and complete). */
export function isCheckedFixture(value: unknown): value is Fixture {
  // WeakSet.has is false for anything that is not an object: no type check needed before it.
  return checked.has(value as Fixture);
}

export function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
