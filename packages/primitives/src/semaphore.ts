import { Acquirable } from './acquirable.js';
import { LockStateError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { waitBlocking, waitNonBlocking } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type Deadline, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { currentThreadIdent } from './internal/thread-context.js';
import { isThreadDead, isThreadWatched, OWNER_CHECK_INTERVAL_MS } from './internal/thread-registry.js';

/** Structured-clonable reference to a {@link Semaphore} or {@link BoundedSemaphore}. */
export type SemaphoreHandle = CellsHandle<'Semaphore' | 'BoundedSemaphore'> & {
  /** Present (`true`) on the handle of a semaphore created with `{ robust: true }`. */
  readonly robust?: true;
};
/** Structured-clonable reference to a {@link BoundedSemaphore}. */
export type BoundedSemaphoreHandle = SemaphoreHandle & CellsHandle<'BoundedSemaphore'>;

/** Options of `new Semaphore()` and `new BoundedSemaphore()`. */
export interface SemaphoreOptions {
  /**
   * Record which thread holds how many permits, so that permits held by a thread that dies (a
   * `Thread`, or a worker passed to `registerWorker()`) go back to the semaphore: the next acquirer
   * that would otherwise wait takes them back, and {@link Semaphore.reclaimedPermits} counts them.
   * A robust semaphore's permits must be released by the thread that acquired them (a release by a
   * thread that holds fewer throws `LockStateError`); up to 32 holding threads at a time are
   * recorded. Off by default: a plain semaphore records nothing and anyone may release it.
   */
  readonly robust?: boolean | undefined;
}

const VALUE = 0;
const WAITERS = 1;
const INITIAL = 2;
const SEMAPHORE_CELLS = 3;
/** A robust semaphore's extra cells: permits reclaimed so far, then (thread id + 1, permits held) pairs. */
const RECLAIMED = SEMAPHORE_CELLS;
const HOLDERS = RECLAIMED + 1;
const HOLDER_SLOTS = 32;
const ROBUST_SEMAPHORE_CELLS = HOLDERS + 2 * HOLDER_SLOTS;
const selfTag = currentThreadIdent() + 1;

/**
 * Who holds a robust semaphore's permits. Slot `i` is (`threadId + 1`, count); only its thread changes
 * a live slot, and a waiter empties the slot of a dead thread and puts its permits back. A thread that
 * dies between taking permits and recording them (or between unrecording and returning them) loses
 * those few permits: the only window.
 */
class Holders {
  readonly #cells: Int32Array;

  constructor(cells: Int32Array) {
    this.#cells = cells;
  }

  record(n: number): void {
    const cells = this.#cells;
    let free = -1;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const tag = Atomics.load(cells, HOLDERS + 2 * i);
      if (tag === selfTag) {
        Atomics.add(cells, HOLDERS + 2 * i + 1, n);
        return;
      }
      if (tag === 0 && free < 0) free = i;
    }
    for (let i = free < 0 ? HOLDER_SLOTS : free; i < HOLDER_SLOTS; i++) {
      if (Atomics.compareExchange(cells, HOLDERS + 2 * i, 0, selfTag) === 0) {
        Atomics.add(cells, HOLDERS + 2 * i + 1, n);
        return;
      }
    }
    // More holding threads than slots: these permits are not recorded (and not reclaimed).
  }

  /** Unrecords `n` permits of this thread; false when it holds fewer recorded permits. */
  unrecord(n: number): boolean {
    const cells = this.#cells;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      if (Atomics.load(cells, HOLDERS + 2 * i) !== selfTag) continue;
      const held = Atomics.load(cells, HOLDERS + 2 * i + 1);
      if (held < n) return false;
      Atomics.store(cells, HOLDERS + 2 * i + 1, held - n);
      if (held === n) Atomics.store(cells, HOLDERS + 2 * i, 0);
      return true;
    }
    return false;
  }

  /** Permits recorded as held by the calling thread. */
  heldByCaller(): number {
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      if (Atomics.load(this.#cells, HOLDERS + 2 * i) === selfTag) return Atomics.load(this.#cells, HOLDERS + 2 * i + 1);
    }
    return 0;
  }

  /** Permits recorded as held by threads not known to be dead. */
  liveHeld(): number {
    let held = 0;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const tag = Atomics.load(this.#cells, HOLDERS + 2 * i);
      if (tag !== 0 && !isThreadDead(tag - 1)) held += Atomics.load(this.#cells, HOLDERS + 2 * i + 1);
    }
    return held;
  }

  /** Whether every slot is taken (then an unrecorded release cannot be checked). */
  get full(): boolean {
    for (let i = 0; i < HOLDER_SLOTS; i++) if (Atomics.load(this.#cells, HOLDERS + 2 * i) === 0) return false;
    return true;
  }

  /** Empties the slots of dead threads; returns how many permits they held. */
  reclaimDead(): number {
    const cells = this.#cells;
    let permits = 0;
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const tag = Atomics.load(cells, HOLDERS + 2 * i);
      if (tag === 0 || tag === selfTag || !isThreadDead(tag - 1)) continue;
      const held = Atomics.exchange(cells, HOLDERS + 2 * i + 1, 0);
      Atomics.compareExchange(cells, HOLDERS + 2 * i, tag, 0);
      permits += held;
    }
    return permits;
  }

  /** Whether a holder could die detectably: then waiters look again every few ms. */
  get watched(): boolean {
    for (let i = 0; i < HOLDER_SLOTS; i++) {
      const tag = Atomics.load(this.#cells, HOLDERS + 2 * i);
      if (tag !== 0 && isThreadWatched(tag - 1)) return true;
    }
    return false;
  }
}
const MAX_VALUE = 0x7fff_ffff;

function checkValue(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new TypeError(`${where}: value must be an integer, got ${String(value)}`);
  }
  if (value < 0) throw new RangeError(`${where}: value must be >= 0, got ${value}`);
  if (value > MAX_VALUE) throw new RangeError(`${where}: value must be <= ${MAX_VALUE}, got ${value}`);
  return value;
}

/** For `from`: the cells a handle refers to, and whether the semaphore is robust. */
function adoptSemaphore(handle: SemaphoreHandle, kind: 'Semaphore' | 'BoundedSemaphore'): { cells: Int32Array; robust: boolean } {
  const robust = (handle as Partial<SemaphoreHandle> | null)?.robust === true;
  return { cells: cellsFromHandle(handle, kind, robust ? ROBUST_SEMAPHORE_CELLS : SEMAPHORE_CELLS), robust };
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
  readonly #holders: Holders | undefined;

  /** @throws RangeError when `value` is negative. */
  constructor(value = 1, options?: SemaphoreOptions) {
    super();
    const adopted = takeAdopted<{ cells: Int32Array; robust: boolean }>();
    if (adopted !== undefined) {
      this.#cells = adopted.cells;
      this.#holders = adopted.robust ? new Holders(adopted.cells) : undefined;
      return;
    }
    const initial = checkValue(value, `new ${new.target.name}()`);
    const robust = options?.robust === true;
    this.#cells = allocateCells(robust ? ROBUST_SEMAPHORE_CELLS : SEMAPHORE_CELLS);
    this.#cells[VALUE] = initial;
    this.#cells[INITIAL] = initial;
    this.#holders = robust ? new Holders(this.#cells) : undefined;
  }


  /**
   * Rebuilds, in this thread, the semaphore a handle refers to; a {@link BoundedSemaphore}'s handle gives
   * back a `BoundedSemaphore`, so the bound is never lost on the way.
   */
  static from(handle: SemaphoreHandle): Semaphore {
    if ((handle as Partial<SemaphoreHandle> | null)?.kind === 'BoundedSemaphore') {
      return BoundedSemaphore.from(handle as BoundedSemaphoreHandle);
    }
    return constructAdopting(adoptSemaphore(handle, 'Semaphore'), () => new Semaphore());
  }

  get handle(): SemaphoreHandle {
    const handle = handleOf(this.kind, this.#cells);
    return this.#holders === undefined ? handle : { ...handle, robust: true };
  }

  /** Whether the semaphore was created with `{ robust: true }`. */
  get robust(): boolean {
    return this.#holders !== undefined;
  }

  /** A robust semaphore: how many permits held by dead threads were given back so far (0 otherwise). */
  get reclaimedPermits(): number {
    return this.#holders === undefined ? 0 : Atomics.load(this.#cells, RECLAIMED);
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
    const holders = this.#holders;
    // Robust: recorded before it is taken, so a thread that dies in between is counted as holding it
    // (the reclaim's cap against the initial value then makes up for a permit it never took).
    if (holders !== undefined) holders.record(1);
    for (;;) {
      const value = Atomics.load(cells, VALUE);
      if (value <= 0) {
        if (holders !== undefined) holders.unrecord(1);
        return false;
      }
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
    const holders = this.#holders;
    if (holders !== undefined && holders.heldByCaller() < n && !holders.full) {
      throw new LockStateError(`${method}: this thread does not hold ${n} permit(s) of this robust ${this.kind}`);
    }
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
    // Robust: given back before it is unrecorded, the mirror of tryAcquire's order.
    if (holders !== undefined) holders.unrecord(n);
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
        if (this.#reclaim()) return true;
        waitBlocking(cells, VALUE, 0, this.#slice(timeout), method);
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
        if (this.#reclaim()) return true;
        await waitNonBlocking(cells, VALUE, 0, this.#slice(timeout), signal, this.#forwardWake);
        if (this.tryAcquire()) return true;
      }
    } finally {
      Atomics.sub(cells, WAITERS, 1);
    }
  }

  /** Robust, about to sleep: gives back the permits of dead holders; true when this caller then took one. */
  #reclaim(): boolean {
    const holders = this.#holders;
    if (holders === undefined) return false;
    const dead = holders.reclaimDead();
    if (dead === 0) return false;
    const cells = this.#cells;
    // What the dead held, but never more than is missing: a thread that died between recording a
    // permit and taking it (or giving it back and unrecording it) is recorded with one too many.
    const missing = cells[INITIAL]! - Atomics.load(cells, VALUE) - holders.liveHeld();
    const permits = Math.max(0, Math.min(dead, missing));
    if (permits === 0) return false;
    Atomics.add(cells, RECLAIMED, permits);
    Atomics.add(cells, VALUE, permits);
    Atomics.notify(cells, VALUE, permits);
    return this.tryAcquire();
  }

  #slice(timeout: number): number {
    return this.#holders?.watched === true ? Math.min(timeout, OWNER_CHECK_INTERVAL_MS) : timeout;
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
    return constructAdopting(adoptSemaphore(handle, 'BoundedSemaphore'), () => new BoundedSemaphore());
  }

  override get handle(): BoundedSemaphoreHandle {
    return super.handle as BoundedSemaphoreHandle;
  }

  protected override get kind(): 'BoundedSemaphore' {
    return 'BoundedSemaphore';
  }
}
