import { CountBelowZeroError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { waitBlocking, waitNonBlocking } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to a {@link CountDownLatch}. */
export type CountDownLatchHandle = CellsHandle<'CountDownLatch'>;

/** Structured-clonable reference to a {@link WaitGroup}. */
export type WaitGroupHandle = CellsHandle<'WaitGroup'>;

// One layout for both classes: the count, and a generation that every drop to zero bumps. Waiters
// sleep on the generation (as Event's do), so a count that reaches zero and is raised again at once
// (a WaitGroup reused) still releases everyone who was waiting for that zero.
const COUNT = 0;
const GENERATION = 1;
const COUNTER_CELLS = 2;
const MAX_COUNT = 0x7fff_ffff;

function checkCount(value: number, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_COUNT) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_COUNT}, got ${String(value)}`);
  }
}

/**
 * Adds `delta` (any sign) to the count, atomically; wakes every waiter when it reaches zero. The count
 * never goes below zero, nor above {@link MAX_COUNT}: such a change is refused and nothing changes.
 */
function addToCount(cells: Int32Array, delta: number, method: string): number {
  for (;;) {
    const count = Atomics.load(cells, COUNT);
    const next = count + delta;
    if (next < 0) {
      throw new CountBelowZeroError(`${method} would take the count below zero (it is ${count}, the change is ${delta}); nothing was changed`);
    }
    if (next > MAX_COUNT) throw new RangeError(`${method}: the count would exceed ${MAX_COUNT}`);
    if (Atomics.compareExchange(cells, COUNT, count, next) !== count) continue;
    if (next === 0 && count !== 0) {
      Atomics.add(cells, GENERATION, 1);
      Atomics.notify(cells, GENERATION);
    }
    return next;
  }
}

function waitForZero(cells: Int32Array, options: WaitOptions | undefined, method: string): boolean {
  const deadline = deadlineFrom(options, method);
  const generation = Atomics.load(cells, GENERATION);
  if (Atomics.load(cells, COUNT) === 0) return true;
  for (;;) {
    const result = waitBlocking(cells, GENERATION, generation, remaining(deadline), method);
    if (Atomics.load(cells, GENERATION) !== generation || Atomics.load(cells, COUNT) === 0) return true;
    if (result === 'timed-out') return false;
  }
}

async function waitForZeroAsync(cells: Int32Array, options: AsyncWaitOptions | undefined, method: string): Promise<boolean> {
  const deadline = deadlineFrom(options, method);
  const signal = signalFrom(options, method);
  throwIfAborted(signal);
  const generation = Atomics.load(cells, GENERATION);
  if (Atomics.load(cells, COUNT) === 0) return true;
  for (;;) {
    // The drop to zero wakes every waiter, abandoned ones included, so an abandoned wake needs no forwarding.
    const result = await waitNonBlocking(cells, GENERATION, generation, remaining(deadline), signal, noop, true);
    if (Atomics.load(cells, GENERATION) !== generation || Atomics.load(cells, COUNT) === 0) return true;
    if (result === 'timed-out') return false;
  }
}

function noop(): void {}

/**
 * A count that threads wait to see reach zero: Java's `CountDownLatch`. Created with a count, counted
 * down by `countDown()` from any thread; `wait()` returns once it is zero, at once if it already is,
 * and from then on for good: a latch is used once (for a count that goes back up, use {@link WaitGroup}).
 *
 * Unlike Java's, counting down past zero is a bug we report: it throws {@link CountBelowZeroError}
 * and leaves the count as it was. A worker that dies before counting down leaves the latch short:
 * give waits a `timeout`.
 *
 * @example
 * ```ts
 * const loaded = new CountDownLatch(workers.length);
 * // each worker, with CountDownLatch.from(handle): load its part, then
 * loaded.countDown();
 * // main thread: every part loaded within 10 s?
 * if (!(await loaded.waitAsync({ timeout: 10_000 }))) throw new Error(`${loaded.count} parts missing`);
 * ```
 */
export class CountDownLatch {
  readonly #cells: Int32Array;

  /** @throws RangeError when `count` is not an integer from 0 to 2^31-1. */
  constructor(count: number) {
    const adopted = takeAdopted<Int32Array>();
    if (adopted !== undefined) {
      this.#cells = adopted;
      return;
    }
    checkCount(count, 'new CountDownLatch(count): count');
    this.#cells = allocateCells(COUNTER_CELLS);
    this.#cells[COUNT] = count;
  }

  /** Rebuilds, in this thread, the latch a handle refers to. */
  static from(handle: CountDownLatchHandle): CountDownLatch {
    return constructAdopting(cellsFromHandle(handle, 'CountDownLatch', COUNTER_CELLS), () => new CountDownLatch(0));
  }

  get handle(): CountDownLatchHandle {
    return handleOf('CountDownLatch', this.#cells);
  }

  /** The count now (other threads may change it right after you read it). */
  get count(): number {
    return Atomics.load(this.#cells, COUNT);
  }

  /**
   * Counts down by `n` (default 1); the count reaching zero releases every waiter, on every thread.
   * @returns the count left.
   * @throws CountBelowZeroError when the count is below `n` (the count is left as it was);
   * RangeError when `n` is not a non-negative integer.
   */
  countDown(n = 1): number {
    checkCount(n, 'CountDownLatch.countDown(n): n');
    return addToCount(this.#cells, -n, 'CountDownLatch.countDown()');
  }

  /**
   * Blocks until the count is zero or `timeout` runs out.
   * @returns `true` once the count is zero, `false` on timeout.
   */
  wait(options?: WaitOptions): boolean {
    return waitForZero(this.#cells, options, 'CountDownLatch.wait()');
  }

  /** Async twin of {@link wait}; usable on any thread. Aborting `signal` rejects with its reason. */
  waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    return waitForZeroAsync(this.#cells, options, 'CountDownLatch.waitAsync()');
  }
}

/**
 * A count of tasks in flight that threads wait to see reach zero: Go's `sync.WaitGroup`. `add(n)`
 * before starting `n` tasks, `done()` as each finishes (on any thread), `wait()` until none is left.
 * Unlike a {@link CountDownLatch} it can be reused: once back at zero, `add()` starts a new round.
 * A waiter released by a drop to zero returns `true` even if `add()` raised the count again before it ran.
 *
 * As in Go, a count below zero is a bug: `done()` or `add()` that would take it there throws
 * {@link CountBelowZeroError} (Go panics) and leaves the count as it was. Call `add()` before the
 * task starts (before posting it to a worker), not inside it, or a `wait()` may see zero too early.
 *
 * @example
 * ```ts
 * const pending = new WaitGroup();
 * for (const file of files) {
 *   pending.add(1);
 *   jobs.put({ file, pending: pending.handle }); // the worker calls WaitGroup.from(pending).done()
 * }
 * await pending.waitAsync();                     // every file processed
 * ```
 */
export class WaitGroup {
  readonly #cells: Int32Array;

  /** @throws RangeError when `count` is not an integer from 0 to 2^31-1. */
  constructor(count = 0) {
    const adopted = takeAdopted<Int32Array>();
    if (adopted !== undefined) {
      this.#cells = adopted;
      return;
    }
    checkCount(count, 'new WaitGroup(count): count');
    this.#cells = allocateCells(COUNTER_CELLS);
    this.#cells[COUNT] = count;
  }

  /** Rebuilds, in this thread, the wait group a handle refers to. */
  static from(handle: WaitGroupHandle): WaitGroup {
    return constructAdopting(cellsFromHandle(handle, 'WaitGroup', COUNTER_CELLS), () => new WaitGroup());
  }

  get handle(): WaitGroupHandle {
    return handleOf('WaitGroup', this.#cells);
  }

  /** Tasks in flight now (other threads may change it right after you read it). */
  get count(): number {
    return Atomics.load(this.#cells, COUNT);
  }

  /**
   * Adds `delta` to the count (Go's `Add`; negative counts tasks done); reaching zero releases every waiter.
   * @returns the new count.
   * @throws CountBelowZeroError when the count would go below zero (it is left as it was);
   * RangeError when `delta` is not an integer or the count would exceed 2^31-1.
   */
  add(delta: number): number {
    if (typeof delta !== 'number' || !Number.isInteger(delta)) {
      throw new RangeError(`WaitGroup.add(delta): delta must be an integer, got ${String(delta)}`);
    }
    return addToCount(this.#cells, delta, 'WaitGroup.add()');
  }

  /**
   * One task done: `add(-1)`.
   * @returns the count left.
   * @throws CountBelowZeroError when the count is already zero.
   */
  done(): number {
    return addToCount(this.#cells, -1, 'WaitGroup.done()');
  }

  /**
   * Blocks until the count is zero or `timeout` runs out.
   * @returns `true` once the count is (or was, while waiting) zero, `false` on timeout.
   */
  wait(options?: WaitOptions): boolean {
    return waitForZero(this.#cells, options, 'WaitGroup.wait()');
  }

  /** Async twin of {@link wait}; usable on any thread. Aborting `signal` rejects with its reason. */
  waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    return waitForZeroAsync(this.#cells, options, 'WaitGroup.waitAsync()');
  }
}
