/**
 * The arguments a parameter receives: every call of its function in the program, found by the name
 * the call is written with (the function's own, an import's rename, `super` for a constructor) and
 * kept only when the checker resolves the call to that very function. Only calls whose name matches
 * are resolved, and only when an argument could be memory at all.
 */
import ts from 'typescript';
import { isFunctionWithBody } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';
import type { Invocation, SharedViewIndex } from './shared-view-index.js';

export class CallSites {
  readonly #checker: ts.TypeChecker;
  readonly #index: SharedViewIndex;

  constructor(checker: ts.TypeChecker, index: SharedViewIndex) {
    this.#checker = checker;
    this.#index = index;
  }

  /** The arguments passed for `parameter` (all the rest, for a rest parameter) at every call of its function. */
  *argumentsFor(parameter: ts.ParameterDeclaration): Generator<ts.Expression> {
    const fn = parameter.parent;
    if (!isFunctionWithBody(fn)) return;
    const position = fn.parameters.indexOf(parameter);
    for (const name of this.#namesOf(fn)) {
      for (const call of this.#index.callsTo(name)) {
        const args = call.arguments ?? [];
        // A destructured parameter takes its views out of the argument, an object literal as often as not.
        const passed = (parameter.dotDotDotToken === undefined ? args.slice(position, position + 1) : args.slice(position)).filter(
          (argument) => !ts.isIdentifier(parameter.name) || !cannotBeMemory(argument),
        );
        if (passed.length === 0 || args.slice(0, position).some(ts.isSpreadElement) || !this.#resolvesTo(call, fn)) continue;
        yield* passed.filter((argument) => !ts.isSpreadElement(argument));
      }
    }
  }

  /** What calls of `fn` are written with: its names, the names they are imported under, `super` for a constructor. */
  #namesOf(fn: ts.FunctionLikeDeclaration): ReadonlySet<string> {
    const names = new Set<string>();
    for (const name of ownNames(fn)) {
      names.add(name);
      for (const alias of this.#index.namesOf(name)) names.add(alias);
    }
    const owner = ts.isConstructorDeclaration(fn) ? fn.parent : fn;
    const isDefault = ts.isExportAssignment(owner.parent) || (ts.canHaveModifiers(owner) && (ts.getCombinedModifierFlags(owner) & ts.ModifierFlags.Default) !== 0);
    if (isDefault) for (const alias of this.#index.namesOf('default')) names.add(alias);
    if (ts.isConstructorDeclaration(fn)) names.add('super');
    return names;
  }

  #resolvesTo(call: Invocation, fn: ts.FunctionLikeDeclaration): boolean {
    const declaration = this.#checker.getResolvedSignature(call)?.declaration;
    if (declaration === undefined || ts.isJSDocSignature(declaration)) return false;
    // An overload signature stands for the implementation that follows it.
    return declaration === fn || (declaration.kind === fn.kind && declaration.parent === fn.parent && nameText(declaration) === nameText(fn));
  }
}

/** The function with a body a resolved signature stands for: itself, or the implementation of an overload. */
export function implementationOf(declaration: ts.SignatureDeclaration): ts.FunctionLikeDeclaration | undefined {
  if (isFunctionWithBody(declaration)) return declaration;
  const parent = declaration.parent;
  const siblings: readonly ts.Node[] = ts.isClassLike(parent) ? parent.members : ts.isSourceFile(parent) || ts.isModuleBlock(parent) ? parent.statements : [];
  return siblings.find((node): node is ts.FunctionLikeDeclaration => node.kind === declaration.kind && isFunctionWithBody(node) && nameText(node) === nameText(declaration));
}

/** The text of a declaration's name, when it is written as one (not computed). */
export function propertyNameText(name: ts.Node): string | undefined {
  return ts.isIdentifier(name) || ts.isPrivateIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) ? name.text : undefined;
}

/** The names a call of `fn` may be written with, before imports rename them. */
function ownNames(fn: ts.FunctionLikeDeclaration): readonly string[] {
  if (ts.isConstructorDeclaration(fn)) {
    const owner = fn.parent;
    if (owner.name !== undefined) return [owner.name.text];
    return ts.isVariableDeclaration(owner.parent) && ts.isIdentifier(owner.parent.name) ? [owner.parent.name.text] : [];
  }
  const own = nameText(fn);
  if (own !== undefined) return [own];
  const holder = fn.parent;
  if ((ts.isVariableDeclaration(holder) || ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder)) && holder.initializer === fn) {
    const name = propertyNameText(holder.name);
    return name === undefined ? [] : [name];
  }
  if (ts.isBinaryExpression(holder) && holder.right === fn) {
    const target = skipOuterExpressions(holder.left);
    if (ts.isIdentifier(target)) return [target.text];
    if (ts.isPropertyAccessExpression(target)) return [target.name.text];
  }
  return [];
}

function nameText(node: ts.Node): string | undefined {
  const name = ts.getNameOfDeclaration(node as ts.Declaration);
  return name === undefined ? undefined : propertyNameText(name);
}

/** An argument no typed array or buffer can be: a literal, a function, an object or array literal. */
function cannotBeMemory(argument: ts.Expression): boolean {
  const node = skipOuterExpressions(argument);
  return (
    ts.isLiteralExpression(node) ||
    ts.isTemplateExpression(node) ||
    ts.isObjectLiteralExpression(node) ||
    ts.isArrayLiteralExpression(node) ||
    ts.isArrowFunction(node) ||
    ts.isFunctionExpression(node) ||
    node.kind === ts.SyntaxKind.TrueKeyword ||
    node.kind === ts.SyntaxKind.FalseKeyword ||
    node.kind === ts.SyntaxKind.NullKeyword
  );
}
