import { randomUUID } from 'node:crypto';

/**
 * JSON text for a value some of whose parts are already JSON text. A conversation's notification body
 * carries every message's details (the topic models' `messages[]`), so serialising the body afresh on
 * each change would cost more with every message; each entry is serialised once instead (see
 * conversation-bodies.ts) and spliced in. `raw(json)` returns a stand-in string to put where the value
 * goes; `stringify(value)` serialises the rest and swaps each stand-in for its text.
 *
 * The stand-ins hold a random id made per process, so no text a user sends (an attribute, a name) can
 * be taken for one.
 */
const MARK = `@@spliced-${randomUUID()}-`;
const STAND_IN = new RegExp(`"${MARK}(\\d+)"`, 'g');

export class SplicedJson {
  readonly #parts: string[] = [];

  /** A stand-in for the JSON text `json`; it must be placed as a value, not as a key. */
  raw(json: string): string {
    this.#parts.push(json);
    return `${MARK}${this.#parts.length - 1}`;
  }

  stringify(value: unknown): string {
    const text = JSON.stringify(value);
    if (this.#parts.length === 0) return text;
    return text.replace(STAND_IN, (_, index: string) => this.#parts[Number(index)]!);
  }
}
