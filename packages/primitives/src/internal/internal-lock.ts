import { InternalStateLockedError } from '../errors.js';
import type { MutexCells } from './mutex-cells.js';
import { NO_WAIT, type Deadline } from './options.js';

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

/** Takes an internal lock, blocking, until `deadline`; `false` when it stayed held. */
export function lockInternalBlocking(mutex: MutexCells, deadline: Deadline, method: string): boolean {
  return mutex.tryLock() || mutex.lockBlocking(internalLockDeadline(deadline), method);
}

export function internalStateLocked(method: string, deadline: Deadline): InternalStateLockedError {
  const waited = deadline === NO_WAIT ? `${INTERNAL_LOCK_PATIENCE_MS} ms` : 'the whole timeout';
  return new InternalStateLockedError(
    `${method}: the primitive's internal state stayed locked for ${waited}, far longer than any of its steps takes; ` +
      'a thread most likely died (terminated, crashed or exited) inside a call on it, and nothing will unlock it',
  );
}
