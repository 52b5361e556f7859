import { LockStateError } from '../errors.js';
import { assertCanBlock, waitBlocking, waitNonBlocking, type WaitResult } from './futex.js';
import { remaining, type Deadline } from './options.js';
import { cancellableSlice, type WaitCancellation } from './wait-cancel.js';

/**
 * The mutual-exclusion algorithm under `Lock`, `RLock` and every primitive that needs a lock inside.
 *
 * Four cells: STATE (0 free, 1 held, 2 held and maybe waited on), HANDOFF (1 while a released lock is
 * being handed straight to a woken waiter), STARVING (how many waiters have waited past the fairness
 * bound) and SLEEPERS (how many callers are inside a wait on STATE).
 *
 * A waiter takes the lock it woke for as "maybe waited on" (2), since others may still sleep; the
 * sleeper count lets `unlock` skip `Atomics.notify` when none does, which under steady contention is
 * most releases (the notify takes the engine's waiter-list lock even when the list is empty). A sleeper
 * counts itself before its wait checks STATE, and an unlock reads the count after freeing STATE, so an
 * unlock that reads zero freed the lock before any sleeper's check: that wait sees STATE changed and
 * does not sleep.
 *
 * Fast when uncontended or briefly contended: acquiring is one compare-exchange, and a released lock is
 * free for whoever asks first (barging), so a thread that releases and re-acquires in a loop does not
 * pay a context switch each time. Fair in the end, as parking_lot's eventual fairness: waiters sleep in
 * the engine's FIFO wait list; one that has waited longer than {@link FAIRNESS_BOUND_MS} registers as
 * starving, and while any waiter is starving every release keeps the lock held and hands it to the
 * oldest sleeper instead of freeing it. Newcomers cannot barge in then, so the queue advances in arrival
 * order and the starving waiter is served after at most the waiters ahead of it.
 */
export const MUTEX_CELLS = 4;

const STATE = 0;
const HANDOFF = 1;
const STARVING = 2;
const SLEEPERS = 3;

const FREE = 0;
const HELD = 1;
const CONTENDED = 2;

/** How long a waiter may lose to bargers before it asks for a direct hand-off (Go's sync.Mutex uses 1 ms). */
export const FAIRNESS_BOUND_MS = 1;
/** Compare-exchange attempts before sleeping: enough to ride out a short critical section on another core. */
const SPIN_LIMIT = 64;

export class MutexCells {
  readonly cells: Int32Array;
  readonly base: number;

  constructor(cells: Int32Array, base = 0) {
    this.cells = cells;
    this.base = base;
  }

  get isLocked(): boolean {
    return Atomics.load(this.cells, this.base + STATE) !== FREE;
  }

  tryLock(): boolean {
    return Atomics.compareExchange(this.cells, this.base + STATE, FREE, HELD) === FREE;
  }

  /**
   * With `cancel` (a `Lock`'s own waits, not the re-acquisition of `Condition.wait`), throws its
   * `WaitCancelledError` when `cancelWaiters()` runs while this call sleeps.
   */
  lockBlocking(deadline: Deadline, method: string, cancel?: WaitCancellation): boolean {
    const { cells, base } = this;
    if (this.tryLock() || this.spin()) return true;
    const snapshot = cancel?.snapshot() ?? 0;
    const started = performance.now();
    let starving = false;
    try {
      for (;;) {
        if (Atomics.exchange(cells, base + STATE, CONTENDED) === FREE) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        this.sleepBlocking(cancellableSlice(timeout, cancel), method);
        if (cancel?.cancelledSince(snapshot) === true) {
          this.passOnWake();
          throw cancel.error(snapshot, method);
        }
        if (this.claimHandoff()) return true;
        if (!starving && performance.now() - started > FAIRNESS_BOUND_MS) {
          starving = true;
          Atomics.add(cells, base + STARVING, 1);
        }
      }
    } finally {
      if (starving) Atomics.sub(cells, base + STARVING, 1);
    }
  }

  async lockAsync(deadline: Deadline, signal: AbortSignal | undefined, method = 'lock', cancel?: WaitCancellation): Promise<boolean> {
    const { cells, base } = this;
    if (this.tryLock()) return true;
    const snapshot = cancel?.snapshot() ?? 0;
    const started = performance.now();
    let starving = false;
    try {
      for (;;) {
        if (Atomics.exchange(cells, base + STATE, CONTENDED) === FREE) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        await this.sleepAsync(cancellableSlice(timeout, cancel), signal);
        if (cancel?.cancelledSince(snapshot) === true) {
          this.passOnWake();
          throw cancel.error(snapshot, method);
        }
        if (this.claimHandoff()) return true;
        if (!starving && performance.now() - started > FAIRNESS_BOUND_MS) {
          starving = true;
          Atomics.add(cells, base + STARVING, 1);
        }
      }
    } finally {
      if (starving) Atomics.sub(cells, base + STARVING, 1);
    }
  }

  /**
   * `Lock.waitForUnlock()`: blocks until the lock is free, taking nothing; `false` at `deadline`.
   * Throws `BlockingNotAllowedError` only when it would have to sleep.
   */
  waitUnlockedBlocking(deadline: Deadline, method: string, cancel: WaitCancellation): boolean {
    const { cells, base } = this;
    if (!this.isLocked) return true;
    if (remaining(deadline) === 0) return false;
    // Read before anything that could sleep (even the probe of canBlock): see wait-cancel.ts.
    const snapshot = cancel.snapshot();
    assertCanBlock(method);
    let woken = false;
    for (;;) {
      const state = Atomics.load(cells, base + STATE);
      if (state === FREE) return this.leaveUnlocked(woken);
      const timeout = remaining(deadline);
      if (timeout === 0) return false;
      // Marked contended so that the holder's unlock notifies.
      if (state === HELD && Atomics.compareExchange(cells, base + STATE, HELD, CONTENDED) !== HELD) continue;
      woken = this.afterUnlockWait(this.sleepBlocking(cancellableSlice(timeout, cancel), method)) || woken;
      if (cancel.cancelledSince(snapshot)) throw this.cancelledUnlockWait(woken, cancel, snapshot, method);
    }
  }

  /** Async twin of {@link waitUnlockedBlocking}; rejects with `signal`'s reason on abort. */
  async waitUnlockedAsync(deadline: Deadline, signal: AbortSignal | undefined, method: string, cancel: WaitCancellation): Promise<boolean> {
    const { cells, base } = this;
    const snapshot = cancel.snapshot();
    let woken = false;
    for (;;) {
      const state = Atomics.load(cells, base + STATE);
      if (state === FREE) return this.leaveUnlocked(woken);
      const timeout = remaining(deadline);
      if (timeout === 0) return false;
      if (state === HELD && Atomics.compareExchange(cells, base + STATE, HELD, CONTENDED) !== HELD) continue;
      const result = await this.sleepAsync(cancellableSlice(timeout, cancel), signal);
      woken = this.afterUnlockWait(result) || woken;
      if (cancel.cancelledSince(snapshot)) throw this.cancelledUnlockWait(woken, cancel, snapshot, method);
    }
  }

  /**
   * A wait-for-unlock woke. An unlock wakes one sleeper, maybe meant for an acquirer: a hand-off is
   * passed on at once (this call takes nothing); a plain wake-up is passed on when the call returns
   * (see {@link leaveUnlocked}), not before, or two such callers would wake each other forever while
   * the lock stays held.
   */
  private afterUnlockWait(result: string): boolean {
    if (result !== 'ok') return false;
    if (this.claimHandoff()) this.unlock(() => 'lock');
    return true;
  }

  private leaveUnlocked(woken: boolean): true {
    if (woken) Atomics.notify(this.cells, this.base + STATE, 1);
    return true;
  }

  private cancelledUnlockWait(woken: boolean, cancel: WaitCancellation, snapshot: number, method: string): Error {
    if (woken) Atomics.notify(this.cells, this.base + STATE, 1);
    return cancel.error(snapshot, method);
  }

  /** For `cancelWaiters()`: wakes every sleeper, which then looks at the cancellation generation. */
  wakeAll(): void {
    Atomics.notify(this.cells, this.base + STATE);
  }

  /**
   * Waits, without taking the lock, until it may be free. For async callers that must take and drop an
   * internal lock within one synchronous run: holding it across an `await` would let a blocking call on
   * the same thread wait forever for a holder that can only run after that call returns.
   * @returns `'held'` when the caller now holds the lock (handed off, or taken on waking), `'retry'`
   * when it may be free, `'timed-out'` when `deadline` passed with the lock still held.
   */
  async waitForRelease(deadline: Deadline, signal: AbortSignal | undefined): Promise<'held' | 'retry' | 'timed-out'> {
    const { cells, base } = this;
    for (;;) {
      const state = Atomics.load(cells, base + STATE);
      if (state === FREE) return 'retry';
      const timeout = remaining(deadline);
      if (timeout === 0) return 'timed-out';
      // Mark it contended so the holder's unlock notifies us.
      if (state === HELD && Atomics.compareExchange(cells, base + STATE, HELD, CONTENDED) !== HELD) continue;
      const result = await this.sleepAsync(timeout, signal);
      if (this.claimHandoff()) return 'held';
      // Other sleepers may remain: a woken waiter takes the lock as CONTENDED, never HELD, so that its
      // unlock wakes the next one (taken as HELD, that wake-up would be lost).
      if (Atomics.exchange(cells, base + STATE, CONTENDED) === FREE) return 'held';
      if (result === 'timed-out' && remaining(deadline) === 0) return 'timed-out';
      return 'retry';
    }
  }

  /**
   * Frees the lock, or hands it to the oldest sleeper while someone is starving. Throws when the lock
   * is not held: the exchange has then written FREE over FREE, so nothing changed.
   */
  unlock(describe: () => string): void {
    const { cells, base } = this;
    // Held, nobody asleep (spinning waiters do not mark the word): one compare-exchange, the word's
    // line fetched once. Reading the starving count and the word first, as the hand-off below needs,
    // fetched it twice under contention: a waiter spinning on the word takes the line back between the
    // read and the write (2 workers on 2 cores: 6.6 M/s, now about 15). No hand-off is lost: a starving
    // waiter marks the word CONTENDED before it sleeps.
    if (Atomics.compareExchange(cells, base + STATE, HELD, FREE) === HELD) return;
    if (Atomics.load(cells, base + STARVING) > 0 && Atomics.load(cells, base + STATE) === CONTENDED) {
      Atomics.store(cells, base + HANDOFF, 1);
      if (Atomics.notify(cells, base + STATE, 1) === 1) return;
      // Nobody was asleep to take it: withdraw the offer unless a waiter that timed out took it meanwhile.
      if (Atomics.compareExchange(cells, base + HANDOFF, 1, 0) !== 1) return;
    }
    const previous = Atomics.exchange(cells, base + STATE, FREE);
    if (previous === FREE) throw new LockStateError(`release() of an unlocked ${describe()}`);
    if (previous === CONTENDED && Atomics.load(cells, base + SLEEPERS) > 0) Atomics.notify(cells, base + STATE, 1);
  }

  /** Sleeps on STATE while it is CONTENDED, counted as a sleeper (see the class comment for why). */
  private sleepBlocking(timeout: number, method: string): WaitResult {
    const { cells, base } = this;
    Atomics.add(cells, base + SLEEPERS, 1);
    try {
      return waitBlocking(cells, base + STATE, CONTENDED, timeout, method);
    } finally {
      Atomics.sub(cells, base + SLEEPERS, 1);
    }
  }

  /** Async twin of {@link sleepBlocking}; rejects with `signal`'s reason on abort. */
  private async sleepAsync(timeout: number, signal: AbortSignal | undefined): Promise<WaitResult> {
    const { cells, base } = this;
    Atomics.add(cells, base + SLEEPERS, 1);
    try {
      return await waitNonBlocking(cells, base + STATE, CONTENDED, timeout, signal, this.passOnWake);
    } finally {
      Atomics.sub(cells, base + SLEEPERS, 1);
    }
  }

  private spin(): boolean {
    const { cells, base } = this;
    for (let i = 0; i < SPIN_LIMIT; i++) {
      if (Atomics.load(cells, base + STATE) === FREE && this.tryLock()) return true;
    }
    return false;
  }

  private claimHandoff(): boolean {
    return Atomics.compareExchange(this.cells, this.base + HANDOFF, 1, 0) === 1;
  }

  /**
   * A waiter that will not take the lock was woken (an aborted async one, a cancelled one, one that only
   * waits for the lock to be free): take a hand-off meant for it and pass the lock on, or forward the wake.
   */
  private readonly passOnWake = (): void => {
    if (this.claimHandoff()) this.unlock(() => 'lock');
    else Atomics.notify(this.cells, this.base + STATE, 1);
  };
}

/** How long a waiter sleeps at a time: cancellable ones look at the cancellation now and then (see `wait-cancel.ts`). */
