import { Acquirable } from './acquirable.js';
import { LockStateError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { anonymousOwnerId, currentTaskScope, runInNewTaskScope, THREAD_OWNER } from './internal/async-task.js';
import { MUTEX_CELLS, MutexCells } from './internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { currentThreadIdent } from './internal/thread-context.js';

/** Structured-clonable reference to an {@link RLock}. */
export type RLockHandle = CellsHandle<'RLock'>;

const OWNER_THREAD = MUTEX_CELLS;
const OWNER_TASK = MUTEX_CELLS + 1;
const COUNT = MUTEX_CELLS + 2;
const RLOCK_CELLS = MUTEX_CELLS + 3;
const NO_THREAD = -1;

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
 */
export class RLock extends Acquirable {
  readonly #cells: Int32Array;
  readonly #mutex: MutexCells;

  constructor() {
    super();
    this.#cells = takeAdopted<Int32Array>() ?? RLock.#allocate();
    this.#mutex = new MutexCells(this.#cells);
  }

  static #allocate(): Int32Array {
    const cells = allocateCells(RLOCK_CELLS);
    cells[OWNER_THREAD] = NO_THREAD;
    return cells;
  }

  /** Rebuilds, in this thread, the lock a handle refers to. */
  static from(handle: RLockHandle): RLock {
    return constructAdopting(cellsFromHandle(handle, 'RLock', RLOCK_CELLS), () => new RLock());
  }

  get handle(): RLockHandle {
    return handleOf('RLock', this.#cells);
  }

  /** Whether any thread or task holds the lock now. */
  get locked(): boolean {
    return this.#mutex.isLocked;
  }

  acquire(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'RLock.acquire()');
    const task = currentTaskScope() ?? THREAD_OWNER;
    if (this.#reenter(task)) return true;
    if (!this.#mutex.lockBlocking(deadline, 'RLock.acquire()')) return false;
    this.#own(task, 1);
    return true;
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    if (options === undefined) {
      const task = currentTaskScope() ?? anonymousOwnerId();
      if (this.#reenter(task)) return RESOLVED_TRUE;
      if (this.#mutex.tryLock()) {
        this.#own(task, 1);
        return RESOLVED_TRUE;
      }
    }
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const deadline = deadlineFrom(options, 'RLock.acquireAsync()');
    const signal = signalFrom(options, 'RLock.acquireAsync()');
    throwIfAborted(signal);
    const task = currentTaskScope() ?? anonymousOwnerId();
    if (this.#reenter(task)) return true;
    if (!(await this.#mutex.lockAsync(deadline, signal))) return false;
    this.#own(task, 1);
    return true;
  }

  tryAcquire(): boolean {
    const task = currentTaskScope() ?? THREAD_OWNER;
    if (this.#reenter(task)) return true;
    if (!this.#mutex.tryLock()) return false;
    this.#own(task, 1);
    return true;
  }

  /**
   * Gives up one level of ownership. Throws {@link LockStateError} when the lock is not held, is held
   * by another thread, or is held by another async task of this thread.
   */
  release(): void {
    this.#checkOwned('release()');
    const count = this.#cells[COUNT]! - 1;
    if (count > 0) {
      this.#cells[COUNT] = count;
      return;
    }
    this.#disown();
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

  /** For `Condition.wait`: takes the lock back for the same owner with the same depth. */
  restoreBlocking(saved: RLockSavedState): void {
    this.#mutex.lockBlocking(Infinity, 'Condition.wait()');
    this.#own(saved.task, saved.count);
  }

  async restoreAsync(saved: RLockSavedState): Promise<void> {
    await this.#mutex.lockAsync(Infinity, undefined);
    this.#own(saved.task, saved.count);
  }

  protected get displayName(): string {
    return 'RLock';
  }

  #reenter(task: number): boolean {
    const cells = this.#cells;
    if (Atomics.load(cells, OWNER_THREAD) !== currentThreadIdent() || Atomics.load(cells, OWNER_TASK) !== task) return false;
    cells[COUNT] = cells[COUNT]! + 1;
    return true;
  }

  #own(task: number, count: number): void {
    const cells = this.#cells;
    Atomics.store(cells, OWNER_TASK, task);
    Atomics.store(cells, OWNER_THREAD, currentThreadIdent());
    cells[COUNT] = count;
  }

  #disown(): void {
    const cells = this.#cells;
    cells[COUNT] = 0;
    Atomics.store(cells, OWNER_THREAD, NO_THREAD);
    Atomics.store(cells, OWNER_TASK, 0);
    this.#mutex.unlock(() => 'RLock');
  }

  #ownerMismatch(): string | undefined {
    const cells = this.#cells;
    const ownerThread = Atomics.load(cells, OWNER_THREAD);
    if (ownerThread === NO_THREAD) return 'the RLock is not held';
    if (ownerThread !== currentThreadIdent()) return `the RLock is owned by thread ${ownerThread}`;
    const ownerTask = Atomics.load(cells, OWNER_TASK);
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
