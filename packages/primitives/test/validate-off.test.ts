// No static import of '@lockstep/primitives/validate' here: importing it switches validation on.
import { expect, test } from 'vitest';
import { Lock, RLock, Semaphore } from '@lockstep/primitives';
import { hook } from '../dist/internal/validation-hook.js';

const a = new Lock();
const b = new Lock();

test('off by default: the primitives have no hook, and the same code behaves as it always did', async () => {
  expect(hook).toBeUndefined();
  // An inversion: nothing to say without the validator.
  await a.runExclusive(() => b.runExclusive(() => undefined));
  await b.runExclusive(() => a.runExclusive(() => undefined));
  // A self-deadlock with a timeout just times out.
  await a.acquireAsync();
  expect(await a.acquireAsync({ timeout: 10 })).toBe(false);
  expect(a.acquire({ timeout: 0 })).toBe(false);
  // A release by another context is allowed, as always for a Lock.
  await (async () => {
    await b.acquireAsync();
  })();
  b.release();
  a.release();
  const rlock = new RLock();
  await rlock.runExclusive(() => rlock.runExclusive(() => undefined));
  const semaphore = new Semaphore(0);
  semaphore.release();
  expect(semaphore.tryAcquire()).toBe(true);
});

test('switched on later, the validator knows nothing of what happened while it was off', async () => {
  a.acquire();
  const validate = await import('@lockstep/primitives/validate');
  validate.enableLockValidation({ onReport: 'throw' });
  expect(hook).toBeDefined();
  // Taken while off, released while on: nothing to match, nothing to report.
  a.release();
  expect(validate.lockValidationReports()).toEqual([]);
  validate.disableLockValidation();
  expect(hook).toBeUndefined();
});
