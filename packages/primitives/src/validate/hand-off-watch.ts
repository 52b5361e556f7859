/**
 * A self-deadlock that may be nothing of the sort. An async acquisition of a lock that its own
 * context holds waits for itself only if nobody else will release that lock, and the validator
 * cannot tell at the call:
 * - async-mutex's and await-semaphore's releasers are plain functions that code hands to timers,
 *   callbacks and other tasks: async-mutex's own suite takes a `Mutex`, gives its releaser to a
 *   `setTimeout`, and waits for the `Mutex` again in the same async function; its `cancel()`
 *   rejects a waiter its holder queued;
 * - a task started by the holder, not awaited (`later = lock.runExclusive(…)` inside the holder's
 *   `runExclusive`, a job a queue starts at once, an event listener), inherits the holder's context
 *   (as `AsyncLocalStorage` would) yet only queues behind it; and timer and event callbacks share the
 *   thread's synchronous context, where one takes a lock that another waits for asynchronously.
 * Refused at once, that correct code fails. So such an acquisition is watched instead: if it is
 * taken or fails (cancelled, timed out), or the holder's hold is released, within the grace
 * (`selfDeadlockAfter`), nothing is reported; still waiting at the end of it, with the hold
 * untouched, it is the self-deadlock, reported with the stack of the acquisition and refused as an
 * immediate one would be. A blocking acquisition is refused at once: its thread sleeps, and no code
 * of that thread can release the lock.
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


/** A watch under way: `cancel()` ends it with nothing reported (the validator is switched off). */
export interface HandOffWatch {
  cancel(): void;
}

/**
 * Another library's acquisition, watched for `graceMs`: the promise to hand on in its place. At the
 * end of the grace, `confirm` is asked (if the acquisition is still waiting) whether it is a
 * self-deadlock now, and returns the error to refuse it with, if any; refused, the lock it is granted
 * later (the holder's releaser called after all) is handed straight back with `releaseAbandoned`.
 */
export function watchLibraryAcquisition(
  acquisition: Promise<boolean>,
  graceMs: number,
  confirm: () => Error | undefined,
  releaseAbandoned: () => void,
  watching: (watch: HandOffWatch | undefined) => void,
): Promise<boolean> {
  return new Promise<boolean>((resolve, reject) => {
    let settled = false;
    let refused = false;
    // Not unref'd: a process whose only work left is this wait lives until it is reported, instead of
    // exiting silently with the acquisition never settled.
    const timer = realSetTimeout(() => {
      watching(undefined);
      if (settled) return;
      const error = confirm();
      if (error === undefined) return;
      refused = true;
      reject(error);
    }, graceMs);
    const watch = { cancel: () => realClearTimeout(timer) };
    watching(watch);
    acquisition.then(
      (taken) => {
        settled = true;
        realClearTimeout(timer);
        watching(undefined);
        if (!refused) resolve(taken);
        else if (taken) releaseAbandoned();
      },
      (error: unknown) => {
        settled = true;
        realClearTimeout(timer);
        watching(undefined);
        // The library's own rejection (E_CANCELED, a timeout, the cancel error given), passed on as it is.
        // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
        if (!refused) reject(error);
      },
    );
  });
}

/**
 * One of our primitives' acquisitions, watched for `graceMs`; it was given `abort`'s signal, so a
 * refusal is an abort: the primitive takes nothing and rejects with the error, as any abort does.
 */
export function watchOwnAcquisition(
  acquisition: Promise<boolean>,
  graceMs: number,
  confirm: () => Error | undefined,
  abort: AbortController,
  watching: (watch: HandOffWatch | undefined) => void,
): void {
  const timer = realSetTimeout(() => {
    watching(undefined);
    const error = confirm();
    if (error !== undefined) abort.abort(error);
  }, graceMs);
  watching({ cancel: () => realClearTimeout(timer) });
  const done = (): void => {
    realClearTimeout(timer);
    watching(undefined);
  };
  acquisition.then(done, done);
}

/**
 * `options` with `signal` added (both the caller's and `signal` abort it); `undefined` when `options`
 * is no options object, which the primitive then refuses itself.
 */
export function withSignal(options: unknown, signal: AbortSignal): object | undefined {
  if (options === undefined || options === null) return { signal };
  if (typeof options !== 'object') return undefined;
  const given = (options as { readonly signal?: unknown }).signal;
  if (given === undefined) return { ...options, signal };
  if (!(given instanceof AbortSignal)) return undefined;
  const any = (AbortSignal as { any?: (signals: AbortSignal[]) => AbortSignal }).any;
  if (typeof any === 'function') return { ...options, signal: any.call(AbortSignal, [given, signal]) };
  const both = new AbortController();
  for (const each of [given, signal]) {
    if (each.aborted) both.abort(each.reason);
    else each.addEventListener('abort', () => both.abort(each.reason), { once: true });
  }
  return { ...options, signal: both.signal };
}
