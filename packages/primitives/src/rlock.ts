import { Acquirable } from './acquirable.js';
import { LockStateError, OwnerDiedError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { anonymousOwnerId, currentTaskScope, runInNewTaskScope, THREAD_OWNER } from './internal/async-task.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { NO_OWNER, ROBUST_MUTEX_CELLS, RobustMutex } from './internal/robust-mutex.js';
import { giveName, hook, nameFromHandle, nameOption, withName, VALIDATION_RECORD, type Validated } from './internal/validation-hook.js';
import { CANCEL_CELLS, WaitCancellation } from './internal/wait-cancel.js';

/** Structured-clonable reference to an {@link RLock}. */
export type RLockHandle = CellsHandle<'RLock'>;

// The owner thread is in the mutex's word (recorded by the compare-exchange that takes it); the task
// and the depth are written by the owner after it, and read only by the owner's thread.
const OWNER_TASK = ROBUST_MUTEX_CELLS;
const COUNT = ROBUST_MUTEX_CELLS + 1;
/** The generation of `cancelWaiters()` (see wait-cancel.ts). */
const CANCEL = ROBUST_MUTEX_CELLS + 2;
const RLOCK_CELLS = CANCEL + CANCEL_CELLS;

/** What `Condition.wait` saves when it releases an `RLock` fully, and restores afterwards. */
export interface RLockSavedState {
  readonly task: number;
  readonly count: number;
}

/**
 * A re-entrant lock: Python's `threading.RLock`. The owner may acquire it again without blocking; it is
 * free again after as many `release()`s as acquisitions. Releasing it when it is not held, or from a
 * thread that does not own it, throws {@link LockStateError}.
 *
 * **Who owns it.** Taken with a blocking call (`acquire`, `tryAcquire`, `hold`), the owner is the
 * thread. Taken with `acquireAsync`/`holdAsync`, the owner is the *async task*: the scope that
 * {@link RLock.runExclusive} opens around its callback, which covers everything the callback starts.
 * Two async tasks of one thread therefore exclude each other as two threads would. An async acquisition
 * made outside any such scope is owned by that acquisition alone: it excludes everyone and cannot be
 * re-entered (await it a second time in the same function and you wait for yourself). Re-enter from
 * async code inside `runExclusive`.
 *
 * @example
 * ```ts
 * const rlock = new RLock();
 * function add(box: Box) { using _ = rlock.hold(); box.total += 1; }
 * function addTwo(box: Box) { using _ = rlock.hold(); add(box); add(box); } // re-entry: no deadlock
 *
 * // async code re-enters inside runExclusive's scope
 * await rlock.runExclusive(async () => {
 *   await using _ = await rlock.holdAsync();   // same task: does not wait
 * });
 * ```
 *
 * **When the owner dies.** If the owning thread dies holding the lock (it was a `Thread`, or a worker
 * passed to `registerWorker()`), the next acquisition takes the lock and throws {@link OwnerDiedError}
 * while holding it, with a depth of 1 owned by the caller (its async task, for the async forms).
 * Repair what the lock guards, call {@link RLock.markConsistent}, then release as usual. Released
 * without that, the lock is unusable for good ({@link LockNotRecoverableError}), as pthread's robust
 * mutexes.
 *
 * There is no `{ fair: true }` RLock: the strict FIFO of a fair `Lock` is a ticket lock, whose word
 * is a ticket counter, while an RLock must record its owner in the very word that takes it (that is
 * how a dead owner is detected with no window in which the lock is held by nobody known).
 *
 * ```ts
 * try {
 *   rlock.acquire();
 * } catch (error) {
 *   if (!(error instanceof OwnerDiedError)) throw error;
 *   rebuildTotals(box);             // the dead owner may have stopped half way
 *   rlock.markConsistent();
 * }
 * try { box.total += 1; } finally { rlock.release(); }
 * ```
 */
export class RLock extends Acquirable {
  readonly #cells: Int32Array;
  readonly #mutex: RobustMutex;
  readonly #cancel: WaitCancellation;

  /** `name`: the lock's class for the run-time validator, as {@link LockOptions.name}. */
  constructor(options?: { readonly name?: string | undefined }) {
    super();
    if (options !== undefined && (typeof options !== 'object' || options === null)) throw new TypeError('new RLock(options): options must be an object like { name: "src/db.ts#Pool.lock" }');
    giveName(this, nameOption(options, 'new RLock(options)'));
    const adopted = takeAdopted<Int32Array>();
    this.#cells = adopted ?? allocateCells(RLOCK_CELLS);
    this.#mutex = new RobustMutex(this.#cells, 0, 'RLock');
    this.#cancel = new WaitCancellation(this.#cells, CANCEL, 'RLock');
    hook?.created(this, 'RLock', adopted !== undefined);
  }

  /** Rebuilds, in this thread, the lock a handle refers to. */
  static from(handle: RLockHandle): RLock {
    return nameFromHandle(constructAdopting(cellsFromHandle(handle, 'RLock', RLOCK_CELLS), () => new RLock()), handle, 'RLock.from(handle)');
  }

  get handle(): RLockHandle {
    return withName(this, handleOf('RLock', this.#cells));
  }

  /** Whether any thread or task holds the lock now. */
  get locked(): boolean {
    return this.#mutex.isLocked;
  }

  /**
   * @throws OwnerDiedError (holding the lock) when its owner died holding it;
   * LockNotRecoverableError when it was released inconsistent.
   */
  acquire(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'RLock.acquire()');
    const task = currentTaskScope() ?? THREAD_OWNER;
    const validator = hook;
    if (validator !== undefined) return validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, () => this.#acquireFor(task, deadline), this.#owns(task), 1);
    return this.#acquireFor(task, deadline);
  }

  #acquireFor(task: number, deadline: number): boolean {
    return this.#enter(task) || this.#acquireBlockingSlow(task, deadline);
  }

  /**
   * Takes the lock if it is free, or re-enters it if `task` of this thread holds it: one
   * compare-exchange either way (the word it finds says who holds it). `false`: the slow path, which
   * also handles a dead owner and an unusable lock.
   */
  #enter(task: number): boolean {
    const seen = this.#mutex.takeOrPeek();
    const cells = this.#cells;
    if (seen === true) {
      this.#own(task, 1);
      return true;
    }
    if (!RobustMutex.heldBySelf(seen) || cells[OWNER_TASK] !== task) return false;
    // eslint-disable-next-line @lockstep/no-nonatomic-update -- only the thread holding the lock word writes COUNT (the rule cannot see the internal mutex)
    cells[COUNT] = cells[COUNT]! + 1;
    return true;
  }

  #acquireBlockingSlow(task: number, deadline: number): boolean {
    try {
      if (!this.#mutex.lockBlocking(deadline, 'RLock.acquire()', this.#cancel)) return false;
    } catch (error) {
      throw this.#ownIfOwnerDied(error, task);
    }
    this.#own(task, 1);
    return true;
  }

  // The options the validator hands it, which may carry a signal of its own (see hand-off-watch.ts).
  static readonly #attemptAsync = (lock: RLock, options: AsyncWaitOptions | undefined): Promise<boolean> => lock.#lockAsync(options);

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const validator = hook;
    if (validator !== undefined) {
      // An async acquisition re-enters only inside the task scope that owns the lock (see the class notes).
      const scope = currentTaskScope();
      return validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, RLock.#attemptAsync, scope !== undefined && this.#owns(scope), 1);
    }
    return this.#lockAsync(options);
  }

  #lockAsync(options: AsyncWaitOptions | undefined): Promise<boolean> {
    if (options === undefined) {
      const task = currentTaskScope() ?? anonymousOwnerId();
      return this.#enter(task) ? RESOLVED_TRUE : this.#lockAsyncFor(task, Infinity, undefined);
    }
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'RLock.acquireAsync()');
    const signal = signalFrom(options, 'RLock.acquireAsync()');
    throwIfAborted(signal);
    const task = currentTaskScope() ?? anonymousOwnerId();
    if (this.#reenter(task)) return true;
    return this.#lockAsyncFor(task, deadline, signal);
  }

  async #lockAsyncFor(task: number, deadline: number, signal: AbortSignal | undefined): Promise<boolean> {
    try {
      if (!(await this.#mutex.lockAsync(deadline, signal, 'RLock.acquireAsync()', this.#cancel))) return false;
    } catch (error) {
      throw this.#ownIfOwnerDied(error, task);
    }
    this.#own(task, 1);
    return true;
  }

  /** @throws OwnerDiedError (holding the lock), LockNotRecoverableError, as {@link acquire}. */
  tryAcquire(): boolean {
    const task = currentTaskScope() ?? THREAD_OWNER;
    if (this.#reenter(task)) {
      hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], true, 1);
      return true;
    }
    let got;
    try {
      got = this.#mutex.tryLock();
    } catch (error) {
      throw this.#ownIfOwnerDied(error, task);
    }
    if (!got) return false;
    this.#own(task, 1);
    hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], false, 1);
    return true;
  }

  /**
   * Gives up one level of ownership. Throws {@link LockStateError} when the lock is not held, is held
   * by another thread, or is held by another async task of this thread. The last release of a lock
   * taken from a dead owner without {@link markConsistent} leaves it not recoverable.
   */
  release(): void {
    const cells = this.#cells;
    // The last level, by the task that took it: the compare-exchange that frees the word proves this
    // thread held it (uncontended, consistent); anything else takes the checked path below. The task
    // and count are left as they are: no one reads them without holding the word (see #own).
    if (cells[COUNT] === 1) {
      const task = cells[OWNER_TASK]!;
      if ((task < 0 || task === (currentTaskScope() ?? THREAD_OWNER)) && this.#mutex.unlockQuick()) {
        hook?.released(this, (this as Validated)[VALIDATION_RECORD], 1);
        return;
      }
    }
    this.#checkOwned('release()');
    const count = this.#cells[COUNT]! - 1;
    if (count > 0) this.#cells[COUNT] = count;
    else this.#disown();
    hook?.released(this, (this as Validated)[VALIDATION_RECORD], 1);
  }

  /**
   * After an {@link OwnerDiedError}: declares the state this lock guards repaired, so that releasing
   * the lock frees it normally (pthread's `pthread_mutex_consistent`). Only the new owner may call it,
   * while it holds the lock.
   * @throws LockStateError when the caller does not own the lock, or its owner did not die.
   */
  markConsistent(): void {
    const mismatch = this.#ownerMismatch();
    if (mismatch !== undefined) throw new LockStateError(`RLock.markConsistent(): ${mismatch}`);
    this.#mutex.markConsistent('RLock.markConsistent()');
  }

  /** Whether the holder took the lock from a dead owner and has not called {@link markConsistent} yet. */
  get inconsistent(): boolean {
    return this.#mutex.inconsistent;
  }

  /** Whether the lock was released inconsistent and can never be acquired again. */
  get notRecoverable(): boolean {
    return this.#mutex.notRecoverable;
  }

  /**
   * Runs `fn` holding the lock, inside an async task scope: every `acquireAsync`/`holdAsync`/
   * `runExclusive` of this lock made by `fn` or by work it starts is a re-entry, not a wait.
   */
  override runExclusive<T>(fn: () => T | Promise<T>, options?: AsyncWaitOptions): Promise<T> {
    if (currentTaskScope() !== undefined) return super.runExclusive(fn, options);
    return runInNewTaskScope(() => super.runExclusive(fn, options));
  }

  /** Whether the calling thread (and async task, if the owner is one) owns the lock. */
  isOwnedByCaller(): boolean {
    return this.#ownerMismatch() === undefined;
  }

  /** For `Condition.wait`: releases every level of ownership at once and says what to restore. */
  releaseFully(): RLockSavedState {
    this.#checkOwned('Condition.wait()');
    const saved = { task: Atomics.load(this.#cells, OWNER_TASK), count: this.#cells[COUNT]! };
    this.#disown();
    return saved;
  }

  /**
   * For `Condition.wait`: takes the lock back for the same owner with the same depth.
   * @throws OwnerDiedError holding it, restored, when a thread died holding it meanwhile.
   */
  restoreBlocking(saved: RLockSavedState): void {
    try {
      this.#mutex.lockBlocking(Infinity, 'Condition.wait()');
    } catch (error) {
      throw this.#ownIfOwnerDied(error, saved.task, saved.count);
    }
    this.#own(saved.task, saved.count);
  }

  async restoreAsync(saved: RLockSavedState): Promise<void> {
    try {
      await this.#mutex.lockAsync(Infinity, undefined);
    } catch (error) {
      throw this.#ownIfOwnerDied(error, saved.task, saved.count);
    }
    this.#own(saved.task, saved.count);
  }

  /**
   * Waits until the lock is free, without taking it (async-mutex's `waitForUnlock`). An owner found
   * dead counts as free: nothing is repaired, and the next acquisition throws {@link OwnerDiedError}
   * holding the lock, as usual. By the time it returns another thread may hold the lock again.
   *
   * @returns `true` once the lock is free, `false` when `timeout` ran out first.
   * @throws LockStateError when this thread holds the lock: it would wait for itself forever.
   * BlockingNotAllowedError on a thread that may not block, when it would wait.
   * {@link WaitCancelledError} when {@link cancelWaiters} runs meanwhile. LockNotRecoverableError
   * for a lock that can never be free again.
   *
   * @example
   * ```ts
   * if (rlock.waitForUnlock({ timeout: 500 })) readTotals();
   * ```
   */
  waitForUnlock(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'RLock.waitForUnlock()');
    // Any task of this thread: a blocked thread runs none of them, so none could release it.
    if (this.#mutex.heldByCaller) throw new LockStateError('RLock.waitForUnlock(): this thread holds the RLock; waiting for it to be free would never end');
    return this.#mutex.waitUnlockedBlocking(deadline, 'RLock.waitForUnlock()', this.#cancel);
  }

  /**
   * Async twin of {@link waitForUnlock}. Rejects with {@link LockStateError} when the caller owns the
   * lock (this thread outside any task, or the same `runExclusive` task); another async task of this
   * thread holding it is waited for, as another thread would be. Rejects with the signal's reason on abort.
   *
   * @example
   * ```ts
   * await rlock.waitForUnlockAsync({ timeout: 500, signal });
   * ```
   */
  async waitForUnlockAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'RLock.waitForUnlockAsync()');
    const signal = signalFrom(options, 'RLock.waitForUnlockAsync()');
    throwIfAborted(signal);
    const task = currentTaskScope() ?? THREAD_OWNER;
    if (this.#mutex.heldByCaller && Atomics.load(this.#cells, OWNER_TASK) === task) {
      throw new LockStateError('RLock.waitForUnlockAsync(): the caller holds the RLock; waiting for it to be free would never end');
    }
    return this.#mutex.waitUnlockedAsync(deadline, signal, 'RLock.waitForUnlockAsync()', this.#cancel);
  }

  /**
   * Cancels every wait on this lock in progress now, in every thread: each waiting `acquire`,
   * `acquireAsync`, `hold`, `holdAsync`, `runExclusive`, `waitForUnlock` and `waitForUnlockAsync`
   * throws (or rejects with) {@link WaitCancelledError}, its `cause` the `reason` on this thread (the
   * message of the others names this thread). The owner keeps the lock; later calls wait as usual.
   * `Condition.wait` re-acquiring this lock is not cancelled: it must return holding the lock.
   *
   * @example
   * ```ts
   * rlock.cancelWaiters('reconfiguring');
   * ```
   */
  cancelWaiters(reason?: unknown): void {
    this.#cancel.cancel(reason);
    this.#mutex.wakeAll();
  }

  protected get displayName(): string {
    return 'RLock';
  }

  /** An acquisition threw: if it took the lock from a dead owner, record the new owner before rethrowing. */
  #ownIfOwnerDied(error: unknown, task: number, count = 1): unknown {
    if (error instanceof OwnerDiedError) this.#own(task, count);
    return error;
  }

  /** Whether `task` of this thread owns the lock, so that taking it again is a re-entry. */
  #owns(task: number): boolean {
    return this.#mutex.heldByCaller && this.#cells[OWNER_TASK] === task;
  }

  #reenter(task: number): boolean {
    const cells = this.#cells;
    if (!this.#owns(task)) return false;
    // eslint-disable-next-line @lockstep/no-nonatomic-update -- only the thread holding the lock word writes COUNT (the rule cannot see the internal mutex)
    cells[COUNT] = cells[COUNT]! + 1;
    return true;
  }

  // The owner's task and count are written and read only by the thread holding the lock (others test
  // `heldByCaller` on the lock word first), and the lock word's compare-exchange orders them between
  // holders: plain stores suffice, and spare an RLock two fences per acquisition.
  #own(task: number, count: number): void {
    const cells = this.#cells;
    cells[OWNER_TASK] = task;
    cells[COUNT] = count;
  }

  #disown(): void {
    const cells = this.#cells;
    cells[COUNT] = 0;
    cells[OWNER_TASK] = 0;
    this.#mutex.unlock();
  }

  #ownerMismatch(): string | undefined {
    const mutex = this.#mutex;
    if (!mutex.heldByCaller) {
      const owner = mutex.ownerIdent;
      return owner === NO_OWNER ? 'the RLock is not held' : `the RLock is owned by thread ${owner}`;
    }
    const ownerTask = this.#cells[OWNER_TASK]!;
    // Negative: taken by an async acquisition outside any scope, whose task we cannot recognise again.
    if (ownerTask < 0) return undefined;
    const caller = currentTaskScope() ?? THREAD_OWNER;
    if (ownerTask !== caller) return 'the RLock is owned by another async task of this thread';
    return undefined;
  }

  #checkOwned(operation: string): void {
    const mismatch = this.#ownerMismatch();
    if (mismatch !== undefined) throw new LockStateError(`${operation}: cannot release: ${mismatch}`);
  }
}
