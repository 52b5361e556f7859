/**
 * A pending `Atomics.waitAsync` does not keep Node's event loop alive (nor Deno's, for a wait with a
 * timeout), so `await lock.acquireAsync()` on a thread with nothing else to do would let the process
 * exit mid-wait (Node: exit code 13). While any async wait of this thread is pending we hold one
 * referenced timer, shared by all of them, as a pending socket read would: started by the first wait
 * that goes to sleep, cleared as soon as the last one settles (resolved, timed out or aborted). Only
 * timers, which every runtime has: no Node built-in. Calls that succeed at once never get here.
 */
let pending = 0;
let timer: ReturnType<typeof setInterval> | undefined;

export function retainEventLoop(): void {
  pending += 1;
  if (pending === 1) timer = setInterval(noop, 1_000_000_000);
}

export function releaseEventLoop(): void {
  if (pending === 0) return; // never below zero: an unmatched release must not strand the next retain
  pending -= 1;
  if (pending === 0 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function noop(): void {}
