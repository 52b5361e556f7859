import { LockNotRecoverableError, LockStateError, OwnerDiedError } from '../errors.js';
import { assertCanBlock, spinPause, waitBlocking, waitNonBlocking } from './futex.js';
import { FAIRNESS_BOUND_MS } from './mutex-cells.js';
import { remaining, type Deadline } from './options.js';
import { cancellableSlice, type WaitCancellation } from './wait-cancel.js';
import { currentThreadIdent } from './thread-context.js';
import { isThreadDead, isThreadWatched, OWNER_CHECK_INTERVAL_MS } from './thread-registry.js';

/**
 * A mutex that knows its owner, for `RLock`, robust `Lock`s and the internal locks of queues and
 * barriers: pthread's robust mutex in `Atomics` form.
 *
 * The owner lives in the lock word itself, so it is recorded by the one compare-exchange that takes the
 * lock: there is no moment at which the lock is held by nobody known (a thread killed between "take" and
 * "record owner" would leave exactly that). Two cells:
 *
 * - WORD: `0` free; `(threadId + 1) << 2 | flags` held, with `WAITERS` (someone may sleep: the unlock
 *   must notify) and `INCONSISTENT` (taken from a dead owner, not yet marked consistent);
 *   {@link HANDOFF} released straight to a woken waiter (for fairness, as `MutexCells`);
 *   {@link NOT_RECOVERABLE} released while inconsistent, unusable for good.
 * - STARVING: how many waiters have waited past the fairness bound (see `MutexCells`).
 *
 * Owner death: a waiter that finds the lock held by a thread the liveness table says is dead takes it
 * over with one compare-exchange (one waiter wins), marked INCONSISTENT, and throws
 * {@link OwnerDiedError} while holding it. Releasing it still INCONSISTENT makes it NOT_RECOVERABLE and
 * wakes every waiter, which then throws {@link LockNotRecoverableError}. The parent that marks a
 * thread dead cannot reach this word, so a waiter on a lock held by a watched thread sleeps in slices
 * of {@link OWNER_CHECK_INTERVAL_MS} and looks again; the fast paths (an uncontended take and release)
 * never look at the table.
 */
export const ROBUST_MUTEX_CELLS = 2;

const WORD = 0;
const STARVING = 1;

const FREE = 0;
const WAITERS = 1;
const INCONSISTENT = 2;
const FLAGS = WAITERS | INCONSISTENT;
const OWNER_SHIFT = 2;
/** Released to a woken waiter; any waiter that has slept may claim it. */
const HANDOFF = -2;
/** Released while inconsistent: nobody may take it again. */
const NOT_RECOVERABLE = -1;

const SPIN_LIMIT = 64;
/** The largest thread id the word can name. */
const MAX_OWNER_IDENT = (0x7fff_ffff >>> OWNER_SHIFT) - 1;

const selfIdent = currentThreadIdent();
/** This thread's word when it holds the lock uncontended. */
const SELF = selfIdent <= MAX_OWNER_IDENT ? (selfIdent + 1) << OWNER_SHIFT : -4;

function ownerOf(word: number): number {
  return (word >>> OWNER_SHIFT) - 1;
}

/** What {@link RobustMutex.lockOrMark} returns when the caller now holds the lock. */
export const LOCK_TAKEN = FREE;

/** Who holds a lock, as {@link RobustMutex.ownerIdent} reports it. */
export const NO_OWNER = -1;

export class RobustMutex {
  readonly cells: Int32Array;
  readonly base: number;
  /** `"RLock"`, `"Lock"`, `"internal lock"`: for error messages. */
  readonly #what: string;

  constructor(cells: Int32Array, base: number, what: string) {
    if (SELF < 0) throw new RangeError(`thread id ${selfIdent} is too large for a robust lock (at most ${MAX_OWNER_IDENT})`);
    this.cells = cells;
    this.base = base;
    this.#what = what;
  }

  get isLocked(): boolean {
    return Atomics.load(this.cells, this.base + WORD) !== FREE;
  }

  /** The thread id of the holder, or {@link NO_OWNER} (free, being handed off, or not recoverable). */
  get ownerIdent(): number {
    const word = Atomics.load(this.cells, this.base + WORD);
    return word > 0 ? ownerOf(word) : NO_OWNER;
  }

  /** Whether the calling thread holds the lock. */
  get heldByCaller(): boolean {
    const word = Atomics.load(this.cells, this.base + WORD);
    return word > 0 && (word & ~FLAGS) === SELF;
  }

  /** Whether the holder took the lock from a dead owner and has not called `markConsistent()` yet. */
  get inconsistent(): boolean {
    const word = Atomics.load(this.cells, this.base + WORD);
    return word > 0 && (word & INCONSISTENT) !== 0;
  }

  /** Whether the lock was released inconsistent and can never be taken again. */
  get notRecoverable(): boolean {
    return Atomics.load(this.cells, this.base + WORD) === NOT_RECOVERABLE;
  }

  /**
   * One compare-exchange from free to held by this thread, and nothing else: `true` when it took the
   * lock, else the word it found, which says whether this thread holds it already (an `RLock`'s
   * re-entry needs no other read). A dead owner or an unusable lock is left to {@link tryLock} and
   * {@link lockBlocking}, which the caller goes on to.
   */
  takeOrPeek(): true | number {
    const seen = Atomics.compareExchange(this.cells, this.base + WORD, FREE, SELF);
    return seen === FREE ? true : seen;
  }

  /** Whether `word`, as {@link takeOrPeek} found it, says that the calling thread holds the lock. */
  static heldBySelf(word: number): boolean {
    return word > 0 && (word & ~FLAGS) === SELF;
  }

  /**
   * Frees the lock when this thread holds it and nobody waits, it is consistent: one compare-exchange.
   * `false` when anything else holds (nothing changed then): {@link unlock} sorts it out, or says why not.
   */
  unlockQuick(): boolean {
    return Atomics.compareExchange(this.cells, this.base + WORD, SELF, FREE) === SELF;
  }

  /**
   * Takes the lock if that needs no wait. Also takes it from a dead owner, and then throws
   * {@link OwnerDiedError} holding it; throws {@link LockNotRecoverableError} on an unusable lock.
   */
  tryLock(): boolean {
    const seen = Atomics.compareExchange(this.cells, this.base + WORD, FREE, SELF);
    if (seen === FREE) return true;
    if (seen === NOT_RECOVERABLE) throw this.#notRecoverableError();
    if (seen > 0) this.#takeOverIfDead(seen);
    return false;
  }

  /**
   * With `cancel` (the waits of `RLock` and `Lock` themselves; not `Condition.wait`'s re-acquisition,
   * nor internal locks), throws its `WaitCancelledError` when `cancelWaiters()` runs while this sleeps.
   */
  lockBlocking(deadline: Deadline, method: string, cancel?: WaitCancellation): boolean {
    const { cells } = this;
    const at = this.base + WORD;
    if (this.tryLock() || this.#spin()) return true;
    const snapshot = cancel?.snapshot() ?? 0;
    const started = performance.now();
    let starving = false;
    let slept = false;
    try {
      for (;;) {
        const word = this.#nextWord(slept);
        if (word === FREE) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        waitBlocking(cells, at, word, this.#slice(word, timeout, cancel), method);
        slept = true;
        if (cancel?.cancelledSince(snapshot) === true) {
          this.#passOn();
          throw cancel.error(snapshot, method);
        }
        if (!starving && performance.now() - started > FAIRNESS_BOUND_MS) {
          starving = true;
          Atomics.add(cells, this.base + STARVING, 1);
        }
      }
    } finally {
      if (starving) Atomics.sub(cells, this.base + STARVING, 1);
    }
  }

  async lockAsync(deadline: Deadline, signal: AbortSignal | undefined, method = 'lock', cancel?: WaitCancellation): Promise<boolean> {
    const { cells } = this;
    const at = this.base + WORD;
    if (this.tryLock()) return true;
    const snapshot = cancel?.snapshot() ?? 0;
    const started = performance.now();
    let starving = false;
    let slept = false;
    try {
      for (;;) {
        const word = this.#nextWord(slept);
        if (word === FREE) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        await waitNonBlocking(cells, at, word, this.#slice(word, timeout, cancel), signal, this.#forwardWake);
        slept = true;
        if (cancel?.cancelledSince(snapshot) === true) {
          this.#passOn();
          throw cancel.error(snapshot, method);
        }
        if (!starving && performance.now() - started > FAIRNESS_BOUND_MS) {
          starving = true;
          Atomics.add(cells, this.base + STARVING, 1);
        }
      }
    } finally {
      if (starving) Atomics.sub(cells, this.base + STARVING, 1);
    }
  }

  /**
   * `waitForUnlock()`: blocks until the lock is free, taking nothing; `false` at `deadline`. A holder
   * found dead counts as free (the lock is not repaired: the next acquisition takes it over and throws
   * {@link OwnerDiedError}). Throws {@link LockNotRecoverableError} for a lock that can never be free,
   * and `BlockingNotAllowedError` only when it would have to sleep.
   */
  waitUnlockedBlocking(deadline: Deadline, method: string, cancel: WaitCancellation): boolean {
    if (this.#freeable(Atomics.load(this.cells, this.base + WORD))) return true;
    if (remaining(deadline) === 0) return false;
    // Read before anything that could sleep (even the probe of canBlock): see wait-cancel.ts.
    const snapshot = cancel.snapshot();
    assertCanBlock(method);
    let woken = false;
    for (;;) {
      const word = this.#markForUnlockWait();
      if (word === FREE) return this.#leaveUnlocked(woken);
      const timeout = remaining(deadline);
      if (timeout === 0) return false;
      woken = this.#afterUnlockWait(waitBlocking(this.cells, this.base + WORD, word, this.#slice(word, timeout, cancel), method)) || woken;
      if (cancel.cancelledSince(snapshot)) {
        this.#leaveUnlocked(woken);
        throw cancel.error(snapshot, method);
      }
    }
  }

  /** Async twin of {@link waitUnlockedBlocking}; rejects with `signal`'s reason on abort. */
  async waitUnlockedAsync(deadline: Deadline, signal: AbortSignal | undefined, method: string, cancel: WaitCancellation): Promise<boolean> {
    const snapshot = cancel.snapshot();
    let woken = false;
    for (;;) {
      const word = this.#markForUnlockWait();
      if (word === FREE) return this.#leaveUnlocked(woken);
      const timeout = remaining(deadline);
      if (timeout === 0) return false;
      const result = await waitNonBlocking(this.cells, this.base + WORD, word, this.#slice(word, timeout, cancel), signal, this.#forwardWake);
      woken = this.#afterUnlockWait(result) || woken;
      if (cancel.cancelledSince(snapshot)) {
        this.#leaveUnlocked(woken);
        throw cancel.error(snapshot, method);
      }
    }
  }

  /** For `cancelWaiters()`: wakes every sleeper, which then looks at the cancellation generation. */
  wakeAll(): void {
    Atomics.notify(this.cells, this.base + WORD);
  }

  /**
   * The slow path of an async caller that must take and drop the lock within one synchronous run (an
   * internal lock): one look, in the caller's own run. Takes the lock if it is free (or, once
   * `slept`, handed off), as contended: after a wake-up other sleepers may remain, and taken plainly
   * the wake-up owed to them would be lost with this holder's uncontended unlock. Returns
   * {@link LOCK_TAKEN} then, else the word to sleep on with {@link sleepOn} (marked waited on, so the
   * holder's unlock notifies). Takes over from a dead owner (throwing {@link OwnerDiedError}, held)
   * like every other form.
   */
  lockOrMark(slept: boolean): number {
    return this.#nextWord(slept);
  }

  /**
   * Sleeps, without blocking the thread, while the word is still `word` (from {@link lockOrMark}), at
   * most `timeout` ms (in slices while its holder could die detectably). Takes nothing: the caller
   * looks again with `lockOrMark(true)` in its own synchronous run, so the lock is never held across
   * the `await` by a caller that has not resumed yet.
   */
  async sleepOn(word: number, timeout: number, signal: AbortSignal | undefined): Promise<void> {
    await waitNonBlocking(this.cells, this.base + WORD, word, this.#slice(word, timeout), signal, this.#forwardWake);
  }

  /**
   * Takes the lock on a thread that may not block (a browser's main thread), by spinning until
   * `deadline` (absolute, finite): for internal locks, whose holders keep them for microseconds. Like
   * a sleeper, a spinner that has waited past the fairness bound counts as starving (releases then
   * hand the lock over instead of freeing it for bargers) and may claim a hand-off. Looks for a dead
   * owner (and a lock not recoverable) between rounds, as the other forms do.
   */
  lockSpinning(deadline: Deadline): boolean {
    const { cells } = this;
    const at = this.base + WORD;
    const started = performance.now();
    let starving = false;
    try {
      for (;;) {
        for (let i = 0; i < SPIN_LIMIT; i++) {
          const word = Atomics.load(cells, at);
          if (word === FREE) {
            if (Atomics.compareExchange(cells, at, FREE, SELF) === FREE) return true;
          } else if (word === HANDOFF && starving) {
            if (Atomics.compareExchange(cells, at, HANDOFF, SELF | WAITERS) === HANDOFF) return true;
          }
          spinPause();
        }
        if (this.tryLock()) return true;
        const now = performance.now();
        if (now >= deadline) return false;
        if (!starving && now - started > FAIRNESS_BOUND_MS) {
          starving = true;
          Atomics.add(cells, this.base + STARVING, 1);
        }
      }
    } finally {
      if (starving) Atomics.sub(cells, this.base + STARVING, 1);
    }
  }

  /**
   * Frees the lock (any thread may: a robust `Lock` keeps Python's rule), or hands it to the oldest
   * sleeper while someone is starving. A lock still inconsistent becomes not recoverable instead, and
   * every waiter is woken to learn it.
   * @throws LockStateError when the lock is not held.
   */
  unlock(): void {
    const { cells } = this;
    const at = this.base + WORD;
    if (Atomics.compareExchange(cells, at, SELF, FREE) === SELF) return;
    for (;;) {
      const word = Atomics.load(cells, at);
      if (word === FREE || word === HANDOFF) throw new LockStateError(`release() of an unlocked ${this.#what}`);
      if (word === NOT_RECOVERABLE) throw new LockStateError(`release() of a ${this.#what} that is not recoverable (it is not held)`);
      if ((word & INCONSISTENT) !== 0) {
        if (Atomics.compareExchange(cells, at, word, NOT_RECOVERABLE) !== word) continue;
        Atomics.notify(cells, at);
        return;
      }
      if ((word & WAITERS) === 0) {
        if (Atomics.compareExchange(cells, at, word, FREE) === word) return;
        continue;
      }
      if (Atomics.load(cells, this.base + STARVING) > 0) {
        if (Atomics.compareExchange(cells, at, word, HANDOFF) !== word) continue;
        if (Atomics.notify(cells, at, 1) === 1) return;
        // Nobody asleep to take it: withdraw the offer unless a waiter that woke meanwhile took it.
        Atomics.compareExchange(cells, at, HANDOFF, FREE);
        return;
      }
      if (Atomics.compareExchange(cells, at, word, FREE) !== word) continue;
      Atomics.notify(cells, at, 1);
      return;
    }
  }

  /**
   * Clears the INCONSISTENT mark, so the next release frees the lock normally.
   * @throws LockStateError when the caller does not hold the lock, or it is not inconsistent.
   */
  markConsistent(method: string): void {
    const { cells } = this;
    const at = this.base + WORD;
    for (;;) {
      const word = Atomics.load(cells, at);
      if (word <= 0 || (word & ~FLAGS) !== SELF) throw new LockStateError(`${method}: the ${this.#what} is not held by this thread`);
      if ((word & INCONSISTENT) === 0) throw new LockStateError(`${method}: the ${this.#what} is consistent (its owner did not die)`);
      if (Atomics.compareExchange(cells, at, word, word & ~INCONSISTENT) === word) return;
    }
  }

  /**
   * One look at the word on the slow path. Returns FREE when the caller now holds the lock (free, a
   * hand-off it may claim), else the word to sleep on (with WAITERS set, so the holder's unlock
   * notifies). Throws for a dead owner (taken over) or a lock not recoverable.
   */
  #nextWord(slept: boolean): number {
    const { cells } = this;
    const at = this.base + WORD;
    for (;;) {
      const word = Atomics.load(cells, at);
      if (word === FREE) {
        // Taken as contended: other sleepers may remain, and this holder's unlock must wake one.
        if (Atomics.compareExchange(cells, at, FREE, SELF | WAITERS) === FREE) return FREE;
        continue;
      }
      if (word === HANDOFF) {
        if (!slept) return word;
        if (Atomics.compareExchange(cells, at, HANDOFF, SELF | WAITERS) === HANDOFF) return FREE;
        continue;
      }
      if (word === NOT_RECOVERABLE) throw this.#notRecoverableError();
      this.#takeOverIfDead(word);
      if ((word & WAITERS) !== 0) return word;
      if (Atomics.compareExchange(cells, at, word, word | WAITERS) === word) return word | WAITERS;
    }
  }

  /**
   * How long to sleep on `word`: in slices when its holder could die detectably, or none is named, and
   * when the wait is cancellable (see `wait-cancel.ts`).
   */
  #slice(word: number, timeout: number, cancel?: WaitCancellation): number {
    const slice = cancellableSlice(timeout, cancel);
    if (word === HANDOFF || isThreadWatched(ownerOf(word))) return Math.min(slice, OWNER_CHECK_INTERVAL_MS);
    return slice;
  }

  /** Free, or held by a thread known to be dead: what `waitForUnlock()` waits for. */
  #freeable(word: number): boolean {
    if (word === NOT_RECOVERABLE) throw this.#notRecoverableError();
    return word === FREE || (word > 0 && isThreadDead(ownerOf(word)));
  }

  /** FREE when the wait for unlock is over, else the word to sleep on (marked, so the unlock notifies). */
  #markForUnlockWait(): number {
    const { cells } = this;
    const at = this.base + WORD;
    for (;;) {
      const word = Atomics.load(cells, at);
      if (this.#freeable(word)) return FREE;
      if (word === HANDOFF || (word & WAITERS) !== 0) return word;
      if (Atomics.compareExchange(cells, at, word, word | WAITERS) === word) return word | WAITERS;
    }
  }

  /**
   * A wait for unlock woke: the one wake-up of an unlock may have been meant for an acquirer. A hand-off
   * is passed on at once (this call takes nothing); a plain wake-up when the call ends (see
   * {@link #leaveUnlocked}), not before, or two such callers would wake each other while the lock is held.
   */
  #afterUnlockWait(result: string): boolean {
    if (result !== 'ok') return false;
    if (this.#claimHandoff()) this.unlock();
    return true;
  }

  #leaveUnlocked(woken: boolean): true {
    if (woken) Atomics.notify(this.cells, this.base + WORD, 1);
    return true;
  }

  #claimHandoff(): boolean {
    return Atomics.compareExchange(this.cells, this.base + WORD, HANDOFF, SELF | WAITERS) === HANDOFF;
  }

  /** A woken waiter that will not take the lock (cancelled): passes a hand-off or the wake-up on. */
  #passOn(): void {
    if (this.#claimHandoff()) this.unlock();
    else Atomics.notify(this.cells, this.base + WORD, 1);
  }

  /** If `word`'s owner is dead, takes the lock over (one caller wins) and throws OwnerDiedError. */
  #takeOverIfDead(word: number): void {
    const owner = ownerOf(word);
    if (!isThreadDead(owner)) return;
    const taken = SELF | INCONSISTENT | (word & WAITERS);
    if (Atomics.compareExchange(this.cells, this.base + WORD, word, taken) !== word) return;
    throw new OwnerDiedError(
      `the ${this.#what}'s owner, thread ${owner}, died holding it; this thread holds it now: repair the state it guards, ` +
        'then call markConsistent() before releasing it, or it becomes unusable',
      owner,
    );
  }

  #spin(): boolean {
    const { cells } = this;
    const at = this.base + WORD;
    for (let i = 0; i < SPIN_LIMIT; i++) {
      if (Atomics.load(cells, at) === FREE && Atomics.compareExchange(cells, at, FREE, SELF) === FREE) return true;
    }
    return false;
  }

  #notRecoverableError(): LockNotRecoverableError {
    return new LockNotRecoverableError(
      `this ${this.#what} is not recoverable: it was taken from a thread that died holding it and released without markConsistent()`,
    );
  }

  /** A wake-up that reached an aborted async waiter was meant for a live one: pass it on. */
  readonly #forwardWake = (): void => {
    Atomics.notify(this.cells, this.base + WORD, 1);
  };
}
