/**
 * ReadWriteLock under the validator: read and write holds are one lock class in the order graph (as in
 * `lockstep`), blocking and async forms, `holdReadAsync`/`runRead` carrying the hold to their awaiters.
 */
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Lock, LockStateError, ReadWriteLock } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';

const FILE = 'packages/primitives/test/validate-read-write-lock.test.ts';

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

describe('ReadWriteLock under the validator', () => {
  test('a read hold one way and the write hold the other, across async contexts, is one cycle with lockstep ids', async () => {
    const table = new ReadWriteLock();
    const journal = new Lock();
    await table.runRead(() => journal.runExclusive(() => sleep(1)));
    await journal.runExclusive(async () => {
      await using _write = await table.holdWriteAsync();
      await sleep(1);
    });
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind)).toEqual(['lock-order-cycle']);
    expect(reports[0]!.locks).toEqual([`${FILE}#journal`, `${FILE}#table`]);
    expect(reports[0]!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', [`${FILE}#journal`, `${FILE}#table`]));
    expect(reports[0]!.lockInfo.find((lock) => lock.id === `${FILE}#table`)?.kind).toBe('ReadWriteLock');
  });

  test('the blocking forms make the same edges', () => {
    const index = new ReadWriteLock();
    const cache = new Lock();
    {
      using _write = index.holdWrite();
      using _cache = cache.hold();
    }
    {
      using _cache = cache.hold();
      using _read = index.holdRead();
    }
    expect(lockValidationReports().map((report) => report.locks)).toEqual([[`${FILE}#cache`, `${FILE}#index`]]);
  });

  test('consistent orders, nested and concurrent readers, a downgrade and try forms report nothing', async () => {
    const table = new ReadWriteLock();
    const journal = new Lock();
    await Promise.all([0, 1, 2].map(() => table.runRead(() => table.runRead(() => journal.runExclusive(() => sleep(2))))));
    {
      using write = table.holdWrite();
      write.downgrade();
      journal.acquire();
      journal.release();
    }
    expect(table.tryAcquireWrite()).toBe(true);
    table.releaseWrite();
    expect(table.tryAcquireRead()).toBe(true);
    table.releaseRead();
    expect(table.locked).toBe(false);
    expect(lockValidationReports()).toEqual([]);
  });

  test("an upgrade is still refused by the lock itself (LockStateError), and is no finding of the validator's", () => {
    const table = new ReadWriteLock();
    using _read = table.holdRead();
    expect(() => table.acquireWrite()).toThrow(LockStateError);
    expect(lockValidationReports()).toEqual([]);
  });
});
