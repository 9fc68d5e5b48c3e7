// `{{key}}` placeholders, replaced in the raw text before YAML parsing, as terraform's genesyscloud_flow
// `substitutions` does. One pass: replacement text is not scanned again.

import { FlowLoadError } from './errors.ts';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

export function applySubstitutions(
  text: string,
  substitutions: Readonly<Record<string, string>>,
  file: string | undefined,
): string {
  return text.replace(PLACEHOLDER, (_match, key: string, offset: number) => {
    if (Object.hasOwn(substitutions, key)) return substitutions[key] ?? '';
    const line = text.slice(0, offset).split('\n').length;
    const known = Object.keys(substitutions);
    throw new FlowLoadError(
      'flow.substitution',
      `no substitution value for {{${key}}} (given: ${known.length === 0 ? 'none' : known.join(', ')})`,
      { path: `{{${key}}}`, line, ...(file === undefined ? {} : { file }) },
    );
  });
}
