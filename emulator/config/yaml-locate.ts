import { type Document, isNode, LineCounter, parseDocument } from 'yaml';

/**
 * Parses YAML (JSON is YAML too) keeping source positions, so a validation error found later on a
 * path like users[1].capacity.message can be reported with its line number.
 */
export interface LocatedYaml {
  value: unknown;
  lineOf(path: readonly PropertyKey[]): number | undefined;
}

export class YamlSyntaxError extends Error {
  constructor(
    message: string,
    readonly line: number | undefined,
  ) {
    super(message);
    this.name = 'YamlSyntaxError';
  }
}

export function parseLocatedYaml(text: string): LocatedYaml {
  const lineCounter = new LineCounter();
  const doc: Document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const first = doc.errors[0];
  if (first) {
    // With prettyErrors off the parser leaves linePos unset; the offset in `pos` gives the line.
    const line = first.linePos?.[0]?.line ?? lineCounter.linePos(first.pos[0]).line;
    throw new YamlSyntaxError(first.message.split('\n')[0] ?? first.message, line);
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // toJS throws (a ReferenceError) when aliases expand past maxAliasCount: a "billion laughs" document.
    throw new YamlSyntaxError((e as Error).message.split('\n')[0] ?? 'invalid YAML', undefined);
  }
  return {
    value,
    lineOf(path) {
      // Walk up the path until a node with a position is found (a missing key points at its parent).
      for (let n = path.length; n >= 0; n--) {
        const node = doc.getIn(path.slice(0, n) as unknown[], true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** `users[1].capacity.message` from ['users', 1, 'capacity', 'message']. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(root)';
}
