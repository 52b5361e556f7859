/**
 * What the validator keeps alive. Heap sizes after a forced collection: no timing involved.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterAll, describe, expect, test } from 'vitest';
import { Condition, Lock } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, lockValidationReports } from '@lockstep/primitives/validate';

// `gc` for this test only: vitest's workers do not run with --expose-gc.
setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

function heapAfterCollection(): number {
  collect();
  collect();
  return process.memoryUsage().heapUsed;
}

afterAll(() => {
  disableLockValidation();
});

describe('the validator’s memory', () => {
  test('a long async flow re-taking a lock, whose first context a promise keeps alive, retains nothing per acquisition', async () => {
    enableLockValidation({ onReport: 'record' });
    const lock = new Lock();
    const kept: Promise<never>[] = [];
    const acquisitions = 200_000;
    async function flow(): Promise<void> {
      await lock.acquireAsync();
      lock.release();
      // Made in the first acquisition's context, and kept: so is that context.
      kept.push(new Promise<never>(() => undefined));
      for (let i = 0; i < acquisitions; i++) {
        await lock.acquireAsync();
        lock.release();
      }
    }
    await flow();
    const before = heapAfterCollection();
    await flow();
    const retained = heapAfterCollection() - before;
    // Each acquisition linked to the next kept about 100 bytes apiece (20 MB here); a few bytes each
    // is what a collection leaves in noise.
    expect(retained / acquisitions).toBeLessThan(10);
    expect(kept).toHaveLength(2);
    expect(lockValidationReports()).toEqual([]);
  });

  test('a loop of awaits that never yields to the event loop, making a lock per iteration, keeps none of them', async () => {
    // The hold watchdog on (its default); it once held each lock through a WeakRef, which V8 keeps
    // alive until the job ends, and this loop's job never does.
    enableLockValidation({ onReport: 'record' });
    const rounds = 20_000;
    async function churn(): Promise<void> {
      for (let i = 0; i < rounds; i++) {
        const lock = new Lock();
        await lock.runExclusive(async () => undefined);
      }
    }
    await churn();
    const before = heapAfterCollection();
    await churn();
    const retained = heapAfterCollection() - before;
    // A kept lock is a few hundred bytes (its record, creation stack and shared memory); a few bytes
    // each is what a collection leaves in noise.
    expect(retained / rounds).toBeLessThan(50);
    expect(lockValidationReports()).toEqual([]);
  });

  test('Condition.waitAsync re-taking its lock in a helper, in a loop, still releases the re-taken hold', async () => {
    enableLockValidation({ onReport: 'record' });
    const lock = new Lock();
    const ready = new Condition(lock);
    let turns = 0;
    const waiter = (async (): Promise<void> => {
      for (let round = 0; round < 50; round++) {
        await lock.acquireAsync();
        try {
          while (turns <= round) await ready.waitAsync({ timeout: 5_000 });
        } finally {
          lock.release();
        }
      }
    })();
    for (let round = 0; round < 50; round++) {
      await lock.acquireAsync();
      turns++;
      ready.notify();
      lock.release();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waiter;
    expect(lock.locked).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });
});
