import type { FieldType, ModelSet } from './dts-models.ts';
import { enumFor } from './enums.ts';

/**
 * Checks one JSON body against a model of the SDK's d.ts: required fields present, no field the model
 * lacks, primitive types right (string, number, boolean, arrays, nested models, maps), enum values
 * from enums.ts. Every problem is reported with its JSON path and the model it breaks.
 */

export type Problem = 'missing' | 'unknown' | 'type' | 'enum' | 'no-model' | 'body';

export interface Mismatch {
  /** `GET /api/v2/users/me` or `v2.users.{id}.conversations`. */
  where: string;
  /** The model named for the route or topic. */
  root: string;
  /** The model the offending field belongs to (nested models have their own names). */
  model: string;
  /** JSON path from the body's root, e.g. `participants[2].messages[0].messageStatus`. */
  path: string;
  problem: Problem;
  detail: string;
}

export function describeMismatch(m: Mismatch): string {
  const at = m.path === '' ? '(body)' : m.path;
  return `${m.where} -> ${m.root}: ${at} [${m.problem}] ${m.detail} (model ${m.model})`;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}

function typeName(t: FieldType): string {
  if (t.kind === 'model') return t.name;
  if (t.kind === 'array') return `Array<${typeName(t.of)}>`;
  if (t.kind === 'map') return `{[key]: ${typeName(t.of)}}`;
  return t.kind;
}

const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

export function validateBody(value: unknown, rootModel: string, models: ModelSet, where: string): Mismatch[] {
  const out: Mismatch[] = [];
  const report = (model: string, path: string, problem: Problem, detail: string) =>
    out.push({ where, root: rootModel, model, path, problem, detail });

  const checkModel = (v: unknown, name: string, path: string): void => {
    const model = models.get(name);
    if (!model) {
      report(name, path, 'no-model', `the SDK's d.ts has no model ${name}`);
      return;
    }
    if (kindOf(v) !== 'object') {
      report(name, path, 'type', `expected ${name}, got ${kindOf(v)}`);
      return;
    }
    const obj = v as Record<string, unknown>;
    for (const [field, spec] of model.fields) {
      if (spec.required && obj[field] === undefined)
        report(name, join(path, field), 'missing', `required field "${field}" is absent`);
    }
    for (const [field, fv] of Object.entries(obj)) {
      const spec = model.fields.get(field);
      if (spec) checkType(fv, spec.type, join(path, field), name, field);
      else report(name, join(path, field), 'unknown', `field "${field}" is not in the model`);
    }
  };

  /** `owner.field` holds `v`, declared as `t` (array items and map values keep the field's owner). */
  const checkType = (v: unknown, t: FieldType, path: string, owner: string, field: string): void => {
    const got = kindOf(v);
    if (t.kind === 'model') {
      checkModel(v, t.name, path);
      return;
    }
    const expected = t.kind === 'array' ? 'array' : t.kind === 'map' ? 'object' : t.kind;
    if (got !== expected) {
      report(owner, path, 'type', `expected ${typeName(t)}, got ${got}`);
      return;
    }
    if (t.kind === 'array') {
      (v as unknown[]).forEach((item, i) => {
        checkType(item, t.of, `${path}[${i}]`, owner, field);
      });
    } else if (t.kind === 'map') {
      for (const [k, item] of Object.entries(v as Record<string, unknown>))
        checkType(item, t.of, `${path}[${JSON.stringify(k)}]`, owner, field);
    } else if (t.kind === 'string') {
      const rule = enumFor(owner, field);
      if (rule && !rule.values.includes(v as string))
        report(
          owner,
          path,
          'enum',
          `"${v as string}" is not one of ${rule.values.join('|')} (${rule.source})`,
        );
    }
  };

  // A bare array of a model (`Array<WrapupCode>`) is a root some routes answer with.
  const array = /^Array<(\w+)>$/.exec(rootModel);
  if (array) checkType(value, { kind: 'array', of: { kind: 'model', name: array[1]! } }, '', rootModel, '');
  else checkModel(value, rootModel, '');
  return out;
}

/** `participants[3].messages[0]` -> `participants[*].messages[*]`; map keys too. */
export function normalisePath(path: string): string {
  return path.replace(/\[[^\]]*\]/g, '[*]');
}
