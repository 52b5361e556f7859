import { constructAdopting, takeAdopted } from './internal/adopt.js';
import { waitBlocking, waitNonBlocking } from './internal/futex.js';
import { deadlineFrom, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from './internal/options.js';
import { allocateCells, cellsFromHandle, handleOf, type CellsHandle } from './internal/shared-cells.js';

/** Structured-clonable reference to an {@link Event}. */
export type EventHandle = CellsHandle<'Event'>;

const FLAG = 0;
/** Bumped by every `set()` that raises the flag; waiters sleep on it, so a set-then-clear still wakes them. */
const GENERATION = 1;
const EVENT_CELLS = 2;

/**
 * A flag threads wait for: Python's `threading.Event`. `set()` raises it and wakes every waiter,
 * `clear()` lowers it, `wait()` returns at once while it is raised. As in Python, a waiter woken by
 * `set()` returns `true` even if another thread cleared the flag again before it ran.
 *
 * @example
 * ```ts
 * const ready = new Event();
 * // worker: wait (at most 5 s) for the main thread's go-ahead
 * if (!Event.from(handle).wait({ timeout: 5000 })) throw new Error('no go-ahead');
 * // main thread
 * ready.set();
 * ```
 */
export class Event {
  readonly #cells: Int32Array;

  constructor() {
    this.#cells = takeAdopted<Int32Array>() ?? allocateCells(EVENT_CELLS);
  }

  /** Rebuilds, in this thread, the event a handle refers to. */
  static from(handle: EventHandle): Event {
    return constructAdopting(cellsFromHandle(handle, 'Event', EVENT_CELLS), () => new Event());
  }

  get handle(): EventHandle {
    return handleOf('Event', this.#cells);
  }

  /** Whether the flag is raised. */
  get isSet(): boolean {
    return Atomics.load(this.#cells, FLAG) === 1;
  }

  /** Raises the flag and wakes every waiter, on every thread. */
  set(): void {
    const cells = this.#cells;
    if (Atomics.compareExchange(cells, FLAG, 0, 1) === 0) {
      Atomics.add(cells, GENERATION, 1);
      Atomics.notify(cells, GENERATION);
    }
  }

  /** Lowers the flag; later `wait()`s block until the next `set()`. */
  clear(): void {
    Atomics.store(this.#cells, FLAG, 0);
  }

  /**
   * Blocks until the flag is raised or `timeout` runs out.
   * @returns `true` if the flag was raised (now or while waiting), `false` on timeout.
   */
  wait(options?: WaitOptions): boolean {
    const deadline = deadlineFrom(options, 'Event.wait()');
    const cells = this.#cells;
    const generation = Atomics.load(cells, GENERATION);
    if (Atomics.load(cells, FLAG) === 1) return true;
    // A timeout of 0 waits for nothing: not a wait, even where the thread may not block.
    const timeout = remaining(deadline);
    if (timeout === 0) return false;
    return waitBlocking(cells, GENERATION, generation, timeout, 'Event.wait()') !== 'timed-out' || this.isSet;
  }

  /** Async twin of {@link wait}; usable on any thread. */
  async waitAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Event.waitAsync()');
    const signal = signalFrom(options, 'Event.waitAsync()');
    throwIfAborted(signal);
    const cells = this.#cells;
    const generation = Atomics.load(cells, GENERATION);
    if (Atomics.load(cells, FLAG) === 1) return true;
    // set() wakes every waiter, abandoned ones included, so an abandoned wake needs no forwarding.
    const result = await waitNonBlocking(cells, GENERATION, generation, remaining(deadline), signal, noop, true);
    return result !== 'timed-out' || this.isSet;
  }
}

function noop(): void {}
