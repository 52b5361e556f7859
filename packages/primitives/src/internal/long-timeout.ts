/**
 * `setTimeout` for any delay. The engines keep a timer's delay in a signed 32-bit integer: a longer
 * one (2^31 ms is under 25 days; `Infinity`) fires after 1 ms, with at most a warning. A long delay
 * is waited out here in chunks, each measured from the clock, so the callback runs once the whole
 * delay has passed and never before. `Infinity` never fires, and keeps the event loop alive as a
 * pending timer does, until cancelled.
 */

/** The longest delay a timer keeps: 2^31 - 1 ms. */
export const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** A timer started by {@link startLongTimeout}: `cancel()` stops it (a second call does nothing). */
export interface LongTimeout {
  cancel(): void;
}

export function startLongTimeout(callback: () => void, delayMs: number): LongTimeout {
  const due = performance.now() + delayMs;
  let handle: ReturnType<typeof setTimeout> | undefined;
  const arm = (left: number): void => {
    handle = setTimeout(() => {
      const now = performance.now();
      if (now >= due) callback();
      else arm(due - now);
    }, Math.min(left, LONGEST_TIMER_MS));
  };
  arm(delayMs);
  return {
    cancel(): void {
      clearTimeout(handle);
    },
  };
}
