/** Options of every blocking call. */
export interface WaitOptions {
  /** Milliseconds to wait at most; `Infinity` (the default) waits forever, `0` only tries. */
  readonly timeout?: number | undefined;
}

/** Options of every `…Async` call. */
export interface AsyncWaitOptions extends WaitOptions {
  /**
   * Aborting it rejects the pending call with the signal's `reason`. The call gives up without taking
   * anything (no lock, permit or item); `Condition.waitAsync` takes its lock back before rejecting, as
   * a timeout would, and an aborted `Barrier.waitAsync` breaks the barrier, as Python's timeout does.
   */
  readonly signal?: AbortSignal | undefined;
}

/** Absolute `performance.now()` time a wait ends at; `Infinity` for no timeout, {@link NO_WAIT} for 0. */
export type Deadline = number;

/**
 * The deadline of a call that must not wait (a timeout of 0, `…Nowait`): already past, so every wait
 * ends at once, and recognisable, so an internal lock can still be given a short patience (see
 * `internal-lock.ts`) instead of failing whenever another thread is in its few-microsecond step.
 */
export const NO_WAIT: Deadline = -1;

export function deadlineFrom(options: WaitOptions | undefined, method: string): Deadline {
  if (options === undefined || options === null) return Infinity;
  if (typeof options !== 'object') {
    throw new TypeError(`${method}: options must be an object like { timeout: 100 }, got ${typeof options}`);
  }
  const { timeout } = options;
  if (timeout === undefined) return Infinity;
  if (typeof timeout !== 'number' || Number.isNaN(timeout)) {
    throw new TypeError(`${method}: timeout must be a number of milliseconds, got ${String(timeout)}`);
  }
  if (timeout < 0) {
    throw new RangeError(`${method}: timeout must be a non-negative number of milliseconds, got ${timeout}`);
  }
  if (timeout === 0) return NO_WAIT;
  return deadlineAfter(timeout);
}

/** The deadline `timeoutMs` from now (never {@link NO_WAIT}: a wait of 0 ms that has begun). */
export function deadlineAfter(timeoutMs: number): Deadline {
  return timeoutMs === Infinity ? Infinity : performance.now() + timeoutMs;
}

/** Milliseconds left until `deadline`, never negative. */
export function remaining(deadline: Deadline): number {
  return deadline === Infinity ? Infinity : Math.max(0, deadline - performance.now());
}

export function signalFrom(options: AsyncWaitOptions | undefined, method: string): AbortSignal | undefined {
  const signal = options?.signal;
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw new TypeError(`${method}: signal must be an AbortSignal`);
  }
  return signal;
}

/** Rejects at once when the signal is already aborted, as `fetch` and Web Locks do. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason;
}
