/**
 * Web Lock names a function builds from its parameters. A helper such as sqlocal's
 * `mutationLock(options, fn)` requests `` `_sqlocal_mutation_(${options.key})` ``: which lock it takes
 * is the caller's choice, so every request through it is not one lock. The name is kept as a template
 * (literal text and parameter reads) and each call fills it in from its arguments (lock-identity.ts
 * `webLockAt`).
 */
import ts from 'typescript';
import type { WebLockNamePart, WebLockNameTemplate } from './lock-ref.js';
import { parameterPathOf } from './parameter-paths.js';

/** What the template reader asks the checker. */
export interface NameTemplateQueries {
  /** The constant string or number the expression always has. */
  constantString(expression: ts.Expression): string | undefined;
  /** Whether `identifier` is the parameter `parameter` (and not a local of the same name). */
  isParameter(identifier: ts.Identifier, parameter: ts.ParameterDeclaration): boolean;
  /** Whether the expression is a string (so `+` concatenates). */
  isString(expression: ts.Expression): boolean;
}

/**
 * The template `name` is, inside `fn`: a template literal, a `+` concatenation or a bare read, whose
 * every part is constant or a read of one of `fn`'s parameters, at least one of them a read.
 */
export function webLockNameTemplate(name: ts.Expression, fn: ts.SignatureDeclaration, queries: NameTemplateQueries): WebLockNameTemplate | undefined {
  const parts: WebLockNamePart[] = [];
  const add = (expression: ts.Expression): boolean => {
    const node = skipParentheses(expression);
    const constant = queries.constantString(node);
    if (constant !== undefined) {
      parts.push({ text: constant });
      return true;
    }
    if (ts.isTemplateExpression(node)) {
      parts.push({ text: node.head.text });
      for (const span of node.templateSpans) {
        if (!add(span.expression)) return false;
        parts.push({ text: span.literal.text });
      }
      return true;
    }
    if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken && queries.isString(node)) return add(node.left) && add(node.right);
    const read = parameterReadOf(node, fn, queries);
    if (read === undefined) return false;
    parts.push({ ...read, shown: node.getText() });
    return true;
  };
  if (!add(name) || !parts.some(isRead)) return undefined;
  return joinText(parts);
}

/** A read of one of `fn`'s own parameters (`options.key`), checked to be that parameter. */
function parameterReadOf(
  expression: ts.Expression,
  fn: ts.SignatureDeclaration,
  queries: Pick<NameTemplateQueries, 'isParameter'>,
): { readonly parameter: number; readonly path: readonly string[] } | undefined {
  const read = parameterPathOf(expression, fn.parameters);
  if (read === undefined) return undefined;
  let root = skipParentheses(expression);
  while (ts.isPropertyAccessExpression(root)) root = skipParentheses(root.expression);
  const parameter = fn.parameters[read.parameter];
  return parameter !== undefined && ts.isIdentifier(root) && queries.isParameter(root, parameter) ? read : undefined;
}

export function isRead(part: WebLockNamePart): part is Extract<WebLockNamePart, { parameter: number }> {
  return 'parameter' in part;
}

/** Adjacent literal parts as one, empty ones dropped. */
export function joinText(parts: readonly WebLockNamePart[]): WebLockNamePart[] {
  const joined: WebLockNamePart[] = [];
  for (const part of parts) {
    const last = joined[joined.length - 1];
    if ('text' in part && part.text === '') continue;
    if ('text' in part && last !== undefined && 'text' in last) joined[joined.length - 1] = { text: last.text + part.text };
    else joined.push(part);
  }
  return joined;
}

function skipParentheses(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node)) node = node.expression;
  return node;
}
