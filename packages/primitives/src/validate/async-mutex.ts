/**
 * async-mutex under the validator: its `Mutex` and `Semaphore` record their acquisitions and
 * releases like our primitives, when the validator is asked to instrument them. async-mutex builds a
 * `Mutex` on a `Semaphore(1)` and a `runExclusive` on `acquire`, and every release (the releaser, a
 * `Mutex.release()`) goes through `Semaphore.release`, so two methods of `Semaphore.prototype` see
 * everything; `Mutex.prototype`'s only tell that a semaphore is a mutex's (taking it again waits for
 * itself). The ESM and CommonJS builds are separate classes and are instrumented one by one
 * (library-patches.ts); a call already under way when it is switched off tests the hook and takes
 * async-mutex's path.
 */
import { hook } from '../internal/validation-hook.js';
import { markInstrumented, replace } from './library-patches.js';
import { attachForeignRecord, recordOf, type LockRecord } from './lock-records.js';

type Releaser = () => void;

// Function-typed properties, not methods: they are taken off the prototype and called on a lock.
interface AsyncMutexSemaphore {
  acquire: (this: AsyncMutexSemaphore, weight?: number, priority?: number) => Promise<[number, Releaser]>;
  release: (this: AsyncMutexSemaphore, weight?: number) => void;
  isLocked: (this: AsyncMutexSemaphore) => boolean;
  getValue: (this: AsyncMutexSemaphore) => number;
}

interface AsyncMutexMutex {
  readonly _semaphore?: AsyncMutexSemaphore;
}

/** What `import * as m from 'async-mutex'` (or `require('async-mutex')`) gives. */
export interface AsyncMutexModule {
  readonly Mutex: { readonly prototype: AsyncMutexMutex & Record<string, unknown> };
  readonly Semaphore: { readonly prototype: AsyncMutexSemaphore };
}

/** The other methods of `Mutex`, which delegate to its semaphore: they only mark it a mutex's. */
const MUTEX_METHODS = ['release', 'waitForUnlock'] as const;

/** Whether `value` looks like the async-mutex module: `Mutex` and `Semaphore` classes with its methods. */
export function isAsyncMutexModule(value: unknown): value is AsyncMutexModule {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const { Mutex, Semaphore } = value as Partial<Record<string, unknown>>;
  const semaphore = typeof Semaphore === 'function' ? (Semaphore.prototype as Partial<AsyncMutexSemaphore> | undefined) : undefined;
  const mutex = typeof Mutex === 'function' ? (Mutex.prototype as Partial<Record<string, unknown>> | undefined) : undefined;
  return (
    typeof semaphore?.acquire === 'function' &&
    typeof semaphore.release === 'function' &&
    typeof semaphore.isLocked === 'function' &&
    typeof semaphore.getValue === 'function' &&
    typeof mutex?.['acquire'] === 'function' &&
    typeof mutex['runExclusive'] === 'function'
  );
}

/** Patches one copy of async-mutex until the validator is switched off (a copy patched already is left as it is). */
export function instrumentAsyncMutex(module: AsyncMutexModule): void {
  const semaphore = module.Semaphore.prototype;
  if (!markInstrumented(semaphore)) return;

  // Named apart from the replacements, which are named after the methods (a report's `form` is the
  // method name its stack shows).
  const ownAcquire = semaphore.acquire;
  const ownRelease = semaphore.release;
  // One function for every acquisition, not a closure per call (as the primitives do).
  const attempt = (lock: AsyncMutexSemaphore, request: Request): Promise<boolean> =>
    ownAcquire.call(lock, request.weight, request.priority).then((result) => {
      request.result = result;
      return true;
    });

  replace(semaphore, 'acquire', function acquire(this: AsyncMutexSemaphore, weight = 1, priority = 0): Promise<[number, Releaser]> {
    const validator = hook;
    if (validator === undefined) return ownAcquire.call(this, weight, priority);
    const record = recordFor(this, false, ownRelease);
    const request: Request = { weight, priority, result: undefined };
    // Whoever awaits the promise holds the lock: `carry` hands the acquisition's context to it.
    return validator.carry(() => validator.acquireAsync(this, record, request, attempt, false, weight).then(() => request.result!));
  });
  replace(semaphore, 'release', function release(this: AsyncMutexSemaphore, weight = 1): void {
    ownRelease.call(this, weight);
    hook?.released(this, recordOf(this), weight);
  });

  const mutex = module.Mutex.prototype;
  const mutexAcquire = mutex['acquire'] as (this: AsyncMutexMutex, priority?: number) => Promise<Releaser>;
  // async-mutex's own resolves a promise of its own with the releaser, after awaiting the semaphore's:
  // whoever awaits that one would not hold the lock. This one is the acquisition's, carried.
  const acquireCarried = function acquire(this: AsyncMutexMutex, priority = 0): Promise<Releaser> {
    const validator = hook;
    const inner = this._semaphore;
    if (validator === undefined || inner === undefined) return mutexAcquire.call(this, priority);
    const record = recordFor(inner, true, ownRelease);
    const request: Request = { weight: 1, priority, result: undefined };
    return validator.carry(() => validator.acquireAsync(inner, record, request, attempt, false, 1).then(() => request.result![1]));
  };
  replace(mutex, 'acquire', acquireCarried);
  const mutexRunExclusive = mutex['runExclusive'] as (this: AsyncMutexMutex, callback: () => unknown, priority?: number) => Promise<unknown>;
  // async-mutex's goes through its semaphore's runExclusive and two generator-driven awaits; this
  // one awaits the carried acquisition (so the callback runs in the context that holds the lock) and
  // releases as async-mutex does, after the callback's promise settles.
  replace(mutex, 'runExclusive', function runExclusive(this: AsyncMutexMutex, callback: () => unknown, priority = 0): Promise<unknown> {
    const inner = this._semaphore;
    if (hook === undefined || inner === undefined) return mutexRunExclusive.call(this, callback, priority);
    return runExclusiveCarried(this, callback, priority);
  });
  async function runExclusiveCarried(lock: AsyncMutexMutex, callback: () => unknown, priority: number): Promise<unknown> {
    const release = await acquireCarried.call(lock, priority);
    try {
      return await callback();
    } finally {
      release();
    }
  }
  for (const method of MUTEX_METHODS) {
    const original = mutex[method];
    if (typeof original !== 'function') continue;
    // A computed method name names the function after the method, as its stack frames show it.
    const replacement = {
      [method](this: AsyncMutexMutex, ...args: unknown[]): unknown {
        const inner = this._semaphore;
        if (hook !== undefined && inner !== undefined) recordFor(inner, true, ownRelease);
        return (original as (...a: unknown[]) => unknown).apply(this, args);
      },
    };
    replace(mutex, method, replacement[method]);
  }
}

interface Request {
  readonly weight: number;
  readonly priority: number;
  result: [number, Releaser] | undefined;
}

/**
 * The record of an async-mutex semaphore, made at its first use: a `Mutex`'s (exclusive, so taking it
 * again where it is held is a self-deadlock) or a `Semaphore` of its own (permits counted).
 */
function recordFor(semaphore: AsyncMutexSemaphore, ofMutex: boolean, ownRelease: AsyncMutexSemaphore['release']): LockRecord {
  const existing = recordOf(semaphore);
  if (existing !== undefined && (existing.kind === 'Lock' || !ofMutex)) return existing;
  // async-mutex's releaser calls the (patched) `release`: the validator's refused hold never was one.
  const releaseAbandoned = (request: unknown): void => {
    ownRelease.call(semaphore, (request as Request).weight);
  };
  return attachForeignRecord(semaphore, ofMutex, semaphore.getValue(), () => semaphore.isLocked(), releaseAbandoned);
}
