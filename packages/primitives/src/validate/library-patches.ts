/**
 * Patching other libraries' lock classes (async-mutex, await-semaphore, Web Locks' `LockManager`)
 * while the validator is on:
 * prototypes, not modules, are patched (an ESM namespace is read-only; the CommonJS exports and the
 * ESM build's classes are patched alike), and everything patched is put back when it is switched off,
 * so off costs nothing.
 */
import { isAsyncMutexModule, instrumentAsyncMutex } from './async-mutex.js';
import { instrumentAwaitSemaphore, isAwaitSemaphoreModule } from './await-semaphore.js';
import { instrumentWebLocks, isWebLockManager } from './web-locks.js';

/** How to put back what was patched, latest first. */
const restores: (() => void)[] = [];

/** Marks a prototype patched already (two copies of one build share it). */
export const INSTRUMENTED = Symbol.for('lockstep.validate.instrumented');

/** Replaces an own or inherited property of `target`, remembering how to put it back. */
export function replace(target: object, key: string | symbol, value: unknown): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  Object.defineProperty(target, key, { value, writable: true, configurable: true, enumerable: descriptor?.enumerable ?? false });
  restores.push(() => {
    if (descriptor === undefined) Reflect.deleteProperty(target, key);
    else Object.defineProperty(target, key, descriptor);
  });
}

/** Patches `target` once: false when it was patched already. */
export function markInstrumented(target: object): boolean {
  if (Object.hasOwn(target, INSTRUMENTED)) return false;
  replace(target, INSTRUMENTED, true);
  return true;
}

/**
 * Instruments one copy of a lock library given as its module.
 *
 * @throws TypeError when `module` is none that the validator knows.
 */
export function instrumentLibrary(module: unknown): void {
  if (isAsyncMutexModule(module)) instrumentAsyncMutex(module);
  else if (isAwaitSemaphoreModule(module)) instrumentAwaitSemaphore(module);
  else if (isWebLockManager(module)) instrumentWebLocks(module);
  else {
    throw new TypeError(
      'enableLockValidation({ instrument }): expected the async-mutex module (`await import("async-mutex")`, with its Mutex and Semaphore classes), the await-semaphore module (`await import("await-semaphore")`) or navigator.locks',
    );
  }
}

/** Puts back every library's own methods (when the validator is switched off). */
export function removeLibraryInstrumentation(): void {
  for (let restore = restores.pop(); restore !== undefined; restore = restores.pop()) restore();
}
