import { blockingNotAllowed } from '../internal/futex.js';
import { guardedWaitAsync, guardedWaitBlocking, type GuardedStep, type LockTimedOut } from '../internal/guarded-wait.js';
import type { InternalLock } from '../internal/internal-lock.js';
import { remaining, type Deadline } from '../internal/options.js';
import { SequenceCells } from '../internal/sequence-cells.js';
import { canBlock } from '../internal/thread-context.js';

/** Looks at the lock word before giving up on a spin for it: about 10 µs, several of its holder's steps. */
const SPIN_LIMIT = 500;

/**
 * Takes a queue's internal lock by spinning for it: its holder lets go within a microsecond or so.
 * The internal lock's own acquisition spins only briefly before it sleeps, and between a producer and
 * a consumer, each taking the lock right after letting it go, a thread that sleeps there is woken
 * tens of microseconds later (and makes every release pay a notify): most of a put's or a get's time.
 * `false` when it stayed held throughout (its holder descheduled, or dead): the caller then waits for
 * it as the internal lock does, asleep, by its deadline.
 */
function spinLock(mutex: InternalLock): boolean {
  if (mutex.tryLock()) return true;
  const word = mutex.mutex;
  for (let i = 0; i < SPIN_LIMIT; i++) if (!word.isLocked && mutex.tryLock()) return true;
  return false;
}

/** Looks at the queue, without the lock, before registering to wait on it: a few microseconds. */
const WATCH_LIMIT = 2000;

/**
 * `guardedWaitBlocking` (Python's `with cond: while not ready: cond.wait()`) for a queue's blocking
 * calls, taking the lock with {@link spinLock}; when that fails, the rest of the call is
 * `guardedWaitBlocking` itself, which waits for the lock asleep and repairs a dead holder's step.
 *
 * `worthRetry` (read without the lock: an item there, room, a shutdown) is watched the first time the
 * step asks to wait, before the call registers as a waiter. A getter a little faster than its putter
 * finds the queue empty on most calls; registered, it makes every put pay an atomic add on the
 * condition's sequence (and itself an add and a sub on its waiter count), on cache lines both threads
 * write. The registered wait, with its own spin and then sleep, follows if the watch sees nothing.
 */
export function queueWaitBlocking<R>(mutex: InternalLock, deadline: Deadline, method: string, step: GuardedStep<R>, timedOut: LockTimedOut<R>, worthRetry?: () => boolean): R {
  let watched = worthRetry === undefined;
  for (;;) {
    if (!spinLock(mutex)) return guardedWaitBlocking(mutex, deadline, method, step, timedOut);
    let outcome: R | SequenceCells;
    let snapshot = 0;
    try {
      outcome = step(remaining(deadline));
      // Registered before the lock is let go, so that no notify falls between the look and the sleep.
      if (watched && outcome instanceof SequenceCells) snapshot = outcome.register();
    } finally {
      mutex.unlock();
    }
    if (!(outcome instanceof SequenceCells)) return outcome;
    // A thread that may not block throws where it would wait, the step having changed nothing.
    if (!canBlock()) {
      if (watched) outcome.unregister();
      throw blockingNotAllowed(method);
    }
    if (!watched) {
      watched = true;
      for (let i = 0; i < WATCH_LIMIT; i++) if (worthRetry!()) break;
      continue;
    }
    try {
      outcome.waitBlocking(snapshot, remaining(deadline), method);
    } finally {
      outcome.unregister();
    }
  }
}

/**
 * The async forms: one try with {@link spinLock} (in this synchronous run, so the lock is never held
 * across an await); when the step must wait, or the lock stays held, the call is `guardedWaitAsync`,
 * which runs the step again under its own acquisition (a step that asks to wait has changed nothing
 * it would redo wrongly: a batch put counts what went in).
 */
export function queueWaitAsync<R>(
  mutex: InternalLock,
  deadline: Deadline,
  method: string,
  signal: AbortSignal | undefined,
  step: GuardedStep<R>,
  timedOut: LockTimedOut<R>,
): Promise<R> {
  if (spinLock(mutex)) {
    let outcome: R | SequenceCells;
    try {
      outcome = step(remaining(deadline));
    } finally {
      mutex.unlock();
    }
    if (!(outcome instanceof SequenceCells)) return Promise.resolve(outcome);
  }
  return guardedWaitAsync(mutex, deadline, method, signal, step, timedOut);
}
