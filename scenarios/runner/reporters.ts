import type { ScenarioResult } from './run.ts';

/** How much of a failed run's transcript is printed inline; the whole of it goes to a file. */
const SHORT_TRANSCRIPT_LINES = 40;

export function prettyLine(r: ScenarioResult): string {
  const mark = r.passed ? 'ok  ' : 'FAIL';
  return `${mark} ${r.scenario} [${r.channel}] ${r.durationMs.toFixed(0)} ms`;
}

export function prettyFailure(r: ScenarioResult, transcriptFile?: string): string {
  if (!r.failure) return '';
  const f = r.failure;
  const lines = r.transcript.split('\n');
  const tail = lines.slice(-SHORT_TRANSCRIPT_LINES).join('\n');
  return [
    `  ${r.file}${f.line ? `:${f.line}` : ''}: step ${f.stepIndex + 1} (${f.verb}): ${f.message}`,
    f.detail !== undefined ? `  detail: ${JSON.stringify(f.detail)}` : '',
    `  transcript${lines.length > SHORT_TRANSCRIPT_LINES ? ` (last ${SHORT_TRANSCRIPT_LINES} of ${lines.length} lines)` : ''}:`,
    tail.replace(/^/gm, '    '),
    transcriptFile ? `  full transcript: ${transcriptFile}` : '',
  ]
    .filter(Boolean)
    .join('\n');
}

/** Escapes XML text and drops characters XML 1.0 cannot carry (control characters other than tab/newline). */
function xml(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) continue;
    out += '<>&"\''.includes(ch) ? `&#${code};` : ch;
  }
  return out;
}

/** JUnit XML, one testcase per scenario and channel; a failure names the step and carries the transcript. */
export function junit(results: ScenarioResult[]): string {
  const failures = results.filter((r) => !r.passed).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = results.map((r) => {
    const head = `    <testcase classname="${xml(r.file)}" name="${xml(`${r.scenario} [${r.channel}]`)}" time="${seconds(r.durationMs)}"`;
    if (!r.failure) return `${head}/>`;
    const f = r.failure;
    const message = `step ${f.stepIndex + 1} (${f.verb})${f.line ? ` at line ${f.line}` : ''}: ${f.message}`;
    return `${head}>\n      <failure message="${xml(message)}" type="ScenarioFailure">${xml(r.fullTranscript)}</failure>\n    </testcase>`;
  });
  const total = results.reduce((s, r) => s + r.durationMs, 0);
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites tests="${results.length}" failures="${failures}" time="${seconds(total)}">`,
    `  <testsuite name="scenarios" tests="${results.length}" failures="${failures}" time="${seconds(total)}">`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

export function json(results: ScenarioResult[]): string {
  return `${JSON.stringify(
    results.map(({ fullTranscript: _f, ...r }) => r),
    null,
    2,
  )}\n`;
}
