/**
 * Fields of `this` that gate a lock operation, and fields a caller has just cleared: enough path
 * sensitivity for the common "stop" shape, where `stopProcessor()` sets `this.processor = undefined`
 * and then calls a method that takes the processor's lock only `if (this.processor)`. Without it, the
 * caller that holds that lock looks like it takes it again (livekit-client's `LocalTrack`).
 *
 * Both are read from the syntax, not from the walk: a guard is an enclosing `if (this.f …)` (or
 * `this.f && …`, `this.f ? … :`) whose true side holds the node, and a clearing is an assignment of
 * `undefined`, `null` or `false` to `this.f` in a statement that runs before the call on every path
 * (an earlier statement of an enclosing block), not undone by a later assignment before the call.
 * Another task could set the field again while the caller awaits in between; the analysis assumes
 * it does not, as it assumes nothing about values elsewhere.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';

/** The `this` fields that must be truthy for `node` to run, inside `fn` (not across a `function`'s own `this`). */
export function thisFieldGuards(node: ts.Node, fn: ts.Node): readonly string[] {
  const guards: string[] = [];
  let child = node;
  for (let parent = node.parent; parent !== undefined && child !== fn; child = parent, parent = parent.parent) {
    if (ts.isIfStatement(parent) && parent.thenStatement === child) collectTruthy(parent.expression, guards);
    else if (ts.isConditionalExpression(parent) && parent.whenTrue === child) collectTruthy(parent.condition, guards);
    else if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && parent.right === child) {
      collectTruthy(parent.left, guards);
    }
    // A `function` (or method) of its own has another `this`; an arrow shares it.
    if (parent !== fn && ts.isFunctionLike(parent) && !ts.isArrowFunction(parent)) break;
  }
  return guards;
}

/** The `this` fields set to `undefined`, `null` or `false` before `node` runs, on every path to it within `fn`. */
export function clearedThisFields(node: ts.Node, fn: ts.Node): readonly string[] {
  /** Each cleared field, and where its last clearing before `node` ends. */
  const cleared = new Map<string, number>();
  let child = node;
  for (let parent = node.parent; parent !== undefined && child !== fn; child = parent, parent = parent.parent) {
    if (ts.isBlock(parent) || ts.isSourceFile(parent)) {
      const index = parent.statements.indexOf(child as ts.Statement);
      for (const statement of parent.statements.slice(0, Math.max(0, index))) {
        const field = clearingOf(statement);
        if (field !== undefined && (cleared.get(field) ?? -1) < statement.end) cleared.set(field, statement.end);
      }
    }
    if (parent !== fn && ts.isFunctionLike(parent) && !ts.isArrowFunction(parent)) break;
  }
  if (cleared.size === 0) return [];
  // Any other write of the field between its clearing and the node may set it again.
  const to = node.getStart();
  const visit = (current: ts.Node): void => {
    if (current.pos >= to || cleared.size === 0) return;
    if (ts.isBinaryExpression(current) && isAssignment(current.operatorToken.kind)) {
      const field = thisFieldName(current.left);
      const clearedAt = field === undefined ? undefined : cleared.get(field);
      if (field !== undefined && clearedAt !== undefined && current.getStart() >= clearedAt && !(current.operatorToken.kind === ts.SyntaxKind.EqualsToken && isFalsyLiteral(current.right))) {
        cleared.delete(field);
      }
    }
    ts.forEachChild(current, visit);
  };
  visit(fn);
  return [...cleared.keys()];
}

function clearingOf(statement: ts.Statement): string | undefined {
  if (!ts.isExpressionStatement(statement)) return undefined;
  const expression = skipOuterExpressions(statement.expression);
  if (!ts.isBinaryExpression(expression) || expression.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  return isFalsyLiteral(expression.right) ? thisFieldName(expression.left) : undefined;
}

/** Adds the fields `condition` tests truthy: `this.f`, `this.f != null`, `this.f !== undefined`, joined by `&&`. */
function collectTruthy(condition: ts.Expression, into: string[]): void {
  const expression = skipOuterExpressions(condition);
  if (ts.isBinaryExpression(expression)) {
    const operator = expression.operatorToken.kind;
    if (operator === ts.SyntaxKind.AmpersandAmpersandToken) {
      collectTruthy(expression.left, into);
      collectTruthy(expression.right, into);
      return;
    }
    if (
      (operator === ts.SyntaxKind.ExclamationEqualsEqualsToken || operator === ts.SyntaxKind.ExclamationEqualsToken) &&
      isNullish(expression.right)
    ) {
      const field = thisFieldName(expression.left);
      if (field !== undefined) into.push(field);
    }
    return;
  }
  const field = thisFieldName(expression);
  if (field !== undefined) into.push(field);
}

/** `f` of `this.f` or `this.#f`. */
function thisFieldName(node: ts.Expression): string | undefined {
  const expression = skipOuterExpressions(node);
  if (!ts.isPropertyAccessExpression(expression) || expression.expression.kind !== ts.SyntaxKind.ThisKeyword) return undefined;
  return expression.name.text;
}

function isFalsyLiteral(node: ts.Expression): boolean {
  const expression = skipOuterExpressions(node);
  return isNullish(expression) || expression.kind === ts.SyntaxKind.FalseKeyword;
}

function isNullish(node: ts.Expression): boolean {
  const expression = skipOuterExpressions(node);
  if (expression.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isIdentifier(expression)) return expression.text === 'undefined';
  return ts.isVoidExpression(expression);
}

function isAssignment(kind: ts.SyntaxKind): boolean {
  return kind >= ts.SyntaxKind.FirstAssignment && kind <= ts.SyntaxKind.LastAssignment;
}
