/** Names for functions as a reader finds them in the source: `Class.method`, `name`, `outer → callback`. */
import ts from 'typescript';

/** A node whose body the analysis summarises: a function of any form, or a file's top-level code. */
export type FunctionLike = ts.SignatureDeclaration | ts.SourceFile;

/**
 * The kinds of function that have a body to summarise, read once: `ts.SyntaxKind.X` is a getter on
 * TypeScript's module object, and every node of every walked file comes through here.
 */
const FUNCTION_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.MethodDeclaration,
  ts.SyntaxKind.Constructor,
  ts.SyntaxKind.GetAccessor,
  ts.SyntaxKind.SetAccessor,
  ts.SyntaxKind.FunctionExpression,
  ts.SyntaxKind.ArrowFunction,
]);

export function isFunctionWithBody(node: ts.Node): node is ts.FunctionLikeDeclaration {
  return FUNCTION_KINDS.has(node.kind) && (node as ts.FunctionLikeDeclaration).body !== undefined;
}

const names = new WeakMap<ts.Node, string>();

/** The name of a function-like node, computed once. */
export function functionName(node: FunctionLike): string {
  let name = names.get(node);
  if (name === undefined) {
    name = computeName(node);
    names.set(node, name);
  }
  return name;
}

function computeName(node: FunctionLike): string {
  if (ts.isSourceFile(node)) return '<module>';
  const own = ownName(node);
  const owner = ownerName(node);
  if (own !== undefined) return owner === undefined ? own : `${owner}.${own}`;
  // An anonymous callback is named after the function it is written in and the call it is passed to.
  const enclosing = enclosingFunction(node);
  const outer = enclosing === undefined ? '<module>' : functionName(enclosing);
  const call = node.parent;
  if (ts.isCallExpression(call) || ts.isNewExpression(call)) {
    const callee = calleeText(call.expression);
    return `${outer} → ${callee}(callback)`;
  }
  return `${outer} → <anonymous>`;
}

function ownName(node: ts.SignatureDeclaration): string | undefined {
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  if (node.name !== undefined) return propertyNameText(node.name);
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === node) {
    return propertyNameText(parent.name);
  }
  return undefined;
}

function ownerName(node: ts.SignatureDeclaration): string | undefined {
  let parent: ts.Node = node.parent;
  if (ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) parent = parent.parent;
  if (ts.isClassLike(parent)) return className(parent);
  if (ts.isObjectLiteralExpression(parent)) {
    const holder = parent.parent;
    if (ts.isVariableDeclaration(holder)) return propertyNameText(holder.name);
  }
  return undefined;
}

function propertyNameText(name: ts.PropertyName | ts.BindingName): string {
  if (ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name)) return name.text;
  return '<computed>';
}

export function calleeText(expression: ts.Expression): string {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return `${calleeText(expression.expression)}.${expression.name.text}`;
  if (expression.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (expression.kind === ts.SyntaxKind.SuperKeyword) return 'super';
  if (ts.isCallExpression(expression)) return `${calleeText(expression.expression)}()`;
  if (ts.isElementAccessExpression(expression)) return `${calleeText(expression.expression)}[…]`;
  if (ts.isParenthesizedExpression(expression) || ts.isNonNullExpression(expression)) return calleeText(expression.expression);
  return '…';
}

/** The nearest function (not counting `node` itself) whose body contains `node`. */
export function enclosingFunction(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionWithBody(current)) return current;
  }
  return undefined;
}

/** A class's name; a class expression takes its variable's (`var Queryable = class { … }`, as bundlers emit). */
export function className(node: ts.ClassLikeDeclaration): string {
  if (node.name !== undefined) return node.name.text;
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '<class>';
}
