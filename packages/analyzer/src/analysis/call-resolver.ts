/**
 * Which functions a call reaches: through the checker's symbol for the callee (direct calls, imported
 * functions, methods on typed receivers, `this.`/`super.` calls, constructors), filtered by the
 * syntactic relevance pass so only calls that can matter cost a symbol lookup. A call through an
 * interface, an abstract method or a union reaches every implementation (class-hierarchy.ts).
 */
import ts from 'typescript';
import { isFunctionWithBody } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { ClassHierarchy } from './class-hierarchy.js';

export class CallResolver {
  readonly #checker: ts.TypeChecker;
  readonly #calleeNames: ReadonlySet<string>;
  readonly #summarised: ReadonlySet<ts.Node>;
  readonly #hierarchy: ClassHierarchy;

  /**
   * @param calleeNames names worth resolving (from relevance.ts)
   * @param summarised the functions that have summaries: a call elsewhere changes nothing
   */
  constructor(checker: ts.TypeChecker, calleeNames: ReadonlySet<string>, summarised: ReadonlySet<ts.Node>) {
    this.#checker = checker;
    this.#calleeNames = calleeNames;
    this.#summarised = summarised;
    this.#hierarchy = new ClassHierarchy(checker, summarised);
  }

  /**
   * The functions `call` may reach that have summaries: the one it names, or, for a call through an
   * interface, an abstract method or a union-typed receiver, every implementation in the program.
   */
  resolveCalls(call: ts.CallExpression | ts.NewExpression): readonly ts.SignatureDeclaration[] {
    const callee = this.#callee(call);
    if (callee === undefined) return [];
    if (ts.isCallExpression(call) && callee.receiver !== undefined) {
      const implementations = this.#hierarchy.implementationsOf(callee.receiver, callee.name, callee.symbol);
      if (implementations !== undefined) return implementations;
    }
    const target = this.#direct(call, callee.symbol);
    return target === undefined ? [] : [target];
  }

  /** The one function `call` names, if it has a body and a summary (no dispatch). */
  resolveCall(call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | undefined {
    const callee = this.#callee(call);
    return callee === undefined ? undefined : this.#direct(call, callee.symbol);
  }

  #callee(call: ts.CallExpression | ts.NewExpression): { symbol: ts.Symbol; name: string; receiver: ts.Expression | undefined } | undefined {
    const callee = skipOuterExpressions(call.expression);
    const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (nameNode === undefined || !this.#calleeNames.has(nameNode.text)) return undefined;
    const symbol = this.symbolOf(nameNode);
    if (symbol === undefined) return undefined;
    return { symbol, name: nameNode.text, receiver: ts.isPropertyAccessExpression(callee) ? callee.expression : undefined };
  }

  #direct(call: ts.CallExpression | ts.NewExpression, symbol: ts.Symbol): ts.SignatureDeclaration | undefined {
    const target = ts.isNewExpression(call) ? constructorOf(symbol) : functionOfSymbol(symbol);
    return target !== undefined && this.#summarised.has(target) ? target : undefined;
  }

  /** The function a value denotes: `runExclusive(doWork)`, `runExclusive(this.flush)`. */
  functionOfValue(expression: ts.Expression): ts.SignatureDeclaration | undefined {
    const node = skipOuterExpressions(expression);
    const nameNode = ts.isIdentifier(node) ? node : ts.isPropertyAccessExpression(node) ? node.name : undefined;
    if (nameNode === undefined) return undefined;
    const symbol = this.symbolOf(nameNode);
    const target = symbol === undefined ? undefined : functionOfSymbol(symbol);
    return target !== undefined && this.#summarised.has(target) ? target : undefined;
  }

  symbolOf(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.#checker.getSymbolAtLocation(node);
    if (symbol === undefined || (symbol.flags & ts.SymbolFlags.Alias) === 0) return symbol;
    const target = this.#checker.getAliasedSymbol(symbol);
    return target.declarations === undefined ? symbol : target;
  }
}

function functionOfSymbol(symbol: ts.Symbol): ts.SignatureDeclaration | undefined {
  for (const declaration of symbol.declarations ?? []) {
    if (isFunctionWithBody(declaration)) return declaration;
    if (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
      const initializer = declaration.initializer === undefined ? undefined : skipOuterExpressions(declaration.initializer);
      if (initializer !== undefined && (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer))) return initializer;
    }
  }
  return undefined;
}

function constructorOf(symbol: ts.Symbol): ts.SignatureDeclaration | undefined {
  for (const declaration of symbol.declarations ?? []) {
    if (!ts.isClassLike(declaration)) continue;
    const constructor = declaration.members.find((member): member is ts.ConstructorDeclaration => ts.isConstructorDeclaration(member) && member.body !== undefined);
    if (constructor !== undefined) return constructor;
  }
  return undefined;
}
