import { Acquirable } from './acquirable.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { waitBlocking, waitNonBlocking } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type Deadline, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to a {@link Semaphore} or {@link BoundedSemaphore}. */
export type SemaphoreHandle = CellsHandle<'Semaphore' | 'BoundedSemaphore'>;
/** Structured-clonable reference to a {@link BoundedSemaphore}. */
export type BoundedSemaphoreHandle = CellsHandle<'BoundedSemaphore'>;

const VALUE = 0;
const WAITERS = 1;
const INITIAL = 2;
const SEMAPHORE_CELLS = 3;
const MAX_VALUE = 0x7fff_ffff;

function checkValue(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${where}: value must be an integer, got ${String(value)}`);
  }
  if (value < 0) throw new RangeError(`${where}: value must be >= 0, got ${value}`);
  if (value > MAX_VALUE) throw new RangeError(`${where}: value must be <= ${MAX_VALUE}, got ${value}`);
  return value;
}

/**
 * A counter of permits shared by every thread that holds its handle: Python's `threading.Semaphore`.
 * `acquire` takes one permit, waiting while there is none; `release(n)` gives `n` back and wakes as many
 * waiters (oldest first). Anyone may release; a plain semaphore has no upper bound — see
 * {@link BoundedSemaphore} for one that catches releasing too often.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);          // at most 3 workers download at once
 * // in each worker, rebuilt with Semaphore.from(handle):
 * using _ = slots.hold();
 * download(url);
 *
 * const items = new Semaphore(0);         // producer/consumer signalling
 * items.release();                        // producer: one item ready
 * await items.acquireAsync();             // consumer on the main thread
 * ```
 */
export class Semaphore extends Acquirable {
  readonly #cells: Int32Array;

  /** @throws RangeError when `value` is negative. */
  constructor(value = 1) {
    super();
    const adopted = takeAdopted<Int32Array>();
    if (adopted !== undefined) {
      this.#cells = adopted;
      return;
    }
    const initial = checkValue(value, `new ${new.target.name}()`);
    this.#cells = allocateCells(SEMAPHORE_CELLS);
    this.#cells[VALUE] = initial;
    this.#cells[INITIAL] = initial;
  }

  /**
   * Rebuilds, in this thread, the semaphore a handle refers to; a {@link BoundedSemaphore}'s handle gives
   * back a `BoundedSemaphore`, so the bound is never lost on the way.
   */
  static from(handle: SemaphoreHandle): Semaphore {
    if ((handle as Partial<SemaphoreHandle> | null)?.kind === 'BoundedSemaphore') {
      return BoundedSemaphore.from(handle as BoundedSemaphoreHandle);
    }
    return constructAdopting(cellsFromHandle(handle, 'Semaphore', SEMAPHORE_CELLS), () => new Semaphore());
  }

  get handle(): SemaphoreHandle {
    return handleOf(this.kind, this.#cells);
  }

  /** Permits available now. */
  get value(): number {
    return Atomics.load(this.#cells, VALUE);
  }

  acquire(options?: WaitOptions): boolean {
    const method = `${this.displayName}.acquire()`;
    const deadline = deadlineFrom(options, method);
    if (this.tryAcquire()) return true;
    return this.#waitBlocking(deadline, method);
  }

  acquireAsync(options?: AsyncWaitOptions): Promise<boolean> {
    if (options === undefined && this.tryAcquire()) return RESOLVED_TRUE;
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: AsyncWaitOptions | undefined): Promise<boolean> {
    const method = `${this.displayName}.acquireAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    if (this.tryAcquire()) return true;
    return this.#waitAsync(deadline, signal);
  }

  tryAcquire(): boolean {
    const cells = this.#cells;
    for (;;) {
      const value = Atomics.load(cells, VALUE);
      if (value <= 0) return false;
      if (Atomics.compareExchange(cells, VALUE, value, value - 1) === value) return true;
    }
  }

  /**
   * Returns `n` permits and wakes up to `n` waiters.
   * @throws RangeError when `n` is not a positive integer, or (for a {@link BoundedSemaphore}) when the
   * value would rise above its initial value.
   */
  release(n = 1): void {
    const method = `${this.displayName}.release()`;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new RangeError(`${method}: n must be a positive integer, got ${String(n)}`);
    }
    const cells = this.#cells;
    const limit = this.kind === 'BoundedSemaphore' ? cells[INITIAL]! : MAX_VALUE;
    for (;;) {
      const value = Atomics.load(cells, VALUE);
      if (value + n > limit) {
        throw new RangeError(
          this.kind === 'BoundedSemaphore'
            ? `${method}: released too many times (value ${value} + ${n} would exceed the initial value ${limit})`
            : `${method}: value ${value} + ${n} would overflow`,
        );
      }
      if (Atomics.compareExchange(cells, VALUE, value, value + n) === value) break;
    }
    if (Atomics.load(cells, WAITERS) > 0) Atomics.notify(cells, VALUE, n);
  }

  protected get kind(): 'Semaphore' | 'BoundedSemaphore' {
    return 'Semaphore';
  }

  protected get displayName(): string {
    return this.kind;
  }

  #waitBlocking(deadline: Deadline, method: string): boolean {
    const cells = this.#cells;
    Atomics.add(cells, WAITERS, 1);
    try {
      for (;;) {
        const timeout = remaining(deadline);
        if (timeout === 0) return this.tryAcquire();
        waitBlocking(cells, VALUE, 0, timeout, method);
        if (this.tryAcquire()) return true;
      }
    } finally {
      Atomics.sub(cells, WAITERS, 1);
    }
  }

  async #waitAsync(deadline: Deadline, signal: AbortSignal | undefined): Promise<boolean> {
    const cells = this.#cells;
    Atomics.add(cells, WAITERS, 1);
    try {
      for (;;) {
        const timeout = remaining(deadline);
        if (timeout === 0) return this.tryAcquire();
        await waitNonBlocking(cells, VALUE, 0, timeout, signal, this.#forwardWake);
        if (this.tryAcquire()) return true;
      }
    } finally {
      Atomics.sub(cells, WAITERS, 1);
    }
  }

  readonly #forwardWake = (): void => {
    Atomics.notify(this.#cells, VALUE, 1);
  };
}

/**
 * A {@link Semaphore} that may never hold more permits than it started with: releasing past the initial
 * value throws `RangeError`, which catches a `release()` without its `acquire()`. Python's
 * `threading.BoundedSemaphore`.
 *
 * @example
 * ```ts
 * const pool = new BoundedSemaphore(2);
 * pool.acquire();
 * pool.release();
 * pool.release();   // RangeError: released too many times
 * ```
 */
export class BoundedSemaphore extends Semaphore {
  /** Rebuilds, in this thread, the semaphore a handle refers to. */
  static override from(handle: BoundedSemaphoreHandle): BoundedSemaphore {
    return constructAdopting(cellsFromHandle(handle, 'BoundedSemaphore', SEMAPHORE_CELLS), () => new BoundedSemaphore());
  }

  override get handle(): BoundedSemaphoreHandle {
    return super.handle as BoundedSemaphoreHandle;
  }

  protected override get kind(): 'BoundedSemaphore' {
    return 'BoundedSemaphore';
  }
}
