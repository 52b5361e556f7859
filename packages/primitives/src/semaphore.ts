import { Acquirable } from './acquirable.js';
import { LockStateError, LockTimeoutError, type WaitCancelledError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { waitBlocking, waitNonBlocking } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type Deadline, type WaitOptions } from './internal/options.js';
import { RESOLVED_TRUE } from './internal/resolved.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { currentThreadIdent } from './internal/thread-context.js';
import { isThreadDead, isThreadWatched, OWNER_CHECK_INTERVAL_MS } from './internal/thread-registry.js';
import { giveName, hook, nameFromHandle, nameOption, withName, VALIDATION_RECORD, type Validated } from './internal/validation-hook.js';
import { CANCEL_CELLS, WaitCancellation } from './internal/wait-cancel.js';

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
  /** The semaphore's class for the run-time validator, as {@link LockOptions.name}; carried by the handle. */
  readonly name?: string | undefined;
}

/**
 * Options of a semaphore's blocking calls (`acquire`, `hold`, `waitForUnlock`): a
 * {@link WaitOptions} with how many permits the call is about.
 */
export interface SemaphoreWaitOptions extends WaitOptions {
  /**
   * How many permits to take (or, for `waitForUnlock`, to wait for), all at once; an integer from 1
   * (the default) up to a {@link BoundedSemaphore}'s initial value.
   */
  readonly permits?: number | undefined;
}

/** Options of a semaphore's `…Async` calls: an {@link AsyncWaitOptions} with `permits`. */
export interface SemaphoreAsyncWaitOptions extends AsyncWaitOptions, SemaphoreWaitOptions {}

const VALUE = 0;
/** Threads waiting in acquire or waitForUnlock: a release with none skips the notify. */
const WAITERS = 1;
const INITIAL = 2;
/**
 * The word waiters sleep on, bumped by every wake-up (a release, a reclaim, a cancel). Not the value:
 * a cancel does not change the value, and a weighted waiter must sleep while the value is nonzero.
 */
const WAKE = 3;
/** Waiters that a partial wake-up could miss (weighted, or waitForUnlock): releases then wake all. */
const WIDE_WAITERS = 4;
/** `cancelWaiters()`'s cells (internal/wait-cancel.ts): a waiter that sees the generation move throws. */
const CANCELS = 5;
const SEMAPHORE_CELLS = CANCELS + CANCEL_CELLS;
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

/**
 * What a semaphore's `hold()` returns: gives back the permits it took, once. A class for the reason
 * Acquirable's guard is one: no closure allocated per hold.
 */
class PermitsGuard implements Disposable, AsyncDisposable {
  #semaphore: Semaphore | undefined;
  readonly #permits: number;

  constructor(semaphore: Semaphore, permits: number) {
    this.#semaphore = semaphore;
    this.#permits = permits;
  }

  [Symbol.dispose](): void {
    const semaphore = this.#semaphore;
    // Disposing twice must not give back permits someone else has taken since.
    if (semaphore === undefined) return;
    this.#semaphore = undefined;
    semaphore.release(this.#permits);
  }

  [Symbol.asyncDispose](): Promise<void> {
    this[Symbol.dispose]();
    return Promise.resolve();
  }
}

/** The permits an async call asks for, as far as the validator's records go (the call checks them itself). */
function requestedPermits(options: SemaphoreWaitOptions | undefined): number {
  const permits = options?.permits;
  return typeof permits === 'number' ? permits : 1;
}

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
 * `acquire` takes one permit (or `{ permits: n }` of them, all at once), waiting while there are too
 * few; `release(n)` gives `n` back and wakes the waiters that may now proceed. Anyone may release; a
 * plain semaphore has no upper bound — see {@link BoundedSemaphore} for one that catches releasing too
 * often.
 *
 * Weighted requests (`permits` > 1) take all their permits in one compare-exchange or none of them, so
 * no thread ever holds part of a request while it waits for the rest (which could deadlock two big
 * requests against each other). While such a request, or a {@link Semaphore.waitForUnlock} call, is
 * waiting, every release wakes every waiter, because only each waiter knows whether the new value
 * fits it; otherwise `release(n)` wakes `n` waiters, oldest first. A weighted request reserves nothing
 * while it waits: it is served as soon as it finds enough permits free at once, which a steady stream
 * of smaller acquisitions that never lets the value reach `n` can postpone indefinitely. Give such
 * mixes a timeout, or stop the small acquirers when the big one must go next.
 *
 * @example
 * ```ts
 * const slots = new Semaphore(3);          // at most 3 workers download at once
 * // in each worker, rebuilt with Semaphore.from(handle):
 * using _ = slots.hold();
 * download(url);
 *
 * const memory = new BoundedSemaphore(8); // 8 units of a budget; a big job takes 5 at once
 * using _big = memory.hold({ permits: 5 });
 *
 * const items = new Semaphore(0);         // producer/consumer signalling
 * items.release();                        // producer: one item ready
 * await items.acquireAsync();             // consumer on the main thread
 * ```
 */
export class Semaphore extends Acquirable {
  readonly #cells: Int32Array;
  readonly #holders: Holders | undefined;
  readonly #cancel: WaitCancellation;

  /** @throws RangeError when `value` is negative. */
  constructor(value = 1, options?: SemaphoreOptions) {
    super();
    const adopted = takeAdopted<{ cells: Int32Array; robust: boolean }>();
    if (adopted !== undefined) {
      this.#cells = adopted.cells;
      this.#holders = adopted.robust ? new Holders(adopted.cells) : undefined;
      this.#cancel = new WaitCancellation(adopted.cells, CANCELS, this.displayName);
      hook?.created(this, this.kind, true);
      return;
    }
    const initial = checkValue(value, `new ${new.target.name}()`);
    if (options !== undefined && (typeof options !== 'object' || options === null)) {
      throw new TypeError(`new ${new.target.name}(value, options): options must be an object like { robust: true }, got ${options === null ? 'null' : typeof options}`);
    }
    const robust = options?.robust === true;
    giveName(this, nameOption(options, `new ${new.target.name}(value, options)`));
    this.#cells = allocateCells(robust ? ROBUST_SEMAPHORE_CELLS : SEMAPHORE_CELLS);
    this.#cells[VALUE] = initial;
    this.#cells[INITIAL] = initial;
    this.#holders = robust ? new Holders(this.#cells) : undefined;
    this.#cancel = new WaitCancellation(this.#cells, CANCELS, this.displayName);
    hook?.created(this, this.kind, false);
  }


  /**
   * Rebuilds, in this thread, the semaphore a handle refers to; a {@link BoundedSemaphore}'s handle gives
   * back a `BoundedSemaphore`, so the bound is never lost on the way.
   */
  static from(handle: SemaphoreHandle): Semaphore {
    if ((handle as Partial<SemaphoreHandle> | null)?.kind === 'BoundedSemaphore') {
      return BoundedSemaphore.from(handle as BoundedSemaphoreHandle);
    }
    return nameFromHandle(constructAdopting(adoptSemaphore(handle, 'Semaphore'), () => new Semaphore()), handle, 'Semaphore.from(handle)');
  }

  get handle(): SemaphoreHandle {
    const handle = withName(this, handleOf(this.kind, this.#cells));
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

  /**
   * Whether no permit is available now (`value` is 0), so that a plain `acquire()` would wait:
   * async-mutex's `isLocked()`. A snapshot: another thread may change it at any moment.
   *
   * @example
   * ```ts
   * const sem = new Semaphore(1);
   * sem.locked;        // false
   * sem.acquire();
   * sem.locked;        // true
   * ```
   */
  get locked(): boolean {
    return Atomics.load(this.#cells, VALUE) <= 0;
  }

  /**
   * Takes `permits` (default 1) permits, blocking until that many are free at once; `false` when
   * `timeout` runs out first, having taken none. For workers (`Atomics.wait`); on a thread that may not
   * block it throws `BlockingNotAllowedError`, but only when it would have to wait.
   *
   * @throws TypeError or RangeError when `permits` is not an integer from 1 up to the bound (a
   *   {@link BoundedSemaphore}'s initial value: a request above it could never be granted).
   * @throws WaitCancelledError when {@link Semaphore.cancelWaiters} is called while it waits.
   *
   * @example
   * ```ts
   * if (sem.acquire({ permits: 2, timeout: 1_000 })) {
   *   try { work(); } finally { sem.release(2); }
   * }
   * ```
   */
  acquire(options?: SemaphoreWaitOptions): boolean {
    const method = `${this.displayName}.acquire()`;
    const deadline = deadlineFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    const validator = hook;
    if (validator !== undefined) {
      return validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, () => this.#take(permits) || this.#waitBlocking(permits, true, deadline, method), false, permits);
    }
    if (this.#take(permits)) return true;
    return this.#waitBlocking(permits, true, deadline, method);
  }

  /**
   * Async twin of {@link Semaphore.acquire}, usable on any thread: resolves `true` once `permits`
   * (default 1) permits are taken, `false` on timeout; rejects with the signal's reason when `signal`
   * aborts, and with `WaitCancelledError` on {@link Semaphore.cancelWaiters}, having taken none.
   *
   * @example
   * ```ts
   * await sem.acquireAsync({ permits: 3, signal: AbortSignal.timeout(5_000) });
   * try { await bigJob(); } finally { sem.release(3); }
   * ```
   */
  acquireAsync(options?: SemaphoreAsyncWaitOptions): Promise<boolean> {
    const validator = hook;
    if (validator !== undefined) return validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, () => this.#takeAsync(options), false, requestedPermits(options));
    return this.#takeAsync(options);
  }

  #takeAsync(options: SemaphoreAsyncWaitOptions | undefined): Promise<boolean> {
    if (options === undefined && this.#take(1)) return RESOLVED_TRUE;
    return this.#acquireAsyncSlow(options);
  }

  async #acquireAsyncSlow(options: SemaphoreAsyncWaitOptions | undefined): Promise<boolean> {
    const method = `${this.displayName}.acquireAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    throwIfAborted(signal);
    if (this.#take(permits)) return true;
    return this.#waitAsync(permits, true, deadline, signal, method);
  }

  /**
   * Takes `permits` (default 1) permits only if that many are free now; never waits. The count is a
   * plain number, as in {@link Semaphore.release}, so `tryAcquire(n)` pairs with `release(n)`.
   *
   * @throws TypeError or RangeError when `permits` is not an integer from 1 up to the bound.
   *
   * @example
   * ```ts
   * if (sem.tryAcquire(2)) {
   *   try { work(); } finally { sem.release(2); }
   * }
   * ```
   */
  tryAcquire(permits = 1): boolean {
    if (permits !== 1) this.#checkPermits(permits, `${this.displayName}.tryAcquire()`);
    const taken = this.#take(permits);
    if (taken) hook?.tryAcquired(this, (this as Validated)[VALIDATION_RECORD], false, permits);
    return taken;
  }

  /**
   * Takes `permits` (default 1) permits and returns a guard that gives them all back on dispose:
   * `using _ = sem.hold({ permits: 2 });`. Throws `LockTimeoutError` when `timeout` runs out, and
   * otherwise as {@link Semaphore.acquire}.
   *
   * @example
   * ```ts
   * {
   *   using _ = sem.hold({ permits: 2, timeout: 1_000 });
   *   work();
   * } // both permits released here
   * ```
   */
  override hold(options?: SemaphoreWaitOptions): Disposable {
    const method = `${this.displayName}.hold()`;
    const deadline = deadlineFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    const validator = hook;
    const taken =
      validator === undefined
        ? this.#take(permits) || this.#waitBlocking(permits, true, deadline, method)
        : validator.acquire(this, (this as Validated)[VALIDATION_RECORD], options, () => this.#take(permits) || this.#waitBlocking(permits, true, deadline, method), false, permits);
    if (!taken) throw this.#timeoutError(permits, options);
    return new PermitsGuard(this, permits);
  }

  /**
   * Async twin of {@link Semaphore.hold}: `await using _ = await sem.holdAsync({ permits: 2 });`.
   *
   * @example
   * ```ts
   * await using _ = await sem.holdAsync({ permits: 2, signal });
   * await work();
   * ```
   */
  override holdAsync(options?: SemaphoreAsyncWaitOptions): Promise<AsyncDisposable & Disposable> {
    const validator = hook;
    if (validator !== undefined) return validator.carry(() => this.#guardAsync(options));
    return this.#guardAsync(options);
  }

  async #guardAsync(options: SemaphoreAsyncWaitOptions | undefined): Promise<AsyncDisposable & Disposable> {
    const method = `${this.displayName}.holdAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    throwIfAborted(signal);
    const validator = hook;
    const taken =
      validator === undefined
        ? this.#take(permits) || (await this.#waitAsync(permits, true, deadline, signal, method))
        : await validator.acquireAsync(this, (this as Validated)[VALIDATION_RECORD], options, () => (this.#take(permits) ? RESOLVED_TRUE : this.#waitAsync(permits, true, deadline, signal, method)), false, permits);
    if (!taken) throw this.#timeoutError(permits, options);
    return new PermitsGuard(this, permits);
  }

  /**
   * Runs `fn` holding `permits` (default 1) permits and gives them back however `fn` ends, like
   * async-mutex's `runExclusive(fn, weight)`.
   *
   * @example
   * ```ts
   * const result = await sem.runExclusive(() => bigJob(), { permits: 3 });
   * ```
   */
  override runExclusive<T>(fn: () => T | Promise<T>, options?: SemaphoreAsyncWaitOptions): Promise<T> {
    // Acquirable's runExclusive takes its permits through holdAsync, which reads `permits`.
    return super.runExclusive(fn, options);
  }

  /**
   * Blocks until at least `permits` (default 1) permits are free, without taking any: async-mutex's
   * `waitForUnlock(weight)`. `true` when they were free (another thread may take them the next
   * moment: this is a hint, not a reservation), `false` when `timeout` ran out first. For workers; on
   * a thread that may not block it throws `BlockingNotAllowedError`, but only when it would have to
   * wait.
   *
   * @throws WaitCancelledError when {@link Semaphore.cancelWaiters} is called while it waits.
   *
   * @example
   * ```ts
   * if (pool.waitForUnlock({ permits: 4, timeout: 1_000 })) scheduleBigJob();
   * ```
   */
  waitForUnlock(options?: SemaphoreWaitOptions): boolean {
    const method = `${this.displayName}.waitForUnlock()`;
    const deadline = deadlineFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    if (Atomics.load(this.#cells, VALUE) >= permits) return true;
    return this.#waitBlocking(permits, false, deadline, method);
  }

  /**
   * Async twin of {@link Semaphore.waitForUnlock}, usable on any thread: resolves `true` once `permits`
   * (default 1) are free, `false` on timeout; rejects with the signal's reason on abort and with
   * `WaitCancelledError` on {@link Semaphore.cancelWaiters}. Takes nothing in any case.
   *
   * @example
   * ```ts
   * await sem.waitForUnlockAsync({ permits: 2, signal: AbortSignal.timeout(1_000) });
   * ```
   */
  async waitForUnlockAsync(options?: SemaphoreAsyncWaitOptions): Promise<boolean> {
    const method = `${this.displayName}.waitForUnlockAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    const permits = this.#permitsFrom(options, method);
    throwIfAborted(signal);
    if (Atomics.load(this.#cells, VALUE) >= permits) return true;
    return this.#waitAsync(permits, false, deadline, signal, method);
  }

  /**
   * Makes every call waiting on this semaphore at this moment, in any thread — `acquire`,
   * `acquireAsync`, `hold`, `holdAsync`, `runExclusive`, `waitForUnlock`, `waitForUnlockAsync` — throw
   * (or reject with) `WaitCancelledError` instead of waiting on: async-mutex's `cancel()`. A cancelled
   * call holds nothing; permits and holders are untouched, and calls that start afterwards wait as
   * usual. On the calling thread the error's `cause` is `reason`; a waiter in another thread gets
   * `cause` `undefined`, as the reason lives in this thread's heap and cannot travel with the wake-up.
   *
   * @example
   * ```ts
   * const pending = sem.acquireAsync();           // waits: no permit left
   * sem.cancelWaiters(new Error('shutting down'));
   * await pending;                                 // rejects: WaitCancelledError, cause = that error
   * ```
   */
  cancelWaiters(reason?: unknown): void {
    const cells = this.#cells;
    this.#cancel.cancel(reason);
    Atomics.add(cells, WAKE, 1);
    Atomics.notify(cells, WAKE);
  }

  /**
   * Returns `n` permits and wakes the waiters that may now proceed: `n` of them, or all while a
   * weighted request or a `waitForUnlock` waits (see the class notes).
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
    // Robust: given back before it is unrecorded, the mirror of #take's order.
    if (holders !== undefined) holders.unrecord(n);
    if (Atomics.load(cells, WAITERS) > 0) this.#wake(n);
    hook?.released(this, (this as Validated)[VALIDATION_RECORD], n);
  }

  protected get kind(): 'Semaphore' | 'BoundedSemaphore' {
    return 'Semaphore';
  }

  protected get displayName(): string {
    return this.kind;
  }

  /** Takes `permits` in one compare-exchange, or nothing: a waiter never sits on part of a request. */
  #take(permits: number): boolean {
    const cells = this.#cells;
    const holders = this.#holders;
    // Robust: recorded before they are taken, so a thread that dies in between is counted as holding
    // them (the reclaim's cap against the initial value then makes up for permits it never took).
    if (holders !== undefined) holders.record(permits);
    for (;;) {
      const value = Atomics.load(cells, VALUE);
      if (value < permits) {
        if (holders !== undefined) holders.unrecord(permits);
        return false;
      }
      if (Atomics.compareExchange(cells, VALUE, value, value - permits) === value) return true;
    }
  }

  /**
   * Wakes sleepers after the value rose. The sequence bump makes a waiter that read the value just
   * before the rise, and is about to sleep, find its snapshot stale instead of sleeping through it.
   */
  #wake(n: number): void {
    const cells = this.#cells;
    Atomics.add(cells, WAKE, 1);
    // A narrow wake could land on a waiter the new value does not fit, which would sleep on with it.
    Atomics.notify(cells, WAKE, Atomics.load(cells, WIDE_WAITERS) > 0 ? Infinity : n);
  }

  #permitsFrom(options: { readonly permits?: number | undefined } | undefined, method: string): number {
    // deadlineFrom has already refused a non-object, so only null and undefined are left to skip.
    const permits = options?.permits;
    return permits === undefined ? 1 : this.#checkPermits(permits, method);
  }

  #checkPermits(permits: unknown, method: string): number {
    if (typeof permits !== 'number' || !Number.isInteger(permits)) {
      throw new TypeError(`${method}: permits must be an integer, got ${String(permits)}`);
    }
    if (permits < 1) throw new RangeError(`${method}: permits must be >= 1, got ${permits}`);
    if (this.kind === 'BoundedSemaphore') {
      const bound = this.#cells[INITIAL]!;
      if (permits > bound) {
        throw new RangeError(
          `${method}: permits ${permits} can never be granted: this BoundedSemaphore holds at most ${bound} (its initial value)`,
        );
      }
    } else if (permits > MAX_VALUE) {
      throw new RangeError(`${method}: permits must be <= ${MAX_VALUE}, got ${permits}`);
    }
    return permits;
  }

  /**
   * Until `permits` are free (`consume`: then taken), the deadline passes, or a cancel. Registered as
   * a waiter before the first look at the value, so a release that this look misses sees a waiter and
   * wakes it; a weighted or non-consuming wait registers as wide, so that releases wake everyone.
   */
  #waitBlocking(permits: number, consume: boolean, deadline: Deadline, method: string): boolean {
    const cells = this.#cells;
    const wide = permits > 1 || !consume;
    if (wide) Atomics.add(cells, WIDE_WAITERS, 1);
    Atomics.add(cells, WAITERS, 1);
    const snapshot = this.#cancel.snapshot();
    try {
      for (;;) {
        // Read before the checks: a release or cancel after them changes it, and the sleep returns.
        const wake = Atomics.load(cells, WAKE);
        if (this.#cancel.cancelledSince(snapshot)) throw this.#cancelled(snapshot, method);
        if (consume ? this.#take(permits) : Atomics.load(cells, VALUE) >= permits) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        if (this.#reclaim()) continue;
        waitBlocking(cells, WAKE, wake, this.#slice(timeout), method);
      }
    } finally {
      Atomics.sub(cells, WAITERS, 1);
      if (wide) Atomics.sub(cells, WIDE_WAITERS, 1);
    }
  }

  async #waitAsync(permits: number, consume: boolean, deadline: Deadline, signal: AbortSignal | undefined, method: string): Promise<boolean> {
    const cells = this.#cells;
    const wide = permits > 1 || !consume;
    if (wide) Atomics.add(cells, WIDE_WAITERS, 1);
    Atomics.add(cells, WAITERS, 1);
    const snapshot = this.#cancel.snapshot();
    try {
      for (;;) {
        const wake = Atomics.load(cells, WAKE);
        if (this.#cancel.cancelledSince(snapshot)) throw this.#cancelled(snapshot, method);
        if (consume ? this.#take(permits) : Atomics.load(cells, VALUE) >= permits) return true;
        const timeout = remaining(deadline);
        if (timeout === 0) return false;
        if (this.#reclaim()) continue;
        await waitNonBlocking(cells, WAKE, wake, this.#slice(timeout), signal, this.#forwardWake);
      }
    } finally {
      Atomics.sub(cells, WAITERS, 1);
      if (wide) Atomics.sub(cells, WIDE_WAITERS, 1);
    }
  }

  #cancelled(snapshot: number, method: string): WaitCancelledError {
    // A release's narrow wake may have picked this waiter, which leaves: pass it on to those that stay.
    if (Atomics.load(this.#cells, VALUE) > 0) this.#wake(Infinity);
    return this.#cancel.error(snapshot, method);
  }

  /** Robust, about to sleep: gives back the permits of dead holders; true when it gave any (look again). */
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
    this.#wake(permits);
    return true;
  }

  #slice(timeout: number): number {
    return this.#holders?.watched === true ? Math.min(timeout, OWNER_CHECK_INTERVAL_MS) : timeout;
  }

  #timeoutError(permits: number, options: WaitOptions | undefined): LockTimeoutError {
    const what = permits === 1 ? this.displayName : `${permits} permits of ${this.displayName}`;
    return new LockTimeoutError(`${what} ${permits === 1 ? 'was' : 'were'} not acquired within ${String(options?.timeout)} ms`);
  }

  readonly #forwardWake = (): void => {
    Atomics.notify(this.#cells, WAKE, 1);
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
    return nameFromHandle(constructAdopting(adoptSemaphore(handle, 'BoundedSemaphore'), () => new BoundedSemaphore()), handle, 'BoundedSemaphore.from(handle)');
  }

  override get handle(): BoundedSemaphoreHandle {
    return super.handle as BoundedSemaphoreHandle;
  }

  protected override get kind(): 'BoundedSemaphore' {
    return 'BoundedSemaphore';
  }
}
