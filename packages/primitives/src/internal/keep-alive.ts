/**
 * A pending `Atomics.waitAsync` does not keep Node's event loop alive, so `await lock.acquireAsync()`
 * on a thread with nothing else to do would let the process exit mid-wait. While any async wait of
 * this thread is pending we hold one referenced timer, as a pending socket read would.
 */
let pending = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export function retainEventLoop(): void {
  pending += 1;
  if (pending === 1) timer = setInterval(noop, 1_000_000_000);
}

export function releaseEventLoop(): void {
  pending -= 1;
  if (pending === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function noop(): void {}
