import { Acquirable } from './acquirable.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { LockStateError } from './errors.js';
import { FAIR_MUTEX_CELLS, FairMutex } from './internal/fair-mutex.js';
import { MUTEX_CELLS, MutexCells } from './internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { ROBUST_MUTEX_CELLS, RobustMutex } from './internal/robust-mutex.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { giveName, hook, nameFromHandle, nameOption, withName, VALIDATION_RECORD, type Validated } from './internal/validation-hook.js';
import { CANCEL_CELLS, WaitCancellation } from './internal/wait-cancel.js';

/** Structured-clonable reference to a {@link Lock}; pass it to a worker and rebuild with {@link Lock.from}. */
export type LockHandle = CellsHandle<'Lock'> & {
  /** Present (`true`) on the handle of a lock created with `{ robust: true }`. */
  readonly robust?: true;
  /** Present (`true`) on the handle of a lock created with `{ fair: true }`: the rebuilt lock is fair too. */
  readonly fair?: true;
};

/** Options of `new Lock()`. */
export interface LockOptions {
  /**
   * Record the owner, so that a lock whose holder dies is reported to its next acquirer with
   * {@link OwnerDiedError} (which then holds it, and must call {@link Lock.markConsistent} before
   * releasing), as an `RLock` always is. Off by default: a plain lock records nothing. Any thread may
   * still release a robust lock.
   */
  readonly robust?: boolean | undefined;
  /**
   * Strict FIFO: the lock goes to the waiter that has waited longest, always; a newcomer never takes
   * it while anyone waits (a ticket lock). Off by default, because it is slower under contention: every
   * release then waits for a sleeping thread to wake up (the convoy that the default eventual fairness
   * avoids; see the figures in docs/primitives.md). Timeouts, `AbortSignal` and {@link Lock.cancelWaiters}
   * work as usual, a waiter that gives up leaving its place to the next. Strict among the first 64
   * waiters; further ones queue for a place in line. Cannot be combined with `robust` (a `TypeError`).
   */
  readonly fair?: boolean | undefined;
  /**
   * The lock's class for the run-time validator (`@lockstep/primitives/validate`): `lockstep`'s id,
   * like `src/db.ts#Pool.lock`, instead of the one named after the line that creates it. Carried by
   * the handle, so `Lock.from(handle)` in a worker is the same class.
   */
  readonly name?: string | undefined;
}

type Mutex = MutexCells | RobustMutex | FairMutex;
type Flavour = 'plain' | 'robust' | 'fair';

/** Each flavour's mutex cells, then the cancellation cells: the whole layout of a `Lock`. */
function mutexCellsOf(flavour: Flavour): number {
  return flavour === 'robust' ? ROBUST_MUTEX_CELLS : flavour === 'fair' ? FAIR_MUTEX_CELLS : MUTEX_CELLS;
}

/**
 * The lock's cells: its mutex's, its cancellation's, and one that says which mutex it is. The handle's
 * `fair`/`robust` flags say it too, but a handle is a plain object anyone can change: two threads
 * running different protocols on one word would corrupt it, so `from` checks the flags against this.
 */
function lockCellsOf(flavour: Flavour): number {
  return mutexCellsOf(flavour) + CANCEL_CELLS + 1;
}

const FLAVOUR_CODES: Readonly<Record<Flavour, number>> = { plain: 1, fair: 2, robust: 3 };

function flagMismatch(flavour: Flavour, options?: ErrorOptions): RangeError {
  const said = flavour === 'plain' ? 'neither fair nor robust' : `${flavour}: true`;
  return new RangeError(`Lock.from(handle): the handle says ${said}, which is not the lock its buffer holds: pass a lock's .handle as it is`, options);
}

function buildMutex(flavour: Flavour, cells: Int32Array): Mutex {
  if (flavour === 'robust') return new RobustMutex(cells, 0, 'Lock');
  return flavour === 'fair' ? new FairMutex(cells) : new MutexCells(cells);
}

/**
 * A mutual-exclusion lock shared by every thread that holds its handle: Python's `threading.Lock`.
 *
 * It has no owner: any thread may release it, and releasing it when it is not held throws
 * {@link LockStateError}. Re-acquiring it on the thread that holds it blocks (self-deadlock); use
 * {@link RLock} for re-entry. Waiters are served in arrival order once they have waited ~1 ms; before
 * that a released lock goes to whoever asks first, which keeps brief contention fast. `{ fair: true }`
 * makes it strictly first come, first served.
 *
 * @example
 * ```ts
 * // main.ts
 * const lock = new Lock();
 * const counter = new Int32Array(new SharedArrayBuffer(4));
 * new Worker(new URL('./worker.ts', import.meta.url), { workerData: { lock: lock.handle, counter } });
 *
 * // worker.ts (TypeScript, or any runtime that supports `using`)
 * const lock = Lock.from(workerData.lock);
 * for (let i = 0; i < 1000; i++) {
 *   using _ = lock.hold();           // released on every exit, exceptions included
 *   workerData.counter[0] += 1;
 * }
 *
 * // any thread, the main one included
 * await using _ = await lock.holdAsync({ timeout: 100 });
 * ```
 */
export class Lock extends Acquirable {
  readonly #mutex: Mutex;
  readonly #cancel: WaitCancellation;

  constructor(options?: LockOptions) {
    super();
    const adopted = takeAdopted<{ cells: Int32Array; flavour: Flavour }>();
    if (adopted !== undefined) {
      this.#mutex = buildMutex(adopted.flavour, adopted.cells);
      this.#cancel = new WaitCancellation(adopted.cells, mutexCellsOf(adopted.flavour), 'Lock');
      hook?.created(this, 'Lock', true);
      return;
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError('new Lock(options): options must be an object like { robust: true } or { fair: true }');
    }
    const robust = options?.robust === true;
    const fair = options?.fair === true;
    if (robust && fair) {
      throw new TypeError('new Lock(options): a lock cannot be both fair and robust (a fair lock does not record its owner)');
    }
    const flavour: Flavour = robust ? 'robust' : fair ? 'fair' : 'plain';
    giveName(this, nameOption(options, 'new Lock(options)'));
    const cells = allocateCells(lockCellsOf(flavour));
    cells[lockCellsOf(flavour) - 1] = FLAVOUR_CODES[flavour];
    this.#mutex = buildMutex(flavour, cells);
    this.#cancel = new WaitCancellation(cells, mutexCellsOf(flavour), 'Lock');
    hook?.created(this, 'Lock', false);
  }

  /** Rebuilds, in this thread, the lock a handle refers to: the same lock, not a copy (robust or fair if it is). */
  static from(handle: LockHandle): Lock {
    const given = handle as Partial<LockHandle> | null;
    const flavour: Flavour = given?.robust === true ? 'robust' : given?.fair === true ? 'fair' : 'plain';
    let cells: Int32Array;
    try {
      cells = cellsFromHandle(handle, 'Lock', lockCellsOf(flavour));
    } catch (error) {
      // The flag is the handle's: one set by hand on a plain lock's handle asks for cells it has not.
      if (error instanceof RangeError && flavour !== 'plain') throw flagMismatch(flavour, { cause: error });
      throw error;
    }
    if (Atomics.load(cells, lockCellsOf(flavour) - 1) !== FLAVOUR_CODES[flavour]) throw flagMismatch(flavour);
    return nameFromHandle(constructAdopting({ cells, flavour }, () => new Lock()), handle, 'Lock.from(handle)');
  }

  get handle(): LockHandle {
    const handle = withName(this, handleOf('Lock', this.#mutex.cells));
    if (this.#mutex instanceof RobustMutex) return { ...handle, robust: true };
    return this.#mutex instanceof FairMutex ? { ...handle, fair: true } : handle;
  }

  /** Whether the lock was created with `{ fair: true }` (strict FIFO). */
  get fair(): boolean {
    return this.#mutex instanceof FairMutex;
  }

  /** Whether the lock was created with `{ robust: true }`. */
  get robust(): boolean {
    return this.#mutex instanceof RobustMutex;
  }

  /**
   * A robust lock, after an {@link OwnerDiedError}: declares the guarded state repaired, so releasing
   * the lock frees it normally. Only the thread that holds it may call it.
   * @throws LockStateError when the lock is not robust, not held by this thread, or consistent.
   */
  markConsistent(): void {
    const mutex = this.#mutex;
    if (!(mutex instanceof RobustMutex)) throw new LockStateError('Lock.markConsistent(): this lock is not robust (new Lock({ robust: true }))');
    mutex.markConsistent('Lock.markConsistent()');
  }

  /** Whether some thread holds the lock now. */
  get locked(): boolean {
    return this.#mutex.isLocked;
  }

  acquire(options?: WaitOptions): boolean {
    const validator = hook;
    if (validator !== undefined) return validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, Lock.#attemptBlocking, false, 1);
    return this.#lockBlocking(options);
  }

  /** The validator's way in to the acquisitions: made once, not a closure per call. */
  static readonly #attemptBlocking = (lock: Lock, options: WaitOptions | undefined): boolean => lock.#lockBlocking(options);
  static readonly #attemptAsync = (lock: Lock, options: AsyncWaitOptions | undefined): Promise<boolean> => lock.#lockAsync(options);

  #lockBlocking(options: WaitOptions | undefined): boolean {
    // Uncontended and without options: one compare-exchange, no deadline to work out.
    if (options === undefined && this.#mutex.tryLock()) return true;
    return this.#mutex.lockBlocking(deadlineFrom(options, 'Lock.acquire()'), 'Lock.acquire()', this.#cancel);
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const validator = hook;
    if (validator !== undefined) return validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, Lock.#attemptAsync, false, 1);
    return this.#lockAsync(options);
  }

  #lockAsync(options: AsyncWaitOptions | undefined): Promise<boolean> {
    if (options === undefined && this.#mutex.tryLock()) return RESOLVED_TRUE;
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Lock.acquireAsync()');
    const signal = signalFrom(options, 'Lock.acquireAsync()');
    throwIfAborted(signal);
    return this.#mutex.lockAsync(deadline, signal, 'Lock.acquireAsync()', this.#cancel);
  }

  tryAcquire(): boolean {
    const taken = this.#mutex.tryLock();
    if (taken) hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], false, 1);
    return taken;
  }

  /** Releases the lock, from any thread. Throws {@link LockStateError} if it is not held. */
  release(): void {
    this.#mutex.unlock(describeLock);
    hook?.released(this, (this as Validated)[VALIDATION_RECORD], 1);
  }

  /**
   * Waits until the lock is free, without taking it: async-mutex's `waitForUnlock`, for code that
   * must not start while some critical section runs but need not exclude others itself. By the time
   * it returns another thread may have taken the lock again; it says the lock was free at one moment.
   * A fair lock counts as free only when nobody holds it and nobody waits in line.
   *
   * A robust lock whose holder died counts as free as soon as the death is seen: this call repairs
   * nothing, and the next acquisition takes the lock over with {@link OwnerDiedError} as usual.
   *
   * @returns `true` once the lock is free, `false` when `timeout` ran out first.
   * @throws BlockingNotAllowedError on a thread that may not block, when the lock is held (a free lock
   * returns `true` at once on any thread). {@link WaitCancelledError} when {@link cancelWaiters} runs
   * meanwhile. LockNotRecoverableError for a robust lock that can never be free again.
   *
   * @example
   * ```ts
   * // worker: wait for the writer's batch to finish before reading, without blocking other readers
   * if (!lock.waitForUnlock({ timeout: 1_000 })) throw new Error('the writer is stuck');
   * readSnapshot();
   * ```
   */
  waitForUnlock(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'Lock.waitForUnlock()');
    return this.#mutex.waitUnlockedBlocking(deadline, 'Lock.waitForUnlock()', this.#cancel);
  }

  /**
   * Async twin of {@link waitForUnlock}, usable on any thread: resolves `true` once the lock is free,
   * `false` on timeout; rejects with the signal's reason when `signal` aborts, as {@link acquireAsync}.
   *
   * @example
   * ```ts
   * await lock.waitForUnlockAsync({ signal: AbortSignal.timeout(5_000) });
   * ```
   */
  waitForUnlockAsync(options?: AsyncWaitOptions): Promise<boolean> {
    if (options === undefined && !this.#mutex.isLocked) return RESOLVED_TRUE;
    return this.#waitForUnlockSlow(options);
  }

  async #waitForUnlockSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Lock.waitForUnlockAsync()');
    const signal = signalFrom(options, 'Lock.waitForUnlockAsync()');
    throwIfAborted(signal);
    return this.#mutex.waitUnlockedAsync(deadline, signal, 'Lock.waitForUnlockAsync()', this.#cancel);
  }

  /**
   * Cancels every wait on this lock in progress now, in every thread: each `acquire`, `acquireAsync`,
   * `hold`, `holdAsync`, `runExclusive`, `waitForUnlock` and `waitForUnlockAsync` call that is waiting
   * throws (or rejects with) {@link WaitCancelledError}, whose `cause` is `reason` for the calls on this
   * thread (a JS value cannot cross threads; the message of the others names this thread). async-mutex's
   * `cancel()`. The holder keeps the lock, and calls made afterwards wait as usual. A `Condition` built
   * on this lock re-acquires it with `acquire`, so a `Condition.wait` re-acquiring it meanwhile throws too.
   *
   * A waiter notices at once when it is asleep, and within 50 ms in the rare case where it was just
   * about to fall asleep when the cancellation came.
   *
   * @example
   * ```ts
   * // shutting down: nobody should go on waiting for the job lock
   * jobLock.cancelWaiters(new Error('shutting down'));
   * try { await jobLock.acquireAsync(); } catch (error) {
   *   if (error instanceof WaitCancelledError) console.log('stopped waiting:', error.cause);
   * }
   * ```
   */
  cancelWaiters(reason?: unknown): void {
    this.#cancel.cancel(reason);
    this.#mutex.wakeAll();
  }

  protected get displayName(): string {
    return 'Lock';
  }
}

function describeLock(): string {
  return 'Lock';
}
