/**
 * A self-deadlock that may be a hand-off. async-mutex's and await-semaphore's releasers are plain
 * functions that code hands to timers, callbacks and other tasks: async-mutex's own suite takes a
 * `Mutex`, gives its releaser to a `setTimeout`, and waits for the `Mutex` again in the same async
 * function; its `cancel()` rejects a waiter its holder queued. Refused at once, that correct code
 * fails. So a context taking again such a lock that it holds is watched instead: if the acquisition
 * is taken or fails (cancelled, timed out), or the holder's hold is released, within the grace
 * (`selfDeadlockAfter`), somebody else had the releaser and nothing is reported; still waiting at
 * the end of it, with the hold untouched, it is the self-deadlock, reported with the stack of the
 * acquisition and refused as an immediate one would be.
 *
 * Our own primitives are not watched: a release belongs to the holding context (any other is
 * reported as release-not-held), so nobody else is meant to release and the refusal is immediate.
 */
import type { HeldEntry } from './held-contexts.js';
import { realClearTimeout, realSetTimeout } from './real-timers.js';
import type { CapturedStack } from './stack-frames.js';

/** What the acquisition that may wait for itself looked like when it was made. */
export interface SuspectedSelfDeadlock {
  /** The entry of the same context that holds the lock. */
  readonly holder: HeldEntry;
  /** The acquisition's method (`acquire`, `runExclusive`, …), for the report. */
  readonly form: string;
  /** With a timeout or a signal: reported, left to end as it would. */
  readonly bounded: boolean;
  /** Where the acquisition was made, and by which async context (0: the thread's synchronous code). */
  readonly stack: CapturedStack;
  readonly asyncContext: number;
}


/**
 * `acquisition`, watched for `graceMs`: the promise to hand on in its place. At the end of the grace,
 * `confirm` is asked (if the acquisition is still waiting) whether it is a self-deadlock now, and
 * returns the error to refuse it with, if any; refused, the lock it is granted later (the holder's
 * releaser called after all) is handed straight back with `releaseAbandoned`.
 */
export function watchHandOff(
  acquisition: Promise<boolean>,
  graceMs: number,
  confirm: () => Error | undefined,
  releaseAbandoned: () => void,
): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    let refused = false;
    // Not unref'd: a process whose only work left is this wait lives until it is reported, instead of
    // exiting silently with the acquisition never settled.
    const timer = realSetTimeout(() => {
      if (settled) return;
      const error = confirm();
      if (error === undefined) return;
      refused = true;
      reject(error);
    }, graceMs);
    acquisition.then(
      (taken) => {
        settled = true;
        realClearTimeout(timer);
        if (!refused) resolve(taken);
        else if (taken) releaseAbandoned();
      },
      (error: unknown) => {
        settled = true;
        realClearTimeout(timer);
        // The library's own rejection (E_CANCELED, a timeout, the cancel error given), passed on as it is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (!refused) reject(error);
      },
    );
  });
}
