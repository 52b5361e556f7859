/**
 * A syntactic pass that decides which functions can matter before any type is asked for: a function
 * matters if it calls a lock-like method, or calls (by name) a function that matters. Only calls whose
 * callee name is in that set are resolved through the checker, and only functions that matter are
 * walked — what keeps the analysis near the cost of parsing on code that has few locks.
 */
import ts from 'typescript';
import { isFunctionWithBody, type FunctionLike } from '../model/function-names.js';

export interface Relevance {
  /** Functions (and files' top-level code) to summarise. */
  readonly functions: readonly FunctionLike[];
  /** Callee names worth resolving. */
  readonly calleeNames: ReadonlySet<string>;
}

interface Facts {
  readonly node: FunctionLike;
  readonly names: readonly string[];
  readonly called: Set<string>;
  touchesLocks: boolean;
}

export function findRelevantFunctions(files: readonly ts.SourceFile[], lockMethodNames: ReadonlySet<string>): Relevance {
  const facts: Facts[] = [];
  for (const file of files) collectFacts(file, lockMethodNames, facts);

  const callersOf = new Map<string, Facts[]>();
  for (const fact of facts) {
    for (const name of fact.called) {
      const list = callersOf.get(name);
      if (list === undefined) callersOf.set(name, [fact]);
      else list.push(fact);
    }
  }
  const calleeNames = new Set<string>();
  const relevant = new Set<Facts>();
  const work: Facts[] = facts.filter((fact) => fact.touchesLocks);
  while (work.length > 0) {
    const fact = work.pop()!;
    if (relevant.has(fact)) continue;
    relevant.add(fact);
    for (const name of fact.names) {
      if (calleeNames.has(name)) continue;
      calleeNames.add(name);
      for (const caller of callersOf.get(name) ?? []) if (!relevant.has(caller)) work.push(caller);
    }
  }
  return { functions: facts.filter((fact) => relevant.has(fact)).map((fact) => fact.node), calleeNames };
}

function collectFacts(file: ts.SourceFile, lockMethodNames: ReadonlySet<string>, out: Facts[]): void {
  const moduleFacts: Facts = { node: file, names: [], called: new Set(), touchesLocks: false };
  out.push(moduleFacts);
  const stack: Facts[] = [moduleFacts];

  const visit = (node: ts.Node): void => {
    if (isFunctionWithBody(node)) {
      const fact: Facts = { node, names: namesOf(node), called: new Set(), touchesLocks: false };
      out.push(fact);
      stack.push(fact);
      ts.forEachChild(node, visit);
      stack.pop();
      // What a nested function does may happen in its parent (an inlined callback): let it count there.
      const parent = stack[stack.length - 1]!;
      for (const name of fact.called) parent.called.add(name);
      if (fact.touchesLocks) parent.touchesLocks = true;
      return;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const current = stack[stack.length - 1]!;
      const name = calledName(node.expression);
      if (name !== undefined) {
        current.called.add(name);
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && lockMethodNames.has(name)) current.touchesLocks = true;
      }
      // `runExclusive(doWork)`, `setTimeout(tick)`: a function passed by name is called too.
      for (const argument of node.arguments ?? []) {
        const passed = calledName(argument);
        if (passed !== undefined && (ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument))) current.called.add(passed);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
}

function calledName(expression: ts.Expression): string | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
}

/** The names a function is called by: its own, its variable's or property's, its class's for a constructor. */
function namesOf(node: ts.FunctionLikeDeclaration): string[] {
  if (ts.isConstructorDeclaration(node)) return node.parent.name === undefined ? [] : [node.parent.name.text];
  if (node.name !== undefined) return ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name) ? [node.name.text] : [];
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) {
    return [parent.name.text];
  }
  return [];
}
