import { AsyncLocalStorage } from 'node:async_hooks';

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

const scopes = new AsyncLocalStorage<TaskScope>();
let lastScopeId = 0;
let lastAnonymousId = 0;

/** The id of the Lockstep task scope the caller runs in, or `undefined` outside any. */
export function currentTaskScope(): number | undefined {
  return scopes.getStore()?.id;
}

/** Runs `fn` in a fresh task scope; returns the scope id through `fn`'s argument. */
export function runInNewTaskScope<T>(fn: (scopeId: number) => T): T {
  // Scope ids are stored in an Int32 cell: wrap before they would turn negative (anonymous ids).
  lastScopeId = lastScopeId >= 0x7fff_ffff ? 1 : lastScopeId + 1;
  const scope = { id: lastScopeId };
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
