/**
 * What a lock is, as the model knows it: its flavor (what a cycle through it means), where the
 * recogniser learned it is a lock, and the abstract lock (lock class) every matching expression denotes.
 */
import type { SourceLocation } from './source-location.js';

/** What sort of lock an identity denotes, which decides what a cycle through it means. */
export type LockFlavor =
  /**
   * Non-reentrant mutual exclusion: `Lock`, async-mutex's, await-semaphore's and @livekit/mutex's
   * `Mutex`, `AwaitLock`, one key of an `AsyncLock`, an exclusive Web Lock.
   */
  | 'mutex'
  /**
   * Re-entry by the owner never blocks: `RLock`, a `Condition` over its default `RLock`, an `AsyncLock`
   * built with `{ domainReentrant: true }`.
   */
  | 'reentrant'
  /** Counting: `Semaphore`, `BoundedSemaphore`, async-mutex and await-semaphore `Semaphore`, @livekit/mutex `MultiMutex`. */
  | 'semaphore';

/** Where the analysis learned that an expression is a lock. */
export type LockSource =
  | 'lockstep'
  | 'async-mutex'
  | 'await-lock'
  | 'await-semaphore'
  | '@livekit/mutex'
  | '@aws-amplify/core'
  | 'async-lock'
  | 'async-sema'
  | 'web-locks'
  | 'config'
  | 'name-fallback';

/** One abstract lock (a lock class, as lockdep says): every expression resolving to one declaration. */
export interface LockInfo {
  /**
   * Stable key: `path#name` for a module variable, `path#Class.field` for a class field (all instances
   * of the class share it), `path#fn(param)` for a parameter no caller binds, `web-lock:NAME` for a
   * Web Lock requested by a constant name.
   */
  readonly id: string;
  /** What a person reads: `accountsLock`, `Account.lock`, `navigator.locks "orders"`, `locks "users"`. */
  readonly name: string;
  readonly flavor: LockFlavor;
  readonly source: LockSource;
  /** Where it is declared; absent for Web Locks. */
  readonly declaredAt?: SourceLocation;
  /** A semaphore's initial count when it is a constant. */
  readonly count?: number;
}
