/**
 * Splits long customer text into parts of at most `max` UTF-16 units (the unit Genesys's 4000-character
 * limits are stated in), preferring to break after whitespace and never inside a surrogate pair.
 */
export function splitText(text: string, max: number): string[] {
  if (max < 2) throw new RangeError('splitText needs max >= 2');
  const parts: string[] = [];
  let rest = text;
  while (rest.length > max) {
    // Search from max - 1: the part keeps the whitespace, so it must end at or before index max - 1.
    let cut = rest.lastIndexOf(' ', max - 1);
    if (cut <= 0) cut = rest.lastIndexOf('\n', max - 1);
    if (cut <= 0) {
      cut = max;
      const code = rest.charCodeAt(cut - 1);
      // Do not split a surrogate pair: end the part before its high half.
      if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
    } else {
      cut += 1;
    }
    parts.push(rest.slice(0, cut));
    rest = rest.slice(cut);
  }
  if (rest.length > 0) parts.push(rest);
  return parts;
}
