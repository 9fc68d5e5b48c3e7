import { mkdirSync, writeFileSync } from 'node:fs';
import type { CheckResult } from './check.ts';
import { distinctCount, summarise } from './check.ts';
import type { Recorder } from './recorder.ts';

function median(values: number[]): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : Math.round((sorted[mid - 1]! + sorted[mid]!) / 2);
}

/** The size of what agents received, per documented topic, and over the generic conversation topic. */
export function frameSizes(recorder: Recorder) {
  const byTopic = new Map<string, number[]>();
  for (const f of recorder.frames) {
    const topic = `${f.story} ${f.topicName}`.replace(/\.[0-9a-f-]{36}(\.|$)/, '.{id}$1');
    byTopic.set(topic, [...(byTopic.get(topic) ?? []), f.bytes]);
  }
  return Object.fromEntries(
    [...byTopic].map(([topic, sizes]) => [topic, { frames: sizes.length, medianBytes: median(sizes) }]),
  );
}

/**
 * Writes the run's figures to test/artifacts/conformance/figures.json (not committed): mismatches before
 * the allowlist (REST and notifications, distinct and total), and notification frame sizes.
 */
export function writeFigures(result: CheckResult, recorder: Recorder, file = 'figures.json'): void {
  const dir = new URL('../artifacts/conformance/', import.meta.url);
  mkdirSync(dir, { recursive: true });
  const figures = {
    responses: result.counts.responses,
    frames: result.counts.frames,
    mismatches: {
      rest: { distinct: distinctCount(result.rest), total: result.rest.length },
      notifications: { distinct: distinctCount(result.topics), total: result.topics.length },
      unexplained: distinctCount(result.unexpected),
    },
    frameSizes: frameSizes(recorder),
    rest: summarise(result.rest),
    notifications: summarise(result.topics),
  };
  writeFileSync(new URL(file, dir), `${JSON.stringify(figures, null, 2)}\n`);
}
