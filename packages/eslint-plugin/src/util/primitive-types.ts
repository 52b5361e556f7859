/**
 * Which `@lockstep/primitives` class a value is, and which of its methods block the thread while an
 * `…Async` twin waits without blocking. Kept apart from the analyzer's lock catalog because Event,
 * Barrier and the queues are not locks (they take part in no lock order), yet block all the same.
 */
import { packageNameOf } from '@lockstep/analyzer';
import ts from 'typescript';

/** The package that must declare a class for it to count (a same-named user class does not). */
export const PRIMITIVES_PACKAGE = '@lockstep/primitives';

const LOCK_METHODS: ReadonlyMap<string, string> = new Map([
  ['acquire', 'acquireAsync'],
  ['hold', 'holdAsync'],
]);
const QUEUE_METHODS: ReadonlyMap<string, string> = new Map([
  ['get', 'getAsync'],
  ['put', 'putAsync'],
  ['join', 'joinAsync'],
]);

/**
 * Blocking method → its async twin, per class, as declared in packages/primitives/src. `Thread.join`
 * is absent on purpose: it already returns a promise. `RLock.restoreBlocking` is left out too: it is
 * `Condition.wait`'s internal step, not something user code calls.
 */
export const BLOCKING_METHODS: ReadonlyMap<string, ReadonlyMap<string, string>> = new Map([
  ['Acquirable', LOCK_METHODS],
  ['Lock', LOCK_METHODS],
  ['RLock', LOCK_METHODS],
  ['Semaphore', LOCK_METHODS],
  ['BoundedSemaphore', LOCK_METHODS],
  [
    'Condition',
    new Map([
      ...LOCK_METHODS,
      ['wait', 'waitAsync'],
      ['waitFor', 'waitForAsync'],
    ]),
  ],
  [
    'ReadWriteLock',
    new Map([
      ['acquireRead', 'acquireReadAsync'],
      ['acquireWrite', 'acquireWriteAsync'],
      ['holdRead', 'holdReadAsync'],
      ['holdWrite', 'holdWriteAsync'],
    ]),
  ],
  ['Event', new Map([['wait', 'waitAsync']])],
  ['Barrier', new Map([['wait', 'waitAsync']])],
  ['Queue', QUEUE_METHODS],
  ['LifoQueue', QUEUE_METHODS],
  ['PriorityQueue', QUEUE_METHODS],
]);

/** Every method name that blocks on some primitive: calls of other names need no type query. */
export const BLOCKING_METHOD_NAMES: ReadonlySet<string> = new Set([...BLOCKING_METHODS.values()].flatMap((methods) => [...methods.keys()]));

/** A blocking call on a primitive: the class that declares it and the method to use instead. */
export interface BlockingMethod {
  readonly className: string;
  readonly asyncMethod: string;
}

/** Answers "is this type a primitive with a blocking `method`?", caching package lookups per directory. */
export class PrimitiveTypes {
  readonly #checker: ts.TypeChecker;

  constructor(checker: ts.TypeChecker) {
    this.#checker = checker;
  }

  /**
   * The primitive `type` is (a union member, a type parameter's constraint or a base class of it)
   * whose `method` blocks, if any.
   */
  blockingMethodOf(type: ts.Type, method: string, seen = new Set<ts.Type>()): BlockingMethod | undefined {
    if (seen.has(type)) return undefined; // cyclic heritage in broken code
    seen.add(type);
    if (type.isUnion() || type.isIntersection()) {
      for (const member of type.types) {
        const found = this.blockingMethodOf(member, method, seen);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    if (type.flags & ts.TypeFlags.TypeParameter) {
      const constraint = this.#checker.getBaseConstraintOfType(type);
      return constraint === undefined ? undefined : this.blockingMethodOf(constraint, method, seen);
    }
    const symbol = type.getSymbol();
    if (symbol === undefined) return undefined;
    const asyncMethod = BLOCKING_METHODS.get(symbol.getName())?.get(method);
    if (asyncMethod !== undefined && this.#declaredInPrimitives(symbol)) return { className: symbol.getName(), asyncMethod };
    // A user subclass of a primitive inherits its blocking methods.
    const target = type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : type;
    if (!(target.flags & ts.TypeFlags.Object) || !((target as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return undefined;
    for (const base of this.#checker.getBaseTypes(target as ts.InterfaceType)) {
      const found = this.blockingMethodOf(base, method, seen);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  #declaredInPrimitives(symbol: ts.Symbol): boolean {
    const declaration = symbol.declarations?.[0];
    return declaration !== undefined && packageNameOf(declaration.getSourceFile().fileName) === PRIMITIVES_PACKAGE;
  }

}

// One instance per checker, so package lookups are shared by every file of a program.
const instances = new WeakMap<ts.TypeChecker, PrimitiveTypes>();

export function primitiveTypesOf(checker: ts.TypeChecker): PrimitiveTypes {
  let instance = instances.get(checker);
  if (instance === undefined) instances.set(checker, (instance = new PrimitiveTypes(checker)));
  return instance;
}
