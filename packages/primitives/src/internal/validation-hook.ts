/**
 * The one variable the primitives read to learn whether run-time lock validation is on
 * (`@lockstep/primitives/validate`). Off, it is `undefined` and every acquisition and release pays one
 * predictable branch on it: no stack is captured, no context is looked up, nothing is allocated. The
 * validator sets it when switched on; the primitives never import the validator.
 */

/** The primitives the validator records. */
export type ValidatedKind = 'Lock' | 'RLock' | 'Semaphore' | 'BoundedSemaphore' | 'ReadWriteLock';

/**
 * What a primitive tells the validator. The acquisitions hand over the acquisition itself as `attempt`
 * (called with the lock and the options, so that a primitive can pass one function made once rather
 * than a closure per call), so that the validator checks the order first (and may refuse an
 * acquisition that could only wait for itself), then records the lock as held only when it was taken.
 */
export interface LockHook {
  /** A primitive was built in this thread: by `new` (`adopted` false) or by `from(handle)`. */
  created(lock: object, kind: ValidatedKind, adopted: boolean): void;
  /**
   * A blocking acquisition (`acquire`, `hold`). `reentry`: an `RLock` its owner takes again, which
   * never waits. `permits`: what a semaphore takes (1 otherwise).
   */
  acquire<L extends object, O>(lock: L, options: O, attempt: (lock: L, options: O) => boolean, reentry: boolean, permits: number): boolean;
  /** An async acquisition (`acquireAsync`, `holdAsync`, `runExclusive`), as {@link acquire}. */
  acquireAsync<L extends object, O>(lock: L, options: O, attempt: (lock: L, options: O) => Promise<boolean>, reentry: boolean, permits: number): Promise<boolean>;
  /** `tryAcquire()` took the lock (it never waits, so it is recorded, not checked). */
  tryAcquired(lock: object, reentry: boolean, permits: number): void;
  /** A release that succeeded. */
  released(lock: object, permits: number): void;
  /**
   * Wraps a call that acquires inside and resolves holding (`holdAsync`): whoever awaits its promise
   * holds the lock, not only the helper that awaited the acquisition.
   */
  carry<T>(start: () => Promise<T>): Promise<T>;
}

/** The validator, while it is on; `undefined` otherwise (the default). */
export let hook: LockHook | undefined;

/** Switches the validator on (a hook) or off (`undefined`) for this thread. */
export function setLockHook(next: LockHook | undefined): void {
  hook = next;
}
