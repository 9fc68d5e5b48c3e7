import type { ScenarioResult } from './run.ts';

/** How much of a failed run's transcript is printed inline; the whole of it goes to a file. */
const SHORT_TRANSCRIPT_LINES = 40;

/** Every step was skipped: the run proves nothing, and says so. */
export function allSkipped(r: ScenarioResult): boolean {
  return r.passed && r.steps > 0 && r.skipped.length === r.steps;
}

/** `3 steps skipped: needs the control plane; needs a manual clock` (each reason once). */
export function skippedSummary(r: ScenarioResult): string {
  const n = r.skipped.length;
  const reasons = [...new Set(r.skipped.map((s) => s.reason))].join('; ');
  return `${n} step${n === 1 ? '' : 's'} skipped: ${reasons}`;
}

export function prettyLine(r: ScenarioResult): string {
  const mark = !r.passed ? 'FAIL' : allSkipped(r) ? 'skip' : 'ok  ';
  const skipped = r.skipped.length ? ` (${skippedSummary(r)})` : '';
  const warnings = r.warnings.map((w) => `\n  warning: ${w}`).join('');
  return `${mark} ${r.scenario} [${r.channel}] ${r.durationMs.toFixed(0)} ms${skipped}${warnings}`;
}

/** Where a failure happened: a step, or setting the run up (stepIndex -1). */
function failedStep(f: NonNullable<ScenarioResult['failure']>): string {
  return f.stepIndex < 0 ? 'setup' : `step ${f.stepIndex + 1} (${f.verb})`;
}

export function prettyFailure(r: ScenarioResult, transcriptFile?: string, packFile?: string): string {
  if (!r.failure) return '';
  const f = r.failure;
  const lines = r.transcript.split('\n');
  const tail = lines.slice(-SHORT_TRANSCRIPT_LINES).join('\n');
  return [
    `  ${r.file}${f.line ? `:${f.line}` : ''}: ${failedStep(f)}: ${f.message}`,
    f.detail !== undefined ? `  detail: ${JSON.stringify(f.detail)}` : '',
    `  transcript${lines.length > SHORT_TRANSCRIPT_LINES ? ` (last ${SHORT_TRANSCRIPT_LINES} of ${lines.length} lines)` : ''}:`,
    tail.replace(/^/gm, '    '),
    transcriptFile
      ? `  full transcript: ${transcriptFile}${r.sequences?.length ? ' (ends with the sequence diagrams as Mermaid)' : ''}`
      : '',
    packFile
      ? `  repro pack: ${packFile} (open it with: genesys-emulator start --from-pack ${packFile})`
      : '',
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

/**
 * JUnit XML, one testcase per scenario and channel; a failure names the step and carries the
 * transcript. A run whose every step was skipped is `<skipped/>`; a run with some skipped steps lists
 * them in `<system-out>`, since JUnit has no notion of a partly skipped test.
 */
export function junit(results: ScenarioResult[]): string {
  const failures = results.filter((r) => !r.passed).length;
  const skippedRuns = results.filter(allSkipped).length;
  const seconds = (ms: number) => (ms / 1000).toFixed(3);
  const cases = results.map((r) => {
    const head = `    <testcase classname="${xml(r.file)}" name="${xml(`${r.scenario} [${r.channel}]`)}" time="${seconds(r.durationMs)}"`;
    const body: string[] = [];
    if (allSkipped(r)) body.push(`      <skipped message="${xml(skippedSummary(r))}"/>`);
    else if (r.skipped.length || r.warnings.length) {
      const lines = [
        ...r.skipped.map((s) => `skipped step ${s.stepIndex + 1} (${s.verb}): ${s.reason}`),
        ...r.warnings.map((w) => `warning: ${w}`),
      ];
      body.push(`      <system-out>${xml(lines.join('\n'))}</system-out>`);
    }
    if (r.failure) {
      const f = r.failure;
      const message = `${failedStep(f)}${f.line ? ` at line ${f.line}` : ''}: ${f.message}`;
      body.unshift(
        `      <failure message="${xml(message)}" type="ScenarioFailure">${xml(r.fullTranscript)}</failure>`,
      );
    }
    return body.length ? `${head}>\n${body.join('\n')}\n    </testcase>` : `${head}/>`;
  });
  const total = results.reduce((s, r) => s + r.durationMs, 0);
  const counts = `tests="${results.length}" failures="${failures}" skipped="${skippedRuns}" time="${seconds(total)}"`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites ${counts}>`,
    `  <testsuite name="scenarios" ${counts}>`,
    ...cases,
    '  </testsuite>',
    '</testsuites>',
    '',
  ].join('\n');
}

/**
 * The results without the full transcripts and repro packs (those are files under --out); `skipped`
 * lists each skipped step with its reason, `sequences` a failed run's Mermaid diagrams.
 */
export function json(results: ScenarioResult[]): string {
  return `${JSON.stringify(
    results.map(({ fullTranscript: _f, pack: _p, ...r }) => r),
    null,
    2,
  )}\n`;
}
