/**
 * The one variable the primitives read to learn whether run-time lock validation is on
 * (`@lockstep/primitives/validate`). Off, it is `undefined` and every acquisition and release pays one
 * predictable branch on it: no stack is captured, no context is looked up, nothing is allocated. The
 * validator sets it when switched on; the primitives never import the validator.
 */

/**
 * The property under which the validator keeps its record of a lock object (non-enumerable, set by the
 * validator). Each primitive reads it in its own methods and hands it over with every call: one read
 * site per class sees one shape of object, where a read inside the validator sees every kind of lock
 * in the program, goes megamorphic and cost as much as the whole acquisition (in bench/validator.ts,
 * a Lock loop beside RLock and Semaphore loops ran at 8.5 M/s with the read there, 14.5 with it here).
 */
export const VALIDATION_RECORD = Symbol('lockstep:validation-record');

/** A lock object as the validator may have marked it: its record, opaque to the primitives. */
export interface Validated {
  readonly [VALIDATION_RECORD]?: unknown;
}

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
   * A blocking acquisition (`acquire`, `hold`). `record`: the lock's `VALIDATION_RECORD` property, as
   * the primitive read it (every call below takes it so). `reentry`: an `RLock` its owner takes again, which
   * never waits. `permits`: what a semaphore takes (1 otherwise).
   */
  acquire<L extends object, O>(lock: L, record: unknown, options: O, attempt: (lock: L, options: O) => boolean, reentry: boolean, permits: number): boolean;
  /** An async acquisition (`acquireAsync`, `holdAsync`, `runExclusive`), as {@link acquire}. */
  acquireAsync<L extends object, O>(lock: L, record: unknown, options: O, attempt: (lock: L, options: O) => Promise<boolean>, reentry: boolean, permits: number): Promise<boolean>;
  /** `tryAcquire()` took the lock (it never waits, so it is recorded, not checked). */
  tryAcquired(lock: object, record: unknown, reentry: boolean, permits: number): void;
  /** A release that succeeded. */
  released(lock: object, record: unknown, permits: number): void;
  /**
   * Wraps a call that acquires inside and resolves holding (`holdAsync`): whoever awaits its promise
   * holds the lock, not only the helper that awaited the acquisition.
   */
  carry<T>(start: () => Promise<T>): Promise<T>;
  /** The class id the validator gives `lock` (resolving it now if it has not yet), for its handle. */
  classIdOf(lock: object): string;
}

/**
 * Names given to locks for the validator's lock classes (a `name` option, or the name a handle
 * carried), kept here so that a validator switched on later finds them. Only named locks are in it.
 */
const givenNames = new WeakMap<object, string>();

/** Checks a primitive's `name` option: `undefined`, or the non-empty string it gives the lock. */
export function nameOption(options: { readonly name?: unknown } | undefined, where: string): string | undefined {
  const name = options?.name;
  if (name === undefined) return undefined;
  if (typeof name !== 'string' || name === '') throw new TypeError(`${where}: options.name must be a non-empty string (the lock's class for the validator, like "src/db.ts#Pool.lock"), got ${typeof name === 'string' ? '""' : describeValue(name)}`);
  return name;
}

function describeValue(value: unknown): string {
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'symbol') return value.toString();
  return `${value as string | number | boolean | bigint | undefined}`;
}

export function giveName(lock: object, name: string | undefined): void {
  if (name !== undefined) givenNames.set(lock, name);
}

export function givenName(lock: object): string | undefined {
  return givenNames.get(lock);
}

/**
 * A handle with the lock's class id, when it has one (given, or resolved by the validator when on), so
 * that `from(handle)` in another thread names its lock alike and the threads' orders meet in one graph.
 */
export function withName<H extends object>(lock: object, handle: H): H {
  const name = givenNames.get(lock) ?? hook?.classIdOf(lock);
  return name === undefined ? handle : { ...handle, name };
}

/** Gives a lock rebuilt from `handle` the name the handle carries. */
export function nameFromHandle<L extends object>(lock: L, handle: unknown, where: string): L {
  const name = (handle as { readonly name?: unknown }).name;
  if (name === undefined) return lock;
  if (typeof name !== 'string' || name === '') throw new TypeError(`${where}: handle.name must be a non-empty string, got ${describeValue(name)}`);
  givenNames.set(lock, name);
  return lock;
}

/** The validator, while it is on; `undefined` otherwise (the default). */
export let hook: LockHook | undefined;

/** Switches the validator on (a hook) or off (`undefined`) for this thread. */
export function setLockHook(next: LockHook | undefined): void {
  hook = next;
}
