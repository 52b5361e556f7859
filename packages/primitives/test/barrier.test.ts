import { afterEach, describe, expect, test } from 'vitest';
import { Barrier, BrokenBarrierError } from '@lockstep/primitives';
import { runInWorker, sleep, terminateAll } from './support/workers.js';
import { rejectionOf, sharedInts, SLACK_MS, until } from './support/until.js';

afterEach(terminateAll);

/** Worker outcome of one `wait`: the index, or the thrown error's class name and message. */
type Outcome = { index: number } | { error: string; message: string };

describe('Barrier (Python threading.Barrier)', () => {
  test('constructor validates parties, timeout and action', () => {
    for (const parties of [0, -1, 1.5, Number.NaN, Infinity, '3']) {
      expect(() => new Barrier(parties as number)).toThrow(RangeError);
    }
    expect(() => new Barrier(2, { timeout: -1 })).toThrow(RangeError);
    // Not a number: a TypeError, as every other timeout of the package.
    expect(() => new Barrier(2, { timeout: Number.NaN })).toThrow(TypeError);
    expect(() => new Barrier(2, { timeout: '5' as unknown as number })).toThrow(/timeout must be a number of ms, got "5"/);
    expect(() => new Barrier(2, null as unknown as object)).toThrow(/options must be an object like \{ timeout: 1000 \}, got null/);
    expect(() => new Barrier(2, { action: 'run' as unknown as () => void })).toThrow(TypeError);
    // A default timeout does not hide bad options given to wait().
    expect(() => new Barrier(1, { timeout: 100 }).wait('soon' as never)).toThrow(/Barrier\.wait\(\): options must be an object/);
    expect(new Barrier(1, { timeout: 100 }).wait()).toBe(0);
    const barrier = new Barrier(3);
    expect(barrier.parties).toBe(3);
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
  });

  test('a one-party barrier returns index 0 at once, round after round, running its action each time', async () => {
    let actions = 0;
    const barrier = new Barrier(1, { action: () => void (actions += 1) });
    expect(barrier.wait()).toBe(0);
    expect(barrier.wait()).toBe(0);
    expect(await barrier.waitAsync()).toBe(0);
    expect(actions).toBe(3);
    expect(barrier.broken).toBe(false);
  });

  test('lockstep over 10 rounds (3 workers blocking + main async): indices 0..n-1 once per round, barrier reusable', async () => {
    const parties = 4;
    const rounds = 10;
    const barrier = new Barrier(parties, { timeout: 20_000 });
    // before[r]/after[r]: arrivals before and after the first wait of round r; indices[r*parties+i]: how
    // many parties got index i in round r (each of the two waits of the round counts separately).
    const before = sharedInts(rounds);
    const after = sharedInts(rounds);
    const firstIndices = sharedInts(rounds * parties);
    const secondIndices = sharedInts(rounds * parties);
    const data = { handle: barrier.handle, parties, rounds, before, after, firstIndices, secondIndices };
    const workers = [0, 1, 2].map(() =>
      runInWorker(({ Barrier }, d) => {
        const barrier = Barrier.from(d.handle);
        for (let r = 0; r < d.rounds; r++) {
          Atomics.add(d.before, r, 1);
          if (r > 0 && Atomics.load(d.after, r - 1) !== d.parties) throw new Error(`round ${r} began before round ${r - 1} ended`);
          Atomics.add(d.firstIndices, r * d.parties + barrier.wait(), 1);
          if (Atomics.load(d.before, r) !== d.parties) throw new Error(`released in round ${r} before everyone arrived`);
          Atomics.add(d.after, r, 1);
          Atomics.add(d.secondIndices, r * d.parties + barrier.wait(), 1);
        }
        return { nWaiting: barrier.nWaiting, broken: barrier.broken };
      }, data),
    );
    for (let r = 0; r < rounds; r++) {
      Atomics.add(before, r, 1);
      if (r > 0) expect(Atomics.load(after, r - 1)).toBe(parties);
      Atomics.add(firstIndices, r * parties + (await barrier.waitAsync()), 1);
      expect(Atomics.load(before, r)).toBe(parties);
      Atomics.add(after, r, 1);
      Atomics.add(secondIndices, r * parties + (await barrier.waitAsync()), 1);
    }
    for (const result of await Promise.all(workers)) expect(result).toEqual({ nWaiting: 0, broken: false });
    expect([...firstIndices]).toEqual(new Array(rounds * parties).fill(1));
    expect([...secondIndices]).toEqual(new Array(rounds * parties).fill(1));
    expect(barrier.nWaiting).toBe(0);
    expect(barrier.broken).toBe(false);
  });

  test('the action runs exactly once per round, in the last arriving party, before anyone is released', async () => {
    const parties = 4;
    const rounds = 6;
    const barrier = new Barrier(parties);
    const separator = new Barrier(parties);
    const actions = sharedInts(1);
    // ranBy[r]: 1 + id of the party whose action ran in round r; lastIndexOf[r]: 1 + id of the party that got parties-1.
    const ranBy = sharedInts(rounds);
    const lastIndexOf = sharedInts(rounds);
    const results = await Promise.all(
      [0, 1, 2, 3].map((id) =>
        runInWorker(({ Barrier }, d) => {
          let round = 0;
          const barrier = Barrier.from(d.handle, {
            action: () => {
              Atomics.add(d.actions, 0, 1);
              Atomics.store(d.ranBy, round, d.id + 1);
            },
          });
          const separator = Barrier.from(d.separator);
          const seen: number[] = [];
          for (; round < d.rounds; round++) {
            const index = barrier.wait({ timeout: 20_000 });
            if (index === d.parties - 1) Atomics.store(d.lastIndexOf, round, d.id + 1);
            seen.push(Atomics.load(d.actions, 0));
            separator.wait({ timeout: 20_000 }); // keeps rounds apart so `round` is the same in every party
          }
          return seen;
        }, { handle: barrier.handle, separator: separator.handle, parties, rounds, actions, ranBy, lastIndexOf, id }),
      ),
    );
    expect(Atomics.load(actions, 0)).toBe(rounds);
    // Every party saw the action of round r done when it was released from round r.
    for (const seen of results) expect(seen).toEqual(Array.from({ length: rounds }, (_, r) => r + 1));
    expect([...ranBy]).toEqual([...lastIndexOf]);
    expect([...ranBy].every((who) => who >= 1 && who <= parties)).toBe(true);
  });

  test('an action that throws breaks the barrier: its thread gets the error, the others BrokenBarrierError', async () => {
    const barrier = new Barrier(3);
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        runInWorker(({ Barrier }, handle): Outcome => {
          const barrier = Barrier.from(handle, {
            action: () => {
              throw new TypeError('action failed');
            },
          });
          try {
            return { index: barrier.wait({ timeout: 20_000 }) };
          } catch (error) {
            return { error: (error as Error).name, message: (error as Error).message };
          }
        }, barrier.handle),
      ),
    );
    const names = results.map((r) => ('error' in r ? r.error : 'returned')).sort();
    expect(names).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'TypeError']);
    expect(barrier.broken).toBe(true);
    expect(() => barrier.wait({ timeout: 1000 })).toThrow(BrokenBarrierError);
  });

  test('abort() by one party breaks the barrier for every other party (Python test_abort)', async () => {
    const parties = 4;
    const barrier = new Barrier(parties, { timeout: 20_000 });
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        runInWorker(({ Barrier }, { handle, parties }) => {
          const barrier = Barrier.from(handle);
          // As in Python, both waits are guarded: a party released from the first round that only wakes
          // after the abort sees the barrier broken and gets BrokenBarrierError from its first wait.
          try {
            if (barrier.wait() === parties >> 1) {
              barrier.abort();
              return 'aborted';
            }
            barrier.wait();
            return 'passed';
          } catch (error) {
            return `${(error as Error).name}${/timed out/.test((error as Error).message) ? ' (timeout)' : ''}`;
          }
        }, { handle: barrier.handle, parties }),
      ),
    );
    expect(results.sort()).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError', 'aborted']);
    expect(barrier.broken).toBe(true);
    expect(barrier.nWaiting).toBe(0);
    // Broken until reset: later waits throw at once, on every thread and in both forms.
    expect(() => barrier.wait()).toThrow(BrokenBarrierError);
    await expect(barrier.waitAsync()).rejects.toThrow(BrokenBarrierError);
    const fromWorker = await runInWorker(({ Barrier }, handle) => {
      try {
        Barrier.from(handle).wait();
        return 'passed';
      } catch (error) {
        return (error as Error).name;
      }
    }, barrier.handle);
    expect(fromWorker).toBe('BrokenBarrierError');
  });

  test('abort() from the main thread releases workers already waiting with BrokenBarrierError, not a timeout', async () => {
    const barrier = new Barrier(4);
    const workers = [0, 1, 2].map(() =>
      runInWorker(({ Barrier }, handle) => {
        try {
          Barrier.from(handle).wait({ timeout: 30_000 });
          return 'passed';
        } catch (error) {
          return `${(error as Error).name}${/timed out/.test((error as Error).message) ? ' (timeout)' : ''}`;
        }
      }, barrier.handle),
    );
    await until(() => barrier.nWaiting === 3, 'three parties to arrive');
    barrier.abort();
    expect(await Promise.all(workers)).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError']);
    expect(barrier.broken).toBe(true);
  });

  test('reset() releases the parties waiting with BrokenBarrierError, then the barrier works again (Python test_reset)', async () => {
    const parties = 4;
    const barrier = new Barrier(parties, { timeout: 20_000 });
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        runInWorker(({ Barrier }, { handle, parties }) => {
          const barrier = Barrier.from(handle);
          const nap = new Int32Array(new SharedArrayBuffer(4));
          let first: string;
          if (barrier.wait() === parties >> 1) {
            const deadline = performance.now() + 20_000;
            while (barrier.nWaiting < parties - 1) {
              if (performance.now() > deadline) throw new Error('the others never arrived');
              Atomics.wait(nap, 0, 0, 1);
            }
            barrier.reset();
            first = 'reset';
          } else {
            try {
              barrier.wait();
              first = 'passed';
            } catch (error) {
              first = (error as Error).name;
            }
          }
          // Pass the barrier again: it must be usable after the reset.
          const again = barrier.wait();
          return { first, again };
        }, { handle: barrier.handle, parties }),
      ),
    );
    expect(results.map((r) => r.first).sort()).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError', 'reset']);
    expect(results.map((r) => r.again).sort()).toEqual([0, 1, 2, 3]);
    expect(barrier.broken).toBe(false);
  });

  test('reset() from the main thread after an abort makes a broken barrier usable (Python test_abort_and_reset)', async () => {
    const parties = 4;
    const barrier = new Barrier(parties, { timeout: 20_000 });
    const sync = new Barrier(parties, { timeout: 20_000 });
    const results = await Promise.all(
      [0, 1, 2, 3].map(() =>
        runInWorker(({ Barrier }, { handle, syncHandle, parties }) => {
          const barrier = Barrier.from(handle);
          const sync = Barrier.from(syncHandle);
          let first: string;
          try {
            if (barrier.wait() === parties >> 1) {
              barrier.abort();
              first = 'aborted';
            } else {
              barrier.wait();
              first = 'passed';
            }
          } catch (error) {
            first = (error as Error).name;
          }
          // Everyone has left the broken barrier; exactly one party resets it while the rest wait.
          if (sync.wait() === parties >> 1) barrier.reset();
          sync.wait();
          const again = barrier.wait();
          return { first, again };
        }, { handle: barrier.handle, syncHandle: sync.handle, parties }),
      ),
    );
    expect(results.map((r) => r.first).sort()).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError', 'aborted']);
    expect(results.map((r) => r.again).sort()).toEqual([0, 1, 2, 3]);
    expect(barrier.broken).toBe(false);
  });

  test('a party whose wait({ timeout }) runs out breaks the barrier for all (Python test_timeout)', async () => {
    const parties = 3;
    const barrier = new Barrier(parties, { timeout: 20_000 });
    const results = await Promise.all(
      [0, 1, 2].map(() =>
        runInWorker(({ Barrier }, { handle, parties }) => {
          const barrier = Barrier.from(handle);
          const nap = new Int32Array(new SharedArrayBuffer(4));
          let first: number;
          try {
            first = barrier.wait();
          } catch (error) {
            // Released from round one but woken only after the break: Python raises here too.
            return { outcome: (error as Error).name, elapsed: 0 };
          }
          if (first === parties >> 1) {
            // The late party: arrives only once the barrier has broken, so the others can only time out.
            const deadline = performance.now() + 20_000;
            while (!barrier.broken) {
              if (performance.now() > deadline) throw new Error('the barrier never broke');
              Atomics.wait(nap, 0, 0, 1);
            }
          }
          const started = performance.now();
          try {
            barrier.wait({ timeout: 100 });
            return { outcome: 'passed', elapsed: performance.now() - started };
          } catch (error) {
            return { outcome: (error as Error).name, elapsed: performance.now() - started };
          }
        }, { handle: barrier.handle, parties }),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(['BrokenBarrierError', 'BrokenBarrierError', 'BrokenBarrierError']);
    // The first to time out waited its full timeout; the rest may have been woken by the break.
    expect(Math.max(...results.map((r) => r.elapsed))).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(barrier.broken).toBe(true);
    barrier.reset();
    expect(barrier.broken).toBe(false);
  });

  test('the constructor\'s timeout is the default of wait() (Python test_default_timeout)', async () => {
    const barrier = new Barrier(3, { timeout: 100 });
    const results = await Promise.all(
      [0, 1].map(() =>
        runInWorker(({ Barrier }, handle) => {
          const started = performance.now();
          try {
            Barrier.from(handle).wait();
            return { outcome: 'passed', elapsed: performance.now() - started };
          } catch (error) {
            return { outcome: (error as Error).name, elapsed: performance.now() - started };
          }
        }, barrier.handle),
      ),
    );
    expect(results.map((r) => r.outcome)).toEqual(['BrokenBarrierError', 'BrokenBarrierError']);
    expect(Math.max(...results.map((r) => r.elapsed))).toBeGreaterThanOrEqual(100 - SLACK_MS);
    expect(barrier.broken).toBe(true);
  });

  test('a timeout given to wait() overrides the barrier\'s default', async () => {
    const barrier = new Barrier(2, { timeout: 30 });
    const worker = runInWorker(({ Barrier }, handle) => Barrier.from(handle).wait({ timeout: 20_000 }), barrier.handle);
    await until(() => barrier.nWaiting === 1, 'the worker to arrive');
    await new Promise((resolve) => setTimeout(resolve, 150)); // well past the default of 30 ms
    expect(await barrier.waitAsync({ timeout: 20_000 })).toBe(1);
    expect(await worker).toBe(0);
    expect(barrier.broken).toBe(false);
  });

  test('nWaiting counts the parties of the current round as they arrive, on every thread', async () => {
    const barrier = new Barrier(3);
    const first = runInWorker(({ Barrier }, handle) => Barrier.from(handle).wait({ timeout: 20_000 }), barrier.handle);
    await until(() => barrier.nWaiting === 1, 'one party');
    const second = runInWorker(({ Barrier }, handle) => {
      const barrier = Barrier.from(handle);
      const seen = barrier.nWaiting;
      return { seen, index: barrier.wait({ timeout: 20_000 }) };
    }, barrier.handle);
    await until(() => barrier.nWaiting === 2, 'two parties');
    expect(await barrier.waitAsync({ timeout: 20_000 })).toBe(2);
    expect(await first).toBe(0);
    expect(await second).toEqual({ seen: 1, index: 1 });
    await until(() => barrier.nWaiting === 0, 'the round to drain');
  });

  describe('abort()/reset() right after an unawaited waitAsync() on the same thread', () => {
    // waitAsync takes the barrier's internal lock synchronously but holds it until its continuation runs;
    // abort()/reset() take that lock with a blocking acquire on the same thread and can never get it.
    // Run in a worker with a watchdog so the hang cannot stall the run.
    async function callAfterWaitAsync(operation: 'none' | 'abort' | 'reset'): Promise<string> {
      const barrier = new Barrier(2); // one barrier per case: a deadlocked thread keeps its lock for good
      return Promise.race([
        runInWorker(async ({ Barrier }, { handle, operation }) => {
          const barrier = Barrier.from(handle);
          const pending = barrier.waitAsync({ timeout: 300 }).then(
            (index) => `index ${index}`,
            (error: Error) => error.name,
          );
          if (operation === 'abort') barrier.abort();
          else if (operation === 'reset') barrier.reset();
          return await pending;
        }, { handle: barrier.handle, operation }),
        sleep(3000).then(() => `${operation}: thread deadlocked`),
      ]);
    }

    test('control: an unawaited waitAsync alone times out with BrokenBarrierError', async () => {
      expect(await callAfterWaitAsync('none')).toBe('BrokenBarrierError');
    });

    test('abort() returns and the pending waitAsync rejects with BrokenBarrierError', async () => {
      expect(await callAfterWaitAsync('abort')).toBe('BrokenBarrierError');
    });

    test('reset() returns and the pending waitAsync rejects with BrokenBarrierError', async () => {
      expect(await callAfterWaitAsync('reset')).toBe('BrokenBarrierError');
    });
  });

  describe('waitAsync', () => {
    test('waitAsync({ timeout }) rejects with BrokenBarrierError no earlier than the timeout and breaks the barrier', async () => {
      const barrier = new Barrier(2);
      const started = performance.now();
      const error = await rejectionOf(barrier.waitAsync({ timeout: 100 }));
      expect(error).toBeInstanceOf(BrokenBarrierError);
      expect(performance.now() - started).toBeGreaterThanOrEqual(100 - SLACK_MS);
      expect(barrier.broken).toBe(true);
      barrier.reset();
      expect(barrier.broken).toBe(false);
      const worker = runInWorker(({ Barrier }, handle) => Barrier.from(handle).wait({ timeout: 20_000 }), barrier.handle);
      expect([await barrier.waitAsync({ timeout: 20_000 }), await worker].sort()).toEqual([0, 1]);
    });

    test('an already aborted signal rejects with its reason and leaves the barrier untouched', async () => {
      const barrier = new Barrier(2);
      const reason = new Error('cancelled');
      await expect(barrier.waitAsync({ signal: AbortSignal.abort(reason) })).rejects.toBe(reason);
      expect(barrier.nWaiting).toBe(0);
      expect(barrier.broken).toBe(false);
      const worker = runInWorker(({ Barrier }, handle) => Barrier.from(handle).wait({ timeout: 20_000 }), barrier.handle);
      expect([await barrier.waitAsync({ timeout: 20_000 }), await worker].sort()).toEqual([0, 1]);
    });

    test('aborting a waiting party rejects with the reason and does not leave the others blocked', async () => {
      const barrier = new Barrier(3);
      const worker = runInWorker(({ Barrier }, handle) => {
        try {
          Barrier.from(handle).wait({ timeout: 30_000 });
          return 'passed';
        } catch (error) {
          return `${(error as Error).name}${/timed out/.test((error as Error).message) ? ' (timeout)' : ''}`;
        }
      }, barrier.handle);
      await until(() => barrier.nWaiting === 1, 'the worker to arrive');
      const controller = new AbortController();
      const waiting = barrier.waitAsync({ signal: controller.signal });
      await until(() => barrier.nWaiting === 2, 'the main thread to arrive');
      const reason = new Error('gave up');
      controller.abort(reason);
      expect(await rejectionOf(waiting)).toBe(reason);
      // The aborted party will never arrive, so the round cannot complete: the others are told so.
      expect(await worker).toBe('BrokenBarrierError');
      barrier.reset();
      const parties = [0, 1].map(() => runInWorker(({ Barrier }, handle) => Barrier.from(handle).wait({ timeout: 20_000 }), barrier.handle));
      expect([await barrier.waitAsync({ timeout: 20_000 }), ...(await Promise.all(parties))].sort()).toEqual([0, 1, 2]);
    });
  });
});
