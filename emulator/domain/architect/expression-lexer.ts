// Splits an Architect expression into tokens. Positions are 0-based offsets into the expression text so
// errors can point at the exact character.

export type TokenKind = 'number' | 'string' | 'identifier' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Source text of the token; for strings, the decoded contents. */
  readonly text: string;
  readonly start: number;
}

/** Syntax problem in an expression; `offset` is the 0-based character where it was found. */
export class ExpressionSyntaxError extends Error {
  readonly offset: number;
  constructor(message: string, offset: number) {
    super(message);
    this.offset = offset;
  }
}

// Longest operators first so `<=` is not read as `<` followed by `=`.
const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '+', '-', '*', '/', '!', '(', ')', ',', '.'];

const ESCAPES: Readonly<Record<string, string>> = {
  '"': '"',
  '\\': '\\',
  n: '\n',
  t: '\t',
  r: '\r',
};

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}
function isIdentifierStart(ch: string): boolean {
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch === '_';
}
function isIdentifierPart(ch: string): boolean {
  return isIdentifierStart(ch) || isDigit(ch);
}

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
    } else if (ch === '"') {
      i = readString(source, i, tokens);
    } else if (isDigit(ch)) {
      i = readNumber(source, i, tokens);
    } else if (isIdentifierStart(ch)) {
      const start = i;
      while (i < source.length && isIdentifierPart(source.charAt(i))) i++;
      tokens.push({ kind: 'identifier', text: source.slice(start, i), start });
    } else {
      const op = OPERATORS.find((candidate) => source.startsWith(candidate, i));
      if (op === undefined) throw new ExpressionSyntaxError(describeUnexpected(source, i), i);
      tokens.push({ kind: 'operator', text: op, start: i });
      i += op.length;
    }
  }
  tokens.push({ kind: 'end', text: '', start: source.length });
  return tokens;
}

function describeUnexpected(source: string, i: number): string {
  const ch = source.charAt(i);
  if (ch === '=') return `unexpected "=" (compare with "==")`;
  if (ch === "'") return 'strings must use double quotes';
  if (ch === '&' || ch === '|') return `unexpected "${ch}" (use "and"/"&&" or "or"/"||")`;
  return `unexpected character ${JSON.stringify(ch)}`;
}

function readString(source: string, start: number, tokens: Token[]): number {
  let i = start + 1;
  let text = '';
  while (i < source.length) {
    const ch = source.charAt(i);
    if (ch === '"') {
      tokens.push({ kind: 'string', text, start });
      return i + 1;
    }
    if (ch === '\\') {
      const next = source.charAt(i + 1);
      const decoded = ESCAPES[next];
      if (decoded === undefined) {
        throw new ExpressionSyntaxError(`unknown escape "\\${next}" in string (use \\" \\\\ \\n \\t \\r)`, i);
      }
      text += decoded;
      i += 2;
    } else {
      text += ch;
      i++;
    }
  }
  throw new ExpressionSyntaxError('string is not closed (missing ")', start);
}

function readNumber(source: string, start: number, tokens: Token[]): number {
  let i = start;
  while (i < source.length && isDigit(source.charAt(i))) i++;
  if (source.charAt(i) === '.') {
    if (!isDigit(source.charAt(i + 1)))
      throw new ExpressionSyntaxError('a decimal point must be followed by digits', i);
    i++;
    while (i < source.length && isDigit(source.charAt(i))) i++;
  }
  if (i < source.length && isIdentifierPart(source.charAt(i))) {
    throw new ExpressionSyntaxError(`unexpected ${JSON.stringify(source.charAt(i))} after a number`, i);
  }
  tokens.push({ kind: 'number', text: source.slice(start, i), start });
  return i;
}
