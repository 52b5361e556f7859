/**
 * Whether a typed array may view a SharedArrayBuffer, for guarded-by inference: its type says so
 * (`Int32Array<SharedArrayBuffer>`), or the field or variable holding it is initialised over one.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';
import type { SharedViewTest } from './state-writes.js';

export function sharedViewTest(program: ts.Program, _files: readonly ts.SourceFile[], _root: string): SharedViewTest {
  const checker = program.getTypeChecker();
  return (expression) => {
    const type = checker.getNonNullableType(checker.getTypeAtLocation(expression));
    const buffer = type.getProperty('buffer');
    if (buffer === undefined) return false;
    const bufferType = checker.getTypeOfSymbol(buffer);
    const members = bufferType.isUnion() ? bufferType.types : [bufferType];
    if (members.every((member) => member.getSymbol()?.getName() === 'SharedArrayBuffer')) return true;
    const node = skipOuterExpressions(expression);
    const name = ts.isIdentifier(node) ? node : ts.isPropertyAccessExpression(node) ? node.name : undefined;
    const declaration = name === undefined ? undefined : checker.getSymbolAtLocation(name)?.valueDeclaration;
    const initializer = declaration !== undefined && (ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) ? declaration.initializer : undefined;
    return initializer !== undefined && /\bnew\s+SharedArrayBuffer\b/.test(initializer.getText());
  };
}
