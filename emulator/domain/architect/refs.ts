// Archy cross-references such as `/inboundShortMessage/states/state[Initial State_10]`. The part in
// brackets is a refId (spaces allowed); relative forms `./states/state[...]` and `../tasks/task[...]` also
// appear in exports.

import type { FlowType } from './flow-types.ts';

/** The refId a reference points at, or undefined when the text is not a reference to a `kind` of this flow. */
export function parseRef(text: string, flowType: FlowType, kind: 'state' | 'task'): string | undefined {
  const trimmed = text.trim();
  const prefixes = [`/${flowType}/${kind}s/${kind}[`, `./${kind}s/${kind}[`, `../${kind}s/${kind}[`];
  const prefix = prefixes.find((candidate) => trimmed.startsWith(candidate));
  if (prefix === undefined || !trimmed.endsWith(']')) return undefined;
  const refId = trimmed.slice(prefix.length, -1);
  return refId === '' ? undefined : refId;
}
