import { BlockingNotAllowedError } from '../errors.js';
import { releaseEventLoop, retainEventLoop } from './keep-alive.js';
import { canBlock } from './thread-context.js';

export type WaitResult = 'ok' | 'not-equal' | 'timed-out';

/**
 * Sleeps while `cells[index] === expected`, at most `timeoutMs`. Throws a clear error instead of
 * hanging (or of V8's bare TypeError) on a thread that may not block.
 */
export function waitBlocking(cells: Int32Array, index: number, expected: number, timeoutMs: number, method: string): WaitResult {
  assertCanBlock(method);
  return Atomics.wait(cells, index, expected, timeoutMs);
}

/** For calls that must refuse before changing any state, e.g. `Condition.wait` before it releases its lock. */
export function assertCanBlock(method: string): void {
  if (!canBlock()) throw blockingNotAllowed(method);
}

/** What a blocking call that would have to wait throws on a thread that may not block. */
export function blockingNotAllowed(method: string, options?: ErrorOptions): BlockingNotAllowedError {
  return new BlockingNotAllowedError(`${method} would block, and this thread may not block; use the …Async form of this call instead`, options);
}

const atomicsPause = (Atomics as { readonly pause?: (hint?: number) => void }).pause;

/**
 * One turn of a spin-wait: `Atomics.pause()` where the engine has it (a CPU hint that this is a
 * busy-wait, easing the core for the thread being waited for), nothing elsewhere.
 */
export const spinPause: () => void = typeof atomicsPause === 'function' ? () => atomicsPause.call(Atomics) : () => {};

/**
 * Async twin of {@link waitBlocking}. When `signal` aborts, the returned promise rejects at once, but the
 * engine's waiter cannot be withdrawn: it would stay in the word's wait list until notified or timed
 * out, and take the next `notify(…, 1)` meant for a live waiter. Passing that wake-up on from its
 * promise is not enough: the promise settles on this thread's event loop, which may not run for a long
 * time (this thread blocked in a blocking wait of its own, or busy), while the live waiter sleeps on
 * with the permit or item there. So the abort wakes every waiter of the word at once: the engine
 * takes them all off its list synchronously, ours included, and each live one looks again and sleeps
 * again (all waits here re-check their condition; aborts are rare, so the spurious wake-ups are
 * cheap). A wake-up that reached this waiter before the abort is then passed on too: the other
 * waiters were woken with it; and `onAbandonedWake` (forward the notify, or release a lock handed to
 * the waiter) still runs when the abandoned promise settles 'ok', for what the wake-all cannot give
 * back (a lock handed over with the wake-up).
 *
 * A word whose every notify wakes all its waiters (`wakesAll`: an event's flag, a latch, the readers
 * of a read-write lock) has no wake-up to lose: its aborts wake nobody, since some of its waiters
 * take any wake-up for the one they wait for.
 */
export function waitNonBlocking(
  cells: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onAbandonedWake: () => void,
  wakesAll = false,
): Promise<WaitResult> {
  // An aborted signal fires no more events: waiting on it would last until the timeout or a notify.
  // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
  if (signal?.aborted === true) return Promise.reject(signal.reason);
  const result = Atomics.waitAsync(cells, index, expected, timeoutMs);
  if (!result.async) return Promise.resolve(result.value);
  retainEventLoop();
  if (signal === undefined) {
    return result.value.finally(releaseEventLoop);
  }
  return new Promise<WaitResult>((resolve, reject) => {
    let abandoned = false;
    const onAbort = (): void => {
      abandoned = true;
      if (!wakesAll) Atomics.notify(cells, index);
      releaseEventLoop();
      // The signal's reason is rethrown as given (usually a DOMException 'AbortError'), as fetch does.
      // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
    void result.value.then((value) => {
      if (abandoned) {
        if (value === 'ok') onAbandonedWake();
        return;
      }
      signal.removeEventListener('abort', onAbort);
      releaseEventLoop();
      resolve(value);
    });
  });
}
