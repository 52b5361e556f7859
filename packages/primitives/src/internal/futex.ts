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
 * engine's waiter cannot be withdrawn: it stays in the word's wait list until notified or timed out. A
 * notification that reaches such an abandoned waiter was meant for a live one, so `onAbandonedWake` must
 * pass it on (forward the notify, or release a lock handed to it); otherwise a wake-up would be lost.
 */
export function waitNonBlocking(
  cells: Int32Array,
  index: number,
  expected: number,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  onAbandonedWake: () => void,
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
