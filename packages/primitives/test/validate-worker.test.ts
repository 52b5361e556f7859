import { afterAll, afterEach, expect, test } from 'vitest';
import { Lock, type LockHandle } from '@lockstep/primitives';
import { disableLockValidation, enableLockValidation, lockValidationReports } from '@lockstep/primitives/validate';
import { runInWorker, terminateAll } from './support/workers.js';

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

test('each thread validates its own graph: an inversion split between two threads is not reported (yet)', async () => {
  enableLockValidation({ onReport: 'record' });
  const a = new Lock();
  const b = new Lock();
  a.acquire();
  b.acquire();
  b.release();
  a.release();
  const inWorker = await runInWorker(
    async (lib, handles: { a: LockHandle; b: LockHandle }) => {
      const importValidate = (0, eval)("() => import('@lockstep/primitives/validate')") as () => Promise<typeof import('@lockstep/primitives/validate')>;
      const validate = await importValidate();
      validate.enableLockValidation({ onReport: 'record' });
      const a = lib.Lock.from(handles.a);
      const b = lib.Lock.from(handles.b);
      b.acquire();
      a.acquire();
      a.release();
      b.release();
      return validate.lockValidationReports().length;
    },
    { a: a.handle, b: b.handle },
  );
  expect(inWorker).toBe(0);
  expect(lockValidationReports()).toEqual([]);
});
