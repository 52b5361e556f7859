/**
 * Whether a value has a type anyone wrote: the name-based fallback applies only where it has not, so
 * a typed receiver that is not a lock is never guessed at.
 */
import ts from 'typescript';

/**
 * No type the user wrote: `any`, `unknown`, an unresolved import, or an object type inferred from plain
 * JavaScript. Only then does a lock-like name count.
 */
export function isUntyped(type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  const declarations = type.getSymbol()?.declarations ?? [];
  if (declarations.length === 0) return false;
  return declarations.every((declaration) => isJavaScriptFile(declaration.getSourceFile().fileName));
}

function isJavaScriptFile(fileName: string): boolean {
  return /\.[cm]?jsx?$/.test(fileName);
}
