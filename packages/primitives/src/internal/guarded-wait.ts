import type { InternalStateLockedError } from '../errors.js';
import { blockingNotAllowed } from './futex.js';
import { internalLockDeadline, internalStateLocked, LOCK_TAKEN, lockInternalBlocking, type InternalLock } from './internal-lock.js';
import { NO_WAIT, remaining, type Deadline } from './options.js';
import { SequenceCells } from './sequence-cells.js';
import { canBlock } from './thread-context.js';

/**
 * One check of a guarded wait, run with the internal lock held: return the result when the caller may
 * proceed (or throw), or return the {@link SequenceCells} to sleep on until the next try. `timeLeft` is
 * 0 once the deadline has passed, so the step can throw its own timeout error.
 */
export type GuardedStep<R> = (timeLeft: number) => R | SequenceCells;

/**
 * What a call with a timeout gives when the internal lock itself stayed held until its deadline (its
 * holder most likely died): the call's usual timeout outcome, `cause` attached where it is an error.
 * Calls that must not wait ({@link NO_WAIT}) throw the {@link InternalStateLockedError} instead.
 * A module-level function, not a closure: the hot path allocates nothing for a case it rarely meets.
 */
export type LockTimedOut<R> = (method: string, cause: InternalStateLockedError) => R;

/**
 * The loop behind every waiting call of the queues and the barrier (Python's `with cond: while not
 * ready: cond.wait()`), with the lock held only while `step` runs. The lock is taken with the caller's
 * deadline, so a holder that died inside a step cannot make a call with a timeout hang. Blocking form,
 * for workers.
 */
export function guardedWaitBlocking<R>(mutex: InternalLock, deadline: Deadline, method: string, step: GuardedStep<R>, timedOut: LockTimedOut<R>): R {
  for (;;) {
    if (!lockInternalBlocking(mutex, deadline, method)) return giveUp(method, deadline, timedOut);
    const outcome = runStepAndUnlock(mutex, deadline, step);
    if (!(outcome instanceof Registered)) return outcome;
    try {
      // A thread that may not block throws where it would sleep, the step having changed nothing.
      if (!canBlock()) throw blockingNotAllowed(method);
      outcome.sequence.waitBlocking(outcome.snapshot, outcome.sleepMs, method);
    } finally {
      outcome.sequence.unregister();
    }
  }
}

/**
 * Async form of {@link guardedWaitBlocking}. The lock is taken and dropped within one synchronous run,
 * never held across an `await` (nor across the hop back from one): a blocking call on the same thread
 * (`putNowait`, `taskDone`, …) made while this call is pending must never find the lock held by a task
 * that cannot run until it returns. So the lock is waited for asleep, taking nothing, and taken by
 * this function's own run once it wakes.
 */
export async function guardedWaitAsync<R>(
  mutex: InternalLock,
  deadline: Deadline,
  method: string,
  signal: AbortSignal | undefined,
  step: GuardedStep<R>,
  timedOut: LockTimedOut<R>,
): Promise<R> {
  let lockDeadline: Deadline | undefined;
  for (;;) {
    if (!mutex.tryLock()) {
      lockDeadline ??= internalLockDeadline(deadline);
      let word = mutex.lockOrMark(false);
      while (word !== LOCK_TAKEN) {
        const timeout = remaining(lockDeadline);
        if (timeout === 0) return giveUp(method, deadline, timedOut);
        await mutex.sleepOn(word, timeout, signal);
        word = mutex.lockOrMark(true);
      }
    }
    const outcome = runStepAndUnlock(mutex, deadline, step);
    if (!(outcome instanceof Registered)) return outcome;
    try {
      await outcome.sequence.waitAsync(outcome.snapshot, outcome.sleepMs, signal);
    } finally {
      outcome.sequence.unregister();
    }
  }
}

function giveUp<R>(method: string, deadline: Deadline, timedOut: LockTimedOut<R>): R {
  const error = internalStateLocked(method, deadline);
  if (deadline === NO_WAIT) throw error;
  return timedOut(method, error);
}

/** A step asked to wait: it is registered on `sequence` as of `snapshot`. */
class Registered {
  constructor(
    readonly sequence: SequenceCells,
    readonly snapshot: number,
    /** How long to sleep before the next try: the time left, or less where the primitive polls. */
    readonly sleepMs: number,
  ) {}
}

/** With the lock held: runs the step, registers a waiter if it asks to wait, and unlocks. */
function runStepAndUnlock<R>(mutex: InternalLock, deadline: Deadline, step: GuardedStep<R>): R | Registered {
  try {
    const timeLeft = remaining(deadline);
    const outcome = step(timeLeft);
    return outcome instanceof SequenceCells ? new Registered(outcome, outcome.register(), mutex.sleepLimit(timeLeft)) : outcome;
  } finally {
    mutex.unlock();
  }
}

/**
 * Runs `fn` under the internal lock, for calls that never wait for a state (only for the lock): they
 * wait for it at most until `deadline` (by default the short patience of a call that must not wait),
 * then throw {@link InternalStateLockedError}.
 */
export function withInternalLock<R>(mutex: InternalLock, method: string, fn: () => R, deadline: Deadline = NO_WAIT): R {
  if (!lockInternalBlocking(mutex, deadline, method)) throw internalStateLocked(method, deadline);
  try {
    return fn();
  } finally {
    mutex.unlock();
  }
}

/**
 * Async form of {@link withInternalLock}, for async calls: waits for the lock asleep (never blocking
 * the thread, nor spinning), then runs `fn` under it within one synchronous run.
 */
export async function withInternalLockAsync<R>(mutex: InternalLock, method: string, fn: () => R, deadline: Deadline = NO_WAIT): Promise<R> {
  if (!mutex.tryLock()) {
    const lockDeadline = internalLockDeadline(deadline);
    let word = mutex.lockOrMark(false);
    while (word !== LOCK_TAKEN) {
      const timeout = remaining(lockDeadline);
      if (timeout === 0) throw internalStateLocked(method, deadline);
      await mutex.sleepOn(word, timeout, undefined);
      word = mutex.lockOrMark(true);
    }
  }
  try {
    return fn();
  } finally {
    mutex.unlock();
  }
}
