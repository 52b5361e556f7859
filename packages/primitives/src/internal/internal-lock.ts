import { InternalStateLockedError, OwnerDiedError } from '../errors.js';
import { blockingNotAllowed } from './futex.js';
import { NO_WAIT, type Deadline } from './options.js';
import { LOCK_TAKEN, RobustMutex } from './robust-mutex.js';
import { canBlock } from './thread-context.js';

export { LOCK_TAKEN } from './robust-mutex.js';

/**
 * How long a call that must not wait (`…Nowait`, a timeout of 0, `taskDone`, `shutdown`,
 * `Barrier.reset`/`abort`) waits for a queue's or barrier's internal lock before it gives up with
 * {@link InternalStateLockedError}. Every step under that lock takes microseconds; 100 ms rides out a
 * holder that was descheduled or paused, and is short enough that a holder that died (a terminated
 * worker) does not stall the caller for long.
 */
export const INTERNAL_LOCK_PATIENCE_MS = 100;

/**
 * The time an internal lock is waited for until: the caller's own deadline (a call with a timeout
 * returns by it), or the patience bound for a call that must not wait. Computed on the slow path
 * only, when the first try failed.
 */
export function internalLockDeadline(deadline: Deadline): Deadline {
  return deadline === NO_WAIT ? performance.now() + INTERNAL_LOCK_PATIENCE_MS : deadline;
}

/**
 * The internal lock of a queue or a barrier: a {@link RobustMutex}, so that when a registered thread
 * dies holding it the next thread to take it finds out, and runs `recover` (with the lock held) to
 * roll back or complete the dead holder's partial step before going on. Nobody outside sees the
 * owner's death: the lock is marked consistent again at once. A `recover` that throws leaves the lock
 * not recoverable (every later call throws `LockNotRecoverableError`), which should never happen.
 * An unregistered holder that dies is not detected: the lock stays held, and calls give up by their
 * deadline with {@link InternalStateLockedError}, as before.
 */
export class InternalLock {
  readonly mutex: RobustMutex;
  readonly #recover: () => void;
  readonly #sleepLimit: (() => number) | undefined;

  /**
   * @param recover Run with the lock held after its holder died: repair the primitive's state.
   * @param sleepLimit Longest sleep, in ms, of a guarded wait on this primitive (asked with the lock
   * held, after each step): for a barrier whose waiters look for dead parties.
   */
  constructor(cells: Int32Array, base: number, recover: () => void, sleepLimit?: () => number) {
    this.mutex = new RobustMutex(cells, base, 'internal lock');
    this.#recover = recover;
    this.#sleepLimit = sleepLimit;
  }

  /** Under the lock: how long a guarded wait may sleep before it looks again. */
  sleepLimit(timeLeft: number): number {
    return this.#sleepLimit === undefined ? timeLeft : Math.min(timeLeft, this.#sleepLimit());
  }

  tryLock(): boolean {
    try {
      return this.mutex.tryLock();
    } catch (error) {
      return this.#recovered(error);
    }
  }

  /**
   * Takes the lock until `deadline` (the patience bound for a call that must not wait); `false` when
   * it stayed held. Blocking (`Atomics.wait`) where the thread may block. On a thread that may not (a
   * browser's main thread) it spins instead, for at most {@link INTERNAL_LOCK_PATIENCE_MS} whatever
   * the deadline: past that, a call with a later deadline (or none) throws `BlockingNotAllowedError`
   * (it would have to wait, and may not), its `cause` the {@link InternalStateLockedError}.
   */
  lockBlocking(deadline: Deadline, method: string): boolean {
    if (this.tryLock()) return true;
    try {
      if (!canBlock()) return this.#lockSpinning(deadline, method);
      return this.mutex.lockBlocking(internalLockDeadline(deadline), method);
    } catch (error) {
      return this.#recovered(error);
    }
  }

  #lockSpinning(deadline: Deadline, method: string): boolean {
    const patience = performance.now() + INTERNAL_LOCK_PATIENCE_MS;
    const until = deadline === NO_WAIT ? patience : Math.min(deadline, patience);
    if (this.mutex.lockSpinning(until)) return true;
    if (deadline !== NO_WAIT && deadline > until) throw blockingNotAllowed(method, { cause: internalStateLocked(method, NO_WAIT) });
    return false;
  }

  /**
   * For async callers, in their own synchronous run: takes the lock if it is free (see
   * `RobustMutex.lockOrMark`), repairing a dead holder's step; {@link LOCK_TAKEN} then, else the
   * word to {@link sleepOn}.
   */
  lockOrMark(slept: boolean): number {
    try {
      return this.mutex.lockOrMark(slept);
    } catch (error) {
      this.#recovered(error);
      return LOCK_TAKEN;
    }
  }

  /** Sleeps without blocking while the lock word is still `word`; takes nothing (see `RobustMutex.sleepOn`). */
  sleepOn(word: number, timeout: number, signal: AbortSignal | undefined): Promise<void> {
    return this.mutex.sleepOn(word, timeout, signal);
  }

  unlock(): void {
    this.mutex.unlock();
  }

  /** Repairs what a dead holder left, holding the lock; rethrows anything else. */
  #recovered(error: unknown): true {
    if (!(error instanceof OwnerDiedError)) throw error;
    try {
      this.#recover();
    } catch (recoveryError) {
      this.mutex.unlock(); // still inconsistent: not recoverable from now on
      throw recoveryError;
    }
    this.mutex.markConsistent('internal lock recovery');
    return true;
  }
}

/** Takes an internal lock, blocking, until `deadline`; `false` when it stayed held. */
export function lockInternalBlocking(lock: InternalLock, deadline: Deadline, method: string): boolean {
  return lock.lockBlocking(deadline, method);
}

export function internalStateLocked(method: string, deadline: Deadline): InternalStateLockedError {
  const waited = deadline === NO_WAIT ? `${INTERNAL_LOCK_PATIENCE_MS} ms` : 'the whole timeout';
  return new InternalStateLockedError(
    `${method}: the primitive's internal state stayed locked for ${waited}, far longer than any of its steps takes; ` +
      'a thread most likely died (terminated, crashed or exited) inside a call on it, and nothing will unlock it',
  );
}
