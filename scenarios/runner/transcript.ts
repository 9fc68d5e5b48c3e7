/**
 * What a scenario run saw, in order: steps, bridge events, emulator timeline entries (routing and flow
 * decisions, state changes) and agent API calls. Times are emulator time, so the same seed gives a
 * byte-identical transcript.
 */
export interface TranscriptEntry {
  /** Emulator time, ISO. */
  time: string;
  source: 'step' | 'bridge' | 'emulator' | 'agent' | 'runner';
  text: string;
  detail?: unknown;
}

export class Transcript {
  readonly entries: TranscriptEntry[] = [];
  constructor(private readonly now: () => number) {}

  add(source: TranscriptEntry['source'], text: string, detail?: unknown): void {
    this.entries.push({
      time: new Date(this.now()).toISOString(),
      source,
      text,
      ...(detail === undefined ? {} : { detail }),
    });
  }

  /** One line per entry; `full` adds each entry's detail as JSON. */
  render(full: boolean): string {
    return this.entries
      .map((e) => {
        const head = `${e.time.slice(11, 23)} ${e.source.padEnd(8)} ${e.text}`;
        return full && e.detail !== undefined
          ? `${head}\n${' '.repeat(22)}${JSON.stringify(e.detail)}`
          : head;
      })
      .join('\n');
  }
}
