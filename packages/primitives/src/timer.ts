import { ThreadStateError } from './errors.js';

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
  #handle: ReturnType<typeof setTimeout> | undefined;
  #state: 'new' | 'pending' | 'finished' | 'cancelled' = 'new';

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

  /** @throws ThreadStateError when started twice. */
  start(): void {
    if (this.#state !== 'new') throw new ThreadStateError('a Timer can only be started once');
    this.#state = 'pending';
    this.#handle = setTimeout(() => {
      this.#state = 'finished';
      this.#fn();
    }, this.interval);
  }

  /** Stops the timer if it has not fired yet; does nothing otherwise. */
  cancel(): void {
    if (this.#state === 'pending' || this.#state === 'new') {
      clearTimeout(this.#handle);
      this.#state = 'cancelled';
    }
  }
}
