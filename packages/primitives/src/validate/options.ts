/**
 * The validator's options, checked once when it is switched on, and the environment variables the
 * `@lockstep/primitives/validate` import reads (it takes no arguments).
 */
import { LONGEST_TIMER_MS } from '../internal/long-timeout.js';

/** What a finding does besides being recorded. */
export type OnReport = 'throw' | 'record' | 'warn';

/**
 * Options of `enableLockValidation`.
 *
 * @example
 * ```ts
 * enableLockValidation({ onReport: 'throw', root: new URL('..', import.meta.url).pathname });
 * ```
 */
export interface LockValidationOptions {
  /**
   * `'warn'` (the default): record it and print it (`console.warn`, in `lockstep`'s text layout).
   * `'record'`: only record it (read them with `lockValidationReports()`). `'throw'`: record it and
   * throw a `LockValidationError` carrying it from the acquisition or release that produced it, so
   * the test that made it fails. Whatever the mode, an acquisition that could only wait for itself
   * for ever (a self-deadlock without a timeout) is refused with that error instead of hanging.
   */
  readonly onReport?: OnReport | undefined;
  /** What lock ids' paths are relative to, as `lockstep`'s root: the current directory by default. */
  readonly root?: string | undefined;
  /**
   * Names for locks, as `[lock, id]` pairs (a `Map` works): for locks created before the validator
   * was on, whose creation it could not see, or to give instances of one class classes of their own.
   */
  readonly names?: Iterable<readonly [object, string]> | undefined;
  /**
   * Record the stack of every acquisition, not only the first few of each lock class, so that every
   * report shows where each held lock was taken. Costs microseconds per acquisition.
   */
  readonly everySite?: boolean | undefined;
  /**
   * Other libraries' locks to validate too, as their modules: async-mutex's `Mutex` and `Semaphore`
   * (`instrument: [await import('async-mutex')]`; for code that `require`s it, its CommonJS build is
   * a copy of its own: pass `createRequire(import.meta.url)('async-mutex')` as well), and
   * await-semaphore's (`instrument: [await import('await-semaphore')]`), and Web Locks
   * (`instrument: [navigator.locks]`, where the runtime has them). Their prototypes are patched
   * while validation is on and get their own methods back when it is switched off.
   */
  readonly instrument?: readonly unknown[] | undefined;
  /**
   * Report a lock held longer than this many milliseconds, while it is still held (go-deadlock's
   * watchdog): 30 000 by default; 0 or `Infinity` switches it off. Reported once per acquisition,
   * between the limit and an eighth more (see docs/validator.md).
   */
  readonly holdLimit?: number | undefined;
  /**
   * How long, in milliseconds, an async acquisition of a lock that its own context holds may wait
   * before it is reported (and refused) as a self-deadlock: 1 000 by default. Until then somebody
   * else may release it: a task the holder started without awaiting it (which inherits the holder's
   * context), another timer or event callback (they share the thread's synchronous context), or the
   * holder of an async-mutex or await-semaphore releaser, a function code hands on. If the lock is
   * released or the acquisition ends first, nothing is reported. 0: at once. A blocking acquisition
   * is always refused at once: its thread sleeps, so nothing of it can release the lock.
   */
  readonly selfDeadlockAfter?: number | undefined;
}

/** The options with their defaults applied. */
export interface Settings {
  readonly onReport: OnReport;
  readonly root: string;
  readonly everySite: boolean;
  /** 0: no watchdog. */
  readonly holdLimitMs: number;
  /** 0: refused at once. */
  readonly selfDeadlockAfterMs: number;
}

const MODES: readonly OnReport[] = ['throw', 'record', 'warn'];
/** go-deadlock's default. */
const DEFAULT_HOLD_LIMIT_MS = 30_000;
/** Below the 2 s of mocha's test timeout and the 5 s of vitest's and jest's: the report, not the timeout, fails the test. */
const DEFAULT_SELF_DEADLOCK_AFTER_MS = 1_000;

export function settingsFrom(options: LockValidationOptions | undefined): Settings {
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError('enableLockValidation(options): options must be an object like { onReport: "throw" }');
  }
  const onReport = options?.onReport ?? 'warn';
  if (!MODES.includes(onReport)) throw new TypeError(`enableLockValidation(options): onReport must be one of ${MODES.join(', ')}, got ${String(onReport)}`);
  const root = options?.root ?? currentDirectory();
  if (typeof root !== 'string') throw new TypeError('enableLockValidation(options): root must be a path');
  const holdLimit = options?.holdLimit ?? DEFAULT_HOLD_LIMIT_MS;
  if (typeof holdLimit !== 'number' || Number.isNaN(holdLimit) || holdLimit < 0) {
    throw new TypeError(`enableLockValidation(options): holdLimit must be a number of milliseconds ≥ 0 (0 or Infinity: off), got ${String(holdLimit)}`);
  }
  const selfDeadlockAfter = options?.selfDeadlockAfter ?? DEFAULT_SELF_DEADLOCK_AFTER_MS;
  if (typeof selfDeadlockAfter !== 'number' || !(selfDeadlockAfter >= 0 && selfDeadlockAfter <= LONGEST_TIMER_MS)) {
    throw new TypeError(`enableLockValidation(options): selfDeadlockAfter must be a number of milliseconds from 0 (at once) to ${LONGEST_TIMER_MS}, got ${String(selfDeadlockAfter)}`);
  }
  return {
    onReport,
    root,
    everySite: options?.everySite === true,
    holdLimitMs: holdLimit === Infinity ? 0 : holdLimit,
    selfDeadlockAfterMs: selfDeadlockAfter,
  };
}

interface ProcessLike {
  cwd?(): string;
  readonly env?: Readonly<Record<string, string | undefined>>;
}

const processObject = (globalThis as { readonly process?: ProcessLike }).process;

function currentDirectory(): string {
  return processObject?.cwd?.() ?? '/';
}

/**
 * The options the import entry uses: `LOCKSTEP_VALIDATE_ON_REPORT` (`throw`, `record` or `warn`),
 * `LOCKSTEP_VALIDATE_ROOT`, `LOCKSTEP_VALIDATE_EVERY_SITE=1`, `LOCKSTEP_VALIDATE_HOLD_LIMIT_MS` and
 * `LOCKSTEP_VALIDATE_SELF_DEADLOCK_AFTER_MS`.
 */
export function optionsFromEnvironment(): LockValidationOptions {
  const env = processObject?.env ?? {};
  const onReport = env['LOCKSTEP_VALIDATE_ON_REPORT'];
  const root = env['LOCKSTEP_VALIDATE_ROOT'];
  const holdLimit = env['LOCKSTEP_VALIDATE_HOLD_LIMIT_MS'];
  const selfDeadlockAfter = env['LOCKSTEP_VALIDATE_SELF_DEADLOCK_AFTER_MS'];
  return {
    ...(onReport === undefined || onReport === '' ? {} : { onReport: onReport as OnReport }),
    // (LOCKSTEP_VALIDATE_INSTRUMENT is read by the import entry, which loads the modules it names.)
    ...(root === undefined || root === '' ? {} : { root }),
    everySite: env['LOCKSTEP_VALIDATE_EVERY_SITE'] === '1',
    ...(holdLimit === undefined || holdLimit === '' ? {} : { holdLimit: Number(holdLimit) }),
    ...(selfDeadlockAfter === undefined || selfDeadlockAfter === '' ? {} : { selfDeadlockAfter: Number(selfDeadlockAfter) }),
  };
}
