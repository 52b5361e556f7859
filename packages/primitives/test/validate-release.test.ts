import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { BoundedSemaphore, Lock, Semaphore } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, LockValidationError, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';

const FILE = 'packages/primitives/test/validate-release.test.ts';

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

describe('releases', () => {
  test('a Lock released by a context that does not hold it is reported, and released', async () => {
    const lock = new Lock();
    async function holder(): Promise<void> {
      await lock.acquireAsync();
      await sleep(1);
    }
    await holder();
    function releaseForIt(): void {
      lock.release();
    }
    releaseForIt();
    expect(lock.locked).toBe(false);

    const [report] = lockValidationReports();
    expect(report?.kind).toBe('release-not-held');
    expect(report?.locks).toEqual([`${FILE}#lock`]);
    expect(report?.steps[0]?.acquired).toMatchObject({ function: 'releaseForIt', form: 'release' });
    expect(report?.steps[0]?.held).toMatchObject({ function: 'holder', form: 'acquireAsync' });
    expect(report?.steps[0]?.held?.context.asyncContext).not.toBe(report?.steps[0]?.acquired.context.asyncContext);
    // No context counts it as held any more: taking it again on this thread is no self-deadlock.
    lock.acquire();
    lock.release();
    expect(lockValidationReports().map((each) => each.kind)).toEqual(['release-not-held']);
  });

  test("with onReport 'throw' the release throws after releasing", async () => {
    enableLockValidation({ onReport: 'throw' });
    const lock = new Lock();
    await (async () => {
      await lock.acquireAsync();
    })();
    expect(() => lock.release()).toThrow(LockValidationError);
    expect(lock.locked).toBe(false);
  });

  test('the releases of the context that took the lock, blocking or async, are no finding', async () => {
    const lock = new Lock();
    lock.acquire();
    lock.release();
    await lock.acquireAsync();
    await sleep(1);
    lock.release();
    await lock.runExclusive(() => sleep(1));
    expect(lockValidationReports()).toEqual([]);
  });

  test('semaphores hand permits between contexts by design: no finding', async () => {
    const items = new Semaphore(0);
    const slots = new BoundedSemaphore(2);
    const consumer = (async () => {
      await items.acquireAsync();
      await slots.acquireAsync({ permits: 2 });
    })();
    await sleep(1);
    items.release();
    await consumer;
    slots.release(2);
    expect(lockValidationReports()).toEqual([]);
  });
});
