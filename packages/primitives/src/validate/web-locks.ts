/**
 * Web Locks (`navigator.locks`) under the validator: a lock is its name, shared by every thread of the
 * agent (and here by the order graph all threads share), and its class is `lockstep`'s id for it,
 * `web-lock:orders` (shown as `navigator.locks "orders"`). `request(name, options?, callback)` holds the lock while the callback's
 * promise runs, so the patched `request` waits for the grant through the validator (which checks the
 * order and may refuse it), then runs the callback in the context that holds the lock, and gives the
 * lock back when the callback settles, as the Web Locks API does.
 *
 * An exclusive request for a name the same context holds exclusively waits for itself for ever: it is
 * refused as a self-deadlock (reported and left to its signal when it has one). Shared holds never
 * conflict with each other, so they are recorded for the order graph only. `ifAvailable` and `steal`
 * never wait: their grants are recorded as held, unchecked, like a `tryAcquire`.
 */
import { hook } from '../internal/validation-hook.js';
import { markInstrumented, replace } from './library-patches.js';
import { attachForeignRecord, nameRecord, recordOf } from './lock-records.js';

type GrantedCallback = (lock: unknown) => unknown;

interface LockOptions {
  readonly mode?: 'exclusive' | 'shared';
  readonly ifAvailable?: boolean;
  readonly steal?: boolean;
  readonly signal?: AbortSignal;
}

// A function-typed property: it is taken off the prototype and called on a manager.
interface LockManagerLike {
  request: (this: LockManagerLike, name: string, optionsOrCallback: LockOptions | GrantedCallback, callback?: GrantedCallback) => Promise<unknown>;
  query: (this: LockManagerLike) => Promise<unknown>;
}

/** Whether `value` is a Web Locks `LockManager` (`navigator.locks`). */
export function isWebLockManager(value: unknown): value is LockManagerLike {
  if (typeof value !== 'object' || value === null) return false;
  const { request, query } = value as Partial<Record<string, unknown>>;
  return typeof request === 'function' && typeof query === 'function';
}

/** The id `lockstep` gives the Web Lock `name`, and what it calls it. */
function webLockClass(name: string): { readonly id: string; readonly name: string } {
  return { id: `web-lock:${name}`, name: `navigator.locks ${JSON.stringify(name)}` };
}

/** One stand-in object per name and mode, for the validator's records (per thread). */
const standIns = new Map<string, object>();

function standIn(name: string, shared: boolean): object {
  const key = `${shared ? 's' : 'x'}${name}`;
  let lock = standIns.get(key);
  if (lock === undefined) {
    lock = {};
    // Exclusive: locked (for a self-deadlock) while this thread holds it; shared holds never block each other.
    attachForeignRecord(lock, true, undefined, shared ? () => false : (record) => record.held.length > 0);
    const lockClass = webLockClass(name);
    nameRecord(lock, lockClass.id, lockClass.name);
    standIns.set(key, lock);
  }
  return lock;
}

/** Patches the `LockManager` prototype of `manager` until the validator is switched off. */
export function instrumentWebLocks(manager: LockManagerLike): void {
  const prototype = Object.getPrototypeOf(manager) as LockManagerLike;
  if (!markInstrumented(prototype)) return;
  const ownRequest = prototype.request;

  replace(prototype, 'request', function request(this: LockManagerLike, name: string, optionsOrCallback: LockOptions | GrantedCallback, maybeCallback?: GrantedCallback): Promise<unknown> {
    const validator = hook;
    const callback = typeof optionsOrCallback === 'function' ? optionsOrCallback : maybeCallback;
    const options = typeof optionsOrCallback === 'function' ? undefined : optionsOrCallback;
    // What the validator cannot follow (a bad call, which the API rejects itself) goes straight through.
    if (validator === undefined || typeof callback !== 'function' || typeof name !== 'string' || (options !== undefined && (typeof options !== 'object' || options === null))) {
      return Reflect.apply(ownRequest, this, [name, optionsOrCallback, maybeCallback].slice(0, maybeCallback === undefined ? 2 : 3)) as Promise<unknown>;
    }
    const lock = standIn(name, options?.mode === 'shared');
    const untimed = options?.ifAvailable === true || options?.steal === true;
    let granted: unknown;
    let finish: () => void = () => undefined;
    const done = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const attempt = (_lock: object, given: LockOptions | undefined): Promise<boolean> =>
      new Promise<boolean>((resolve, reject) => {
        ownRequest
          .call(this, name, given ?? {}, (grant: unknown) => {
            granted = grant;
            // `ifAvailable` and not available: the callback gets null, holding nothing.
            resolve(grant !== null);
            return done;
          })
          .catch(reject);
      });
    // (`untimed` is passed where the primitives pass an RLock's re-entry: recorded as held, not checked.)
    const holding = validator.carry(() => validator.acquireAsync(lock, recordOf(lock), options, attempt, untimed, 1));
    return holding.then(async (taken) => {
      try {
        return await callback(granted);
      } finally {
        finish();
        if (taken) hook?.released(lock, recordOf(lock), 1);
      }
    });
  });
}
