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

export interface ParameterGuard {
  /** Index of the parameter of the function the acquisition is written in. */
  readonly parameter: number;
  /** Property names read from it (`[]` for the parameter itself). */
  readonly path: readonly string[];
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
  const read = parameterRead(expression, parameters);
  if (read !== undefined) into.push({ ...read, truthy: value });
}

/** An `else` branch: the test was false. */
function collectNegated(condition: ts.Expression, parameters: ts.NodeArray<ts.ParameterDeclaration>, into: ParameterGuard[]): void {
  collect(condition, false, parameters, into);
}

/** `p`, `p.a`, `p.a.b` for a parameter `p` declared by name. */
function parameterRead(expression: ts.Expression, parameters: ts.NodeArray<ts.ParameterDeclaration>): Omit<ParameterGuard, 'truthy'> | undefined {
  const path: string[] = [];
  let node = expression;
  while (ts.isPropertyAccessExpression(node)) {
    if (!ts.isIdentifier(node.name)) return undefined;
    path.unshift(node.name.text);
    node = skipOuterExpressions(node.expression);
  }
  if (!ts.isIdentifier(node)) return undefined;
  const index = parameters.findIndex((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === (node).text);
  if (index < 0) return undefined;
  // A local of the same name declared in between would shadow it: rare in a helper's guard, and it
  // would only make the acquisition conditional, never drop it.
  return { parameter: index, path };
}

/** What a caller's arguments say about a guard. */
export type GuardOutcome = 'holds' | 'fails' | 'unknown';

/** Settles `guard` with the arguments of `call` (a direct call whose arguments are the callee's parameters). */
export function settleGuard(guard: ParameterGuard, call: ts.CallExpression | ts.NewExpression): GuardOutcome {
  const argument = call.arguments?.[guard.parameter];
  if (argument === undefined || ts.isSpreadElement(argument)) return argument === undefined && guard.path.length === 0 ? (guard.truthy ? 'fails' : 'holds') : 'unknown';
  const value = valueAt(argument, guard.path, 0);
  const truthiness = value === undefined ? undefined : constantTruthiness(value);
  if (truthiness === undefined) return 'unknown';
  return truthiness === guard.truthy ? 'holds' : 'fails';
}

/** The expression at `path` inside `expression`, through object literals and `const` locals initialised with one. */
function valueAt(expression: ts.Expression, path: readonly string[], depth: number): ts.Expression | undefined {
  const node = skipOuterExpressions(expression);
  if (path.length === 0) return node;
  if (depth > 3) return undefined;
  if (ts.isObjectLiteralExpression(node)) {
    const [name, ...rest] = path;
    let found: ts.Expression | undefined;
    for (const property of node.properties) {
      // A spread may set it too: only a property written after the last spread is certain.
      if (ts.isSpreadAssignment(property)) found = undefined;
      else if (ts.isPropertyAssignment(property) && propertyName(property.name) === name) found = property.initializer;
      else if (ts.isShorthandPropertyAssignment(property) && property.name.text === name) found = property.name;
      else if (propertyName(property.name) === name) found = undefined;
    }
    return found === undefined ? undefined : valueAt(found, rest, depth + 1);
  }
  if (ts.isIdentifier(node)) {
    const initializer = constInitializer(node);
    return initializer === undefined ? undefined : valueAt(initializer, path, depth + 1);
  }
  return undefined;
}

function propertyName(name: ts.PropertyName | undefined): string | undefined {
  if (name === undefined) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/**
 * The initializer of the `const` this identifier names, found by name in the enclosing scopes (no
 * checker: parameters of helpers are read before types are asked for). Only a `const` whose object is
 * never handed to anything that could change it matters here, and a property written later
 * (`options.bypass = true`) is seen by `isWrittenAfter`.
 */
function constInitializer(identifier: ts.Identifier): ts.Expression | undefined {
  for (let scope: ts.Node | undefined = identifier.parent; scope !== undefined; scope = scope.parent) {
    if (!ts.isBlock(scope) && !ts.isSourceFile(scope)) continue;
    for (const statement of scope.statements) {
      if (!ts.isVariableStatement(statement) || (statement.declarationList.flags & ts.NodeFlags.Const) === 0) continue;
      for (const declaration of statement.declarationList.declarations) {
        if (ts.isIdentifier(declaration.name) && declaration.name.text === identifier.text && declaration.initializer !== undefined) {
          return isWrittenThrough(identifier.text, scope) ? undefined : declaration.initializer;
        }
      }
    }
  }
  return undefined;
}

/** `name.x = …` (or `name.x++`, `delete name.x`) anywhere in `scope`. */
function isWrittenThrough(name: string, scope: ts.Node): boolean {
  let written = false;
  const visit = (node: ts.Node): void => {
    if (written) return;
    if (ts.isBinaryExpression(node) && node.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && node.operatorToken.kind <= ts.SyntaxKind.LastAssignment && rootName(node.left) === name && !ts.isIdentifier(node.left)) written = true;
    else if ((ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node) || ts.isDeleteExpression(node)) && !ts.isIdentifier(operandOf(node)) && rootName(operandOf(node)) === name) written = true;
    else ts.forEachChild(node, visit);
  };
  visit(scope);
  return written;
}

function operandOf(node: ts.PrefixUnaryExpression | ts.PostfixUnaryExpression | ts.DeleteExpression): ts.Expression {
  return ts.isDeleteExpression(node) ? node.expression : node.operand;
}

function rootName(expression: ts.Expression): string | undefined {
  let node = skipOuterExpressions(expression);
  while (ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node)) node = skipOuterExpressions(node.expression);
  return ts.isIdentifier(node) ? node.text : undefined;
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
