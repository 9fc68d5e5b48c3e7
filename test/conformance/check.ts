import { ALLOWLIST, type Allowed } from './allowlist.ts';
import { type ModelSet, sdkModels } from './dts-models.ts';
import { ROUTE_MODELS, topicModelOf, UNMODELLED_TOPICS } from './model-maps.ts';
import type { Recorder } from './recorder.ts';
import { describeMismatch, type Mismatch, normalisePath, validateBody } from './validate.ts';

/**
 * Validates everything a recorder saw against the models the route and topic maps name, then splits the
 * mismatches into those the allowlist explains and the rest. A response or frame whose route or topic
 * is not mapped is itself a mismatch (`no-model`), so nothing goes unchecked.
 */

export interface CheckResult {
  rest: Mismatch[];
  topics: Mismatch[];
  /** What the allowlist does not explain: the test fails on any of these. */
  unexpected: Mismatch[];
  /** Allowlist entries that explained nothing in this run (stale entries hide future drift). */
  unused: Allowed[];
  counts: { responses: number; frames: number };
}

function setOf(source: 'platform' | 'guest'): ModelSet {
  const { platform, guest } = sdkModels();
  return source === 'guest' ? guest : platform;
}

export function validateResponses(recorder: Recorder): Mismatch[] {
  const out: Mismatch[] = [];
  for (const r of recorder.responses) {
    const mapped = ROUTE_MODELS[r.route];
    if (r.status >= 400) {
      // Errors are Genesys ErrorBody on every route, mapped or not.
      out.push(...validateBody(r.body, 'ErrorBody', setOf(mapped?.source ?? 'platform'), r.route));
      continue;
    }
    if (!mapped) {
      out.push(noModel(r.route, `no model is mapped for this route (status ${r.status})`));
      continue;
    }
    if (mapped.model === 'none') {
      if (r.body !== undefined)
        out.push({ ...noModel(r.route, 'the SDK expects no body here'), root: 'none', problem: 'body' });
      continue;
    }
    out.push(...validateBody(r.body, mapped.model, setOf(mapped.source), r.route));
  }
  return out;
}

export function validateFrames(recorder: Recorder): Mismatch[] {
  const out: Mismatch[] = [];
  for (const f of recorder.frames) {
    if (UNMODELLED_TOPICS.has(f.topicName)) continue;
    const mapped = topicModelOf(f.topicName);
    if (!mapped) {
      out.push(noModel(f.topicName, 'no model is mapped for this topic'));
      continue;
    }
    const { model, source } = mapped.model(f);
    out.push(...validateBody(f.eventBody, model, setOf(source), mapped.topic));
  }
  return out;
}

function noModel(where: string, detail: string): Mismatch {
  return { where, root: '?', model: '?', path: '', problem: 'no-model', detail };
}

export function explains(entry: Allowed, m: Mismatch): boolean {
  return (
    (Array.isArray(entry.where) ? entry.where.includes(m.where) : entry.where === m.where) &&
    entry.problem === m.problem &&
    entry.path === normalisePath(m.path) &&
    (entry.model === undefined || entry.model === m.model)
  );
}

export function check(recorder: Recorder, allowlist: readonly Allowed[] = ALLOWLIST): CheckResult {
  const rest = validateResponses(recorder);
  const topics = validateFrames(recorder);
  // Each place an entry names must still be explained by it: `entry index|where`.
  const used = new Set<string>();
  const unexpected: Mismatch[] = [];
  for (const m of [...rest, ...topics]) {
    const i = allowlist.findIndex((a) => explains(a, m));
    if (i >= 0) used.add(`${i}|${m.where}`);
    else unexpected.push(m);
  }
  const unused = allowlist.flatMap((a, i) =>
    (Array.isArray(a.where) ? a.where : [a.where as string])
      .filter((where) => !used.has(`${i}|${where}`))
      .map((where) => ({ ...a, where })),
  );
  return {
    rest,
    topics,
    unexpected,
    unused,
    counts: { responses: recorder.responses.length, frames: recorder.frames.length },
  };
}

/** One line per distinct mismatch (route/topic, normalised path, problem), with how often it was seen. */
export function summarise(mismatches: readonly Mismatch[]): string[] {
  const seen = new Map<string, { m: Mismatch; n: number }>();
  for (const m of mismatches) {
    const key = `${m.where}|${m.root}|${normalisePath(m.path)}|${m.problem}|${m.model}`;
    const hit = seen.get(key);
    if (hit) hit.n++;
    else seen.set(key, { m: { ...m, path: normalisePath(m.path) }, n: 1 });
  }
  return [...seen.values()].map(({ m, n }) => `${describeMismatch(m)}${n > 1 ? ` x${n}` : ''}`);
}

/** How many distinct mismatches (route/topic + path + problem) a list holds. */
export function distinctCount(mismatches: readonly Mismatch[]): number {
  return summarise(mismatches).length;
}
