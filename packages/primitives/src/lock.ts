import { Acquirable } from './acquirable.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { MUTEX_CELLS, MutexCells } from './internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to a {@link Lock}; pass it to a worker and rebuild with {@link Lock.from}. */
export type LockHandle = CellsHandle<'Lock'>;

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
  readonly #mutex: MutexCells;

  constructor() {
    super();
    this.#mutex = new MutexCells(takeAdopted<Int32Array>() ?? allocateCells(MUTEX_CELLS));
  }

  /** Rebuilds, in this thread, the lock a handle refers to: the same lock, not a copy. */
  static from(handle: LockHandle): Lock {
    return constructAdopting(cellsFromHandle(handle, 'Lock', MUTEX_CELLS), () => new Lock());
  }

  get handle(): LockHandle {
    return handleOf('Lock', this.#mutex.cells);
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
    this.#mutex.unlock(() => 'Lock');
  }

  protected get displayName(): string {
    return 'Lock';
  }
}
