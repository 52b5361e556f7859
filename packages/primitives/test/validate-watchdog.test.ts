/**
 * The hold watchdog (go-deadlock's): a lock held past `holdLimit` is reported while it is still held.
 * Tests hold the lock until the report appears (polling, with a guard timeout), so none depends on how
 * fast the machine is.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, test, vi } from 'vitest';
import { Lock, Semaphore } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, formatLockValidationText, lockValidationReports } from '@lockstep/primitives/validate';
import { sleep, startWorker, terminateAll } from './support/workers.js';
import { sharedInts, until } from './support/until.js';

const FILE = 'packages/primitives/test/validate-watchdog.test.ts';
const repositoryRoot = fileURLToPath(new URL('../../..', import.meta.url));

afterAll(async () => {
  disableLockValidation();
  await terminateAll();
});

const reported = (): boolean => lockValidationReports().length > 0;

describe('the hold watchdog', () => {
  test('a lock held across a slow await is reported while still held, once, naming where it was taken', async () => {
    enableLockValidation({ onReport: 'record', holdLimit: 40 });
    const ledgerLock = new Lock();
    async function settle(): Promise<void> {
      await using _ledger = await ledgerLock.holdAsync();
      await until(reported, 'the watchdog report');
      // Held for several more limits: still one report.
      await sleep(200);
    }
    await settle();
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind)).toEqual(['held-too-long']);
    const [report] = reports;
    expect(report!.locks).toEqual([`${FILE}#ledgerLock`]);
    expect(report!.message).toMatch(/^ledgerLock has been held for more than 40 ms by thread 0 "MainThread", async context #\d+ \(taken at packages\/primitives\/test\/validate-watchdog\.test\.ts:\d+:\d+\)/);
    expect(report!.steps[0]!.acquired.function).toBe('settle');
    expect(report!.steps[0]!.acquired.form).toBe('holdAsync');
    expect(report!.fingerprint).toBe(fingerprintLockFinding('held-too-long', [`${FILE}#ledgerLock`], `${FILE}#settle`));
    expect(report!.thrown).toBe(false);
    const text = formatLockValidationText(reports);
    expect(text).toContain('WARNING: lock held too long: ledgerLock');
    expect(text).toContain('seen at run time only: lockstep has no such kind');
    expect(text).not.toContain('DEADLOCK');
  });

  test('fake timers (vi.useFakeTimers) neither report a lock for the time a test skips nor stop the watchdog', async () => {
    const realTimeout = globalThis.setTimeout;
    const realSleep = (ms: number): Promise<void> => new Promise((resolve) => realTimeout(resolve, ms));
    vi.useFakeTimers();
    try {
      enableLockValidation({ onReport: 'record', holdLimit: 60_000 });
      const cacheLock = new Lock();
      await cacheLock.acquireAsync();
      // Ten fake minutes, a few real microseconds: nothing was held for a minute.
      vi.advanceTimersByTime(10 * 60_000);
      await realSleep(20);
      expect(lockValidationReports()).toEqual([]);
      cacheLock.release();

      // The clock stands still while the lock is held for real: still reported.
      enableLockValidation({ onReport: 'record', holdLimit: 40 });
      const indexLock = new Lock();
      indexLock.acquire();
      for (let polls = 0; polls < 2_000 && !reported(); polls++) await realSleep(5);
      indexLock.release();
      expect(lockValidationReports().map((report) => [report.kind, ...report.locks])).toEqual([['held-too-long', `${FILE}#indexLock`]]);
    } finally {
      vi.useRealTimers();
    }
  });

  test('a lock acquired after waiting while the watchdog let go of it (it held nothing here) is still watched once held', async () => {
    enableLockValidation({ onReport: 'record', holdLimit: 40 });
    const journalLock = new Lock();
    const flags = sharedInts(1);
    // Another thread holds it for many ticks: on this one it holds nothing, so ticks drop it.
    const holder = startWorker(
      ({ Lock }, { handle, flags }) => {
        const lock = Lock.from(handle);
        lock.acquire();
        Atomics.store(flags, 0, 1);
        const until = Date.now() + 150;
        while (Date.now() < until);
        lock.release();
      },
      { handle: journalLock.handle, flags },
    );
    await until(() => Atomics.load(flags, 0) === 1, 'the worker to hold the lock');
    await journalLock.acquireAsync();
    await holder.result;
    await until(reported, 'the watchdog report');
    journalLock.release();
    expect(lockValidationReports().map((report) => [report.kind, ...report.locks])).toEqual([['held-too-long', `${FILE}#journalLock`]]);
  });

  test('locks and semaphore permits given back in time are not reported', async () => {
    enableLockValidation({ onReport: 'record', holdLimit: 40 });
    const lock = new Lock();
    const slots = new Semaphore(2);
    for (let round = 0; round < 20; round++) {
      await lock.runExclusive(() => sleep(1));
      slots.acquire();
      slots.release();
    }
    // Long enough for many ticks: nothing is held any more.
    await sleep(200);
    expect(lockValidationReports()).toEqual([]);
  });

  test("in 'throw' mode the report is printed, since no acquisition is there to throw from", async () => {
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    try {
      enableLockValidation({ onReport: 'throw', holdLimit: 40 });
      const lock = new Lock();
      lock.acquire();
      await until(reported, 'the watchdog report');
      lock.release();
      expect(warnings.join('\n')).toContain('lock held too long: lock');
    } finally {
      spy.mockRestore();
    }
  });

  test('holdLimit 0 or Infinity switches it off; a negative or non-number limit is a TypeError', async () => {
    for (const holdLimit of [0, Infinity]) {
      enableLockValidation({ onReport: 'record', holdLimit });
      const lock = new Lock();
      lock.acquire();
      await sleep(100);
      lock.release();
      expect(lockValidationReports()).toEqual([]);
    }
    expect(() => enableLockValidation({ holdLimit: -1 })).toThrow(new TypeError('enableLockValidation(options): holdLimit must be a number of milliseconds ≥ 0 (0 or Infinity: off), got -1'));
    expect(() => enableLockValidation({ holdLimit: '30s' as unknown as number })).toThrow(TypeError);
  });

  test('LOCKSTEP_VALIDATE_HOLD_LIMIT_MS sets it for the import entry', () => {
    const program = `
      const { Lock } = await import('@lockstep/primitives');
      const { lockValidationReports } = await import('@lockstep/primitives/validate');
      const lock = new Lock();
      lock.acquire();
      const deadline = Date.now() + 20000;
      while (lockValidationReports().length === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
      lock.release();
      console.log(JSON.stringify(lockValidationReports().map((report) => report.kind)));`;
    const run = spawnSync(process.execPath, ['--import', '@lockstep/primitives/validate', '--input-type=module', '-e', program], {
      cwd: repositoryRoot,
      env: { ...process.env, LOCKSTEP_VALIDATE_ON_REPORT: 'record', LOCKSTEP_VALIDATE_HOLD_LIMIT_MS: '30' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(run.stderr).toBe('');
    expect(run.stdout.trim()).toBe('["held-too-long"]');
  });
});

describe('the hold watchdog with a limit longer than a timer can wait', () => {
  test('a limit of years is honoured, not turned into a 1 ms timer', async () => {
    enableLockValidation({ onReport: 'record', holdLimit: 1e12 });
    const lock = new Lock();
    lock.acquire();
    await sleep(100);
    lock.release();
    expect(lockValidationReports()).toEqual([]);
  });
});
