import { randomBytes } from 'node:crypto';

/**
 * JSON.stringify with pieces that are already JSON text: `slot(text)` gives a stand-in string to put in
 * the value, and `stringify(value)` writes `text` where the stand-in is. Why: a conversation's notification
 * carries every message's entry, and serializing a thousand unchanged entries again for every frame made
 * the cost of one message grow with the conversation's length (issue 19). Each entry's text is kept, so a
 * frame only joins them.
 *
 * A stand-in is a control character, a nonce drawn once per process and the piece's index; JSON.stringify
 * writes the control character as `\u0001`, so the stand-in cannot be confused with the pieces, and a
 * string from a user (an attribute value) could only match it by guessing the nonce.
 */
const NONCE = randomBytes(8).toString('hex');
const STAND_IN = `\u0001${NONCE}:`;
const WRITTEN = new RegExp(`"\\\\u0001${NONCE}:(\\d+)"`, 'g');

export class RawJson {
  readonly #pieces: string[] = [];

  /** A stand-in for `jsonText` (valid JSON) in a value given to `stringify`. */
  slot(jsonText: string): string {
    this.#pieces.push(jsonText);
    return `${STAND_IN}${this.#pieces.length - 1}`;
  }

  stringify(value: unknown): string {
    const json = JSON.stringify(value);
    // Joined with `+`, not replace(): V8 then links the strings instead of copying a long piece again; the
    // socket's write copies the frame once.
    let text = '';
    let from = 0;
    for (const match of json.matchAll(WRITTEN)) {
      text += json.slice(from, match.index) + this.#pieces[Number(match[1])];
      from = match.index + match[0].length;
    }
    return text + json.slice(from);
  }
}
