import { describeCurrentThread } from './internal/thread-context.js';

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

/** `hold()`/`holdAsync()` did not get the lock before their timeout ran out. */
export class LockTimeoutError extends LockstepError {}

/** A blocking call was made on a thread that may not block (a browser's main thread). */
export class BlockingNotAllowedError extends LockstepError {}

/** A `Barrier` was aborted, reset, or timed out while (or before) a party waited on it. */
export class BrokenBarrierError extends LockstepError {}

/** `putNowait()` on a full queue, or `put()` whose timeout ran out. Python's `queue.Full`. */
export class QueueFull extends LockstepError {}

/** `getNowait()` on an empty queue, or `get()` whose timeout ran out. Python's `queue.Empty`. */
export class QueueEmpty extends LockstepError {}

/** `put()` after `shutdown()`, or `get()` on a shut-down queue with nothing left. Python's `queue.ShutDown`. */
export class QueueShutDown extends LockstepError {}

/** A `Thread` was used out of order: started twice, or joined before it was started. */
export class ThreadStateError extends LockstepError {}
