/**
 * The evidence the analysis produces for each lock-order edge: where each lock was taken, in which
 * function and form, and the calls that lead from the holder to the second acquisition.
 */
import type { SourceLocation } from '../model/source-location.js';

/** One call on the way from the function where a lock was held to the acquisition it leads to. */
export interface CallStep {
  /** The call expression. */
  readonly location: SourceLocation;
  /** The function making the call (`Class.method`, `name`, `<module>` for top-level code). */
  readonly caller: string;
  /** The function called. */
  readonly callee: string;
}

/** A lock being taken somewhere. */
export interface Acquisition {
  /** {@link LockInfo.id} */
  readonly lock: string;
  readonly location: SourceLocation;
  /** The function containing the acquisition. */
  readonly function: string;
  /**
   * For the second acquisition of an edge: the calls from the function holding the first lock down to
   * the function taking this one (empty when both are in one function). Empty for the first acquisition.
   */
  readonly callChain: readonly CallStep[];
  /** How the lock is held: `acquire`, `using`, `runExclusive`, `request` (Web Locks)… */
  readonly form: string;
  /** True when the lock was recognised by its name only (no type information): a guess. */
  readonly guessed: boolean;
}

/** Evidence that `to` is taken while `from` is held. */
export interface EdgeWitness {
  /** Where `from` was taken. */
  readonly held: Acquisition;
  /** Where `to` was taken, with the call chain from `held.function`. */
  readonly acquired: Acquisition;
  /** Other locks held at that moment, besides `from` (a lock common to every edge of a cycle gates it). */
  readonly alsoHeld: readonly string[];
}
