// Turns an expression's syntax tree into a closure, resolving variables and functions and checking types
// once, at load time. Running a compiled expression does no parsing and no name lookups.

import { FlowRuntimeError } from './errors.ts';
import type { Evaluator } from './eval-context.ts';
import type { ExprNode } from './expression-ast.ts';
import { ExpressionSyntaxError } from './expression-lexer.ts';
import { MAX_EXPRESSION_DEPTH, parseExpression } from './expression-parser.ts';
import { BUILTIN_NAMESPACE, type FlowType } from './flow-types.ts';
import { lookupFunction, SUPPORTED_FUNCTION_NAMES } from './functions.ts';
import { applyBinary, binaryStaticType, negate, requireBoolean } from './operators.ts';
import {
  booleanValue,
  decimalValue,
  integerValue,
  NOT_SET,
  type StaticType,
  stringValue,
  type Value,
  type ValueType,
} from './values.ts';

export type VariableScope = 'flow' | 'state' | 'task';

/** A declared variable, with the slot its value lives in while the flow runs. */
export interface VariableInfo {
  /** As declared, e.g. `Flow.QueueName`. */
  readonly name: string;
  readonly scope: VariableScope;
  readonly slot: number;
  readonly type: ValueType;
}

/** The names an expression may see at the place it appears. */
export interface ExpressionScope {
  readonly flowType: FlowType;
  /** Finds `<Scope>.<name>` ignoring case; returns a message when it is not visible here. */
  lookupVariable(scope: VariableScope, name: string): VariableInfo | string;
}

export interface CompiledExpression {
  readonly evaluate: Evaluator;
  readonly type: StaticType;
}

export type ExpressionErrorCode =
  | 'flow.syntax'
  | 'flow.unknown.function'
  | 'flow.unknown.variable'
  | 'flow.type';

export class ExpressionCompileError extends Error {
  readonly code: ExpressionErrorCode;
  readonly offset: number;
  constructor(code: ExpressionErrorCode, message: string, offset: number) {
    super(message);
    this.code = code;
    this.offset = offset;
  }
}

export function compileExpression(source: string, scope: ExpressionScope): CompiledExpression {
  let tree: ExprNode;
  try {
    tree = parseExpression(source);
  } catch (error) {
    if (error instanceof ExpressionSyntaxError)
      throw new ExpressionCompileError('flow.syntax', error.message, error.offset);
    throw error;
  }
  return new Compiler(scope).compile(tree);
}

/** Reads a variable's slot; slots always exist because the interpreter sizes the arrays from the declarations. */
function variableReader(variable: VariableInfo): Evaluator {
  const slot = variable.slot;
  switch (variable.scope) {
    case 'flow':
      return (context) => context.flowVars[slot] ?? NOT_SET;
    case 'state':
      return (context) => context.stateVars[slot] ?? NOT_SET;
    case 'task':
      return (context) => context.taskVars[slot] ?? NOT_SET;
  }
}

const SCOPES: Readonly<Record<string, VariableScope>> = {
  flow: 'flow',
  state: 'state',
  task: 'task',
};

class Compiler {
  private depth = 0;
  constructor(private readonly scope: ExpressionScope) {}

  /**
   * Operator chains (`a + b + c ...`) deepen the tree without nesting in the text, so the depth limit is
   * checked here as well; compiled closures recurse as deep as the tree does when they run.
   */
  compile(node: ExprNode): CompiledExpression {
    if (++this.depth > MAX_EXPRESSION_DEPTH) {
      throw new ExpressionCompileError(
        'flow.syntax',
        `expression is nested more than ${MAX_EXPRESSION_DEPTH} levels deep`,
        node.at,
      );
    }
    try {
      return this.compileNode(node);
    } finally {
      this.depth--;
    }
  }

  private compileNode(node: ExprNode): CompiledExpression {
    switch (node.type) {
      case 'string':
        return constant(stringValue(node.value), 'string');
      case 'boolean':
        return constant(booleanValue(node.value), 'boolean');
      case 'notSet':
        return constant(NOT_SET, 'notSet');
      case 'number':
        return this.compileNumber(node.text, node.at);
      case 'name':
        return this.compileName(node.parts, node.at);
      case 'member':
        return this.compileMember(this.compile(node.object), node.member, node.at);
      case 'call':
        return this.compileCall(node.name, node.args, node.at);
      case 'not': {
        const operand = this.expectType(this.compile(node.operand), 'boolean', '"not"', node.at);
        return {
          type: 'boolean',
          evaluate: (context) => booleanValue(!requireBoolean(operand(context), 'the operand of "not"')),
        };
      }
      case 'negate': {
        const operand = this.compile(node.operand);
        if (operand.type !== 'integer' && operand.type !== 'decimal' && operand.type !== 'unknown') {
          throw new ExpressionCompileError(
            'flow.type',
            `unary "-" cannot be applied to ${operand.type}`,
            node.at,
          );
        }
        const evaluate = operand.evaluate;
        return {
          type: operand.type,
          evaluate: (context) => negate(evaluate(context)),
        };
      }
      case 'logical':
        return this.compileLogical(node.op, node.left, node.right, node.at);
      case 'binary': {
        const left = this.compile(node.left);
        const right = this.compile(node.right);
        const type = binaryStaticType(node.op, left.type, right.type);
        if (typeof type !== 'string') throw new ExpressionCompileError('flow.type', type.error, node.at);
        const op = node.op;
        const l = left.evaluate;
        const r = right.evaluate;
        return {
          type,
          evaluate: (context) => applyBinary(op, l(context), r(context), context.options),
        };
      }
    }
  }

  private compileNumber(text: string, at: number): CompiledExpression {
    if (text.includes('.')) return constant(decimalValue(Number(text)), 'decimal');
    const value = Number(text);
    if (!Number.isSafeInteger(value)) {
      throw new ExpressionCompileError('flow.syntax', `integer ${text} is too large for the emulator`, at);
    }
    return constant(integerValue(value), 'integer');
  }

  private compileName(parts: readonly string[], at: number): CompiledExpression {
    const [first = '', second] = parts;
    const variableScope = SCOPES[first.toLowerCase()];
    if (variableScope !== undefined) {
      if (second === undefined) {
        throw new ExpressionCompileError(
          'flow.unknown.variable',
          `"${first}" needs a variable name after it`,
          at,
        );
      }
      const found = this.scope.lookupVariable(variableScope, second);
      if (typeof found === 'string') throw new ExpressionCompileError('flow.unknown.variable', found, at);
      let result: CompiledExpression = {
        type: found.type,
        evaluate: variableReader(found),
      };
      for (const member of parts.slice(2)) result = this.compileMember(result, member, at);
      return result;
    }
    const namespace = BUILTIN_NAMESPACE[this.scope.flowType];
    if (first.toLowerCase() === namespace.toLowerCase() && parts.length > 1) {
      const key = parts.join('.').toLowerCase();
      return { type: 'unknown', evaluate: (context) => context.builtin(key) };
    }
    const name = parts.join('.');
    throw new ExpressionCompileError(
      'flow.unknown.variable',
      `unknown variable "${name}" (variables are Flow.*, State.* or Task.* declared in the flow, or ${namespace}.* built-ins)`,
      at,
    );
  }

  /** Queues expose `.name` and `.id` (any case); member access on NOT_SET gives NOT_SET. */
  private compileMember(object: CompiledExpression, member: string, at: number): CompiledExpression {
    const key = member.toLowerCase();
    if ((object.type !== 'queue' && object.type !== 'unknown') || (key !== 'name' && key !== 'id')) {
      throw new ExpressionCompileError('flow.type', `${object.type} has no member "${member}"`, at);
    }
    const evaluate = object.evaluate;
    return {
      type: object.type === 'queue' ? 'string' : 'unknown',
      evaluate: (context) => {
        const value = evaluate(context);
        if (value.kind === 'notSet') return NOT_SET;
        if (value.kind !== 'queue') throw new FlowRuntimeError(`${value.kind} has no member "${member}"`);
        return stringValue(key === 'name' ? value.queue.name : value.queue.id);
      },
    };
  }

  private compileLogical(
    op: 'and' | 'or',
    leftNode: ExprNode,
    rightNode: ExprNode,
    at: number,
  ): CompiledExpression {
    const left = this.expectType(this.compile(leftNode), 'boolean', `"${op}"`, at);
    const right = this.expectType(this.compile(rightNode), 'boolean', `"${op}"`, at);
    const what = `an operand of "${op}"`;
    // Short-circuit: the right side is not evaluated when the left decides the result.
    const evaluate: Evaluator =
      op === 'and'
        ? (context) =>
            booleanValue(requireBoolean(left(context), what) && requireBoolean(right(context), what))
        : (context) =>
            booleanValue(requireBoolean(left(context), what) || requireBoolean(right(context), what));
    return { type: 'boolean', evaluate };
  }

  private compileCall(name: string, argNodes: readonly ExprNode[], at: number): CompiledExpression {
    if (name.toLowerCase() === 'if') return this.compileIf(argNodes, at);
    const definition = lookupFunction(name);
    if (definition === undefined) {
      throw new ExpressionCompileError(
        'flow.unknown.function',
        `unknown function "${name}" (the emulator supports ${SUPPORTED_FUNCTION_NAMES.join(', ')})`,
        at,
      );
    }
    if (argNodes.length < definition.minArgs || argNodes.length > definition.maxArgs) {
      throw new ExpressionCompileError('flow.type', `${definition.name}() ${arityText(definition)}`, at);
    }
    const args = argNodes.map((argument) => this.compile(argument));
    const type = definition.check(args.map((argument) => argument.type));
    if (typeof type !== 'string') throw new ExpressionCompileError('flow.type', type.error, at);
    const evaluators = args.map((argument) => argument.evaluate);
    const call = definition.call;
    return {
      type,
      evaluate: (context) => {
        const values: Value[] = new Array(evaluators.length);
        for (let i = 0; i < evaluators.length; i++) values[i] = evaluators[i]!(context);
        return call(values, context);
      },
    };
  }

  /** If(condition, whenTrue, whenFalse): only the chosen branch is evaluated (UNCONFIRMED; the forgiving reading). */
  private compileIf(argNodes: readonly ExprNode[], at: number): CompiledExpression {
    const [conditionNode, yesNode, noNode] = argNodes;
    if (
      argNodes.length !== 3 ||
      conditionNode === undefined ||
      yesNode === undefined ||
      noNode === undefined
    ) {
      throw new ExpressionCompileError('flow.type', 'If() takes exactly 3 arguments', at);
    }
    const condition = this.expectType(this.compile(conditionNode), 'boolean', 'If() argument 1', at);
    const yes = this.compile(yesNode);
    const no = this.compile(noNode);
    const type = unifyBranches(yes.type, no.type);
    if (type === undefined) {
      throw new ExpressionCompileError(
        'flow.type',
        `If() branches have different types (${yes.type} and ${no.type})`,
        at,
      );
    }
    const whenTrue = yes.evaluate;
    const whenFalse = no.evaluate;
    return {
      type,
      evaluate: (context) =>
        requireBoolean(condition(context), 'the If() condition') ? whenTrue(context) : whenFalse(context),
    };
  }

  private expectType(compiled: CompiledExpression, wanted: ValueType, what: string, at: number): Evaluator {
    const type = compiled.type;
    if (type !== wanted && type !== 'unknown' && type !== 'notSet') {
      throw new ExpressionCompileError('flow.type', `${what} needs a ${wanted}, got ${type}`, at);
    }
    return compiled.evaluate;
  }
}

function constant(value: Value, type: StaticType): CompiledExpression {
  return { type, evaluate: () => value };
}

function arityText(definition: { minArgs: number; maxArgs: number }): string {
  if (definition.minArgs === definition.maxArgs) return `takes exactly ${definition.minArgs} argument(s)`;
  if (definition.maxArgs === Number.POSITIVE_INFINITY)
    return `takes at least ${definition.minArgs} argument(s)`;
  return `takes ${definition.minArgs} to ${definition.maxArgs} arguments`;
}

function unifyBranches(a: StaticType, b: StaticType): StaticType | undefined {
  if (a === b) return a;
  if (a === 'unknown' || b === 'unknown') return 'unknown';
  if (a === 'notSet') return b;
  if (b === 'notSet') return a;
  if ((a === 'integer' || a === 'decimal') && (b === 'integer' || b === 'decimal')) return 'decimal';
  return undefined;
}
