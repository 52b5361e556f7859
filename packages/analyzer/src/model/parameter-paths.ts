/**
 * A parameter read through a property path (`options.key`, `nested`) and what a caller's argument
 * puts there. Lock helpers decide what they take from such reads: whether (parameter-guards.ts, a
 * `bypass` flag) and which (a Web Lock named `` `mutation_(${options.key})` ``, lock-identity.ts).
 * Syntax only, no checker: the paths are read while the program's functions are summarised.
 */
import ts from 'typescript';
import { skipOuterExpressions } from './lock-identity.js';

export interface ParameterPath {
  /** Index of the parameter of the function the read is written in. */
  readonly parameter: number;
  /** Property names read from it (`[]` for the parameter itself). */
  readonly path: readonly string[];
}

/** `p`, `p.a`, `p.a.b` for a parameter `p` of `parameters` declared by name. */
export function parameterPathOf(expression: ts.Expression, parameters: readonly ts.ParameterDeclaration[]): ParameterPath | undefined {
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

/**
 * The expression at `path` inside `expression` (an argument, say), through object literals and `const` locals initialised with one. */
export function valueAtPath(expression: ts.Expression, path: readonly string[]): ts.Expression | undefined {
  return valueAt(expression, path, 0);
}

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
