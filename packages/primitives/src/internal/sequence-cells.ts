import { waitBlocking, waitNonBlocking, type WaitResult } from './futex.js';

/**
 * The waiting half of a condition variable: a sequence number that every notify bumps, and a count of
 * registered waiters so that notifying nobody costs no more than a load.
 *
 * Protocol, with the guarding lock held: `register()` (counts the waiter and returns the current
 * sequence); release the lock; sleep with `waitBlocking`/`waitAsync` on that snapshot; `unregister()`.
 * A notify made after `register()` bumps the sequence, so a waiter that has not fallen asleep yet
 * returns at once instead of missing it.
 */
export const SEQUENCE_CELLS = 2;
const SEQUENCE = 0;
const WAITERS = 1;
const SPIN_LIMIT = 2000;

export class SequenceCells {
  readonly #cells: Int32Array;
  readonly #base: number;

  constructor(cells: Int32Array, base: number) {
    this.#cells = cells;
    this.#base = base;
  }

  register(): number {
    Atomics.add(this.#cells, this.#base + WAITERS, 1);
    return Atomics.load(this.#cells, this.#base + SEQUENCE);
  }

  unregister(): void {
    Atomics.sub(this.#cells, this.#base + WAITERS, 1);
  }

  waitBlocking(snapshot: number, timeoutMs: number, method: string): WaitResult {
    // A queue's other side usually acts within microseconds; sleeping and being woken costs tens of
    // them. Watch the sequence briefly before going to sleep.
    for (let i = 0; i < SPIN_LIMIT; i++) {
      if (Atomics.load(this.#cells, this.#base + SEQUENCE) !== snapshot) return 'not-equal';
    }
    return waitBlocking(this.#cells, this.#base + SEQUENCE, snapshot, timeoutMs, method);
  }

  waitAsync(snapshot: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<WaitResult> {
    return waitNonBlocking(this.#cells, this.#base + SEQUENCE, snapshot, timeoutMs, signal, this.#forwardWake);
  }

  /** Wakes at most `n` registered waiters, oldest first. Call with the guarding lock held. */
  notify(n: number): void {
    if (Atomics.load(this.#cells, this.#base + WAITERS) === 0) return;
    Atomics.add(this.#cells, this.#base + SEQUENCE, 1);
    Atomics.notify(this.#cells, this.#base + SEQUENCE, n);
  }

  /** A wake-up that reached an aborted async waiter was meant for a live one: pass it on. */
  readonly #forwardWake = (): void => {
    Atomics.notify(this.#cells, this.#base + SEQUENCE, 1);
  };
}
