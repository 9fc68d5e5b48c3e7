import type { ParsedBridgeConfig } from './config-schema.ts';
import type { TranscriptEntry } from './types.ts';

/**
 * How the bot conversation reaches the agent (config `transcript.mode`):
 * - `summaryMessage`: one message before the customer's first message, with the summary and the transcript
 *   as `Customer: …` / `Bot: …` lines; the oldest lines are dropped first when it is too long.
 * - `link`: one message with the summary and a link built from `linkTemplate`.
 * - `participantData`: the transcript text becomes the attribute `attributeKey`; the summary (if any) is
 *   sent as a message.
 * - `none`: only the summary (if any) is sent.
 */
export type TranscriptOptions = ParsedBridgeConfig['transcript'];

export interface TranscriptInput {
  summary?: string;
  transcript?: TranscriptEntry[];
  sessionId: string;
  botConversationId: string;
}

export interface TranscriptPlan {
  /** Texts to send before the customer's own messages (at most one). */
  messages: string[];
  /** Participant-data attribute to add, in participantData mode. */
  attribute?: { key: string; value: string };
}

const ROLE_LABEL: Record<TranscriptEntry['role'], string> = {
  customer: 'Customer',
  bot: 'Bot',
  system: 'System',
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Renders entries as lines under an optional heading, keeping the most recent lines that fit in maxChars
 * (the agent needs the latest turns most) and saying how many were left out.
 */
export function renderTranscript(
  entries: readonly TranscriptEntry[],
  maxChars: number,
  heading?: string,
): string {
  const lines = entries.map((e) => `${ROLE_LABEL[e.role]}: ${oneLine(e.text)}`);
  const head = heading ? [heading] : [];
  const fits = (body: string[]) => [...head, ...body].join('\n').length <= maxChars;
  let kept = lines;
  let omitted = 0;
  while (kept.length > 0 && !fits(omitted > 0 ? [`[${omitted} earlier lines omitted]`, ...kept] : kept)) {
    kept = kept.slice(1);
    omitted += 1;
  }
  const body = omitted > 0 ? [`[${omitted} earlier lines omitted]`, ...kept] : kept;
  return cut([...head, ...body].join('\n'), maxChars);
}

function fillTemplate(template: string, input: TranscriptInput): string {
  return template
    .replaceAll('{sessionId}', encodeURIComponent(input.sessionId))
    .replaceAll('{botConversationId}', encodeURIComponent(input.botConversationId));
}

/** Decides what to send for the transcript. `maxTextLength` caps any message text. */
export function planTranscript(
  options: TranscriptOptions,
  input: TranscriptInput,
  maxTextLength: number,
): TranscriptPlan {
  const summary = input.summary?.trim() ? `Summary: ${oneLine(input.summary)}` : undefined;
  const entries = input.transcript ?? [];
  const limit = Math.min(options.maxSummaryChars, maxTextLength);

  switch (options.mode) {
    case 'summaryMessage': {
      if (entries.length === 0) return { messages: summary ? [cut(summary, limit)] : [] };
      const heading = summary ? `${summary}\nBot transcript:` : 'Bot transcript:';
      return { messages: [renderTranscript(entries, limit, heading)] };
    }
    case 'link': {
      const link = `Bot conversation: ${fillTemplate(options.linkTemplate ?? '', input)}`;
      return { messages: [cut(summary ? `${summary}\n${link}` : link, maxTextLength)] };
    }
    case 'participantData': {
      const plan: TranscriptPlan = { messages: summary ? [cut(summary, maxTextLength)] : [] };
      if (entries.length > 0) {
        plan.attribute = {
          key: options.attributeKey,
          value: renderTranscript(entries, options.maxSummaryChars),
        };
      }
      return plan;
    }
    case 'none':
      return { messages: summary ? [cut(summary, maxTextLength)] : [] };
  }
}
