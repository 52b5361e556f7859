import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { Lock, ReadWriteLock, RLock, Semaphore, type LockHandle } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, fingerprintLockFinding, lockValidationReports, nameLock } from '@lockstep/primitives/validate';
import { runInWorker, startWorker, terminateAll } from './support/workers.js';

afterEach(terminateAll);

afterAll(() => {
  disableLockValidation();
});

interface Seen {
  readonly kind: string;
  readonly locks: readonly string[];
  readonly thread: { readonly ident: number; readonly name: string };
  readonly stacks: number;
}

test('a cycle taken inside one worker thread is reported in that worker', async () => {
  const seen = await runInWorker(async (lib) => {
    // The function travels as source text, and vitest rewrites an `import()` written in it: one it never sees.
    const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
    const validate = await importValidate();
    validate.enableLockValidation({ onReport: 'record' });
    const a = new lib.Lock();
    const b = new lib.Lock();
    // Code sent as text has no source file to name its locks after.
    validate.nameLock(a, 'worker.ts#a');
    validate.nameLock(b, 'worker.ts#b');
    a.acquire();
    b.acquire();
    b.release();
    a.release();
    await b.runExclusive(() => a.runExclusive(() => undefined));
    return validate.lockValidationReports().map((report) => ({
      kind: report.kind,
      locks: report.locks,
      thread: report.steps[0]!.acquired.context.thread,
      stacks: report.steps.filter((step) => step.acquired.stack.length > 0).length,
    }));
  });
  expect(seen).toHaveLength(1);
  const [report] = seen as Seen[];
  expect(report!.kind).toBe('lock-order-cycle');
  expect(report!.locks).toEqual(['worker.ts#a', 'worker.ts#b']);
  expect(report!.thread.ident).toBeGreaterThan(0);
  expect(report!.stacks).toBe(2);
});

/** Takes `first` then `second` (named as given) in a new worker, with the validator on there. */
function orderInWorker(handles: { first: LockHandle; second: LockHandle; names: [string, string]; onReport: 'record' | 'throw' }): Promise<WorkerSeen> {
  return startWorker(
    async (lib, data: typeof handles) => {
      const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
      const validate = await importValidate();
      validate.enableLockValidation({ onReport: data.onReport });
      const first = lib.Lock.from(data.first);
      const second = lib.Lock.from(data.second);
      validate.nameLock(first, data.names[0]);
      validate.nameLock(second, data.names[1]);
      let thrown: string | undefined;
      first.acquire();
      try {
        second.acquire();
        second.release();
      } catch (error) {
        thrown = `${(error as Error).name}: ${(error as Error).message}; second locked: ${String(second.locked)}`;
      }
      first.release();
      return {
        thrown,
        reports: validate.lockValidationReports().map((report) => ({
          kind: report.kind,
          locks: report.locks,
          fingerprint: report.fingerprint,
          threads: report.steps.map((step) => step.acquired.context.thread),
          stackFunctions: report.steps.map((step) => step.acquired.stack.map((frame) => frame.function)),
        })),
      };
    },
    handles,
  ).result;
}

interface WorkerSeen {
  readonly thrown: string | undefined;
  readonly reports: readonly {
    readonly kind: string;
    readonly locks: readonly string[];
    readonly fingerprint: string;
    readonly threads: readonly { readonly ident: number; readonly name: string }[];
    readonly stackFunctions: readonly (readonly string[])[];
  }[];
}

function takeInOrder(first: Lock, second: Lock): void {
  first.acquire();
  second.acquire();
  second.release();
  first.release();
}

describe('one lock-order graph for every thread (shared memory)', () => {
  test('an inversion split between the main thread and a worker is reported by the thread that closes it, with both threads named', async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    nameLock(a, 'split.ts#a');
    nameLock(b, 'split.ts#b');
    takeInOrder(a, b);
    const seen = await orderInWorker({ first: b.handle, second: a.handle, names: ['split.ts#b', 'split.ts#a'], onReport: 'record' });
    expect(seen.thrown).toBeUndefined();
    expect(seen.reports).toHaveLength(1);
    const [report] = seen.reports;
    expect(report!.kind).toBe('lock-order-cycle');
    expect(report!.locks).toEqual(['split.ts#a', 'split.ts#b']);
    expect(report!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', ['split.ts#a', 'split.ts#b']));
    // Step a → b was taken here, on the main thread (its stack is this test's); b → a in the worker.
    const [main, worker] = report!.threads;
    expect(main).toEqual({ ident: 0, name: 'MainThread' });
    expect(worker!.ident).toBeGreaterThan(0);
    expect(worker!.name).toBe(`Thread-${worker!.ident}`);
    expect(report!.stackFunctions[0]).toContain('takeInOrder');
    // The main thread never took b → a itself: nothing to report here.
    expect(lockValidationReports()).toEqual([]);
  });

  test('two sibling workers, each taking one order, and the second one refused with onReport throw', async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    const first = await orderInWorker({ first: a.handle, second: b.handle, names: ['siblings.ts#a', 'siblings.ts#b'], onReport: 'throw' });
    expect(first).toEqual({ thrown: undefined, reports: [] });
    const second = await orderInWorker({ first: b.handle, second: a.handle, names: ['siblings.ts#b', 'siblings.ts#a'], onReport: 'throw' });
    expect(second.thrown).toMatch(/^LockValidationError: lock validation: possible circular locking dependency: a → b → a \(the finding is error\.report\) \[thread \d+ "Thread-\d+"\]; second locked: false$/);
    expect(second.reports.map((report) => report.locks)).toEqual([['siblings.ts#a', 'siblings.ts#b']]);
    expect(a.locked || b.locked).toBe(false);
  });

  test('threads taking the locks in one order report nothing', async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    nameLock(a, 'consistent.ts#a');
    nameLock(b, 'consistent.ts#b');
    takeInOrder(a, b);
    const seen = await Promise.all([0, 1, 2].map(() => orderInWorker({ first: a.handle, second: b.handle, names: ['consistent.ts#a', 'consistent.ts#b'], onReport: 'throw' })));
    expect(seen).toEqual([0, 1, 2].map(() => ({ thrown: undefined, reports: [] })));
    expect(lockValidationReports()).toEqual([]);
  });

  test('switched on again, the main thread starts a new graph: an order of the previous run is not combined with one of this run', async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    await orderInWorker({ first: a.handle, second: b.handle, names: ['runs.ts#a', 'runs.ts#b'], onReport: 'record' });
    enableLockValidation({ onReport: 'record' });
    const seen = await orderInWorker({ first: b.handle, second: a.handle, names: ['runs.ts#b', 'runs.ts#a'], onReport: 'record' });
    expect(seen.reports).toEqual([]);
  });

  test('a worker started after validation was switched off in its parent validates alone', async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    nameLock(a, 'off.ts#a');
    nameLock(b, 'off.ts#b');
    takeInOrder(a, b);
    disableLockValidation();
    const seen = await orderInWorker({ first: b.handle, second: a.handle, names: ['off.ts#b', 'off.ts#a'], onReport: 'record' });
    expect(seen.reports).toEqual([]);
  });
});

describe('a full shared graph', () => {
  test('says so once, and a thread still finds the cycles of its own orders', { timeout: 60_000 }, () => {
    enableLockValidation({ onReport: 'record' });
    const warnings: string[] = [];
    const spy = vi.spyOn(console, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    try {
      // 182 classes taken in index order: 16,471 orders, more than the graph's 16,384.
      const locks = Array.from({ length: 182 }, (_, index) => {
        const lock = new Lock();
        nameLock(lock, `full.ts#l${index}`);
        return lock;
      });
      for (let outer = 0; outer < locks.length; outer++) for (let inner = outer + 1; inner < locks.length; inner++) takeInOrder(locks[outer]!, locks[inner]!);
      expect(lockValidationReports()).toEqual([]);
      expect(warnings.filter((warning) => warning.includes('shared lock-order graph is full'))).toHaveLength(1);
      takeInOrder(locks[181]!, locks[0]!);
      expect(lockValidationReports().map((report) => report.locks)).toEqual([['full.ts#l0', 'full.ts#l181']]);
    } finally {
      spy.mockRestore();
    }
  });
});

describe('a wait-for cycle of blocked threads', () => {
  test('two workers each holding one lock and blocked on the other: the second to block reports the deadlock, naming both', { timeout: 60_000 }, async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    const flags = new Int32Array(new SharedArrayBuffer(8));
    const party = (first: LockHandle, second: LockHandle, names: [string, string], mine: number, theirs: number): Promise<{ taken: boolean; kinds: string[]; deadlock: unknown }> =>
      startWorker(
        async (lib, data: { first: LockHandle; second: LockHandle; names: [string, string]; flags: Int32Array; mine: number; theirs: number }) => {
          const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
          const validate = await importValidate();
          validate.enableLockValidation({ onReport: 'record' });
          const first = lib.Lock.from(data.first);
          const second = lib.Lock.from(data.second);
          validate.nameLock(first, data.names[0]);
          validate.nameLock(second, data.names[1]);
          first.acquire();
          Atomics.store(data.flags, data.mine, 1);
          Atomics.notify(data.flags, data.mine);
          Atomics.wait(data.flags, data.theirs, 0, 10_000);
          // Both hold one lock now: this blocks until its timeout, unless the other one times out first.
          const taken = second.acquire({ timeout: 3_000 });
          if (taken) second.release();
          first.release();
          const reports = validate.lockValidationReports();
          const deadlock = reports.find((report) => report.kind === 'deadlock');
          return {
            taken,
            kinds: reports.map((report) => report.kind),
            deadlock: deadlock === undefined ? undefined : { locks: deadlock.locks, threads: deadlock.steps.map((step) => step.acquired.context.thread.ident), message: deadlock.message, fingerprint: deadlock.fingerprint },
          };
        },
        { first, second, names, flags, mine, theirs },
      ).result;
    const seen = await Promise.all([party(a.handle, b.handle, ['blocked.ts#a', 'blocked.ts#b'], 0, 1), party(b.handle, a.handle, ['blocked.ts#b', 'blocked.ts#a'], 1, 0)]);
    // Exactly one of them saw the other blocked when it blocked itself.
    const deadlocks = seen.map((result) => result.deadlock).filter((deadlock) => deadlock !== undefined) as { locks: string[]; threads: number[]; message: string; fingerprint: string }[];
    expect(deadlocks).toHaveLength(1);
    expect(deadlocks[0]!.locks).toEqual(['blocked.ts#a', 'blocked.ts#b']);
    expect(new Set(deadlocks[0]!.threads).size).toBe(2);
    expect(deadlocks[0]!.message).toMatch(/^Deadlock now: thread \d+ "Thread-\d+" waits for [ab], held by thread \d+ "Thread-\d+"; thread \d+ "Thread-\d+" waits for [ab], held by thread \d+ "Thread-\d+"\./);
    // The same fingerprint as the lock-order cycle that made it possible (reported too, by one of them).
    expect(deadlocks[0]!.fingerprint).toBe(fingerprintLockFinding('lock-order-cycle', ['blocked.ts#a', 'blocked.ts#b']));
    expect(seen.flatMap((result) => result.kinds).sort()).toEqual(['deadlock', 'lock-order-cycle']);
    // One of them timed out (its wait was real), which let the other go on.
    expect(seen.filter((result) => !result.taken).length).toBeGreaterThanOrEqual(1);
  });

  test('a thread that blocks on a lock another thread holds while it runs, holding nothing that thread waits for, reports nothing', { timeout: 60_000 }, async () => {
    enableLockValidation({ onReport: 'record' });
    const a = new Lock();
    const b = new Lock();
    nameLock(a, 'contended.ts#a');
    nameLock(b, 'contended.ts#b');
    const seen = await Promise.all(
      [0, 1, 2].map(() =>
        startWorker(
          async (lib, handles: { a: LockHandle; b: LockHandle }) => {
            const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
            const validate = await importValidate();
            validate.enableLockValidation({ onReport: 'record' });
            const a = lib.Lock.from(handles.a);
            const b = lib.Lock.from(handles.b);
            validate.nameLock(a, 'contended.ts#a');
            validate.nameLock(b, 'contended.ts#b');
            for (let round = 0; round < 2_000; round++) {
              a.acquire();
              b.acquire();
              b.release();
              a.release();
            }
            return validate.lockValidationReports().length;
          },
          { a: a.handle, b: b.handle },
        ).result,
      ),
    );
    expect(seen).toEqual([0, 0, 0]);
  });
});

describe('lock classes across threads, without naming anything', () => {
  test("a handle carries its lock's class, so Lock.from(handle) in a worker is the same class and a split inversion is found", async () => {
    enableLockValidation({ onReport: 'record' });
    const ledger = new Lock();
    const audit = new Lock();
    takeInOrder(ledger, audit);
    expect(ledger.handle.name).toBe('packages/primitives/test/validate-worker.test.ts#ledger');
    const seen = await runInWorker(
      async (lib, handles: { ledger: LockHandle; audit: LockHandle }) => {
        const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
        const validate = await importValidate();
        validate.enableLockValidation({ onReport: 'record' });
        const ledger = lib.Lock.from(handles.ledger);
        const audit = lib.Lock.from(handles.audit);
        audit.acquire();
        ledger.acquire();
        ledger.release();
        audit.release();
        return validate.lockValidationReports().map((report) => report.locks);
      },
      { ledger: ledger.handle, audit: audit.handle },
    );
    const file = 'packages/primitives/test/validate-worker.test.ts';
    expect(seen).toEqual([[`${file}#audit`, `${file}#ledger`]]);
  });

  test('a name option names the class (and travels in the handle); a bad one is a TypeError naming it', () => {
    enableLockValidation({ onReport: 'record' });
    const pool = new Lock({ name: 'src/db.ts#Pool.lock' });
    const table = new ReadWriteLock({ name: 'src/db.ts#table' });
    const slots = new Semaphore(1, { name: 'src/db.ts#slots' });
    expect([pool.handle.name, table.handle.name, slots.handle.name, new RLock({ name: 'src/db.ts#r' }).handle.name]).toEqual(['src/db.ts#Pool.lock', 'src/db.ts#table', 'src/db.ts#slots', 'src/db.ts#r']);
    pool.acquire();
    slots.acquire();
    slots.release();
    pool.release();
    slots.acquire();
    pool.acquire();
    pool.release();
    slots.release();
    expect(lockValidationReports().map((report) => report.locks)).toEqual([['src/db.ts#Pool.lock', 'src/db.ts#slots']]);
    disableLockValidation();
    expect(new Lock().handle.name).toBeUndefined();
    expect(Lock.from(pool.handle).handle.name).toBe('src/db.ts#Pool.lock');
    expect(() => new Lock({ name: '' })).toThrow(new TypeError('new Lock(options): options.name must be a non-empty string (the lock\'s class for the validator, like "src/db.ts#Pool.lock"), got ""'));
    expect(() => new Semaphore(1, { name: 3 as unknown as string })).toThrow(TypeError);
    expect(() => Lock.from({ ...pool.handle, name: 7 as unknown as string })).toThrow(new TypeError('Lock.from(handle): handle.name must be a non-empty string, got 7'));
  });
});
