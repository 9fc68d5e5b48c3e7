// Recursive-descent parser for the Architect expression subset.
//
// Precedence, loosest first: or / || ; and / && ; not / ! ; comparisons (not chainable) ; + - ; * / ;
// unary minus ; member access and calls. `not` sits above comparisons so `not a == b` means `not (a == b)`
// (the reference does not pin this down; this is the reading that needs no parentheses in real flows).
// Keywords (and, or, not, true, false, NOT_SET) are case-insensitive.

import type { ComparisonOperator, ExprNode } from './expression-ast.ts';
import { ExpressionSyntaxError, type Token, tokenize } from './expression-lexer.ts';

const COMPARISONS: readonly string[] = ['==', '!=', '<', '<=', '>', '>='];

function isComparison(token: Token): token is Token & { readonly text: ComparisonOperator } {
  return token.kind === 'operator' && COMPARISONS.includes(token.text);
}
const KEYWORDS: ReadonlySet<string> = new Set(['and', 'or', 'not', 'true', 'false', 'not_set']);
/**
 * Nesting limit (parentheses, call arguments, prefix operators, operator chains). Real flows stay far
 * below it; the limit turns absurd input into a clear syntax error instead of a stack overflow.
 */
export const MAX_EXPRESSION_DEPTH = 200;

export function parseExpression(source: string): ExprNode {
  if (source.trim() === '') throw new ExpressionSyntaxError('expression is empty', 0);
  return new Parser(tokenize(source)).parseWhole();
}

class Parser {
  private index = 0;
  private depth = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** Runs a nested parse, refusing nesting beyond MAX_EXPRESSION_DEPTH. */
  private nested<T>(parse: () => T): T {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionSyntaxError(
        `expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`,
        this.peek().start,
      );
    }
    try {
      return parse();
    } finally {
      this.depth--;
    }
  }

  parseWhole(): ExprNode {
    const node = this.parseOr();
    const next = this.peek();
    if (next.kind !== 'end') throw new ExpressionSyntaxError(`unexpected ${describe(next)}`, next.start);
    return node;
  }

  private peek(): Token {
    // The token list always ends with an 'end' token, so clamping keeps this total.
    return this.tokens[Math.min(this.index, this.tokens.length - 1)]!;
  }
  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.index++;
    return token;
  }
  private isOperator(text: string): boolean {
    const token = this.peek();
    return token.kind === 'operator' && token.text === text;
  }
  private isKeyword(word: string): boolean {
    const token = this.peek();
    return token.kind === 'identifier' && token.text.toLowerCase() === word;
  }
  private expectOperator(text: string, context: string): void {
    const token = this.peek();
    if (!this.isOperator(text)) {
      throw new ExpressionSyntaxError(
        `expected "${text}" ${context} but found ${describe(token)}`,
        token.start,
      );
    }
    this.index++;
  }

  private parseOr(): ExprNode {
    let left = this.parseAnd();
    while (this.isKeyword('or') || this.isOperator('||')) {
      const at = this.next().start;
      left = { type: 'logical', op: 'or', left, right: this.parseAnd(), at };
    }
    return left;
  }

  private parseAnd(): ExprNode {
    let left = this.parseNot();
    while (this.isKeyword('and') || this.isOperator('&&')) {
      const at = this.next().start;
      left = { type: 'logical', op: 'and', left, right: this.parseNot(), at };
    }
    return left;
  }

  private parseNot(): ExprNode {
    if (this.isKeyword('not') || this.isOperator('!')) {
      const at = this.next().start;
      return { type: 'not', operand: this.nested(() => this.parseNot()), at };
    }
    return this.parseComparison();
  }

  private parseComparison(): ExprNode {
    const left = this.parseAdditive();
    const token = this.peek();
    if (!isComparison(token)) return left;
    this.index++;
    const right = this.parseAdditive();
    const after = this.peek();
    if (isComparison(after)) {
      throw new ExpressionSyntaxError(
        'comparisons cannot be chained; use parentheses and "and"',
        after.start,
      );
    }
    return {
      type: 'binary',
      op: token.text,
      left,
      right,
      at: token.start,
    };
  }

  private parseAdditive(): ExprNode {
    let left = this.parseMultiplicative();
    while (this.isOperator('+') || this.isOperator('-')) {
      const token = this.next();
      const op = token.text === '+' ? '+' : '-';
      left = {
        type: 'binary',
        op,
        left,
        right: this.parseMultiplicative(),
        at: token.start,
      };
    }
    return left;
  }

  private parseMultiplicative(): ExprNode {
    let left = this.parseUnary();
    while (this.isOperator('*') || this.isOperator('/')) {
      const token = this.next();
      const op = token.text === '*' ? '*' : '/';
      left = {
        type: 'binary',
        op,
        left,
        right: this.parseUnary(),
        at: token.start,
      };
    }
    return left;
  }

  private parseUnary(): ExprNode {
    if (this.isOperator('-')) {
      const at = this.next().start;
      return { type: 'negate', operand: this.nested(() => this.parseUnary()), at };
    }
    return this.parsePostfix();
  }

  private parsePostfix(): ExprNode {
    let node = this.parsePrimary();
    while (this.isOperator('.')) {
      this.index++;
      const member = this.next();
      if (member.kind !== 'identifier') {
        throw new ExpressionSyntaxError(
          `expected a member name after "." but found ${describe(member)}`,
          member.start,
        );
      }
      node = {
        type: 'member',
        object: node,
        member: member.text,
        at: member.start,
      };
    }
    return node;
  }

  private parsePrimary(): ExprNode {
    const token = this.next();
    switch (token.kind) {
      case 'string':
        return { type: 'string', value: token.text, at: token.start };
      case 'number':
        return { type: 'number', text: token.text, at: token.start };
      case 'identifier':
        return this.parseIdentifier(token);
      case 'operator':
        if (token.text === '(') {
          const inner = this.nested(() => this.parseOr());
          this.expectOperator(')', 'to close "("');
          return inner;
        }
        throw new ExpressionSyntaxError(`unexpected ${describe(token)}`, token.start);
      case 'end':
        throw new ExpressionSyntaxError('expression ends too early', token.start);
    }
  }

  private parseIdentifier(token: Token): ExprNode {
    const lower = token.text.toLowerCase();
    if (lower === 'true' || lower === 'false')
      return { type: 'boolean', value: lower === 'true', at: token.start };
    if (lower === 'not_set') return { type: 'notSet', at: token.start };
    if (KEYWORDS.has(lower))
      throw new ExpressionSyntaxError(`unexpected keyword "${token.text}"`, token.start);
    if (this.isOperator('(')) return this.parseCall(token);
    const parts = [token.text];
    // Dotted names are read whole (`Message.Message.body`); the compiler decides which part is the variable.
    while (this.isOperator('.')) {
      this.index++;
      const part = this.next();
      if (part.kind !== 'identifier') {
        throw new ExpressionSyntaxError(`expected a name after "." but found ${describe(part)}`, part.start);
      }
      parts.push(part.text);
    }
    if (this.isOperator('(')) {
      throw new ExpressionSyntaxError(`"${parts.join('.')}" is not a function name`, token.start);
    }
    return { type: 'name', parts, at: token.start };
  }

  private parseCall(nameToken: Token): ExprNode {
    this.index++; // the "("
    const args: ExprNode[] = [];
    if (!this.isOperator(')')) {
      args.push(this.nested(() => this.parseOr()));
      while (this.isOperator(',')) {
        this.index++;
        args.push(this.nested(() => this.parseOr()));
      }
    }
    this.expectOperator(')', `to close the call to ${nameToken.text}`);
    return { type: 'call', name: nameToken.text, args, at: nameToken.start };
  }
}

function describe(token: Token): string {
  switch (token.kind) {
    case 'end':
      return 'the end of the expression';
    case 'string':
      return `string ${JSON.stringify(token.text)}`;
    default:
      return `"${token.text}"`;
  }
}
