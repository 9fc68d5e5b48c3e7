import { isoTime } from '../../domain/clock.ts';
import type { Conversation, ConversationMessage } from '../../domain/conversations/model.ts';
import { messageStatus } from '../platform/conversations/presenters.ts';

/**
 * The `messages[]` a conversation notification carries for each participant (platform-extra.md §7), as JSON
 * text, kept per conversation and brought up to date by what changed since the last frame: the messages
 * appended since, and the outbound ones still `sent` (the only status that changes again, to
 * `delivery-success` or `delivery-failed`). Why: every frame carries every message, and building the
 * entries again for each frame made one message's cost grow with the conversation's length (issue 19).
 * Conversations are changed in place and messages only appended; a conversation object that is new (a
 * restore) or whose messages shrank is read again from the start.
 */
export type EntryShape = 'generic' | 'media';

/**
 * Entries are joined in blocks of this many, each kept until one of its entries changes: a change then
 * joins one block and the blocks' texts, not every entry (a message's status changes after it was added).
 */
const BLOCK = 32;

/** One participant's entries, in the order they sent them. */
class ParticipantEntries {
  readonly #messages: ConversationMessage[] = [];
  readonly #statuses: string[] = [];
  readonly #texts: Record<EntryShape, string[]> = { generic: [], media: [] };
  readonly #blocks: Record<EntryShape, (string | undefined)[]> = { generic: [], media: [] };
  #joined: Partial<Record<EntryShape, string>> = {};

  /** Adds a message; returns its index if its status may still change. */
  add(m: ConversationMessage): number | undefined {
    const index = this.#messages.push(m) - 1;
    this.#write(index);
    return this.#statuses[index] === 'sent' ? index : undefined;
  }

  /** Reads a message's status again; returns whether it may still change. */
  refresh(index: number): boolean {
    const status = messageStatus(this.#messages[index]!);
    if (status !== this.#statuses[index]) this.#write(index);
    return status === 'sent';
  }

  json(shape: EntryShape): string {
    if (this.#joined[shape] === undefined) {
      const texts = this.#texts[shape];
      const blocks = this.#blocks[shape];
      // Blocks linked with `+` (V8 links strings rather than copying them; the socket's write copies once).
      let joined = '[';
      for (let b = 0; b * BLOCK < texts.length; b++) {
        blocks[b] ??= texts.slice(b * BLOCK, (b + 1) * BLOCK).join(',');
        joined += b === 0 ? blocks[b] : `,${blocks[b]}`;
      }
      this.#joined[shape] = `${joined}]`;
    }
    return this.#joined[shape];
  }

  #write(index: number): void {
    const m = this.#messages[index]!;
    const status = messageStatus(m);
    const common = { messageTime: isoTime(m.time), messageSegmentCount: 1, messageStatus: status };
    this.#statuses[index] = status;
    // ConversationEventTopicMessageDetails names the id `messageId`...
    this.#texts.generic[index] = JSON.stringify({ messageId: m.id, ...common });
    // ...the media topics' MessageDetails carry it as `message.id` (platform-extra.md §7).
    this.#texts.media[index] = JSON.stringify({ message: { id: m.id }, ...common });
    const block = Math.floor(index / BLOCK);
    this.#blocks.generic[block] = undefined;
    this.#blocks.media[block] = undefined;
    this.#joined = {};
  }
}

class ConversationEntries {
  #seen = 0;
  readonly #byParticipant = new Map<string, ParticipantEntries>();
  /** Outbound messages still `sent`: where their participant keeps them. */
  #open: { entries: ParticipantEntries; index: number }[] = [];

  /** Brings the entries up to date with `conversation.messages`. */
  sync(messages: readonly ConversationMessage[]): void {
    this.#open = this.#open.filter(({ entries, index }) => entries.refresh(index));
    for (; this.#seen < messages.length; this.#seen++) {
      const m = messages[this.#seen]!;
      let entries = this.#byParticipant.get(m.participantId);
      if (!entries) {
        entries = new ParticipantEntries();
        this.#byParticipant.set(m.participantId, entries);
      }
      const index = entries.add(m);
      if (index !== undefined) this.#open.push({ entries, index });
    }
  }

  seen(): number {
    return this.#seen;
  }

  json(participantId: string, shape: EntryShape): string {
    return this.#byParticipant.get(participantId)?.json(shape) ?? '[]';
  }
}

const kept = new WeakMap<Conversation, ConversationEntries>();

/** The entries of `conversation`, up to date; `json(participantId, shape)` gives a participant's array. */
export function messageEntriesOf(conversation: Conversation): ConversationEntries {
  let entries = kept.get(conversation);
  if (!entries || entries.seen() > conversation.messages.length) {
    entries = new ConversationEntries();
    kept.set(conversation, entries);
  }
  entries.sync(conversation.messages);
  return entries;
}
