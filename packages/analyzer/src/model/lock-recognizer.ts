/**
 * Is this call a lock operation, and on which lock? By type through the checker (the catalog in
 * lock-catalog.ts); for receivers without a written type (plain JavaScript, `any`), by name — and then
 * the operation says it was guessed.
 */
import path from 'node:path';
import ts from 'typescript';
import { isDeclaredByPackage } from './declaring-package.js';
import type { LockFlavor } from './lock-info.js';
import {
  ASYNC_LOCK_OPTIONS,
  FALLBACK_METHODS,
  flavorFromName,
  LOCK_SHAPE_METHODS,
  LOCK_WRAPPERS,
  looksLikeLockName,
  WEB_LOCK_MODULES,
  type LockMethodRole,
  type LockType,
} from './lock-catalog.js';
import { lockWrapperOf, skipOuterExpressions, type AcquisitionMode, type LockIdentityResolver, type LockTypeFacts } from './lock-identity.js';
import type { LockRef } from './lock-ref.js';
import { isUntyped } from './untyped.js';

export { isUntyped } from './untyped.js';

/** A call that takes, tries, releases or scopes a lock. */
export interface LockOperation {
  readonly role: LockMethodRole;
  readonly lock: LockRef;
  readonly call: ts.CallExpression;
  /** The method as written (`acquire`, `holdAsync`, `runExclusive`, `request`…): the report's "form". */
  readonly form: string;
  /**
   * For `scoped`: the function run while the lock is held — the first argument, but the second for
   * async-lock's `acquire(key, fn)`.
   */
  readonly callback?: ts.Expression;
  /**
   * For a scoped form that takes several locks in turn (async-lock's `acquire(['a', 'b'], fn)`): all of
   * them, in the order taken, each while the ones before it are held; `lock` is the first. Absent when
   * it takes one lock.
   */
  readonly locks?: readonly LockRef[];
  /**
   * A scoped form that gives up instead of waiting (`ifAvailable: true`, async-mutex's
   * `tryAcquire(mutex).runExclusive(fn)`): it cannot close a cycle.
   */
  readonly tryOnly?: boolean;
  /**
   * For async-mutex's and await-semaphore's `acquire()` (also through `tryAcquire(…)`), and an awaited
   * guessed one: what the promise resolves to.
   */
  readonly releaser?: 'function' | 'tuple';
  /**
   * The call returns a promise: the lock is held only once it is awaited. A pending acquisition nobody
   * waits for blocks nobody.
   */
  readonly returnsPromise: boolean;
  /**
   * `acquire({ timeout })`, a lock made with async-mutex's `withTimeout(…)` or async-lock's
   * `{ timeout }`: gives up instead of waiting forever, so it cannot deadlock.
   */
  readonly bounded: boolean;
}

export interface RecognizerOptions {
  readonly lockTypes: readonly LockType[];
  readonly nameFallback: boolean;
}

/** What an operation adds to its role, lock and call. */
interface OperationExtras {
  readonly releaser?: 'function' | 'tuple' | undefined;
  readonly tryOnly?: boolean;
  readonly bounded?: boolean;
  readonly callbackIndex?: number;
  readonly locks?: readonly LockRef[];
  /** An `acquire` turned into `tryAcquire` by a decorator still returns what `acquire` returns. */
  readonly awaitable?: boolean;
}

// Lock types whose instances may come through async-mutex's decorators.
const WRAPPER_MODULES: ReadonlySet<string> = new Set(LOCK_WRAPPERS.map((wrapper) => wrapper.module));

export class LockRecognizer {
  readonly #checker: ts.TypeChecker;
  readonly #identity: LockIdentityResolver;
  readonly #typesByName = new Map<string, LockType[]>();
  readonly #methodNames: ReadonlySet<string>;
  readonly #nameFallback: boolean;
  readonly #lockTypeOfSymbol = new Map<ts.Symbol, LockType | null>();
  readonly #lockModules: ReadonlySet<string> | undefined;

  constructor(checker: ts.TypeChecker, identity: LockIdentityResolver, options: RecognizerOptions) {
    this.#checker = checker;
    this.#identity = identity;
    this.#nameFallback = options.nameFallback;
    const methodNames = new Set<string>(['request']);
    for (const type of options.lockTypes) {
      const list = this.#typesByName.get(type.name) ?? [];
      list.push(type);
      this.#typesByName.set(type.name, list);
      for (const method of type.methods.keys()) methodNames.add(method);
    }
    if (options.nameFallback) for (const method of FALLBACK_METHODS.keys()) methodNames.add(method);
    this.#methodNames = methodNames;
    const modules = options.lockTypes.map((type) => type.module);
    this.#lockModules = modules.every((module) => module !== undefined && !path.isAbsolute(module))
      ? new Set([...(modules as string[]), ...WEB_LOCK_MODULES])
      : undefined;
  }

  /**
   * The packages locks come from (for the cheap pre-pass): the lock types' and `worker_threads` (Web
   * Locks); `undefined` when a configured lock type names no module, or a path, so any file may hold one.
   */
  get lockModules(): ReadonlySet<string> | undefined {
    return this.#lockModules;
  }

  /** Method names worth a type query: everything else is not a lock operation. */
  get methodNames(): ReadonlySet<string> {
    return this.#methodNames;
  }

  get identity(): LockIdentityResolver {
    return this.#identity;
  }

  /** The lock operation `call` performs, if any; `within` is the function containing it. */
  operationOf(call: ts.CallExpression, within: ts.SignatureDeclaration | undefined): LockOperation | undefined {
    const callee = skipOuterExpressions(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    const method = callee.name.text;
    if (!this.#methodNames.has(method)) return undefined;
    const receiver = callee.expression;

    if (method === 'request') {
      const webLock = this.#webLockRequest(call, receiver, within);
      if (webLock !== undefined) return webLock;
    }

    const type = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(receiver));
    const lockType = this.lockTypeOf(type);
    if (lockType !== undefined) {
      const role = lockType.methods.get(method);
      if (role === undefined) return undefined;
      return this.#typedOperation(lockType, role, receiver, call, method, within);
    }

    if (!this.#nameFallback) return undefined;
    if (isUntyped(type)) return this.#guessedOperation(receiver, call, method, within);
    const shapedName = this.#lockShapedName(type);
    return shapedName === undefined ? undefined : this.#guessedOperation(receiver, call, method, within, shapedName);
  }

  readonly #lockShapedNames = new Map<ts.Symbol, string | null>();

  /**
   * The name of a written type no catalog entry knows that is a lock by its name and its shape: a
   * class, interface or type alias named like one (`Lock`, `Mutex`, `Sema`, `TaskSemaphore`) with a
   * method that takes it (`acquire`, `acquireAsync`, `lock`, `lockAsync`) and one that gives it back
   * (`release`, `unlock`) — @ethereumjs/util's `Lock`, a package's own `type Mutex = { lock(): …;
   * unlock(): … }`. A guess, as the name fallback is, and reported as one.
   */
  #lockShapedName(type: ts.Type): string | undefined {
    if (type.isUnion()) {
      for (const member of type.types) {
        const found = this.#lockShapedName(member);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol === undefined) return undefined;
    const cached = this.#lockShapedNames.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    const name = symbol.getName();
    const hasMethod = (names: readonly string[]): boolean =>
      names.some((method) => {
        const property = type.getProperty(method);
        return property !== undefined && this.#checker.getTypeOfSymbol(property).getCallSignatures().length > 0;
      });
    const shaped = looksLikeLockName(name) && hasMethod(LOCK_SHAPE_METHODS.acquire) && hasMethod(LOCK_SHAPE_METHODS.release);
    this.#lockShapedNames.set(symbol, shaped ? name : null);
    return shaped ? name : undefined;
  }

  #typedOperation(
    lockType: LockType,
    role: LockMethodRole,
    receiver: ts.Expression,
    call: ts.CallExpression,
    method: string,
    within: ts.SignatureDeclaration | undefined,
  ): LockOperation | undefined {
    // Only locks that can be decorated, or whose constructor options matter, need their creation read.
    const needsMode = (lockType.module !== undefined && WRAPPER_MODULES.has(lockType.module)) || lockType.constructorOptions !== undefined;
    const mode: AcquisitionMode = needsMode ? this.#identity.acquisitionModeOf(receiver) : { tryOnly: false, bounded: false };
    const options = constructorOptionsOf(mode, lockType.constructorOptions);
    const facts: LockTypeFacts = { flavor: options.reentrant ? 'reentrant' : lockType.flavor, source: lockType.source, guessed: false };
    const bounded = mode.bounded || options.bounded;
    if (lockType.keyed === true && role === 'scoped') return this.#keyedOperation(receiver, call, method, within, facts, bounded);
    const lock = this.#identity.resolve(receiver, within, facts);
    const held: LockRef = lockType.sharedMethods?.has(method) === true ? { ...lock, shared: true } : lock;
    return this.#decoratedOperation(role, held, call, method, mode, bounded, lockType.acquireReturnsReleaser);
  }

  /** `typeName`: the receiver's lock-shaped type, which names the lock instead of the receiver's name. */
  #guessedOperation(receiver: ts.Expression, call: ts.CallExpression, method: string, within: ts.SignatureDeclaration | undefined, typeName?: string): LockOperation | undefined {
    const role = FALLBACK_METHODS.get(method);
    const receiverName = typeName ?? this.#nameOfReceiver(receiver);
    if (role === undefined || receiverName === undefined || !looksLikeLockName(receiverName)) return undefined;
    const mode = this.#identity.acquisitionModeOf(receiver);
    const flavor = flavorFromName(receiverName);
    // `lock.acquire(key, fn)`: async-lock's keyed form, whose options are async-lock's.
    if (method === 'acquire' && this.#isFunctionValue(call.arguments[1])) {
      const options = constructorOptionsOf(mode, ASYNC_LOCK_OPTIONS);
      const facts: LockTypeFacts = { flavor: options.reentrant ? 'reentrant' : flavor, source: 'name-fallback', guessed: true };
      return this.#keyedOperation(receiver, call, method, within, facts, mode.bounded || options.bounded);
    }
    const facts: LockTypeFacts = { flavor, source: 'name-fallback', guessed: true };
    // Untyped, an awaited acquisition's value may be the function that releases it (async-mutex,
    // await-semaphore): calling it counts as the release, exactly as without any type information.
    const releaser = role === 'acquire' && isAwaited(call) ? 'function' : undefined;
    return this.#decoratedOperation(role, this.#identity.resolve(receiver, within, facts), call, method, mode, mode.bounded, releaser);
  }

  /** An operation on a lock that may come through `tryAcquire(…)` (never waits) or `withTimeout(…)`. */
  #decoratedOperation(
    role: LockMethodRole,
    lock: LockRef,
    call: ts.CallExpression,
    method: string,
    mode: AcquisitionMode,
    bounded: boolean,
    releaser: 'function' | 'tuple' | undefined,
  ): LockOperation {
    // `await tryAcquire(mutex).acquire()` rejects instead of waiting: a try-lock, held once it resolves.
    if (mode.tryOnly && role === 'acquire') return this.#operation('tryAcquire', lock, call, method, { releaser, awaitable: true });
    return this.#operation(role, lock, call, method, { releaser, bounded, ...(mode.tryOnly && role === 'scoped' ? { tryOnly: true } : {}) });
  }

  /** async-lock's `acquire(key, fn[, options])`: the lock of each key, held in turn while `fn` runs. */
  #keyedOperation(
    receiver: ts.Expression,
    call: ts.CallExpression,
    method: string,
    within: ts.SignatureDeclaration | undefined,
    facts: LockTypeFacts,
    bounded: boolean,
  ): LockOperation | undefined {
    const [key, callback] = call.arguments;
    if (key === undefined || callback === undefined) return undefined;
    const locks = this.#identity.keyed(receiver, key, within, facts);
    const first = locks[0];
    if (first === undefined) return undefined;
    return this.#operation('scoped', first, call, method, { bounded, callbackIndex: 1, ...(locks.length > 1 ? { locks } : {}) });
  }

  /** A function written inline, or a value whose type is callable (`lock.acquire(key, doWork)`). */
  #isFunctionValue(expression: ts.Expression | undefined): boolean {
    if (expression === undefined) return false;
    const node = skipOuterExpressions(expression);
    if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) return true;
    return this.#checker.getTypeAtLocation(node).getCallSignatures().length > 0;
  }

  /** The name a receiver reads as: `lock`, `this.lock`, `locks[i]`, and the lock inside `tryAcquire(lock)`. */
  #nameOfReceiver(receiver: ts.Expression): string | undefined {
    const node = skipOuterExpressions(receiver);
    if (ts.isCallExpression(node) && lockWrapperOf(node, this.#checker) !== undefined) return this.#nameOfReceiver(node.arguments[0]!);
    return nameOfReceiver(node);
  }

  /**
   * The lock a value passed as an argument denotes, when its type is a lock (used to bind a callee's
   * lock parameters at a call site).
   */
  lockOfArgument(argument: ts.Expression, within: ts.SignatureDeclaration | undefined, guessedParameter: boolean): LockRef | undefined {
    const node = skipOuterExpressions(argument);
    if (!(ts.isIdentifier(node) || ts.isPropertyAccessExpression(node) || ts.isElementAccessExpression(node))) return undefined;
    const type = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(node));
    const lockType = this.lockTypeOf(type);
    if (lockType !== undefined) return this.#identity.resolve(node, within, { flavor: lockType.flavor, source: lockType.source, guessed: false });
    if (guessedParameter && this.#nameFallback && !isUntyped(type)) {
      const shapedName = this.#lockShapedName(type);
      if (shapedName !== undefined) return this.#identity.resolve(node, within, { flavor: flavorFromName(shapedName), source: 'name-fallback', guessed: true });
    }
    if (guessedParameter && this.#nameFallback && isUntyped(type)) {
      const name = nameOfReceiver(node);
      if (name !== undefined && looksLikeLockName(name)) {
        return this.#identity.resolve(node, within, { flavor: flavorFromName(name), source: 'name-fallback', guessed: true });
      }
    }
    return undefined;
  }

  /** The catalog entry a type is (or derives from), if any. */
  lockTypeOf(type: ts.Type): LockType | undefined {
    if (type.isUnion()) {
      for (const member of type.types) {
        const found = this.lockTypeOf(member);
        if (found !== undefined) return found;
      }
      return undefined;
    }
    const symbol = type.aliasSymbol ?? type.getSymbol();
    if (symbol === undefined) return undefined;
    const cached = this.#lockTypeOfSymbol.get(symbol);
    if (cached !== undefined) return cached ?? undefined;
    this.#lockTypeOfSymbol.set(symbol, null); // guards against cyclic heritage
    const found = this.#matchSymbol(symbol) ?? this.#matchBaseTypes(type);
    this.#lockTypeOfSymbol.set(symbol, found ?? null);
    return found;
  }

  #matchSymbol(symbol: ts.Symbol): LockType | undefined {
    const declaration = symbol.declarations?.[0];
    if (declaration === undefined) return undefined;
    const candidates = this.#typesByName.get(declaredName(symbol, declaration));
    if (candidates === undefined) return undefined;
    const fileName = declaration.getSourceFile().fileName;
    return candidates.find((candidate) => candidate.module === undefined || this.#declaredIn(fileName, candidate.module));
  }

  #matchBaseTypes(type: ts.Type): LockType | undefined {
    if (!(type.flags & ts.TypeFlags.Object) || !((type as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return undefined;
    for (const base of this.#checker.getBaseTypes(type as ts.InterfaceType)) {
      const found = this.lockTypeOf(base);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  #declaredIn(fileName: string, module: string): boolean {
    if (path.isAbsolute(module)) return path.resolve(fileName) === path.resolve(module) || stripExtension(fileName) === stripExtension(module);
    return isDeclaredByPackage(fileName, module);
  }

  /**
   * `navigator.locks.request(…)` or Node's `worker_threads.locks.request(…)`: the receiver is typed
   * `LockManager` (whatever it is called), is the `locks` export of `worker_threads` (untyped with
   * @types/node before 24, but certain from its import), or is a `.locks` property without a type (a
   * guess).
   */
  #webLockRequest(call: ts.CallExpression, receiver: ts.Expression, within: ts.SignatureDeclaration | undefined): LockOperation | undefined {
    const args = call.arguments;
    const callback = args[args.length - 1];
    if (args.length < 2 || callback === undefined) return undefined;
    const receiverType = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(receiver));
    const typeName = receiverType.getSymbol()?.getName();
    const typed = typeName === 'LockManager';
    const node = skipOuterExpressions(receiver);
    const imported = !typed && this.#isWorkerThreadsLocks(node);
    const named = ts.isPropertyAccessExpression(node) && node.name.text === 'locks';
    if (!typed && !imported && !(named && isUntyped(receiverType))) return undefined;
    const options = args.length >= 3 ? args[1] : undefined;
    const lock = this.#identity.webLock(args[0], call, !typed && !imported, within);
    // `ifAvailable: true` never waits: like tryAcquire, it cannot close a cycle.
    const tryOnly = options !== undefined && hasTrueProperty(options, 'ifAvailable');
    return {
      role: 'scoped',
      lock,
      call,
      form: tryOnly ? 'request(ifAvailable)' : 'request',
      callback,
      tryOnly,
      returnsPromise: true,
      bounded: false,
    };
  }

  /**
   * `locks` (an identifier imported from `worker_threads`, also renamed or destructured from its
   * `require`) or `x.locks` where `x` is that module.
   */
  #isWorkerThreadsLocks(node: ts.Expression): boolean {
    if (ts.isPropertyAccessExpression(node)) return node.name.text === 'locks' && this.#isWorkerThreadsModule(node.expression);
    if (!ts.isIdentifier(node)) return false;
    const declaration = this.#checker.getSymbolAtLocation(node)?.declarations?.[0];
    if (declaration === undefined) return false;
    if (ts.isImportSpecifier(declaration)) {
      const imported = declaration.propertyName ?? declaration.name;
      return imported.text === 'locks' && isWebLockModuleSpecifier(declaration.parent.parent.parent.moduleSpecifier);
    }
    if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
      const property = declaration.propertyName ?? declaration.name;
      const holder = declaration.parent.parent;
      return (
        ts.isIdentifier(property) &&
        property.text === 'locks' &&
        ts.isVariableDeclaration(holder) &&
        holder.initializer !== undefined &&
        this.#isWorkerThreadsModule(holder.initializer)
      );
    }
    return false;
  }

  /** `require('worker_threads')`, or a namespace or default import of it (or a variable holding that `require`). */
  #isWorkerThreadsModule(expression: ts.Expression): boolean {
    const node = skipOuterExpressions(expression);
    if (isWorkerThreadsRequire(node)) return true;
    if (!ts.isIdentifier(node)) return false;
    const declaration = this.#checker.getSymbolAtLocation(node)?.declarations?.[0];
    if (declaration === undefined) return false;
    if (ts.isNamespaceImport(declaration)) return isWebLockModuleSpecifier(declaration.parent.parent.moduleSpecifier);
    if (ts.isImportClause(declaration)) return isWebLockModuleSpecifier(declaration.parent.moduleSpecifier);
    if (ts.isImportEqualsDeclaration(declaration)) {
      const reference = declaration.moduleReference;
      return ts.isExternalModuleReference(reference) && isWebLockModuleSpecifier(reference.expression);
    }
    return ts.isVariableDeclaration(declaration) && declaration.initializer !== undefined && isWorkerThreadsRequire(skipOuterExpressions(declaration.initializer));
  }

  #operation(role: LockMethodRole, lock: LockRef, call: ts.CallExpression, form: string, extras: OperationExtras): LockOperation {
    const callback = role === 'scoped' ? call.arguments[extras.callbackIndex ?? 0] : undefined;
    const takes = role === 'acquire' || role === 'hold' || role === 'scoped';
    // The call's type costs a signature resolution: asked for only by callers that need it (an
    // acquisition nobody awaits), and then once.
    let returnsPromise: boolean | undefined;
    const computeReturnsPromise = (): boolean => (returnsPromise ??= (takes || extras.awaitable === true) && this.#returnsPromise(call, form));
    const releaser = extras.releaser;
    return {
      role,
      lock,
      call,
      form,
      ...(callback === undefined ? {} : { callback }),
      ...(extras.locks === undefined ? {} : { locks: extras.locks }),
      ...(extras.tryOnly === true ? { tryOnly: true } : {}),
      ...(releaser === undefined || (role !== 'acquire' && role !== 'tryAcquire') ? {} : { releaser }),
      get returnsPromise(): boolean {
        return computeReturnsPromise();
      },
      bounded: takes && (extras.bounded === true || call.arguments.some((argument) => hasProperty(argument, 'timeout'))),
    };
  }

  #returnsPromise(call: ts.CallExpression, form: string): boolean {
    const type = this.#checker.getTypeAtLocation(call);
    // Without a type, an awaited acquisition is taken to return a promise (it is held after the await).
    if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return form.endsWith('Async') || isAwaited(call);
    return type.getProperty('then') !== undefined;
  }

}

/** Whether a lock of this flavor can be taken again by its holder without waiting. */
export function isReentrant(flavor: LockFlavor): boolean {
  return flavor === 'reentrant';
}

/** `export default class AwaitLock` has the symbol name `default`: the declaration has the real one. */
function declaredName(symbol: ts.Symbol, declaration: ts.Declaration): string {
  if (symbol.getName() !== 'default') return symbol.getName();
  const name = ts.getNameOfDeclaration(declaration);
  return name !== undefined && ts.isIdentifier(name) ? name.text : 'default';
}

/** `await call`, through parentheses and casts. */
function isAwaited(call: ts.CallExpression): boolean {
  let node: ts.Node = call;
  while (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent) || ts.isNonNullExpression(node.parent)) node = node.parent;
  return ts.isAwaitExpression(node.parent);
}

function nameOfReceiver(receiver: ts.Expression): string | undefined {
  const node = skipOuterExpressions(receiver);
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node)) return nameOfReceiver(node.expression);
  return undefined;
}

/** What the creation's options (`new AsyncLock({ domainReentrant: true, timeout: 500 })`) say. */
function constructorOptionsOf(mode: AcquisitionMode, names: LockType['constructorOptions']): { reentrant: boolean; bounded: boolean } {
  const options = mode.creation?.arguments?.[0];
  if (names === undefined || options === undefined) return { reentrant: false, bounded: false };
  return {
    reentrant: names.reentrant !== undefined && hasTrueProperty(options, names.reentrant),
    bounded: names.timeout !== undefined && hasNonZeroProperty(options, names.timeout),
  };
}

function isWebLockModuleSpecifier(specifier: ts.Expression): boolean {
  return ts.isStringLiteralLike(specifier) && WEB_LOCK_MODULES.includes(specifier.text);
}

function isWorkerThreadsRequire(node: ts.Expression): boolean {
  if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'require') return false;
  const [specifier] = node.arguments;
  return node.arguments.length === 1 && specifier !== undefined && isWebLockModuleSpecifier(specifier);
}

/** `{ timeout: 500 }`: a property set to anything but the literal 0 (async-lock's "never"), `undefined` or `null`. */
function hasNonZeroProperty(expression: ts.Expression, name: string): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isObjectLiteralExpression(node)) return false;
  return node.properties.some((property) => {
    if (ts.isShorthandPropertyAssignment(property)) return property.name.text === name;
    if (!ts.isPropertyAssignment(property) || property.name.getText() !== name) return false;
    const value = skipOuterExpressions(property.initializer);
    if (ts.isNumericLiteral(value)) return Number(value.text) !== 0;
    return value.kind !== ts.SyntaxKind.NullKeyword && !(ts.isIdentifier(value) && value.text === 'undefined');
  });
}

function hasTrueProperty(expression: ts.Expression, name: string): boolean {
  const node = skipOuterExpressions(expression);
  if (!ts.isObjectLiteralExpression(node)) return false;
  return node.properties.some(
    (property) =>
      ts.isPropertyAssignment(property) &&
      property.name.getText() === name &&
      property.initializer.kind === ts.SyntaxKind.TrueKeyword,
  );
}

function hasProperty(expression: ts.Expression, name: string): boolean {
  const node = skipOuterExpressions(expression);
  return ts.isObjectLiteralExpression(node) && node.properties.some((property) => property.name !== undefined && property.name.getText() === name);
}

function stripExtension(fileName: string): string {
  return path.resolve(fileName).replace(/(\.d)?\.[cm]?[jt]sx?$/, '');
}
