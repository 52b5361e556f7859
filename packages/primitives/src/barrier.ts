import { BrokenBarrierError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { guardedWaitAsync, guardedWaitBlocking, withInternalLock } from './internal/guarded-wait.js';
import { MUTEX_CELLS, MutexCells } from './internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { SEQUENCE_CELLS, SequenceCells } from './internal/sequence-cells.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to a {@link Barrier}. */
export type BarrierHandle = CellsHandle<'Barrier'>;

/** Options of `new Barrier()` and `Barrier.from()`. */
export interface BarrierOptions {
  /**
   * Run by the thread whose arrival completes the barrier, before the others are released. Functions
   * cannot cross threads, so each thread gives its own (in the constructor or in `from`); the one of the
   * last-arriving thread runs. If it throws, the barrier breaks and that thread's `wait` throws it.
   */
  readonly action?: (() => void) | undefined;
  /** Default timeout of `wait` in ms (constructor only; it is shared). */
  readonly timeout?: number | undefined;
}

// Python's Barrier (a Condition over a Lock, a state and a count) in cells.
const MUTEX = 0;
const CHANGED = MUTEX + MUTEX_CELLS;
const STATE = CHANGED + SEQUENCE_CELLS;
const COUNT = STATE + 1;
const PARTIES = COUNT + 1;
const DEFAULT_TIMEOUT = PARTIES + 1;
const BARRIER_CELLS = DEFAULT_TIMEOUT + 1;

const FILLING = 0;
const DRAINING = 1;
const RESETTING = -1;
const BROKEN = -2;
const NO_TIMEOUT = -1;

/**
 * A rendezvous for a fixed number of parties: Python's `threading.Barrier`. Each party calls `wait()`;
 * all are released together once `parties` have arrived, and the barrier is ready for the next round.
 * `wait()` returns the arrival index (0 … parties-1), handy to pick one party for a follow-up job.
 * `abort()` breaks it, `reset()` breaks the current round and starts afresh; waiters of a broken round
 * and later callers get {@link BrokenBarrierError}. A party whose `timeout` runs out breaks it too.
 *
 * @example
 * ```ts
 * const barrier = new Barrier(4, { timeout: 10_000 });
 * // in each of 4 workers, rebuilt with Barrier.from(handle):
 * computePhase1();
 * if (barrier.wait() === 0) console.log('phase 1 done');
 * computePhase2();
 * ```
 */
export class Barrier {
  readonly #cells: Int32Array;
  readonly #mutex: MutexCells;
  readonly #changed: SequenceCells;
  readonly #action: (() => void) | undefined;

  /**
   * @throws RangeError when `parties` is not an integer >= 1 or `timeout` is negative.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const adopted = takeAdopted<Int32Array>();
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw new TypeError('Barrier: action must be a function');
    }
    this.#action = options.action;
    this.#cells = adopted ?? Barrier.#allocate(parties, options.timeout);
    this.#mutex = new MutexCells(this.#cells, MUTEX);
    this.#changed = new SequenceCells(this.#cells, CHANGED);
  }

  static #allocate(parties: number, timeout: number | undefined): Int32Array {
    if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1 || parties > 0x7fff_ffff) {
      throw new RangeError(`new Barrier(): parties must be an integer >= 1, got ${String(parties)}`);
    }
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new RangeError(`new Barrier(): timeout must be a non-negative number of ms, got ${String(timeout)}`);
    }
    const cells = allocateCells(BARRIER_CELLS);
    cells[PARTIES] = parties;
    cells[DEFAULT_TIMEOUT] = timeout === undefined || timeout >= 0x7fff_ffff ? NO_TIMEOUT : Math.ceil(timeout);
    return cells;
  }

  /** Rebuilds, in this thread, the barrier a handle refers to, with this thread's `action`. */
  static from(handle: BarrierHandle, options: Pick<BarrierOptions, 'action'> = {}): Barrier {
    return constructAdopting(cellsFromHandle(handle, 'Barrier', BARRIER_CELLS), () => new Barrier(1, options));
  }

  get handle(): BarrierHandle {
    return handleOf('Barrier', this.#cells);
  }

  /** How many parties must arrive to release the barrier. */
  get parties(): number {
    return this.#cells[PARTIES]!;
  }

  /** How many parties are waiting in the current round. */
  get nWaiting(): number {
    return this.#state === FILLING ? Atomics.load(this.#cells, COUNT) : 0;
  }

  /** Whether the barrier is broken (until `reset()`). */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /**
   * Waits until every party has arrived. `timeout` defaults to the barrier's own.
   * @returns this party's arrival index, 0 … parties-1.
   * @throws BrokenBarrierError when the barrier is or becomes broken, or the timeout runs out.
   */
  wait(options?: WaitOptions): number {
    const method = 'Barrier.wait()';
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), method);
    const index = guardedWaitBlocking(this.#mutex, Infinity, method, () => this.#arriveStep(method));
    try {
      if (index + 1 === this.parties) this.#completeRound(method);
      else guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#releasedStep(timeLeft));
      return index;
    } finally {
      withInternalLock(this.#mutex, method, () => this.#leave());
    }
  }

  /** Async twin of {@link wait}; usable on any thread. */
  async waitAsync(options?: AsyncWaitOptions): Promise<number> {
    const method = 'Barrier.waitAsync()';
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    const index = await guardedWaitAsync(this.#mutex, Infinity, signal, () => this.#arriveStep(method));
    try {
      if (index + 1 === this.parties) {
        this.#completeRound(method);
      } else {
        try {
          await guardedWaitAsync(this.#mutex, deadline, signal, (timeLeft) => this.#releasedStep(timeLeft));
        } catch (error) {
          // A party that gives up after arriving breaks the round, as a timeout does in Python, so the
          // others are not left waiting for a release that can no longer come in the expected shape.
          if (!(error instanceof BrokenBarrierError)) withInternalLock(this.#mutex, method, () => this.#break());
          throw error;
        }
      }
      return index;
    } finally {
      withInternalLock(this.#mutex, method, () => this.#leave());
    }
  }

  /**
   * Returns the barrier to its initial state. Parties waiting in the current round get
   * {@link BrokenBarrierError}.
   */
  reset(): void {
    withInternalLock(this.#mutex, 'Barrier.reset()', () => {
      if (Atomics.load(this.#cells, COUNT) > 0) {
        if (this.#state === FILLING || this.#state === BROKEN) this.#state = RESETTING;
      } else {
        this.#state = FILLING;
      }
      this.#changed.notify(Infinity);
    });
  }

  /** Breaks the barrier: current and future `wait`s throw {@link BrokenBarrierError} until `reset()`. */
  abort(): void {
    withInternalLock(this.#mutex, 'Barrier.abort()', () => this.#break());
  }

  get #state(): number {
    return Atomics.load(this.#cells, STATE);
  }

  set #state(value: number) {
    Atomics.store(this.#cells, STATE, value);
  }

  #withDefaultTimeout<O extends WaitOptions>(options: O | undefined): O | WaitOptions | undefined {
    if (options?.timeout !== undefined) return options;
    const fallback = this.#cells[DEFAULT_TIMEOUT]!;
    return fallback === NO_TIMEOUT ? options : { ...options, timeout: fallback };
  }

  /** Python's `_enter` and the arrival: wait out a draining or resetting round, then take an index. */
  #arriveStep(method: string): number | SequenceCells {
    const state = this.#state;
    if (state === DRAINING || state === RESETTING) return this.#changed;
    if (state === BROKEN) throw new BrokenBarrierError(`${method} on a broken barrier`);
    const index = Atomics.load(this.#cells, COUNT);
    Atomics.store(this.#cells, COUNT, index + 1);
    return index;
  }

  /** Python's `_wait`: released once the round drains; broken on timeout, abort or reset. */
  #releasedStep(timeLeft: number): undefined | SequenceCells {
    const state = this.#state;
    if (state === FILLING) {
      if (timeLeft > 0) return this.#changed;
      this.#break();
      throw new BrokenBarrierError('Barrier.wait() timed out; the barrier is now broken');
    }
    if (state < 0) throw new BrokenBarrierError('the Barrier was aborted or reset while waiting');
    return undefined;
  }

  /**
   * The last party runs this thread's action, outside the internal lock so an action may use the
   * barrier (read it, abort it) without deadlocking, then releases the round.
   */
  #completeRound(method: string): void {
    try {
      this.#action?.();
    } catch (error) {
      withInternalLock(this.#mutex, method, () => this.#break());
      throw error;
    }
    withInternalLock(this.#mutex, method, () => {
      if (this.#state !== FILLING) throw new BrokenBarrierError('the Barrier was aborted or reset while its action ran');
      this.#state = DRAINING;
      this.#changed.notify(Infinity);
    });
  }

  /** Python's `_exit`: the last party out of a drained or reset round opens the next one. */
  #leave(): void {
    const count = Atomics.load(this.#cells, COUNT) - 1;
    Atomics.store(this.#cells, COUNT, count);
    if (count === 0 && (this.#state === DRAINING || this.#state === RESETTING)) {
      this.#state = FILLING;
      this.#changed.notify(Infinity);
    }
  }

  #break(): void {
    this.#state = BROKEN;
    this.#changed.notify(Infinity);
  }
}
