/**
 * Whether a value is handed to `Atomics` somewhere in the program: the evidence that an `any` from
 * another thread (`workerData.flags`, a destructured `counts`) is an integer typed array over shared
 * memory and not a plain array copied into the worker. Values are named by their declaration (a
 * variable, a field) or by a property path from one (`workerData.flags`), so the same value written
 * alike in two functions is one.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { declarationAt } from './resolved-symbol.js';

export class AtomicsUses {
  readonly #checker: ts.TypeChecker;
  readonly #targets: () => readonly ts.Expression[];
  #keys: ReadonlySet<string> | undefined;
  readonly #ids = new Map<ts.Node, number>();

  /** @param targets the first argument of every `Atomics` call, read on first need */
  constructor(checker: ts.TypeChecker, targets: () => readonly ts.Expression[]) {
    this.#checker = checker;
    this.#targets = targets;
  }

  /** Whether the value of `expression` is also the first argument of some `Atomics` call. */
  has(expression: ts.Expression): boolean {
    const key = this.#keyOf(expression);
    if (key === undefined) return false;
    this.#keys ??= new Set(
      this.#targets()
        .map((target) => this.#keyOf(target))
        .filter((target) => target !== undefined),
    );
    return this.#keys.has(key);
  }

  #keyOf(expression: ts.Expression): string | undefined {
    const node = skipOuterExpressions(expression);
    if (ts.isIdentifier(node)) return this.#declarationKey(node);
    const name = ts.isPropertyAccessExpression(node) ? node.name : ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression) ? node.argumentExpression : undefined;
    if (name === undefined) return undefined;
    // A declared field is one value whatever the receiver; a property of an `any` is named by its path.
    const field = this.#declarationKey(name);
    if (field !== undefined) return field;
    const receiver = this.#keyOf((node as ts.PropertyAccessExpression | ts.ElementAccessExpression).expression);
    return receiver === undefined ? undefined : `${receiver}.${name.text}`;
  }

  #declarationKey(node: ts.Node): string | undefined {
    const declaration = declarationAt(this.#checker, node);
    if (declaration === undefined) return undefined;
    let id = this.#ids.get(declaration);
    if (id === undefined) this.#ids.set(declaration, (id = this.#ids.size));
    return `#${id}`;
  }
}
