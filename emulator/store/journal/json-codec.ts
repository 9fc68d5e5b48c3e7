/**
 * JSON for store entities, keeping the numbers plain JSON cannot carry: NaN and the infinities become
 * `{"$num":"NaN"}` and come back as numbers (an agent who never went on queue has `idleSince` NaN).
 * Everything else is ordinary JSON, so journal lines stay readable with any JSON tool.
 */
const TAG = '$num';

function replacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? { [TAG]: String(value) } : value;
}

function reviver(_key: string, value: unknown): unknown {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const tagged = (value as Record<string, unknown>)[TAG];
    if (typeof tagged === 'string' && Object.keys(value).length === 1) return Number(tagged);
  }
  return value;
}

export function encodeJson(value: unknown): string {
  // A replacer costs a call per key; a walk looking for the rare non-finite number costs far less.
  return holdsNonFinite(value) ? JSON.stringify(value, replacer) : JSON.stringify(value);
}

function holdsNonFinite(value: unknown): boolean {
  if (typeof value === 'number') return !Number.isFinite(value);
  if (value === null || typeof value !== 'object') return false;
  if (Array.isArray(value)) {
    for (const item of value) if (holdsNonFinite(item)) return true;
    return false;
  }
  for (const key in value) if (holdsNonFinite((value as Record<string, unknown>)[key])) return true;
  return false;
}

export function decodeJson(text: string): unknown {
  // The reviver costs on every value; most lines hold no tagged number at all.
  return text.includes(`"${TAG}"`) ? JSON.parse(text, reviver) : JSON.parse(text);
}
