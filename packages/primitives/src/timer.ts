import { ThreadStateError } from './errors.js';
import { startLongTimeout, type LongTimeout } from './internal/long-timeout.js';

/**
 * Calls a function after a delay unless cancelled first: Python's `threading.Timer`. It runs on the
 * thread that started it (its event loop), not on a new thread. Both entries export this one class
 * (the Node entry through `thread.ts`).
 *
 * @example
 * ```ts
 * const timer = new Timer(5_000, () => console.log('still waiting…'));
 * timer.start();
 * await work();
 * timer.cancel();   // never prints if work ended in time
 * ```
 */
export class Timer {
  readonly interval: number;
  readonly #fn: () => void;
  #handle: LongTimeout | undefined;
  #state: 'new' | 'pending' | 'finished' | 'cancelled' = 'new';
  #started = false;
  #error: unknown;

  constructor(interval: number, fn: () => void) {
    if (typeof interval !== 'number' || Number.isNaN(interval) || interval < 0) {
      throw new RangeError(`new Timer(): interval must be a non-negative number of ms, got ${String(interval)}`);
    }
    if (typeof fn !== 'function') throw new TypeError('new Timer(): fn must be a function');
    this.interval = interval;
    this.#fn = fn;
  }

  /** Whether it has started and neither fired nor been cancelled. */
  get isAlive(): boolean {
    return this.#state === 'pending';
  }

  /** Whether the function ran. */
  get finished(): boolean {
    return this.#state === 'finished';
  }

  /**
   * What the function threw, if it threw: reported on stderr and kept here, as Python's
   * `threading.excepthook` prints it and the program goes on (and as {@link Thread} does), rather
   * than an uncaught exception that ends the process.
   */
  get error(): unknown {
    return this.#error;
  }

  /**
   * Starts the countdown; after `cancel()`, does nothing (the function will not run), as Python's.
   * Any interval works: one past the 2^31 - 1 ms a `setTimeout` keeps (about 24.8 days; `Infinity`)
   * is waited out in full.
   * @throws ThreadStateError when started twice.
   */
  start(): void {
    if (this.#started) throw new ThreadStateError('a Timer can only be started once');
    this.#started = true;
    if (this.#state === 'cancelled') return;
    this.#state = 'pending';
    this.#handle = startLongTimeout(() => {
      this.#state = 'finished';
      try {
        this.#fn();
      } catch (error) {
        this.#error = error;
        console.error('Exception in Timer function:', error);
      }
    }, this.interval);
  }

  /** Stops the timer if it has not fired yet; does nothing otherwise. */
  cancel(): void {
    if (this.#state === 'pending' || this.#state === 'new') {
      this.#handle?.cancel();
      this.#state = 'cancelled';
    }
  }
}
