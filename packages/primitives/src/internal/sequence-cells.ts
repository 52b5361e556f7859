import { waitBlocking, waitNonBlocking, type WaitResult } from './futex.js';
import { deadlineAfter, remaining } from './options.js';

/**
 * The waiting half of a condition variable: a sequence number that every notify bumps, a count of
 * registered waiters so that notifying nobody costs no more than a load, and a count of those actually
 * asleep, so that a notify whose waiters are all still spinning (the usual case between a producer and
 * a consumer that keep up with each other) costs an add and no `Atomics.notify`.
 *
 * Protocol, with the guarding lock held: `register()` (counts the waiter and returns the current
 * sequence); release the lock; sleep with `waitBlocking`/`waitAsync` on that snapshot; `unregister()`.
 * A notify made after `register()` bumps the sequence, so a waiter that has not fallen asleep yet
 * returns at once instead of missing it.
 *
 * Why skipping `Atomics.notify` loses no wake-up: a sleeper counts itself in SLEEPERS before it sleeps,
 * and the sleep only starts if the sequence still equals its snapshot; a notifier bumps the sequence
 * before it reads SLEEPERS. All four are sequentially consistent, so either the notifier sees the
 * sleeper counted (and notifies), or the sleeper's count came after the notifier's read, hence after
 * its bump, and the sleep returns 'not-equal' at once.
 */
export const SEQUENCE_CELLS = 3;
const SEQUENCE = 0;
const WAITERS = 1;
const SLEEPERS = 2;
const SPIN_LIMIT = 2000;
const MAX_BUMP = 0x10000;
const LOCK_SPIN_LIMIT = 500;

/** Options of {@link SequenceCells}, for the waits of a queue. */
export interface SequenceOptions {
  /**
   * How far a blocking waiter, while it spins, waits for the sequence to move before it returns
   * (each `notify(n)` moves it by `n`; a waiter returns after any move by the end of its spin, and at
   * once when it slept): for a bounded queue's putters, which would otherwise go back for each slot a
   * get frees, in lock-step with the getter. Default 1.
   */
  readonly moves?: number;
  /**
   * The guarding lock, when notifies are made holding it: a waiter that saw the sequence move watches
   * it until it is released before returning, rather than run into it and be put to sleep by it
   * (a sleep and a wake-up cost tens of microseconds; the notifier lets go within one).
   */
  readonly lock?: { readonly isLocked: boolean } | undefined;
  /**
   * What the waiter waits for, looked at without any lock, once registered and before it spins or
   * sleeps: for a waiter whose notifiers hold another lock than the one it registered under (a FIFO
   * queue's getters register under the take lock, its putters notify under the put lock). A notifier
   * changes the state, then reads the waiter count; the waiter counts itself, then looks: one of the
   * two sees the other (all sequentially consistent), so the look catches a change whose notify
   * skipped this waiter.
   */
  readonly ready?: () => boolean;
}

export class SequenceCells {
  readonly #cells: Int32Array;
  readonly #base: number;
  readonly #moves: number;
  readonly #lock: { readonly isLocked: boolean } | undefined;
  readonly #ready: (() => boolean) | undefined;

  constructor(cells: Int32Array, base: number, options: SequenceOptions = {}) {
    this.#cells = cells;
    this.#base = base;
    this.#moves = options.moves ?? 1;
    this.#lock = options.lock;
    this.#ready = options.ready;
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
    if (this.#ready?.() === true) return 'not-equal';
    const cells = this.#cells;
    const at = this.#base + SEQUENCE;
    const moves = this.#moves;
    for (let i = 0; i < SPIN_LIMIT; i++) {
      const sequence = Atomics.load(cells, at);
      if (sequence !== snapshot && (moves === 1 || ((sequence - snapshot) | 0) >= moves)) return this.#moved();
    }
    if (Atomics.load(cells, at) !== snapshot) return this.#moved();
    Atomics.add(this.#cells, this.#base + SLEEPERS, 1);
    try {
      const deadline = deadlineAfter(timeoutMs);
      for (;;) {
        const result = waitBlocking(this.#cells, this.#base + SEQUENCE, snapshot, remaining(deadline), method);
        if (!this.#spurious(result, snapshot)) return result;
      }
    } finally {
      Atomics.sub(this.#cells, this.#base + SLEEPERS, 1);
    }
  }

  async waitAsync(snapshot: number, timeoutMs: number, signal: AbortSignal | undefined): Promise<WaitResult> {
    if (this.#ready?.() === true) return 'not-equal';
    Atomics.add(this.#cells, this.#base + SLEEPERS, 1);
    try {
      const deadline = deadlineAfter(timeoutMs);
      for (;;) {
        const result = await waitNonBlocking(this.#cells, this.#base + SEQUENCE, snapshot, remaining(deadline), signal, this.#forwardWake);
        if (!this.#spurious(result, snapshot)) return result;
      }
    } finally {
      // An aborted waiter stays in the engine's list, uncounted: a wake-up that reaches it is passed on.
      Atomics.sub(this.#cells, this.#base + SLEEPERS, 1);
    }
  }

  /**
   * Woken with no notify since `snapshot` (a notify bumps the sequence before it wakes anyone): the
   * wake-all of another waiter's abort (see futex.ts), or a wake-up passed on that was not this
   * waiter's. It sleeps on, so that a Condition's wait returns `true` only when notified, as Python's.
   */
  #spurious(result: WaitResult, snapshot: number): boolean {
    return result === 'ok' && Atomics.load(this.#cells, this.#base + SEQUENCE) === snapshot;
  }

  /**
   * Wakes at most `n` registered waiters, oldest first. Call after the change the waiters wait for,
   * with the guarding lock held, or (see `ready`) with the lock the change is made under. A waiter
   * that unregistered since may still be counted: a needless bump.
   */
  notify(n: number): void {
    const cells = this.#cells;
    const base = this.#base;
    if (Atomics.load(cells, base + WAITERS) === 0) return;
    // By n, so that a waiter with `moves` sees how much was notified (a getMany freeing 256 slots, say).
    Atomics.add(cells, base + SEQUENCE, n < MAX_BUMP ? n : MAX_BUMP);
    if (Atomics.load(cells, base + SLEEPERS) !== 0) Atomics.notify(cells, base + SEQUENCE, n);
  }

  /** The sequence moved while this waiter spun: let the notifier release the lock first (see `lock`). */
  #moved(): 'not-equal' {
    const lock = this.#lock;
    if (lock !== undefined) for (let i = 0; i < LOCK_SPIN_LIMIT && lock.isLocked; i++);
    return 'not-equal';
  }

  /** A wake-up that reached an aborted async waiter was meant for a live one: pass it on. */
  readonly #forwardWake = (): void => {
    Atomics.notify(this.#cells, this.#base + SEQUENCE, 1);
  };
}
