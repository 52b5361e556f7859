import { describeCurrentThread } from './internal/thread-context.js';
import type { LockValidationReport } from './validate/report.js';

/**
 * Base class of every error Lockstep's primitives throw on purpose, so callers can tell a misuse of a
 * primitive from a failure of their own code. Each error names the thread it was raised on, because a
 * concurrency bug report without "which thread" is rarely useful.
 */
export class LockstepError extends Error {
  /** `ident` and `name` of the thread that raised the error. */
  readonly thread: { readonly ident: number; readonly name: string };

  constructor(message: string, options?: ErrorOptions) {
    const thread = describeCurrentThread();
    super(`${message} [thread ${thread.ident} "${thread.name}"]`, options);
    this.name = new.target.name;
    this.thread = thread;
  }
}

/**
 * A lock was used in a state that does not allow it: releasing a lock that is not held, releasing an
 * `RLock` owned by someone else, waiting on or notifying a `Condition` whose lock is not held.
 * The equivalent of Python's `RuntimeError` from `threading`.
 */
export class LockStateError extends LockstepError {}

/**
 * The thread that held this lock died holding it (pthread's `EOWNERDEAD`). Thrown by the acquisition
 * that found it so, which **holds the lock** when it throws: whatever the dead owner was changing under
 * the lock may be half done. Repair that state, then call the lock's `markConsistent()` and go on
 * (release it as usual). Releasing it without `markConsistent()` makes the lock permanently unusable:
 * every later acquisition throws {@link LockNotRecoverableError} (pthread's `ENOTRECOVERABLE`).
 *
 * Raised by `RLock`, a `Condition` over an `RLock` (its default), and `Lock`/`Semaphore` created with
 * `{ robust: true }`, for an owner that the primitives know could die: a `Thread`, or a worker passed
 * to `registerWorker()`. `ownerIdent` is the dead thread's id.
 *
 * @example
 * ```ts
 * let held = false;
 * try {
 *   held = rlock.acquire({ timeout: 1_000 });
 * } catch (error) {
 *   if (!(error instanceof OwnerDiedError)) throw error;
 *   held = true;                      // we hold it now
 *   repairSharedState();              // undo or finish what the dead owner left half done
 *   rlock.markConsistent();           // the lock is usable again once we release it
 * }
 * if (held) {
 *   try { update(); } finally { rlock.release(); }
 * }
 * ```
 */
export class OwnerDiedError extends LockstepError {
  /** The id (`threadId`) of the thread that died holding the lock. */
  readonly ownerIdent: number;

  constructor(message: string, ownerIdent: number, options?: ErrorOptions) {
    super(message, options);
    this.ownerIdent = ownerIdent;
  }
}

/**
 * The lock was taken from a dead owner ({@link OwnerDiedError}) and released without
 * `markConsistent()`: its state is unknown, so it can never be acquired again (pthread's
 * `ENOTRECOVERABLE`). Every acquisition (blocking, async, `tryAcquire`) throws this; waiters asleep on
 * it are woken and throw it too. Replace the lock and whatever it guarded.
 */
export class LockNotRecoverableError extends LockstepError {}

/** `hold()`/`holdAsync()` did not get the lock before their timeout ran out. */
export class LockTimeoutError extends LockstepError {}

/**
 * The wait was cancelled by `cancelWaiters(reason)` on the primitive (async-mutex's `cancel()` and its
 * `E_CANCELED`): every call waiting on it at that moment, in any thread, blocking or async, throws this
 * instead of acquiring, and `cause` is the reason given. Calls that start afterwards wait as usual.
 */
export class WaitCancelledError extends LockstepError {}

/** A blocking call was made on a thread that may not block (a browser's main thread). */
export class BlockingNotAllowedError extends LockstepError {}

/** A `Barrier` was aborted, reset, or timed out while (or before) a party waited on it. */
export class BrokenBarrierError extends LockstepError {}

/**
 * A `CountDownLatch` or `WaitGroup` was counted below zero: `countDown()` or `done()` more times than
 * the count, or `add()` with a negative delta larger than it (Go's WaitGroup panics there; Java's
 * latch ignores it). The count is left as it was.
 */
export class CountBelowZeroError extends LockstepError {}

/** Options of {@link QueueFull} and {@link QueueShutDown}. */
export interface QueueErrorOptions extends ErrorOptions {
  /** How many items of a `putMany` went in before it gave up. */
  readonly itemsPut?: number | undefined;
}

/**
 * `putNowait()` on a full queue, or `put()` whose timeout ran out. Python's `queue.Full`.
 *
 * @example
 * ```ts
 * try {
 *   jobs.putMany(batch, { timeout: 1_000 });
 * } catch (error) {
 *   if (!(error instanceof QueueFull)) throw error;
 *   retryLater(batch.slice(error.itemsPut)); // the first itemsPut went in
 * }
 * ```
 */
export class QueueFull extends LockstepError {
  /** `putMany()`: how many of its items went in (the first ones) before it gave up; 0 for `put()`. */
  readonly itemsPut: number;

  constructor(message: string, options?: QueueErrorOptions) {
    super(message, options);
    this.itemsPut = options?.itemsPut ?? 0;
  }
}

/** `getNowait()` on an empty queue, or `get()` whose timeout ran out. Python's `queue.Empty`. */
export class QueueEmpty extends LockstepError {}

/** `put()` after `shutdown()`, or `get()` on a shut-down queue with nothing left. Python's `queue.ShutDown`. */
export class QueueShutDown extends LockstepError {
  /** `putMany()`: how many of its items went in (the first ones) before the shutdown; 0 otherwise. */
  readonly itemsPut: number;

  constructor(message: string, options?: QueueErrorOptions) {
    super(message, options);
    this.itemsPut = options?.itemsPut ?? 0;
  }
}

/** A `Thread` was used out of order: started twice, or joined before it was started. */
export class ThreadStateError extends LockstepError {}

/**
 * A queue's or barrier's internal state is locked and stays locked: the thread that locked it for one
 * of its microsecond-long steps has not unlocked it within 100 ms (`INTERNAL_LOCK_PATIENCE_MS`).
 * In practice that thread is gone: it was terminated (`worker.terminate()`), crashed or exited inside
 * a call on this primitive, and nothing will ever unlock it. (A registered thread — a `Thread`, or a worker
 * passed to `registerWorker()` — that dies there is detected instead, and its step rolled back.)
 *
 * Thrown by the calls that never wait (`putNowait`, `getNowait`, a `timeout` of 0, `taskDone`,
 * `shutdown`, `Barrier.reset`, `Barrier.abort`). A call with a timeout gives its usual timeout outcome
 * instead (`QueueEmpty`, `QueueFull`, `false`, `BrokenBarrierError`), with this error as its `cause`.
 * The primitive cannot be repaired: replace it (a new queue or barrier) and stop its users.
 *
 * @example
 * ```ts
 * try {
 *   queue.putNowait(job);
 * } catch (error) {
 *   if (error instanceof InternalStateLockedError) {
 *     // a worker died inside this queue: stop using it
 *     replaceQueue();
 *   } else if (!(error instanceof QueueFull)) throw error;
 * }
 * // a timed call says the same through its cause:
 * try { queue.get({ timeout: 500 }); } catch (error) {
 *   if (error instanceof QueueEmpty && error.cause instanceof InternalStateLockedError) replaceQueue();
 * }
 * ```
 */
export class InternalStateLockedError extends LockstepError {}

/**
 * A queue item could not be rebuilt on this thread (most often a `RangeError`: the item is nested too
 * deeply for this thread's stack). The item was not lost: it is still in the queue, in its place, and
 * its task is still unfinished; `cause` holds the original error. A thread with a larger stack can
 * take it, or `shutdown({ immediate: true })` drops it.
 *
 * @example
 * ```ts
 * try {
 *   handle(queue.get());
 * } catch (error) {
 *   if (!(error instanceof ItemDecodeError)) throw error;
 *   console.error('item too deep for this thread, left in the queue', error.cause);
 * }
 * ```
 */
export class ItemDecodeError extends LockstepError {}

/**
 * A `PriorityQueue`'s comparator called back into its own queue (`put`, `get`, `taskDone`, …). The
 * comparator runs while the queue's internal state is locked, so such a call could only deadlock; it
 * throws this instead, out of the comparator and on to the `put` or `get` that ran it, which leaves the
 * queue as it was. Read-only getters (`size`, `empty`, `full`) stay allowed.
 *
 * @example
 * ```ts
 * const queue = new PriorityQueue<number>({ compare: (a, b) => (queue.getNowait(), a - b) });
 * queue.put(1);
 * queue.put(2); // throws QueueReentryError; the queue still holds 1
 * ```
 */
export class QueueReentryError extends LockstepError {}

/**
 * The run-time lock validator (`@lockstep/primitives/validate`) refused an acquisition: it would wait
 * for itself for ever (a non-reentrant lock taken again by the context that holds it), or, with
 * `onReport: 'throw'`, it closed a cycle in the lock order (a possible deadlock) or broke another rule.
 * The lock was not taken. `report` is the finding, in the form `lockValidationReports()` lists it.
 *
 * @example
 * ```ts
 * try {
 *   await lock.acquireAsync();           // this async context already holds `lock`
 * } catch (error) {
 *   if (!(error instanceof LockValidationError)) throw error;
 *   console.error(error.report.kind);    // 'self-deadlock'
 * }
 * ```
 */
export class LockValidationError extends LockstepError {
  /** What the validator found. */
  readonly report: LockValidationReport;

  constructor(message: string, report: LockValidationReport, options?: ErrorOptions) {
    super(message, options);
    this.report = report;
  }
}
