/**
 * Deadlocks among async contexts of one thread, happening now: each waits (an `await` on an
 * acquisition) for a lock the next one holds. The order graph reports the orders first; this is the
 * report of the deadlock itself, when it happens.
 */
import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Lock } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';

const FILE = 'packages/primitives/test/validate-async-deadlock.test.ts';

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

/** Takes `first`, lets the other task take its lock, then waits for `second` (bounded, so the test ends). */
async function crossing(first: Lock, second: Lock): Promise<boolean> {
  await first.acquireAsync();
  try {
    await sleep(5);
    const taken = await second.acquireAsync({ timeout: 300 });
    if (taken) second.release();
    return taken;
  } finally {
    first.release();
  }
}

describe('async contexts waiting for each other', () => {
  test('two tasks each holding one lock and awaiting the other: a deadlock report naming both contexts, besides the order cycle', async () => {
    const stock = new Lock();
    const ledger = new Lock();
    const taken = await Promise.all([crossing(stock, ledger), crossing(ledger, stock)]);
    // They really were deadlocked: the first to time out let the other through.
    expect(taken.filter((got) => !got).length).toBeGreaterThanOrEqual(1);
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind).sort()).toEqual(['deadlock', 'lock-order-cycle']);
    const deadlock = reports.find((report) => report.kind === 'deadlock')!;
    expect(deadlock.locks).toEqual([`${FILE}#ledger`, `${FILE}#stock`]);
    expect(deadlock.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', [`${FILE}#ledger`, `${FILE}#stock`]));
    expect(deadlock.message).toMatch(/^Deadlock now: async context #(\d+) of thread 0 "MainThread" waits for (stock|ledger), held by async context #(?!\1)\d+ of thread 0 "MainThread"; /);
    expect(deadlock.steps.every((step) => step.acquired.function === 'crossing')).toBe(true);
  });

  test('tasks queued for a lock whose holder is only slow, and a consistent order, report nothing', async () => {
    const stock = new Lock();
    const ledger = new Lock();
    const holder = stock.runExclusive(() => sleep(20));
    await Promise.all([0, 1, 2].map(() => stock.runExclusive(() => ledger.runExclusive(() => sleep(1)))));
    await holder;
    expect(lockValidationReports()).toEqual([]);
  });
});
