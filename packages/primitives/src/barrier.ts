import { BrokenBarrierError, InternalStateLockedError } from './errors.js';
import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { blockingNotAllowed } from './internal/futex.js';
import { guardedWaitAsync, guardedWaitBlocking, withInternalLock, withInternalLockAsync } from './internal/guarded-wait.js';
import { InternalLock, internalStateLocked, lockInternalBlocking } from './internal/internal-lock.js';
import { MUTEX_CELLS } from './internal/mutex-cells.js';
import { deadlineFrom, NO_WAIT, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { SEQUENCE_CELLS, SequenceCells } from './internal/sequence-cells.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';
import { canBlock, currentThreadIdent } from './internal/thread-context.js';
import { isThreadDead, isThreadWatched, OWNER_CHECK_INTERVAL_MS } from './internal/thread-registry.js';

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

// Python's Barrier (a Condition over a Lock, a state and a count) in cells, with Java's generations:
// each round has an epoch number, and a round ends (completed or reset) by moving to the next epoch at
// once. Python instead waits for every released party to leave before the next round may fill; a
// party that died after arriving never leaves, and the barrier would stall for good.
const MUTEX = 0;
const CHANGED = MUTEX + MUTEX_CELLS;
const STATE = CHANGED + SEQUENCE_CELLS;
const COUNT = STATE + 1;
const PARTIES = COUNT + 1;
const DEFAULT_TIMEOUT = PARTIES + 1;
/** The current round's number (wraps around). */
const EPOCH = DEFAULT_TIMEOUT + 1;
/**
 * Bit `e % 32` is set once round `e` completed (cleared when round `e` starts), so a party that wakes
 * after its round ended tells "released" from "reset", as long as fewer than 32 rounds went by.
 */
const COMPLETED = EPOCH + 1;
/**
 * Who arrived in the current round: `threadId + 1` of the party with arrival index `i` at
 * `ARRIVALS + i`, for the first {@link TRACKED_PARTIES} indices. Waiters look there for a party that
 * died (a registered thread marked dead), and break the barrier when they find one.
 */
const ARRIVALS = COMPLETED + 1;
const BARRIER_CELLS = ARRIVALS;
/** Parties whose arrival is recorded (and whose death is detected) per round; later ones are not. */
const TRACKED_PARTIES = 64;

function barrierCells(parties: number): number {
  return BARRIER_CELLS + Math.min(parties, TRACKED_PARTIES);
}
const EPOCH_MEMORY = 32;

const FILLING = 0;
const BROKEN = -2;
const NO_TIMEOUT = -1;

/** A party's place: its arrival index in the round of epoch `epoch`. */
interface Arrival {
  readonly index: number;
  readonly epoch: number;
}

/**
 * A rendezvous for a fixed number of parties: Python's `threading.Barrier`. Each party calls `wait()`;
 * all are released together once `parties` have arrived, and the barrier is ready for the next round.
 * `wait()` returns the arrival index (0 … parties-1), handy to pick one party for a follow-up job.
 * `abort()` breaks it, `reset()` breaks the current round and starts afresh; waiters of a broken round
 * and later callers get {@link BrokenBarrierError}. A party whose `timeout` runs out breaks it too.
 *
 * **A party that dies.** A registered party (a `Thread`, or a worker passed to `registerWorker()`)
 * that dies while waiting, running the action, or inside the barrier's internal step breaks the
 * barrier: the other waiters get {@link BrokenBarrierError} (they look for dead parties every
 * `OWNER_CHECK_INTERVAL_MS` while one is waiting), and `reset()` repairs it. The deaths of the first 64
 * arrivals of a round are detected. A party that dies before it arrives (before its first `wait`, or
 * between rounds) is not: the barrier does not know its parties before they arrive, so the round is
 * one short and only timed waits break it. An unregistered party that dies while waiting still counts as
 * arrived; later rounds are one party short, so timed waits break the barrier, and `reset()` repairs
 * it. Only an unregistered party that died holding the internal lock (a few microseconds per call)
 * leaves it beyond repair: timed waits then throw by their deadline and `reset()`/`abort()` throw
 * `InternalStateLockedError`.
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
  readonly #mutex: InternalLock;
  readonly #changed: SequenceCells;
  readonly #action: (() => void) | undefined;

  /**
   * @throws RangeError when `parties` is not an integer >= 1 or `timeout` is negative; TypeError when
   * `options` is not an object, `action` not a function or `timeout` not a number.
   */
  constructor(parties: number, options: BarrierOptions = {}) {
    const adopted = takeAdopted<Int32Array>();
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`new Barrier(parties, options): options must be an object like { timeout: 1000 }, got ${options === null ? 'null' : typeof options}`);
    }
    if (options.action !== undefined && typeof options.action !== 'function') {
      throw new TypeError('Barrier: action must be a function');
    }
    this.#action = options.action;
    this.#cells = adopted ?? Barrier.#allocate(parties, options.timeout);
    this.#mutex = new InternalLock(this.#cells, MUTEX, this.#recover, this.#pollInterval);
    this.#changed = new SequenceCells(this.#cells, CHANGED);
  }

  static #allocate(parties: number, timeout: number | undefined): Int32Array {
    if (typeof parties !== 'number' || !Number.isInteger(parties) || parties < 1 || parties > 0x7fff_ffff) {
      throw new RangeError(`new Barrier(): parties must be an integer >= 1, got ${String(parties)}`);
    }
    if (timeout !== undefined && (typeof timeout !== 'number' || Number.isNaN(timeout))) {
      throw new TypeError(`new Barrier(): timeout must be a number of ms, got ${typeof timeout === 'string' ? JSON.stringify(timeout) : String(timeout)}`);
    }
    if (timeout !== undefined && timeout < 0) throw new RangeError(`new Barrier(): timeout must be a non-negative number of ms, got ${timeout}`);
    const cells = allocateCells(barrierCells(parties));
    cells[PARTIES] = parties;
    cells[DEFAULT_TIMEOUT] = timeout === undefined || timeout >= 0x7fff_ffff ? NO_TIMEOUT : Math.ceil(timeout);
    return cells;
  }

  /** Rebuilds, in this thread, the barrier a handle refers to, with this thread's `action`. */
  static from(handle: BarrierHandle, options: Pick<BarrierOptions, 'action'> = {}): Barrier {
    const head = cellsFromHandle(handle, 'Barrier', BARRIER_CELLS);
    const cells = cellsFromHandle(handle, 'Barrier', barrierCells(head[PARTIES]!));
    return constructAdopting(cells, () => new Barrier(1, options));
  }

  get handle(): BarrierHandle {
    return handleOf('Barrier', this.#cells);
  }

  /** How many parties must arrive to release the barrier. */
  get parties(): number {
    return this.#cells[PARTIES]!;
  }

  /** How many parties are waiting in the current round (a party that died waiting still counts). */
  get nWaiting(): number {
    return this.#state === FILLING ? Atomics.load(this.#cells, COUNT) : 0;
  }

  /** Whether the barrier is broken (until `reset()`). */
  get broken(): boolean {
    return this.#state === BROKEN;
  }

  /**
   * Waits until every party has arrived. `timeout` defaults to the barrier's own, and holds even when
   * a party died inside the barrier: the call throws by its deadline. On a thread that may not block
   * (a browser's main thread) it throws `BlockingNotAllowedError` before arriving, unless its arrival
   * completes the round.
   * @returns this party's arrival index, 0 … parties-1.
   * @throws BrokenBarrierError when the barrier is or becomes broken, or the timeout runs out.
   */
  wait(options?: WaitOptions): number {
    const method = 'Barrier.wait()';
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), method);
    const mayWait = canBlock();
    const arrival = guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#arriveStep(method, timeLeft, mayWait), lockTimedOut);
    if (arrival.index + 1 === this.parties) {
      this.#runAction(arrival, method);
      // This party waits for nothing but the lock: with a timeout, the short patience of a call that
      // must not wait, so an action that used up the timeout does not make the release fail.
      const lockDeadline = deadline === Infinity ? Infinity : NO_WAIT;
      if (!lockInternalBlocking(this.#mutex, lockDeadline, method)) lockTimedOut(method, internalStateLocked(method, lockDeadline));
      try {
        this.#releaseRound(arrival);
      } finally {
        this.#mutex.unlock();
      }
    } else {
      guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#releasedStep(arrival.epoch, timeLeft, method), lockTimedOut);
    }
    return arrival.index;
  }

  /** Async twin of {@link wait}; usable on any thread. */
  async waitAsync(options?: AsyncWaitOptions): Promise<number> {
    const method = 'Barrier.waitAsync()';
    const deadline = deadlineFrom(this.#withDefaultTimeout(options), method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    const arrival = await guardedWaitAsync(this.#mutex, deadline, method, signal, (timeLeft) => this.#arriveStep(method, timeLeft, true), lockTimedOut);
    if (arrival.index + 1 === this.parties) {
      this.#runAction(arrival, method);
      const lockDeadline = deadline === Infinity ? Infinity : NO_WAIT;
      try {
        await withInternalLockAsync(this.#mutex, method, () => this.#releaseRound(arrival), lockDeadline);
      } catch (error) {
        if (error instanceof InternalStateLockedError) lockTimedOut(method, error);
        throw error;
      }
      return arrival.index;
    }
    try {
      await guardedWaitAsync(this.#mutex, deadline, method, signal, (timeLeft) => this.#releasedStep(arrival.epoch, timeLeft, method), lockTimedOut);
    } catch (error) {
      // A party that gives up after arriving breaks its round, as a timeout does in Python, so the
      // others are not left waiting for a release that can no longer come in the expected shape.
      if (!(error instanceof BrokenBarrierError)) await this.#breakRoundAsync(arrival.epoch, method);
      throw error;
    }
    return arrival.index;
  }

  /**
   * Returns the barrier to its initial state: parties waiting in the current round get
   * {@link BrokenBarrierError}, and the next `wait` starts a fresh round at once. This also repairs a
   * barrier whose party died while waiting (that party's arrival is forgotten).
   * @throws InternalStateLockedError when a thread died inside the barrier's internal step.
   */
  reset(): void {
    withInternalLock(this.#mutex, 'Barrier.reset()', () => {
      this.#startRound((this.#epoch + 1) | 0);
      this.#state = FILLING;
      this.#changed.notify(Infinity);
    });
  }

  /**
   * Breaks the barrier: current and future `wait`s throw {@link BrokenBarrierError} until `reset()`.
   * @throws InternalStateLockedError when a thread died inside the barrier's internal step.
   */
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
    // Something that is no options object is left for deadlineFrom to refuse, not spread into one.
    if ((options !== undefined && (typeof options !== 'object' || options === null)) || options?.timeout !== undefined) return options;
    const fallback = this.#cells[DEFAULT_TIMEOUT]!;
    return fallback === NO_TIMEOUT ? options : { ...options, timeout: fallback };
  }

  get #epoch(): number {
    return Atomics.load(this.#cells, EPOCH);
  }

  /** Moves to round `epoch`, empty; forgets that an older round with the same bit completed. */
  #startRound(epoch: number): void {
    Atomics.and(this.#cells, COMPLETED, ~(1 << (epoch & (EPOCH_MEMORY - 1))));
    Atomics.store(this.#cells, COUNT, 0);
    Atomics.store(this.#cells, EPOCH, epoch);
  }

  /**
   * The arrival: take an index in the current round. While the round is complete and its last party
   * runs the action, wait for the next round (Python holds the lock through the action instead).
   */
  #arriveStep(method: string, timeLeft: number, mayWait: boolean): Arrival | SequenceCells {
    if (this.#state === BROKEN) throw new BrokenBarrierError(`${method} on a broken barrier`);
    const index = Atomics.load(this.#cells, COUNT);
    if (index >= this.parties) {
      if (timeLeft > 0) return this.#changed;
      this.#break();
      throw new BrokenBarrierError(`${method} timed out while the previous round's action ran; the barrier is now broken`);
    }
    this.#checkParties(method);
    // A blocking wait on a thread that may not block refuses before it arrives, unless its arrival
    // completes the round (then it waits for nobody).
    if (!mayWait && timeLeft > 0 && index + 1 < this.parties) throw blockingNotAllowed(method);
    if (index < TRACKED_PARTIES) Atomics.store(this.#cells, ARRIVALS + index, currentThreadIdent() + 1);
    Atomics.store(this.#cells, COUNT, index + 1);
    return { index, epoch: this.#epoch };
  }

  /** Python's `_wait`: released once the round completes; broken on timeout, abort or reset. */
  #releasedStep(epoch: number, timeLeft: number, method: string): undefined | SequenceCells {
    const current = this.#epoch;
    if (current !== epoch) {
      const roundsSince = (current - epoch) | 0;
      const completed = (Atomics.load(this.#cells, COMPLETED) & (1 << (epoch & (EPOCH_MEMORY - 1)))) !== 0;
      if (roundsSince > 0 && roundsSince < EPOCH_MEMORY && completed) return undefined;
      throw new BrokenBarrierError('the Barrier was reset while waiting');
    }
    if (this.#state === BROKEN) throw new BrokenBarrierError('the Barrier was aborted or reset while waiting');
    this.#checkParties(method);
    if (timeLeft > 0) return this.#changed;
    this.#break();
    throw new BrokenBarrierError(`${method} timed out; the barrier is now broken`);
  }

  /**
   * The last party runs this thread's action outside the internal lock, so an action may use the
   * barrier (read it, abort it) without deadlocking; then it releases the round ({@link releaseRound}).
   */
  #runAction(arrival: Arrival, method: string): void {
    try {
      this.#action?.();
    } catch (error) {
      this.#breakRound(arrival.epoch, method);
      throw error;
    }
  }

  /** Under the lock, after the action: releases the round by starting the next. */
  #releaseRound(arrival: Arrival): void {
    if (this.#epoch !== arrival.epoch) throw new BrokenBarrierError('the Barrier was reset while its action ran');
    if (this.#state === BROKEN) throw new BrokenBarrierError('the Barrier was aborted while its action ran');
    Atomics.or(this.#cells, COMPLETED, 1 << (arrival.epoch & (EPOCH_MEMORY - 1)));
    this.#startRound((arrival.epoch + 1) | 0);
    this.#changed.notify(Infinity);
  }

  /** Breaks the round of `epoch` if it is still the current one (not completed or reset meanwhile). */
  #breakRound(epoch: number, method: string): void {
    try {
      withInternalLock(this.#mutex, method, () => {
        if (this.#epoch === epoch) this.#break();
      });
    } catch (error) {
      // The caller is already failing with its own error; a barrier left locked cannot be broken.
      if (!(error instanceof InternalStateLockedError)) throw error;
    }
  }

  /** Async form of {@link breakRound}, for async calls: waits for the internal lock asleep. */
  async #breakRoundAsync(epoch: number, method: string): Promise<void> {
    try {
      await withInternalLockAsync(this.#mutex, method, () => {
        if (this.#epoch === epoch) this.#break();
      });
    } catch (error) {
      if (!(error instanceof InternalStateLockedError)) throw error;
    }
  }

  #break(): void {
    this.#state = BROKEN;
    this.#changed.notify(Infinity);
  }

  /** Arrivals recorded in the current round (the round's count, or every party once it is complete). */
  #recordedArrivals(): number {
    return Math.min(Atomics.load(this.#cells, COUNT), this.parties, TRACKED_PARTIES);
  }

  /** Under the lock: breaks the barrier, and throws, when a party of this round is a dead thread. */
  #checkParties(method: string): void {
    const arrived = this.#recordedArrivals();
    for (let i = 0; i < arrived; i++) {
      const ident = Atomics.load(this.#cells, ARRIVALS + i) - 1;
      if (isThreadDead(ident)) {
        this.#break();
        throw new BrokenBarrierError(`${method}: party ${i} of this round, thread ${ident}, died; the barrier is now broken (reset() repairs it)`);
      }
    }
  }

  /**
   * Under the lock, for a guarded wait: waiters poll for dead parties while any party of the round is
   * a registered thread (one whose death would be detected); otherwise they sleep until woken.
   */
  readonly #pollInterval = (): number => {
    const arrived = this.#recordedArrivals();
    for (let i = 0; i < arrived; i++) {
      if (isThreadWatched(Atomics.load(this.#cells, ARRIVALS + i) - 1)) return OWNER_CHECK_INTERVAL_MS;
    }
    return Infinity;
  };

  /**
   * A registered thread died holding the internal lock, in the middle of a step: it was a party, so
   * the barrier breaks (whatever the step was doing, the round cannot go on as planned); `reset()`
   * repairs it, as for any broken barrier. Run with the lock held.
   */
  readonly #recover = (): void => {
    this.#break();
  };
}

/** What a timed wait gives when the barrier's internal lock stayed held until its deadline. */
function lockTimedOut(method: string, cause: Error): never {
  throw new BrokenBarrierError(`${method} timed out waiting for the barrier's internal lock`, { cause });
}
