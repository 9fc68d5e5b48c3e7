// Syntax tree of an Architect expression, as produced by the parser. `at` is the 0-based character offset.

export type ArithmeticOperator = '+' | '-' | '*' | '/';
export type ComparisonOperator = '==' | '!=' | '<' | '<=' | '>' | '>=';
export type BinaryOperator = ArithmeticOperator | ComparisonOperator;

export type ExprNode =
  | { readonly type: 'string'; readonly value: string; readonly at: number }
  | { readonly type: 'number'; readonly text: string; readonly at: number }
  | { readonly type: 'boolean'; readonly value: boolean; readonly at: number }
  | { readonly type: 'notSet'; readonly at: number }
  /** A dotted name such as `Flow.Queue.name` or `Message.Message.body`; resolved by the compiler. */
  | {
      readonly type: 'name';
      readonly parts: readonly string[];
      readonly at: number;
    }
  /** Member access on a call or parenthesised result, e.g. `FindQueue("x").name`. */
  | {
      readonly type: 'member';
      readonly object: ExprNode;
      readonly member: string;
      readonly at: number;
    }
  | {
      readonly type: 'call';
      readonly name: string;
      readonly args: readonly ExprNode[];
      readonly at: number;
    }
  | { readonly type: 'not'; readonly operand: ExprNode; readonly at: number }
  | { readonly type: 'negate'; readonly operand: ExprNode; readonly at: number }
  | {
      readonly type: 'binary';
      readonly op: BinaryOperator;
      readonly left: ExprNode;
      readonly right: ExprNode;
      readonly at: number;
    }
  | {
      readonly type: 'logical';
      readonly op: 'and' | 'or';
      readonly left: ExprNode;
      readonly right: ExprNode;
      readonly at: number;
    };
