import { runInWorker } from './workers.js';

export type GuardKind = 'Lock' | 'RLock' | 'Semaphore' | 'Condition' | 'none';

/**
 * Runs `workers` real worker threads that each increment one shared counter `iterations` times inside
 * the guard, all released together through a raw Atomics start gate (so they really overlap), and
 * returns the final count and each worker's own tally. `none` is the control: the same increments with
 * no guard at all, which must lose updates — proof that the harness can see a lock that fails to exclude.
 */
export async function contendedIncrements(kind: GuardKind, handle: unknown, workers: number, iterations: number) {
  const shared = new Int32Array(new SharedArrayBuffer(8 + 4 * workers));
  const tallies = await Promise.all(
    Array.from({ length: workers }, (_, index) =>
      runInWorker((lib, { kind, handle, shared, workers, iterations, index }) => {
        const COUNTER = 0;
        const READY = 1;
        const guard =
          kind === 'Lock' ? lib.Lock.from(handle as never)
          : kind === 'RLock' ? lib.RLock.from(handle as never)
          : kind === 'Semaphore' ? lib.Semaphore.from(handle as never)
          : kind === 'Condition' ? lib.Condition.from(handle as never)
          : undefined;
        Atomics.add(shared, READY, 1);
        while (Atomics.load(shared, READY) < workers) Atomics.wait(shared, READY, Atomics.load(shared, READY), 5);
        Atomics.notify(shared, READY);
        let mine = 0;
        for (let i = 0; i < iterations; i++) {
          guard?.acquire();
          try {
            // A plain read and a plain write, not Atomics.add: only the guard can make this safe.
            const value = shared[COUNTER]!;
            shared[COUNTER] = value + 1;
            mine += 1;
          } finally {
            guard?.release();
          }
        }
        shared[2 + index] = mine;
        return mine;
      }, { kind, handle, shared, workers, iterations, index }),
    ),
  );
  return { total: shared[0]!, tallies };
}
