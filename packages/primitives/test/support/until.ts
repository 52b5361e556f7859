import { sleep } from './workers.js';

/**
 * Polls `predicate` on the event loop until it holds; rejects (never hangs) after `timeoutMs`. Used to
 * wait for a worker to reach a point it announces in shared memory. Only a guard against a hang: no
 * test result depends on how long this takes.
 */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!predicate()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** Shared `Int32Array` counters a test and its workers both see. */
export function sharedInts(length: number): Int32Array {
  return new Int32Array(new SharedArrayBuffer(length * Int32Array.BYTES_PER_ELEMENT));
}

/** Tracks whether a promise has settled yet, without consuming its outcome. */
export function track<T>(promise: Promise<T>): { readonly settled: boolean; readonly promise: Promise<T> } {
  const state = { settled: false, promise };
  promise.then(
    () => {
      state.settled = true;
    },
    () => {
      state.settled = true;
    },
  );
  return state;
}

/** Awaits `promise` and returns what it rejected with; fails if it fulfils. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it fulfilled');
}

/** Slack allowed below a timeout when asserting it lasted at least that long (timers may round down). */
export const SLACK_MS = 5;
