/**
 * Lock helpers that take their lock only when the caller asks: sqlocal's `mutationLock(options, fn)`
 * runs `navigator.locks.request(…, fn)` under `if (!options.bypass && …)` and calls `fn()` bare
 * otherwise, and its callers pass `bypass: true` exactly where they already hold the lock. Without
 * reading the argument, every such nested call looks like the lock taken twice.
 *
 * A guard is a test of one of the function's own parameters, or of a property path of one (`options.bypass`,
 * `nested`), that must be truthy or falsy for the acquisition to run: a conjunct of an enclosing `if`
 * or conditional, or the left side of `&&`. Each caller's argument settles it when it is a constant
 * (`bypass: false` in an object literal, a `const` holding one, a literal argument); otherwise the
 * acquisition is conditional at that call — it orders other locks, but taking a lock the caller
 * already holds is not claimed, since the caller decides at run time whether it happens.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { parameterPathOf, valueAtPath, type ParameterPath } from '../model/parameter-paths.js';

export interface ParameterGuard extends ParameterPath {
  /** Whether the value must be truthy (`if (options.lock)`) or falsy (`if (!options.bypass)`) for the node to run. */
  readonly truthy: boolean;
}

/** The parameter guards of `node` inside `fn`. */
export function parameterGuards(node: ts.Node, fn: ts.Node): readonly ParameterGuard[] {
  if (!ts.isFunctionLike(fn)) return [];
  const parameters = fn.parameters;
  if (parameters.length === 0) return [];
  const guards: ParameterGuard[] = [];
  let child = node;
  for (let parent = node.parent; parent !== undefined && child !== fn; child = parent, parent = parent.parent) {
    if (ts.isBlock(parent)) {
      // `if (options.bypass) return fn();` before the acquisition: past it, the test was false.
      for (const statement of parent.statements) {
        if (statement === child) break;
        if (ts.isIfStatement(statement) && statement.elseStatement === undefined && alwaysExits(statement.thenStatement)) collectNegated(statement.expression, parameters, guards);
      }
    } else if (ts.isIfStatement(parent)) {
      if (parent.thenStatement === child) collect(parent.expression, true, parameters, guards);
      else if (parent.elseStatement === child) collectNegated(parent.expression, parameters, guards);
    } else if (ts.isConditionalExpression(parent)) {
      if (parent.whenTrue === child) collect(parent.condition, true, parameters, guards);
      else if (parent.whenFalse === child) collectNegated(parent.condition, parameters, guards);
    } else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && parent.right === child) {
      collect(parent.left, true, parameters, guards);
    }
  }
  return guards;
}

/** A `return` or `throw`, or a block ending in one. */
function alwaysExits(statement: ts.Statement): boolean {
  if (ts.isReturnStatement(statement) || ts.isThrowStatement(statement)) return true;
  if (ts.isBlock(statement)) {
    const last = statement.statements[statement.statements.length - 1];
    return last !== undefined && alwaysExits(last);
  }
  return false;
}

/** Adds the guards that `condition` being `value` implies (conjuncts only, when `value` is true). */
function collect(condition: ts.Expression, value: boolean, parameters: ts.NodeArray<ts.ParameterDeclaration>, into: ParameterGuard[]): void {
  const expression = skipOuterExpressions(condition);
  if (ts.isPrefixUnaryExpression(expression) && expression.operator === ts.SyntaxKind.ExclamationToken) {
    collect(expression.operand, !value, parameters, into);
    return;
  }
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    // `a && b` true: both are; `a || b` false: neither is.
    if ((operator === ts.SyntaxKind.AmpersandAmpersandToken && value) || (operator === ts.SyntaxKind.BarBarToken && !value)) {
      collect(expression.left, value, parameters, into);
      collect(expression.right, value, parameters, into);
    }
    return;
  }
  const read = parameterPathOf(expression, parameters);
  if (read !== undefined) into.push({ ...read, truthy: value });
}

/** An `else` branch: the test was false. */
function collectNegated(condition: ts.Expression, parameters: ts.NodeArray<ts.ParameterDeclaration>, into: ParameterGuard[]): void {
  collect(condition, false, parameters, into);
}

/** What a caller's arguments say about a guard. */
export type GuardOutcome = 'holds' | 'fails' | 'unknown';

/** Settles `guard` with the arguments of `call` (a direct call whose arguments are the callee's parameters). */
export function settleGuard(guard: ParameterGuard, call: ts.CallExpression | ts.NewExpression): GuardOutcome {
  const argument = call.arguments?.[guard.parameter];
  if (argument === undefined || ts.isSpreadElement(argument)) return argument === undefined && guard.path.length === 0 ? (guard.truthy ? 'fails' : 'holds') : 'unknown';
  const value = valueAtPath(argument, guard.path);
  const truthiness = value === undefined ? undefined : constantTruthiness(value);
  if (truthiness === undefined) return 'unknown';
  return truthiness === guard.truthy ? 'holds' : 'fails';
}

/** `true`/`false` for a literal whose truthiness is fixed; `undefined` otherwise. */
function constantTruthiness(expression: ts.Expression): boolean | undefined {
  const node = skipOuterExpressions(expression);
  switch (node.kind) {
    case ts.SyntaxKind.TrueKeyword:
      return true;
    case ts.SyntaxKind.FalseKeyword:
    case ts.SyntaxKind.NullKeyword:
      return false;
    default:
      break;
  }
  if (ts.isIdentifier(node) && node.text === 'undefined') return false;
  if (ts.isNumericLiteral(node)) return Number(node.text) !== 0;
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text.length > 0;
  if (ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = constantTruthiness(node.operand);
    return inner === undefined ? undefined : !inner;
  }
  if (ts.isVoidExpression(node)) return false;
  return undefined;
}
