import type { MutexCells } from './mutex-cells.js';
import { remaining, type Deadline } from './options.js';
import { SequenceCells } from './sequence-cells.js';

/**
 * One check of a guarded wait, run with the internal lock held: return the result when the caller may
 * proceed (or throw), or return the {@link SequenceCells} to sleep on until the next try. `timeLeft` is
 * 0 once the deadline has passed, so the step can throw its own timeout error.
 */
export type GuardedStep<R> = (timeLeft: number) => R | SequenceCells;

/**
 * The loop behind every waiting call of the queues and the barrier (Python's `with cond: while not
 * ready: cond.wait()`), with the lock held only while `step` runs. Blocking form, for workers.
 */
export function guardedWaitBlocking<R>(mutex: MutexCells, deadline: Deadline, method: string, step: GuardedStep<R>): R {
  for (;;) {
    mutex.lockBlocking(Infinity, method);
    let outcome: R | SequenceCells;
    let snapshot = 0;
    try {
      outcome = step(remaining(deadline));
      if (outcome instanceof SequenceCells) snapshot = outcome.register();
    } finally {
      mutex.unlock(internalLock);
    }
    if (!(outcome instanceof SequenceCells)) return outcome;
    try {
      outcome.waitBlocking(snapshot, remaining(deadline), method);
    } finally {
      outcome.unregister();
    }
  }
}

/**
 * Async form of {@link guardedWaitBlocking}. The lock is taken and dropped within one synchronous run,
 * never held across an `await`: a blocking call on the same thread (`putNowait`, `taskDone`, …) made
 * while this call is pending must never find the lock held by a task that cannot run until it returns.
 */
export async function guardedWaitAsync<R>(mutex: MutexCells, deadline: Deadline, signal: AbortSignal | undefined, step: GuardedStep<R>): Promise<R> {
  for (;;) {
    if (!mutex.tryLock() && !(await mutex.waitForRelease(signal))) continue;
    let outcome: R | SequenceCells;
    let snapshot = 0;
    try {
      outcome = step(remaining(deadline));
      if (outcome instanceof SequenceCells) snapshot = outcome.register();
    } finally {
      mutex.unlock(internalLock);
    }
    if (!(outcome instanceof SequenceCells)) return outcome;
    try {
      await outcome.waitAsync(snapshot, remaining(deadline), signal);
    } finally {
      outcome.unregister();
    }
  }
}

/** Runs `fn` under the internal lock; for calls that never wait for a state (only for the lock). */
export function withInternalLock<R>(mutex: MutexCells, method: string, fn: () => R): R {
  mutex.lockBlocking(Infinity, method);
  try {
    return fn();
  } finally {
    mutex.unlock(internalLock);
  }
}

function internalLock(): string {
  return 'internal lock';
}
