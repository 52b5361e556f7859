import { nodeBuiltin } from './runtime.js';

/**
 * Who owns an `RLock` inside one thread. JavaScript has no task identity: `AsyncLocalStorage` only
 * propagates a value from where an async operation starts to where it continues. A scope entered with
 * `run()` is therefore the one sound notion of "the same async task": everything started inside the
 * callback belongs to it, and nothing started outside does. (`enterWith()` would leak the identity into
 * the caller's remaining synchronous code and every task it starts after, letting siblings share a lock.)
 */
interface TaskScope {
  readonly id: number;
}

/** The part of `AsyncLocalStorage` (and of TC39's `AsyncContext.Variable`) task scopes need. */
interface ScopeStorage {
  getStore(): TaskScope | undefined;
  run<R>(scope: TaskScope, fn: (scopeId: number) => R, scopeId: number): R;
}

interface AsyncLocalStorageConstructor {
  new (): ScopeStorage;
}

interface AsyncContextVariable {
  get(): TaskScope | undefined;
  run<R>(value: TaskScope, fn: (scopeId: number) => R, scopeId: number): R;
}

/**
 * Where the runtime has a way to carry a value through `await`: `AsyncLocalStorage` (Node, Bun, Deno,
 * through `node:async_hooks`; a global on some edge runtimes), or TC39's `AsyncContext.Variable` where an
 * engine ships it. Browsers have neither today: there, `undefined`, and there are no task scopes (see
 * {@link taskScopesAvailable}).
 */
function createScopeStorage(): ScopeStorage | undefined {
  const fromGlobal = (globalThis as { readonly AsyncLocalStorage?: AsyncLocalStorageConstructor }).AsyncLocalStorage;
  const AsyncLocalStorage = nodeBuiltin<{ AsyncLocalStorage?: AsyncLocalStorageConstructor }>('node:async_hooks')?.AsyncLocalStorage ?? fromGlobal;
  if (typeof AsyncLocalStorage === 'function') return new AsyncLocalStorage();
  const AsyncContext = (globalThis as { readonly AsyncContext?: { readonly Variable?: new () => AsyncContextVariable } }).AsyncContext;
  if (typeof AsyncContext?.Variable === 'function') {
    const variable = new AsyncContext.Variable();
    return { getStore: () => variable.get(), run: (scope, fn, scopeId) => variable.run(scope, fn, scopeId) };
  }
  return undefined;
}

const scopes = createScopeStorage();

/**
 * Whether this thread has task scopes. Without them (browsers today) `runInNewTaskScope` runs its
 * function in no scope: every async acquisition of an `RLock` is then its own owner (it excludes every
 * other one and is never re-entered), while blocking acquisitions stay re-entrant per thread.
 */
export const taskScopesAvailable = scopes !== undefined;
let lastScopeId = 0;
let lastAnonymousId = 0;

/**
 * Whether this thread has opened a task scope yet. Until it has, no code runs in one, and the lookup
 * (an `AsyncLocalStorage` read, which was a third of an uncontended `RLock.acquire()` + `release()`:
 * the pair looks twice) is skipped.
 */
let scopeOpened = false;

/** The id of the Lockstep task scope the caller runs in, or `undefined` outside any. */
export function currentTaskScope(): number | undefined {
  return scopeOpened ? scopes?.getStore()?.id : undefined;
}

/** Runs `fn` in a fresh task scope; returns the scope id through `fn`'s argument. */
export function runInNewTaskScope<T>(fn: (scopeId: number) => T): T {
  // Scope ids are stored in an Int32 cell: wrap before they would turn negative (anonymous ids).
  lastScopeId = lastScopeId >= 0x7fff_ffff ? 1 : lastScopeId + 1;
  const scope = { id: lastScopeId };
  if (scopes === undefined) return fn(scope.id);
  scopeOpened = true;
  return scopes.run(scope, fn, scope.id);
}

/**
 * An owner id for an async acquisition made outside any scope: unique, negative so it can never equal a
 * scope id, and never matched again, so the acquisition cannot be re-entered by anyone.
 */
export function anonymousOwnerId(): number {
  lastAnonymousId -= 1;
  if (lastAnonymousId < -0x7fff_fff0) lastAnonymousId = -1;
  return lastAnonymousId;
}

/** Owner id of blocking acquisitions made outside any scope: the thread itself. */
export const THREAD_OWNER = 0;
