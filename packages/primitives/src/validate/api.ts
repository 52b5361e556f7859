/**
 * Switching the validator on and off, and reading what it found. Per thread: each worker thread has
 * its own validator and reports; the lock-order graph is shared by the threads started after it was
 * switched on (shared-order-graph.ts).
 */
import { hook, setLockHook } from '../internal/validation-hook.js';
import { startCarrying, stopCarrying } from './async-context.js';
import { instrumentLibrary, removeLibraryInstrumentation } from './library-patches.js';
import { nameRecord } from './lock-records.js';
import { settingsFrom, type LockValidationOptions } from './options.js';
import type { LockValidationReport } from './report.js';
import { Validator } from './validator.js';

/** The running validator, or the last one (its reports stay readable after it is switched off). */
let validator: Validator | undefined;

/**
 * Switches run-time lock validation on for this thread ("lockdep for JavaScript"): from now on every
 * acquisition and release of a `Lock`, `RLock`, `Semaphore`, `BoundedSemaphore` or `ReadWriteLock` (blocking, async,
 * `hold`, `holdAsync`, `runExclusive`, and a `Condition`'s lock) is recorded, each lock order is
 * checked the first time it occurs, and what can deadlock is reported then, without the deadlock
 * having to happen. Called again, it starts over with the new options (the graph and the reports of
 * the previous run are dropped). Needs Node.js (`v8.promiseHooks`, to tell async contexts apart).
 *
 * @throws TypeError for bad options; Error where the runtime has no promise hooks.
 *
 * @example
 * ```ts
 * // vitest.setup.ts (`test.setupFiles`)
 * import { enableLockValidation } from '@lockstep/primitives/validate';
 * enableLockValidation({ onReport: 'throw' });
 * ```
 */
export function enableLockValidation(options?: LockValidationOptions): void {
  const settings = settingsFrom(options);
  disableLockValidation();
  if (!startCarrying()) {
    throw new Error('enableLockValidation: this runtime has no promise hooks (node:v8 promiseHooks, Node.js 20.16+), which the validator needs to tell async contexts apart');
  }
  const instrument = options?.instrument;
  if (instrument !== undefined && !Array.isArray(instrument)) throw new TypeError('enableLockValidation(options): instrument must be an array of modules, like [await import("async-mutex")]');
  for (const module of instrument ?? []) instrumentLibrary(module);
  for (const [lock, id] of options?.names ?? []) nameRecord(lock, id);
  validator = new Validator(settings);
  setLockHook(validator);
}

/**
 * Switches validation off for this thread: the primitives are back to their one branch per call, and
 * instrumented libraries to their own methods.
 * The reports found so far stay readable with {@link lockValidationReports}.
 *
 * @example
 * ```ts
 * afterAll(() => disableLockValidation());
 * ```
 */
export function disableLockValidation(): void {
  validator?.close();
  setLockHook(undefined);
  stopCarrying();
  removeLibraryInstrumentation();
}

/**
 * Whether validation is on in this thread.
 *
 * @example
 * ```ts
 * if (!isLockValidationEnabled()) enableLockValidation();
 * ```
 */
export function isLockValidationEnabled(): boolean {
  return hook !== undefined;
}

/**
 * What the validator of this thread found so far (or found before it was switched off), each finding
 * once, in the order found.
 *
 * @example
 * ```ts
 * afterEach(() => {
 *   expect(lockValidationReports()).toEqual([]);
 * });
 * ```
 */
export function lockValidationReports(): readonly LockValidationReport[] {
  return [...(validator?.reports ?? [])];
}

/**
 * Forgets the findings so far (the order graph stays: an order seen before is not reported again).
 *
 * @example
 * ```ts
 * beforeEach(() => clearLockValidationReports());
 * ```
 */
export function clearLockValidationReports(): void {
  validator?.clearReports();
}

/**
 * Gives a lock its class id (`lockstep`'s id, like `src/db.ts#Pool.lock`) for the validator: for a
 * lock created before validation was on, or to tell instances of one class apart. Takes effect from
 * the lock's next acquisition, whether validation is on yet or not.
 *
 * @example
 * ```ts
 * nameLock(accounts[0].lock, 'src/bank.ts#Account.lock[0]');
 * ```
 */
export function nameLock(lock: object, id: string): void {
  if (typeof id !== 'string' || id === '') throw new TypeError('nameLock(lock, id): id must be a non-empty string');
  nameRecord(lock, id);
}
