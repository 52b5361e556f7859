/** The symbol a name denotes, through imports and re-exports, as the analyses that follow values need it. */
import ts from 'typescript';

/** The symbol at `node`, an import resolved to what it imports. */
export function symbolAt(checker: ts.TypeChecker, node: ts.Node): ts.Symbol | undefined {
  const symbol = checker.getSymbolAtLocation(node);
  return symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol;
}

/** The declaration that stands for a symbol: the one that gives it its value, else its first. */
export function declarationOfSymbol(symbol: ts.Symbol | undefined): ts.Declaration | undefined {
  return symbol?.valueDeclaration ?? symbol?.declarations?.[0];
}

/** The declaration of what `node` names (`view`, the `counts` of `this.counts`). */
export function declarationAt(checker: ts.TypeChecker, node: ts.Node): ts.Declaration | undefined {
  return declarationOfSymbol(symbolAt(checker, node));
}
