/**
 * Which function a call reaches: through the checker's symbol for the callee (direct calls, imported
 * functions, methods on typed receivers, `this.`/`super.` calls, constructors), filtered by the
 * syntactic relevance pass so only calls that can matter cost a symbol lookup.
 */
import ts from 'typescript';
import { isFunctionWithBody } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';

export class CallResolver {
  readonly #checker: ts.TypeChecker;
  readonly #calleeNames: ReadonlySet<string>;
  readonly #summarised: ReadonlySet<ts.Node>;

  /**
   * @param calleeNames names worth resolving (from relevance.ts)
   * @param summarised the functions that have summaries: a call elsewhere changes nothing
   */
  constructor(checker: ts.TypeChecker, calleeNames: ReadonlySet<string>, summarised: ReadonlySet<ts.Node>) {
    this.#checker = checker;
    this.#calleeNames = calleeNames;
    this.#summarised = summarised;
  }

  /** The functions `call` may reach that have summaries: at most one today. */
  resolveCalls(call: ts.CallExpression | ts.NewExpression): readonly ts.SignatureDeclaration[] {
    const target = this.resolveCall(call);
    return target === undefined ? [] : [target];
  }

  resolveCall(call: ts.CallExpression | ts.NewExpression): ts.SignatureDeclaration | undefined {
    const callee = skipOuterExpressions(call.expression);
    const nameNode = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    if (nameNode === undefined || !this.#calleeNames.has(nameNode.text)) return undefined;
    const symbol = this.symbolOf(nameNode);
    if (symbol === undefined) return undefined;
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
