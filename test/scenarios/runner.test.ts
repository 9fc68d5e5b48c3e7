import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadScenarioFile, parseScenario, ScenarioError } from '../../scenarios/runner/load.ts';
import { junit, prettyFailure } from '../../scenarios/runner/reporters.ts';
import { runScenario } from '../../scenarios/runner/run.ts';
import { renderSchema, SCHEMA_PATH } from '../../scenarios/runner/write-schema.ts';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

function problemsOf(text: string) {
  try {
    parseScenario(text, 'story.yaml');
  } catch (e) {
    if (e instanceof ScenarioError) return e;
  }
  throw new Error('expected a ScenarioError');
}

const HEADER = `name: x
actors:
  pat: { customer: {} }
  alda: { agent: Alda Moore }
steps:
`;

describe('scenario files', () => {
  it.each([
    ['an unknown verb', '  - onQueue: alda\n  - dance: alda\n', 7, 'steps[1]', /unknown step "dance"/],
    ['a bad field', '  - transfer: { customer: pat, queu: General }\n', 6, 'steps[0].transfer', /queu/],
    ['an undeclared actor', '  - onQueue: bob\n', 6, 'steps[0].onQueue', /no actor named "bob"/],
    ['a customer used as an agent', '  - answer: pat\n', 6, 'steps[0].answer', /"pat" is not an agent/],
    ['a bad duration', '  - advance: soon\n', 6, 'steps[0].advance', /duration/],
  ])('name file:line and the field for %s', (_what, steps, line, path, message) => {
    const error = problemsOf(HEADER + steps);
    expect(error.problems[0]).toMatchObject({ line, path });
    expect(error.problems[0]!.message).toMatch(message);
    expect(error.message).toContain(`story.yaml:${line}: ${path}:`);
  });

  it('names the line of a YAML syntax error', () => {
    const error = problemsOf(`${HEADER}  - onQueue: [alda\n`);
    expect(error.problems[0]).toMatchObject({ path: '(syntax)', line: expect.any(Number) });
  });

  it('the committed JSON Schema matches the scenario schema', () => {
    expect(readFileSync(SCHEMA_PATH, 'utf8')).toBe(renderSchema());
  });
});

describe('the runner', () => {
  it('gives a byte-identical transcript for the same seed', async () => {
    const scenario = loadScenarioFile(here('../../scenarios/library/transfer-to-queue.yaml'));
    const first = await runScenario(scenario, 'webmessaging');
    const second = await runScenario(scenario, 'webmessaging');
    expect(first.passed, first.transcript).toBe(true);
    expect(second.fullTranscript).toBe(first.fullTranscript);
    const other = await runScenario(scenario, 'webmessaging', { seed: 99 });
    expect(other.fullTranscript).not.toBe(first.fullTranscript);
  });

  it('reports a failing scenario with the step, its line, the transcript and a JUnit failure', async () => {
    const scenario = loadScenarioFile(here('fixtures/failing.yaml'));
    const result = await runScenario(scenario, 'webmessaging');
    expect(result.passed).toBe(false);
    expect(result.failure).toMatchObject({ stepIndex: 3, line: 11, verb: 'expectBot' });
    expect(result.failure!.message).toMatch(
      /timed out after 5000 ms \(emulator time\) waiting for the bot to receive/,
    );
    // The transcript tells the story up to the failure: routing, the alert, and where it stopped.
    expect(result.transcript).toMatch(/routing in General: alerted Alda Moore/);
    expect(result.transcript).toMatch(/FAILED at step 4 \(expectBot\)/);
    expect(prettyFailure(result, '/tmp/t.txt')).toContain('failing.yaml:11: step 4 (expectBot)');
    const xml = junit([result]);
    expect(xml).toMatch(/<testsuite name="scenarios" tests="1" failures="1"/);
    expect(xml).toMatch(/<failure message="step 4 \(expectBot\) at line 11: timed out/);
  });
});
