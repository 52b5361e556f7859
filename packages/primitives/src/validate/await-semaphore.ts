/**
 * await-semaphore under the validator: `acquire()` resolves to a function that releases, `use(fn)`
 * holds the lock while `fn`'s promise runs, and `Mutex` is a `Semaphore(1)` subclass. One method of
 * `Semaphore.prototype` sees every acquisition (`use` calls `acquire`), and the release is the
 * function it resolves to, which the patched `acquire` wraps. A `Mutex` is exclusive: taking it again
 * in the context that holds it waits for itself, and is refused.
 */
import { hook } from '../internal/validation-hook.js';
import { markInstrumented, replace } from './library-patches.js';
import { attachForeignRecord, recordOf, type LockRecord } from './lock-records.js';

type Releaser = () => void;

// Function-typed properties, not methods: they are taken off the prototype and called on a lock.
interface AwaitSemaphore {
  count: number;
  acquire: (this: AwaitSemaphore) => Promise<Releaser>;
  use: (this: AwaitSemaphore, fn: () => Promise<unknown>) => Promise<unknown>;
}

/** What `import * as m from 'await-semaphore'` (or `require('await-semaphore')`) gives. */
export interface AwaitSemaphoreModule {
  readonly Semaphore: { readonly prototype: AwaitSemaphore };
  readonly Mutex: { readonly prototype: AwaitSemaphore };
}

/** Whether `value` looks like the await-semaphore module: a `Semaphore` with `acquire`, `use`, `sched`, and a `Mutex` extending it. */
export function isAwaitSemaphoreModule(value: unknown): value is AwaitSemaphoreModule {
  if ((typeof value !== 'object' && typeof value !== 'function') || value === null) return false;
  const { Mutex, Semaphore } = value as Partial<Record<string, unknown>>;
  if (typeof Semaphore !== 'function' || typeof Mutex !== 'function') return false;
  const semaphore = Semaphore.prototype as Partial<Record<string, unknown>> | undefined;
  return (
    typeof semaphore?.['acquire'] === 'function' &&
    typeof semaphore['use'] === 'function' &&
    typeof semaphore['sched'] === 'function' &&
    Object.getPrototypeOf(Mutex.prototype) === Semaphore.prototype
  );
}

interface Request {
  release: Releaser | undefined;
}

/** Patches one copy of await-semaphore until the validator is switched off (a copy patched already is left as it is). */
export function instrumentAwaitSemaphore(module: AwaitSemaphoreModule): void {
  const semaphore = module.Semaphore.prototype;
  if (!markInstrumented(semaphore)) return;
  const mutex = module.Mutex.prototype;
  const ownAcquire = semaphore.acquire;
  const attempt = (lock: AwaitSemaphore, request: Request): Promise<boolean> =>
    ownAcquire.call(lock).then((release) => {
      request.release = release;
      return true;
    });

  replace(semaphore, 'acquire', function acquire(this: AwaitSemaphore): Promise<Releaser> {
    const validator = hook;
    if (validator === undefined) return ownAcquire.call(this);
    const record = recordFor(this, Object.prototype.isPrototypeOf.call(mutex, this));
    const request: Request = { release: undefined };
    // Whoever awaits the promise holds the lock: `carry` hands the acquisition's context to it.
    return validator.carry(() => validator.acquireAsync(this, record, request, attempt, false, 1).then(() => releaserOf(this, request.release!)));
  });
}

/** The library's releaser, telling the validator the first time it is called (later calls do nothing, as its own). */
function releaserOf(lock: AwaitSemaphore, own: Releaser): Releaser {
  let released = false;
  return function release(): void {
    own();
    if (released) return;
    released = true;
    hook?.released(lock, recordOf(lock), 1);
  };
}

/**
 * The record of an await-semaphore lock, made at its first use: a `Mutex`'s is exclusive (taking it
 * again where it is held is a self-deadlock), a `Semaphore`'s counts its permits.
 */
function recordFor(lock: AwaitSemaphore, isMutex: boolean): LockRecord {
  // The request's releaser is the library's own, unwrapped: it tells the validator nothing.
  return recordOf(lock) ?? attachForeignRecord(lock, isMutex, lock.count, () => lock.count <= 0, (request) => (request as Request).release?.());
}
