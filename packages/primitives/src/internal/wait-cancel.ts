import { WaitCancelledError } from '../errors.js';
import { currentThreadIdent } from './thread-context.js';

/**
 * `cancelWaiters()` of a `Lock`, `RLock` or `Semaphore`: one shared generation cell. A waiter reads it before its
 * first sleep and gives up with {@link WaitCancelledError} when it wakes to a different value; the
 * canceller adds one and wakes every sleeper of the words the lock's waiters sleep on. Calls that start
 * after the cancellation read the new value, so they are unaffected, and nobody who holds the lock is.
 *
 * A waiter may read the generation just before a cancellation and enter `Atomics.wait` just after its
 * notify (the word it sleeps on is the lock's, which the canceller cannot change without disturbing the
 * lock). So cancellable lock waiters never sleep longer than {@link CANCEL_RECHECK_MS} at a time: such
 * a waiter notices the cancellation at its next look, the others at once. (A `Semaphore`'s waiters
 * sleep on a wake counter of its own, which the canceller bumps, so they need no such slices.)
 *
 * Two cells at `at`: the generation, and the thread id of the last canceller, which the message of a
 * waiter on another thread names: the reason is a JS value of the cancelling thread, which shared
 * memory cannot carry, so only waiters on that thread get it as `cause` (see {@link WaitCancellation.error}).
 */
export const CANCEL_CELLS = 2;

const GENERATION = 0;
const CANCELLER = 1;

/** Longest single sleep of a cancellable waiter (see above); long enough to cost nothing measurable. */
export const CANCEL_RECHECK_MS = 50;

/** How long a waiter may sleep at once: `timeout`, or at most {@link CANCEL_RECHECK_MS} when it is cancellable. */
export function cancellableSlice(timeout: number, cancel: WaitCancellation | undefined): number {
  return cancel === undefined ? timeout : Math.min(timeout, CANCEL_RECHECK_MS);
}

interface LocalReason {
  readonly generation: number;
  readonly reason: unknown;
}
/** The reasons given on this thread, by buffer and cell, so same-thread waiters get the very value. */
const localReasons = new WeakMap<SharedArrayBuffer, Map<number, LocalReason>>();

export class WaitCancellation {
  readonly #cells: Int32Array;
  readonly #at: number;
  /** The primitive's name in messages, e.g. `"Lock"`. */
  readonly #owner: string;

  constructor(cells: Int32Array, at: number, owner: string) {
    this.#cells = cells;
    this.#at = at;
    this.#owner = owner;
  }

  /** What a waiter reads before its first sleep. */
  snapshot(): number {
    return Atomics.load(this.#cells, this.#at + GENERATION);
  }

  /** Whether `cancelWaiters()` ran since `snapshot` was taken. */
  cancelledSince(snapshot: number): boolean {
    return Atomics.load(this.#cells, this.#at + GENERATION) !== snapshot;
  }

  /**
   * Starts a new generation; the caller then wakes the sleepers. The reason is kept for this thread's
   * waiters (a `WeakMap` on the buffer: it goes with the lock).
   */
  cancel(reason: unknown): void {
    const cells = this.#cells;
    const buffer = cells.buffer as SharedArrayBuffer;
    const index = cells.byteOffset / Int32Array.BYTES_PER_ELEMENT + this.#at;
    Atomics.store(cells, this.#at + CANCELLER, currentThreadIdent());
    const generation = (Atomics.add(cells, this.#at + GENERATION, 1) + 1) | 0;
    let reasons = localReasons.get(buffer);
    if (reasons === undefined) localReasons.set(buffer, (reasons = new Map<number, LocalReason>()));
    reasons.set(index, { generation, reason });
  }

  /**
   * The error of a waiter that took `snapshot` and found it changed. `cause` is the reason given to
   * `cancelWaiters` when that call ran on this thread (and is the latest one); on another thread it is
   * absent, and the message names the cancelling thread instead.
   */
  error(snapshot: number, method: string): WaitCancelledError {
    const cells = this.#cells;
    const generation = Atomics.load(cells, this.#at + GENERATION);
    const canceller = Atomics.load(cells, this.#at + CANCELLER);
    const index = cells.byteOffset / Int32Array.BYTES_PER_ELEMENT + this.#at;
    const local = localReasons.get(cells.buffer as SharedArrayBuffer)?.get(index);
    const message = `${method} was cancelled by ${this.#owner}.cancelWaiters() on thread ${canceller} while it waited`;
    // Several cancellations since the snapshot: the latest one's reason is the one we know.
    if (local !== undefined && local.generation === generation && generation !== snapshot) {
      return new WaitCancelledError(message, { cause: local.reason });
    }
    return new WaitCancelledError(`${message} (its reason stays on that thread)`);
  }
}
