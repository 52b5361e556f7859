/**
 * Is this call a lock operation, and on which lock? By type through the checker (the catalog in
 * lock-catalog.ts); for receivers without a written type (plain JavaScript, `any`), by name — and then
 * the operation says it was guessed.
 */
import path from 'node:path';
import ts from 'typescript';
import type { LockFlavor } from './lock-info.js';
import { FALLBACK_METHODS, flavorFromName, looksLikeLockName, type LockMethodRole, type LockType } from './lock-catalog.js';
import { skipOuterExpressions, type LockIdentityResolver, type LockTypeFacts } from './lock-identity.js';
import type { LockRef } from './lock-ref.js';
import { packageNameOf } from './package-name.js';

/** A call that takes, tries, releases or scopes a lock. */
export interface LockOperation {
  readonly role: LockMethodRole;
  readonly lock: LockRef;
  readonly call: ts.CallExpression;
  /** The method as written (`acquire`, `holdAsync`, `runExclusive`, `request`…): the report's "form". */
  readonly form: string;
  /** For `scoped`: the function run while the lock is held. */
  readonly callback?: ts.Expression;
  /** A scoped form that gives up instead of waiting (`ifAvailable: true`): it cannot close a cycle. */
  readonly tryOnly?: boolean;
  /** For async-mutex's `acquire()`: what the promise resolves to. */
  readonly releaser?: 'function' | 'tuple';
  /**
   * The call returns a promise: the lock is held only once it is awaited. A pending acquisition nobody
   * waits for blocks nobody.
   */
  readonly returnsPromise: boolean;
  /** `acquire({ timeout })`: gives up instead of waiting forever, so it cannot deadlock. */
  readonly bounded: boolean;
}

export interface RecognizerOptions {
  readonly lockTypes: readonly LockType[];
  readonly nameFallback: boolean;
}

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
    this.#lockModules = modules.every((module) => module !== undefined && !path.isAbsolute(module)) ? new Set(modules as string[]) : undefined;
  }

  /**
   * The packages lock types come from (for the cheap pre-pass); `undefined` when a configured lock type
   * names no module, or a path, so any file may hold one.
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
      const webLock = this.#webLockRequest(call, receiver);
      if (webLock !== undefined) return webLock;
    }

    const type = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(receiver));
    const lockType = this.lockTypeOf(type);
    if (lockType !== undefined) {
      const role = lockType.methods.get(method);
      if (role === undefined) return undefined;
      const facts: LockTypeFacts = { flavor: lockType.flavor, source: lockType.source, guessed: false };
      return this.#operation(role, this.#identity.resolve(receiver, within, facts), call, method, lockType.acquireReturnsReleaser);
    }

    if (!this.#nameFallback || !isUntyped(type)) return undefined;
    const role = FALLBACK_METHODS.get(method);
    const receiverName = nameOfReceiver(receiver);
    if (role === undefined || receiverName === undefined || !looksLikeLockName(receiverName)) return undefined;
    const facts: LockTypeFacts = { flavor: flavorFromName(receiverName), source: 'name-fallback', guessed: true };
    // Untyped, an awaited acquisition's value may be the function that releases it (async-mutex,
    // await-semaphore): calling it counts as the release, exactly as without any type information.
    const releaser = role === 'acquire' && isAwaited(call) ? 'function' : undefined;
    return this.#operation(role, this.#identity.resolve(receiver, within, facts), call, method, releaser);
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
    return packageNameOf(fileName) === module;
  }

  /**
   * No type the user wrote: `any`, an unresolved import, or an object type inferred from plain
   * JavaScript. Only then does a lock-like name count.
   */

  #webLockRequest(call: ts.CallExpression, receiver: ts.Expression): LockOperation | undefined {
    const args = call.arguments;
    const callback = args[args.length - 1];
    if (args.length < 2 || callback === undefined) return undefined;
    const receiverType = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(receiver));
    const typeName = receiverType.getSymbol()?.getName();
    const typed = typeName === 'LockManager';
    const node = skipOuterExpressions(receiver);
    const named = ts.isPropertyAccessExpression(node) && node.name.text === 'locks';
    if (!typed && !(named && isUntyped(receiverType))) return undefined;
    const options = args.length >= 3 ? args[1] : undefined;
    const lock = this.#identity.webLock(args[0], call, !typed);
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

  #operation(
    role: LockMethodRole,
    lock: LockRef,
    call: ts.CallExpression,
    form: string,
    releaser: 'function' | 'tuple' | undefined,
  ): LockOperation {
    const callback = role === 'scoped' ? call.arguments[0] : undefined;
    const takes = role === 'acquire' || role === 'hold' || role === 'scoped';
    // The call's type costs a signature resolution: asked for only by callers that need it (an
    // acquisition nobody awaits), and then once.
    let returnsPromise: boolean | undefined;
    const computeReturnsPromise = (): boolean => (returnsPromise ??= takes && this.#returnsPromise(call, form));
    return {
      role,
      lock,
      call,
      form,
      ...(callback === undefined ? {} : { callback }),
      ...(releaser === undefined || role !== 'acquire' ? {} : { releaser }),
      get returnsPromise(): boolean {
        return computeReturnsPromise();
      },
      bounded: takes && call.arguments.some((argument) => hasProperty(argument, 'timeout')),
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

function stripExtension(fileName: string): string {
  return path.resolve(fileName).replace(/(\.d)?\.[cm]?[jt]sx?$/, '');
}
