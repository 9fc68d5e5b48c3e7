import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { formatPath, parseLocatedYaml, YamlSyntaxError } from '../../emulator/index.ts';
import { didYouMean, listNames } from './did-you-mean.ts';
import {
  type Actor,
  type ScenarioHeader,
  ScenarioShape,
  STEP_VERBS,
  type StepArgs,
  type StepVerb,
  stepSchema,
} from './schema.ts';
import { authorErrors } from './schema-messages.ts';

export interface ScenarioStep<V extends StepVerb = StepVerb> {
  verb: V;
  args: StepArgs<V>;
  index: number;
  line?: number;
  note?: string;
}

export interface LoadedScenario extends ScenarioHeader {
  file: string;
  steps: ScenarioStep[];
  /** The line each actor is declared on, for messages about the names actors take from the org. */
  actorLines?: Record<string, number | undefined>;
}

export interface ScenarioProblem {
  line?: number;
  path: string;
  message: string;
}

/** A scenario file that cannot run; every problem names file:line and the field. */
export class ScenarioError extends Error {
  constructor(
    readonly file: string,
    readonly problems: ScenarioProblem[],
  ) {
    super(problems.map((p) => `${file}${p.line ? `:${p.line}` : ''}: ${p.path}: ${p.message}`).join('\n'));
    this.name = 'ScenarioError';
  }
}

export function loadScenarioFile(file: string): LoadedScenario {
  return parseScenario(readFileSync(file, 'utf8'), file);
}

export function parseScenario(text: string, file: string): LoadedScenario {
  let located: ReturnType<typeof parseLocatedYaml>;
  try {
    located = parseLocatedYaml(text);
  } catch (e) {
    if (e instanceof YamlSyntaxError)
      throw new ScenarioError(file, [{ line: e.line, path: '(syntax)', message: e.message }]);
    throw e;
  }
  const problems: ScenarioProblem[] = [];
  const fromZod = (error: z.ZodError, prefix: PropertyKey[] = []) => {
    for (const issue of error.issues) {
      const path = [...prefix, ...issue.path];
      problems.push({
        line: located.lineOf(path),
        path: formatPath(path),
        message: `${subjectOf(path)} ${issue.message}`,
      });
    }
  };
  const header = ScenarioShape.safeParse(located.value, { error: authorErrors });
  if (!header.success) {
    fromZod(header.error);
    throw new ScenarioError(file, problems);
  }
  const { steps: rawSteps, ...rest } = header.data;
  const steps: ScenarioStep[] = [];
  rawSteps.forEach((raw, index) => {
    const keys = Object.keys(raw).filter((k) => k !== 'note');
    const at = ['steps', index];
    if (keys.length !== 1 || !(STEP_VERBS as string[]).includes(keys[0]!)) {
      const unknown = keys.filter((k) => !(STEP_VERBS as string[]).includes(k));
      problems.push({
        line: located.lineOf(at),
        path: formatPath(at),
        message:
          keys.length === 0
            ? 'a step needs a verb (and may have a note)'
            : unknown.length
              ? `unknown step "${unknown[0]}"${didYouMean(unknown[0]!, STEP_VERBS)} (the verbs are ${STEP_VERBS.join(', ')})`
              : `one verb per step, got ${keys.join(' and ')}`,
      });
      return;
    }
    const verb = keys[0] as StepVerb;
    const parsed = stepSchema(verb, raw[verb]).safeParse(raw[verb], { error: authorErrors });
    if (!parsed.success) {
      fromZod(parsed.error, [...at, verb]);
      return;
    }
    const step: ScenarioStep = { verb, args: parsed.data as never, index, line: located.lineOf(at) };
    if (typeof raw.note === 'string') step.note = raw.note;
    steps.push(step);
    for (const problem of actorProblems(verb, parsed.data, rest.actors)) {
      const path = problem.field ? [...at, verb, problem.field] : [...at, verb];
      problems.push({ line: located.lineOf(path), path: formatPath(path), message: problem.message });
    }
  });
  if (problems.length) throw new ScenarioError(file, problems);
  const actorLines = Object.fromEntries(
    Object.keys(rest.actors).map((name) => [name, located.lineOf(['actors', name])]),
  );
  return { ...rest, file, steps, actorLines };
}

/** Steps name actors; each must be declared, and be a customer or an agent as the field says. */
/** How a message names the field it is about: `advance`, `within`, `channels[0]`, `actor "pat"`. */
function subjectOf(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'the scenario';
  if (path.length === 2 && path[0] === 'actors') return `actor "${String(path[1])}"`;
  const last = path.at(-1)!;
  if (typeof last === 'number') return formatPath(path.slice(-2));
  return String(last);
}

function actorProblems(verb: StepVerb, args: unknown, actors: Record<string, Actor>) {
  const out: { field: string; message: string }[] = [];
  const ofKind = (kind: 'customer' | 'agent') =>
    Object.entries(actors).flatMap(([n, a]) => (kind in a ? [n] : []));
  const check = (field: string, name: unknown, kind: 'customer' | 'agent') => {
    if (typeof name !== 'string') return;
    const actor = actors[name];
    const valid = ofKind(kind);
    const which = `the ${kind}s are ${valid.length ? listNames(valid) : 'none'}`;
    if (!actor)
      out.push({
        field,
        message: `no actor named "${name}"${didYouMean(name, valid.length ? valid : Object.keys(actors))} (${which})`,
      });
    else if (!(kind in actor))
      out.push({
        field,
        message: `"${name}" is not ${kind === 'agent' ? 'an agent' : 'a customer'} (${which})`,
      });
  };
  if (typeof args === 'string') {
    const kind = verb === 'reconnect' || verb === 'dropCustomerSocket' ? 'customer' : 'agent';
    if (verb !== 'advance') check('', args, kind);
    return out;
  }
  if (args && typeof args === 'object') {
    const a = args as Record<string, unknown>;
    check('customer', a.customer, 'customer');
    check('agent', a.agent, 'agent');
    check('to', a.to, 'agent');
    check('connectedTo', a.connectedTo, 'agent');
  }
  return out;
}
