import { Acquirable } from './acquirable.js';
import { LockStateError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { assertCanBlock } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { SEQUENCE_CELLS, SequenceCells } from './internal/sequence-cells.js';
import { allocateCells, cellsFromHandle, type CellsHandle } from './internal/shared-cells.js';
import { Lock, type LockHandle } from './lock.js';
import { RLock, type RLockHandle, type RLockSavedState } from './rlock.js';

/** Structured-clonable reference to a {@link Condition} and its lock. */
export interface ConditionHandle extends CellsHandle<'Condition'> {
  readonly lock: LockHandle | RLockHandle;
}

const CONDITION_CELLS = SEQUENCE_CELLS;

/**
 * A condition variable: Python's `threading.Condition`. Threads (and async tasks) wait on it, holding
 * its lock, until another notifies them.
 *
 * `wait()` needs the lock held, releases it fully while sleeping (every level of an `RLock`), and holds
 * it again when it returns, whether notified, timed out, or (async) aborted. `notify(n)` wakes at most
 * `n` waiters, oldest first; both throw {@link LockStateError} without the lock. A waiter must re-check
 * its predicate after waking, because another thread may have consumed the state first: `waitFor` loops
 * for you.
 *
 * @example
 * ```ts
 * const cond = new Condition();                  // a new RLock inside, like Python
 * // consumer (a worker)
 * using _ = cond.hold();
 * cond.waitFor(() => buffer.length > 0);         // not `if (...) wait()`: loop until it holds
 * const item = buffer.shift();
 * // producer
 * using _ = cond.hold();
 * buffer.push(item);
 * cond.notify();
 * ```
 */
export class Condition extends Acquirable {
  readonly #cells: Int32Array;
  readonly #waiters: SequenceCells;
  readonly #lock: Lock | RLock;

  /** @param lock The lock to use; a new {@link RLock} by default. */
  constructor(lock?: Lock | RLock) {
    super();
    const adopted = takeAdopted<{ cells: Int32Array; lock: Lock | RLock }>();
    if (adopted !== undefined) {
      this.#cells = adopted.cells;
      this.#waiters = new SequenceCells(adopted.cells, 0);
      this.#lock = adopted.lock;
      return;
    }
    if (lock !== undefined && !(lock instanceof Lock) && !(lock instanceof RLock)) {
      throw new TypeError('new Condition(lock): lock must be a Lock or an RLock');
    }
    this.#lock = lock ?? new RLock();
    this.#cells = allocateCells(CONDITION_CELLS);
    this.#waiters = new SequenceCells(this.#cells, 0);
  }

  /** Rebuilds, in this thread, the condition (and its lock) a handle refers to. */
  static from(handle: ConditionHandle): Condition {
    const cells = cellsFromHandle(handle, 'Condition', CONDITION_CELLS);
    const lockHandle = handle.lock as Partial<LockHandle | RLockHandle> | undefined;
    const lock = lockHandle?.kind === 'RLock' ? RLock.from(lockHandle as RLockHandle) : Lock.from(lockHandle as LockHandle);
    return constructAdopting({ cells, lock }, () => new Condition());
  }

  get handle(): ConditionHandle {
    return { kind: 'Condition', buffer: this.#cells.buffer as SharedArrayBuffer, byteOffset: this.#cells.byteOffset, lock: this.#lock.handle };
  }

  /** The lock this condition waits with. */
  get lock(): Lock | RLock {
    return this.#lock;
  }

  acquire(options?: WaitOptions): boolean {
    return this.#lock.acquire(options);
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    return this.#lock.acquireAsync(options);
  }

  tryAcquire(): boolean {
    return this.#lock.tryAcquire();
  }

  release(): void {
    this.#lock.release();
  }

  override runExclusive<T>(fn: () => T | Promise<T>, options?: AsyncWaitOptions): Promise<T> {
    return this.#lock.runExclusive(fn, options);
  }

  /**
   * Releases the lock, sleeps until notified or until `timeout`, and re-acquires the lock.
   * @returns `false` if the timeout ran out, else `true`.
   * @throws LockStateError when the lock is not held.
   */
  wait(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'Condition.wait()');
    assertCanBlock('Condition.wait()');
    const snapshot = this.#enterWait('wait()');
    const saved = this.#releaseFully();
    let result;
    try {
      result = this.#waiters.waitBlocking(snapshot, remaining(deadline), 'Condition.wait()');
    } finally {
      this.#waiters.unregister();
      this.#restoreBlocking(saved);
    }
    return result !== 'timed-out';
  }

  /** Async twin of {@link wait}. On abort the lock is held again before the promise rejects. */
  async waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Condition.waitAsync()');
    const signal = signalFrom(options, 'Condition.waitAsync()');
    this.#checkOwned('waitAsync()');
    throwIfAborted(signal);
    const snapshot = this.#waiters.register();
    const saved = this.#releaseFully();
    let result;
    try {
      result = await this.#waiters.waitAsync(snapshot, remaining(deadline), signal);
    } finally {
      this.#waiters.unregister();
      await this.#restoreAsync(saved);
    }
    return result !== 'timed-out';
  }

  /**
   * Waits until `predicate()` returns a truthy value, re-checking after every wake-up, at most `timeout`
   * in all. Returns the predicate's last value (falsy only on timeout).
   */
  waitFor<T>(predicate: () => T, options?: WaitOptions): T {
    const deadline = deadlineFrom(options, 'Condition.waitFor()');
    let result = predicate();
    while (!result) {
      const timeout = remaining(deadline);
      if (timeout === 0) break;
      this.wait({ timeout });
      result = predicate();
    }
    return result;
  }

  /** Async twin of {@link waitFor}. */
  async waitForAsync<T>(predicate: () => T, options?: AsyncWaitOptions): Promise<T> {
    const deadline = deadlineFrom(options, 'Condition.waitForAsync()');
    const signal = signalFrom(options, 'Condition.waitForAsync()');
    let result = predicate();
    while (!result) {
      const timeout = remaining(deadline);
      if (timeout === 0) break;
      await this.waitAsync({ timeout, signal });
      result = predicate();
    }
    return result;
  }

  /**
   * Wakes at most `n` waiters, oldest first. The lock must be held.
   * @throws LockStateError when the lock is not held; RangeError when `n` is not a non-negative integer.
   */
  notify(n = 1): void {
    if (typeof n !== 'number' || !(Number.isInteger(n) || n === Infinity) || n < 0) {
      throw new RangeError(`Condition.notify(): n must be a non-negative integer, got ${String(n)}`);
    }
    this.#checkOwned('notify()');
    if (n === 0) return;
    this.#waiters.notify(n);
  }

  /** Wakes every waiter. The lock must be held. */
  notifyAll(): void {
    this.#checkOwned('notifyAll()');
    this.#waiters.notify(Infinity);
  }

  protected get displayName(): string {
    return 'Condition';
  }

  /** Registers while the lock is still held, so no notify can fall between the check and the sleep. */
  #enterWait(operation: string): number {
    this.#checkOwned(operation);
    return this.#waiters.register();
  }

  #isOwned(): boolean {
    // A plain Lock has no owner; like Python we can only tell whether it is held at all.
    return this.#lock instanceof RLock ? this.#lock.isOwnedByCaller() : this.#lock.locked;
  }

  #checkOwned(operation: string): void {
    if (!this.#isOwned()) throw new LockStateError(`Condition.${operation} on an un-acquired lock`);
  }

  #releaseFully(): RLockSavedState | undefined {
    if (this.#lock instanceof RLock) return this.#lock.releaseFully();
    this.#lock.release();
    return undefined;
  }

  #restoreBlocking(saved: RLockSavedState | undefined): void {
    // eslint-disable-next-line @lockstep/no-unreleased-lock -- wait() gives the lock back to its caller held, as it found it
    if (saved === undefined) (this.#lock as Lock).acquire();
    else (this.#lock as RLock).restoreBlocking(saved);
  }

  async #restoreAsync(saved: RLockSavedState | undefined): Promise<void> {
    // eslint-disable-next-line @lockstep/no-unreleased-lock -- waitAsync() gives the lock back to its caller held, as it found it
    if (saved === undefined) await (this.#lock as Lock).acquireAsync();
    else await (this.#lock as RLock).restoreAsync(saved);
  }
}
