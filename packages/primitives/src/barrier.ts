import { Condition, type ConditionHandle } from './condition.js';
import { BrokenBarrierError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { allocateCells, cellsFromHandle } from './internal/shared-cells.js';
import { Lock } from './lock.js';

/** Structured-clonable reference to a {@link Barrier}. */
export interface BarrierHandle {
  readonly kind: 'Barrier';
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly condition: ConditionHandle;
}

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

const STATE = 0;
const COUNT = 1;
const PARTIES = 2;
const DEFAULT_TIMEOUT = 3;
const BARRIER_CELLS = 4;

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
  readonly #condition: Condition;
  readonly #action: (() => void) | undefined;

  /**
   * @throws RangeError when `parties` is not an integer >= 1 or `timeout` is negative.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const adopted = takeAdopted<{ cells: Int32Array; condition: Condition }>();
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw new TypeError('Barrier: action must be a function');
    }
    this.#action = options.action;
    if (adopted !== undefined) {
      this.#cells = adopted.cells;
      this.#condition = adopted.condition;
      return;
    }
    if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1 || parties > 0x7fff_ffff) {
      throw new RangeError(`new Barrier(): parties must be an integer >= 1, got ${String(parties)}`);
    }
    const timeout = options.timeout;
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout) || timeout < 0)) {
      throw new RangeError(`new Barrier(): timeout must be a non-negative number of ms, got ${String(timeout)}`);
    }
    this.#cells = allocateCells(BARRIER_CELLS);
    this.#cells[PARTIES] = parties;
    this.#cells[DEFAULT_TIMEOUT] = timeout === undefined || timeout >= 0x7fff_ffff ? NO_TIMEOUT : Math.ceil(timeout);
    this.#condition = new Condition(new Lock());
  }

  /** Rebuilds, in this thread, the barrier a handle refers to, with this thread's `action`. */
  static from(handle: BarrierHandle, options: Pick<BarrierOptions, 'action'> = {}): Barrier {
    const cells = cellsFromHandle(handle, 'Barrier', BARRIER_CELLS);
    const condition = Condition.from(handle.condition);
    return constructAdopting({ cells, condition }, () => new Barrier(1, options));
  }

  get handle(): BarrierHandle {
    return { kind: 'Barrier', buffer: this.#cells.buffer as SharedArrayBuffer, byteOffset: this.#cells.byteOffset, condition: this.#condition.handle };
  }

  /** How many parties must arrive to release the barrier. */
  get parties(): number {
    return this.#cells[PARTIES]!;
  }

  /** How many parties are waiting in the current round. */
  get nWaiting(): number {
    return Atomics.load(this.#cells, STATE) === FILLING ? Atomics.load(this.#cells, COUNT) : 0;
  }

  /** Whether the barrier is broken (until `reset()`). */
  get broken(): boolean {
    return Atomics.load(this.#cells, STATE) === BROKEN;
  }

  /**
   * Waits until every party has arrived. `timeout` defaults to the barrier's own.
   * @returns this party's arrival index, 0 … parties-1.
   * @throws BrokenBarrierError when the barrier is or becomes broken, or the timeout runs out.
   */
  wait(options?: WaitOptions): number {
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), 'Barrier.wait()');
    using _held = this.#condition.hold();
    this.#enter(() => this.#condition.wait());
    const index = this.#arrive();
    try {
      if (index + 1 === this.parties) {
        this.#releaseRound(this.#action);
      } else {
        const released = this.#condition.waitFor(() => this.#state !== FILLING, { timeout: remaining(deadline) });
        this.#checkReleased(released);
      }
      return index;
    } finally {
      this.#leave();
    }
  }

  /** Async twin of {@link wait}; usable on any thread. */
  async waitAsync(options?: AsyncWaitOptions): Promise<number> {
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), 'Barrier.waitAsync()');
    const signal = signalFrom(options, 'Barrier.waitAsync()');
    throwIfAborted(signal);
    await using _held = await this.#condition.holdAsync({ signal });
    while (this.#state === DRAINING || this.#state === RESETTING) await this.#condition.waitAsync({ signal });
    if (this.#state === BROKEN) throw new BrokenBarrierError('Barrier.waitAsync() on a broken barrier');
    const index = this.#arrive();
    try {
      if (index + 1 === this.parties) {
        this.#releaseRound(this.#action);
      } else {
        let released: boolean;
        try {
          released = await this.#condition.waitForAsync(() => this.#state !== FILLING, { timeout: remaining(deadline), signal });
        } catch (error) {
          // An aborted party must not leave the others waiting for an arrival that will never come.
          this.#break();
          throw error;
        }
        this.#checkReleased(released);
      }
      return index;
    } finally {
      this.#leave();
    }
  }

  /**
   * Returns the barrier to its initial state. Parties waiting in the current round get
   * {@link BrokenBarrierError}.
   */
  reset(): void {
    using _held = this.#condition.hold();
    if (Atomics.load(this.#cells, COUNT) > 0) {
      if (this.#state === FILLING || this.#state === BROKEN) this.#state = RESETTING;
    } else {
      this.#state = FILLING;
    }
    this.#condition.notifyAll();
  }

  /** Breaks the barrier: current and future `wait`s throw {@link BrokenBarrierError} until `reset()`. */
  abort(): void {
    using _held = this.#condition.hold();
    this.#break();
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

  /** Waits out a draining or resetting round (Python's `_enter`). */
  #enter(waitOnce: () => void): void {
    while (this.#state === DRAINING || this.#state === RESETTING) waitOnce();
    if (this.#state === BROKEN) throw new BrokenBarrierError('Barrier.wait() on a broken barrier');
  }

  #arrive(): number {
    const index = Atomics.load(this.#cells, COUNT);
    Atomics.store(this.#cells, COUNT, index + 1);
    return index;
  }

  #releaseRound(action: (() => void) | undefined): void {
    try {
      action?.();
      this.#state = DRAINING;
      this.#condition.notifyAll();
    } catch (error) {
      this.#break();
      throw error;
    }
  }

  #checkReleased(released: boolean): void {
    if (!released) {
      this.#break();
      throw new BrokenBarrierError('Barrier.wait() timed out; the barrier is now broken');
    }
    if (this.#state < 0) throw new BrokenBarrierError('the Barrier was aborted or reset while waiting');
  }

  /** Python's `_exit`: the last party out of a drained or reset round opens the next one. */
  #leave(): void {
    const count = Atomics.load(this.#cells, COUNT) - 1;
    Atomics.store(this.#cells, COUNT, count);
    if (count === 0 && (this.#state === DRAINING || this.#state === RESETTING)) {
      this.#state = FILLING;
      this.#condition.notifyAll();
    }
  }

  #break(): void {
    this.#state = BROKEN;
    this.#condition.notifyAll();
  }
}
