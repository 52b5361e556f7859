/**
 * What the run-time validator reports: the shape `lockValidationReports()` returns and the JSON format
 * prints. Lock ids, kinds and fingerprints are the static analysis's (`lockstep`), so that a finding
 * seen at run time and the same finding seen statically are recognisably one.
 */
import type { ValidatedKind } from '../internal/validation-hook.js';

/**
 * The kinds of finding. The first four are `lockstep`'s `FindingKind`s, with the same meaning;
 * `release-not-held` (lockdep's "bad unlock balance"), `held-too-long` (go-deadlock's watchdog) and
 * `deadlock` (a wait-for cycle of threads blocked now) are the validator's own.
 */
export type LockValidationKind = 'lock-order-cycle' | 'semaphore-cycle' | 'self-deadlock' | 'recursive-locking' | 'release-not-held' | 'held-too-long' | 'deadlock';

/** Whether `lockstep` has the kind too (the others are seen at run time only: no scenario, no static twin). */
export function isStaticKind(kind: LockValidationKind): boolean {
  return kind !== 'release-not-held' && kind !== 'held-too-long';
}

/** A place in a source file, relative to the validator's `root` (`/` separators), 1-based. */
export interface ValidationLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

/** One frame of a stack as the report shows it: the function and where it was at. */
export interface ValidationFrame extends ValidationLocation {
  /** `Class.method`, `name`, `<module>` or `<anonymous>`; `async ` marks a frame awaiting. */
  readonly function: string;
}

/** Which thread and which async context of it did something. */
export interface ValidationContext {
  readonly thread: { readonly ident: number; readonly name: string };
  /**
   * 0: the thread's synchronous code (blocking acquisitions outside any promise reaction). Otherwise
   * the number of an async context: one is opened by each async acquisition made outside any, and
   * is shared by what it awaits and starts while it holds its locks.
   */
  readonly asyncContext: number;
}

/** One acquisition (or release) as the validator saw it. */
export interface ValidationSite {
  /** The lock class's id. */
  readonly lock: string;
  /** The function that called the primitive (the first frame outside `@lockstep/primitives`). */
  readonly function: string;
  /** The primitive's method the user called: `acquire`, `holdAsync`, `runExclusive`, `release`, … */
  readonly form: string;
  readonly location?: ValidationLocation;
  /** The source line at `location`, without its indentation. */
  readonly snippet?: string;
  /** The stack outside `@lockstep/primitives`, innermost first (async frames included). */
  readonly stack: readonly ValidationFrame[];
  readonly context: ValidationContext;
}

/**
 * One edge of a cycle (`from` held while `to` was taken) with what was recorded when that order was
 * first seen; for a single-lock kind, the one step `L → L`.
 */
export interface LockValidationStep {
  readonly from: string;
  readonly to: string;
  /**
   * Where `from` was taken, when it was recorded: every lock class's first acquisitions are, later
   * ones only with `{ everySite: true }` (a stack costs microseconds).
   */
  readonly held?: ValidationSite;
  /** Where `to` was taken while `from` was held, the first time: its stack shows the call path. */
  readonly acquired: ValidationSite;
}

/** A lock class the report names. */
export interface ValidatedLock {
  /** `src/payments.ts#paymentsLock`, `src/rates.ts#ExchangeRates.refreshLock`: `lockstep`'s ids. */
  readonly id: string;
  /** What a person reads: `paymentsLock`, `ExchangeRates.refreshLock`. */
  readonly name: string;
  readonly kind: ValidatedKind;
  /** A semaphore's initial permits, when the validator saw it created. */
  readonly count?: number;
  /** Where it was created (the first instance seen), when known. */
  readonly declaredAt?: ValidationLocation;
}

/**
 * A finding of the run-time validator: a possible deadlock seen the first time its lock order
 * occurred, or a misuse, without the deadlock having had to happen.
 */
export interface LockValidationReport {
  readonly kind: LockValidationKind;
  /**
   * 32 hex digits, computed as `lockstep` computes its fingerprints: the same cycle of lock ids (and,
   * for a single-lock kind, the same function to fix) gives the same fingerprint in both tools.
   */
  readonly fingerprint: string;
  /** The cycle's lock ids, rotated to start at the smallest; one id for a single-lock kind. */
  readonly locks: readonly string[];
  /** `locks[i] → locks[(i + 1) % n]`, in the order of `locks`. */
  readonly steps: readonly LockValidationStep[];
  /** One sentence saying what can happen. */
  readonly message: string;
  /** The lock classes in `locks`. */
  readonly lockInfo: readonly ValidatedLock[];
  /** Whether the validator threw a `LockValidationError` for it (the acquisition was refused). */
  readonly thrown: boolean;
}
