import { Acquirable } from './acquirable.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { LockStateError } from './errors.js';
import { MUTEX_CELLS, MutexCells } from './internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { ROBUST_MUTEX_CELLS, RobustMutex } from './internal/robust-mutex.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to a {@link Lock}; pass it to a worker and rebuild with {@link Lock.from}. */
export type LockHandle = CellsHandle<'Lock'> & {
  /** Present (`true`) on the handle of a lock created with `{ robust: true }`. */
  readonly robust?: true;
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
}

/**
 * A mutual-exclusion lock shared by every thread that holds its handle: Python's `threading.Lock`.
 *
 * It has no owner: any thread may release it, and releasing it when it is not held throws
 * {@link LockStateError}. Re-acquiring it on the thread that holds it blocks (self-deadlock); use
 * {@link RLock} for re-entry. Waiters are served in arrival order once they have waited ~1 ms; before
 * that a released lock goes to whoever asks first, which keeps brief contention fast.
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
  readonly #mutex: MutexCells | RobustMutex;

  constructor(options?: LockOptions) {
    super();
    const adopted = takeAdopted<{ cells: Int32Array; robust: boolean }>();
    if (adopted !== undefined) {
      this.#mutex = adopted.robust ? new RobustMutex(adopted.cells, 0, 'Lock') : new MutexCells(adopted.cells);
      return;
    }
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError('new Lock(options): options must be an object like { robust: true }');
    }
    this.#mutex = options?.robust === true ? new RobustMutex(allocateCells(ROBUST_MUTEX_CELLS), 0, 'Lock') : new MutexCells(allocateCells(MUTEX_CELLS));
  }

  /** Rebuilds, in this thread, the lock a handle refers to: the same lock, not a copy (robust if it is). */
  static from(handle: LockHandle): Lock {
    const robust = (handle as Partial<LockHandle> | null)?.robust === true;
    const cells = cellsFromHandle(handle, 'Lock', robust ? ROBUST_MUTEX_CELLS : MUTEX_CELLS);
    return constructAdopting({ cells, robust }, () => new Lock());
  }

  get handle(): LockHandle {
    const handle = handleOf('Lock', this.#mutex.cells);
    return this.#mutex instanceof RobustMutex ? { ...handle, robust: true } : handle;
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
    return this.#mutex.lockBlocking(deadlineFrom(options, 'Lock.acquire()'), 'Lock.acquire()');
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    if (options === undefined && this.#mutex.tryLock()) return RESOLVED_TRUE;
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Lock.acquireAsync()');
    const signal = signalFrom(options, 'Lock.acquireAsync()');
    throwIfAborted(signal);
    return this.#mutex.lockAsync(deadline, signal);
  }

  tryAcquire(): boolean {
    return this.#mutex.tryLock();
  }

  /** Releases the lock, from any thread. Throws {@link LockStateError} if it is not held. */
  release(): void {
    this.#mutex.unlock(describeLock);
  }

  protected get displayName(): string {
    return 'Lock';
  }
}

function describeLock(): string {
  return 'Lock';
}
