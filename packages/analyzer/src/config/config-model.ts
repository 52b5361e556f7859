/**
 * What users may configure: their own lock classes, and which files to leave out. Read from
 * `lockstep.config.json` or the `"lockstep"` key of `package.json` (see load-config.ts); the ESLint
 * plugin takes the same `lockTypes` from `settings.lockstep.lockTypes`.
 */
import type { LockFlavor } from '../model/lock-info.js';

/** A user's lock class and the methods that take and give it back. */
export interface LockTypeConfig {
  /** The class or interface name as declared (`JobLock`). */
  readonly name: string;
  /**
   * Where it is declared: a package name (`my-locks`) or a path relative to the config file
   * (`./src/job-lock.ts`). Absent: any declaration with that name.
   */
  readonly module?: string;
  /** Default `mutex`. */
  readonly flavor: LockFlavor;
  /** Methods that block until the lock is held (`acquire`, `lock`). */
  readonly acquire: readonly string[];
  /** Methods that take the lock only if free and say whether they did (`tryAcquire`). */
  readonly tryAcquire: readonly string[];
  /** Methods that give it back (`release`, `unlock`). */
  readonly release: readonly string[];
  /** Methods that hold the lock while they run their callback argument (`runExclusive`). */
  readonly scoped: readonly string[];
  /** Methods returning a disposable that holds the lock until disposed (`hold`). */
  readonly hold: readonly string[];
}

export interface LockstepConfig {
  readonly lockTypes: readonly LockTypeConfig[];
  /** Globs (relative to the config file's directory) of files not to analyse. */
  readonly exclude: readonly string[];
  /** Recognise locks by name when there are no types (plain JavaScript). Default true. */
  readonly nameFallback: boolean;
  /** The file the configuration came from; absent for the defaults. */
  readonly configFile?: string;
}

export const DEFAULT_CONFIG: LockstepConfig = { lockTypes: [], exclude: [], nameFallback: true };
