import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Lock, RLock, Semaphore } from '@lockstep/primitives';
import {
  clearLockValidationReports,
  disableLockValidation,
  enableLockValidation,
  fingerprintLockFinding,
  formatLockValidationJson,
  formatLockValidationText,
  LockValidationError,
  lockValidationReports,
} from '@lockstep/primitives/validate';
import { sleep } from './support/workers.js';

const FILE = 'packages/primitives/test/validate-order.test.ts';

// Module-level locks: their classes are `<file>#name`, as lockstep names module variables.
const inventoryLock = new Lock();
const paymentsLock = new Lock();
const first = new Lock();
const second = new Lock();
const third = new Lock();

/** The functions on a reported stack, whether running or awaiting (`async f`). */
function callers(stack: readonly { readonly function: string }[]): string[] {
  return stack.map((frame) => frame.function.replace(/^async /, ''));
}

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

describe('lock-order cycles', () => {
  test('an inversion across two async contexts of one thread, taken one after the other, is one report with both stacks', async () => {
    async function reserveAndPay(): Promise<void> {
      await using _inventory = await inventoryLock.holdAsync();
      await capture();
    }
    async function capture(): Promise<void> {
      await using _payments = await paymentsLock.holdAsync();
      await sleep(1);
    }
    async function refund(): Promise<void> {
      await paymentsLock.acquireAsync();
      try {
        await restock();
      } finally {
        paymentsLock.release();
      }
    }
    async function restock(): Promise<void> {
      await inventoryLock.runExclusive(() => sleep(1));
    }

    await reserveAndPay();
    expect(lockValidationReports()).toEqual([]);
    await refund();

    const reports = lockValidationReports();
    expect(reports).toHaveLength(1);
    const [report] = reports;
    expect(report!.kind).toBe('lock-order-cycle');
    expect(report!.locks).toEqual([`${FILE}#inventoryLock`, `${FILE}#paymentsLock`]);
    expect(report!.lockInfo.map((lock) => lock.name)).toEqual(['inventoryLock', 'paymentsLock']);
    expect(report!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', [`${FILE}#paymentsLock`, `${FILE}#inventoryLock`]));
    expect(report!.thrown).toBe(false);

    const [taken, inverted] = report!.steps;
    expect([taken!.from, taken!.to]).toEqual([`${FILE}#inventoryLock`, `${FILE}#paymentsLock`]);
    expect(taken!.held).toMatchObject({ function: 'reserveAndPay', form: 'holdAsync', location: { file: FILE } });
    expect(taken!.acquired).toMatchObject({ function: 'capture', form: 'holdAsync', location: { file: FILE } });
    // The stack of the first time the order was taken shows the path to it.
    expect(callers(taken!.acquired.stack)).toContain('reserveAndPay');
    expect([inverted!.from, inverted!.to]).toEqual([`${FILE}#paymentsLock`, `${FILE}#inventoryLock`]);
    expect(inverted!.held).toMatchObject({ function: 'refund', form: 'acquireAsync' });
    expect(inverted!.acquired).toMatchObject({ function: 'restock', form: 'runExclusive' });
    expect(callers(inverted!.acquired.stack)).toContain('refund');
    // Two async contexts of the main thread.
    expect(taken!.acquired.context.thread).toEqual({ ident: 0, name: 'MainThread' });
    expect(taken!.acquired.context.asyncContext).toBeGreaterThan(0);
    expect(inverted!.acquired.context.asyncContext).not.toBe(taken!.acquired.context.asyncContext);

    const text = formatLockValidationText(reports);
    expect(text).toContain('WARNING: possible circular locking dependency: inventoryLock → paymentsLock → inventoryLock');
    expect(text).toContain('#1 paymentsLock taken while inventoryLock is held:');
    expect(text).toContain('#2 inventoryLock taken while paymentsLock is held:');
    expect(text).toContain('*** DEADLOCK ***');
    const json = JSON.parse(formatLockValidationJson(reports, process.cwd())) as { findings: { fingerprint: string }[] };
    expect(json.findings[0]!.fingerprint).toBe(report!.fingerprint);
  });

  test('an inversion through a helper that looks its lock up in a Map is found as the cycle of the two locks (lockstep, reading the code, sees one lock class there and reports recursive locking), with the helper on both stacks', async () => {
    const ledger = new Lock();
    const audit = new Lock();
    const registry = new Map([
      ['ledger', ledger],
      ['audit', audit],
    ]);
    async function withNamedLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
      const lock = registry.get(name)!;
      await lock.acquireAsync();
      try {
        return await fn();
      } finally {
        lock.release();
      }
    }
    await withNamedLock('ledger', () => withNamedLock('audit', () => sleep(1)));
    expect(lockValidationReports()).toEqual([]);
    await withNamedLock('audit', () => withNamedLock('ledger', () => sleep(1)));
    const reports = lockValidationReports();
    expect(reports.map((report) => report.kind)).toEqual(['lock-order-cycle']);
    expect(reports[0]!.locks).toEqual([`${FILE}#audit`, `${FILE}#ledger`]);
    for (const step of reports[0]!.steps) expect(step.acquired.function).toBe('withNamedLock');
  });

  test('locks always taken in one order: no report', async () => {
    for (let round = 0; round < 3; round++) {
      await first.runExclusive(async () => {
        await using _second = await second.holdAsync();
        using _third = third.hold();
      });
      using _first = first.hold();
      second.acquire();
      second.release();
    }
    expect(lockValidationReports()).toEqual([]);
  });

  test('a cycle of three locks in blocking code is found when its last edge first occurs', () => {
    const a = new Lock();
    const b = new RLock();
    const c = new Lock();
    const nest = (outer: Lock | RLock, inner: Lock | RLock): void => {
      using _outer = outer.hold();
      using _inner = inner.hold();
    };
    nest(a, b);
    nest(b, c);
    expect(lockValidationReports()).toEqual([]);
    nest(c, a);
    const [report] = lockValidationReports();
    expect(report?.kind).toBe('lock-order-cycle');
    expect(report?.locks).toEqual([`${FILE}#a`, `${FILE}#b`, `${FILE}#c`].sort());
    expect(report?.steps).toHaveLength(3);
  });

  test("with onReport 'throw' the acquisition that closes the cycle throws, carrying the report, and takes nothing", async () => {
    enableLockValidation({ onReport: 'throw' });
    const a = new Lock();
    const b = new Lock();
    await a.runExclusive(() => b.runExclusive(() => undefined));
    await b.acquireAsync();
    const error = await a.acquireAsync().then(
      () => undefined,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(LockValidationError);
    expect((error as LockValidationError).report.kind).toBe('lock-order-cycle');
    expect((error as LockValidationError).report.thrown).toBe(true);
    // Its stack starts at the acquisition asked for here, not inside the validator.
    const firstFrame = (error as Error).stack?.split('\n').find((line) => line.trimStart().startsWith('at '));
    expect(firstFrame).toContain('validate-order.test.ts');
    expect(a.locked).toBe(false);
    b.release();
    // The order is known now: taking it again does not throw again.
    using _b = b.hold();
    using _a = a.hold();
  });

  test('a cycle through a counting semaphore is a semaphore cycle', () => {
    const slots = new Semaphore(2);
    const ledger = new Lock();
    {
      using _slot = slots.hold();
      using _ledger = ledger.hold();
    }
    {
      using _ledger = ledger.hold();
      using _slot = slots.hold();
    }
    const [report] = lockValidationReports();
    expect(report?.kind).toBe('semaphore-cycle');
    expect(report?.lockInfo.find((lock) => lock.kind === 'Semaphore')?.count).toBe(2);
  });
});

describe('async contexts are told apart', () => {
  test('tasks contending for one lock, started together, report nothing', async () => {
    const lock = new Lock();
    const other = new Lock();
    let inside = 0;
    const worker = async (pause: boolean): Promise<void> => {
      if (pause) await sleep(1);
      for (let i = 0; i < 5; i++) {
        await using _held = await lock.holdAsync();
        inside += 1;
        await sleep(0);
        await other.runExclusive(() => undefined);
      }
    };
    await Promise.all([worker(false), worker(true), worker(false), worker(true)]);
    expect(inside).toBe(20);
    expect(lockValidationReports()).toEqual([]);
  });

  test('a holder started before the test waits for its lock is another context: no self-deadlock', async () => {
    const lock = new Lock();
    const holder = (async () => {
      await lock.acquireAsync();
      await sleep(20);
      lock.release();
    })();
    await sleep(1);
    expect(await lock.acquireAsync()).toBe(true);
    lock.release();
    await holder;
    expect(lockValidationReports()).toEqual([]);
  });

  test('what a sibling task holds is not held by the tasks started after it', async () => {
    const a = new Lock();
    const b = new Lock();
    const holdsA = (async () => {
      await a.acquireAsync();
      await sleep(20);
      a.release();
    })();
    const takesB = (async () => {
      await sleep(2);
      await b.runExclusive(() => undefined);
    })();
    await Promise.all([holdsA, takesB]);
    // Had takesB inherited `a`, the edge a → b would close a cycle here.
    await b.runExclusive(() => a.runExclusive(() => undefined));
    expect(lockValidationReports()).toEqual([]);
    clearLockValidationReports();
  });
});
