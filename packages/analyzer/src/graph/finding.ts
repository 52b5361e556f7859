/**
 * What the graph layer concludes from the lock-order graph: findings (cycles and self-deadlocks) with
 * the witness chosen for each step, and the cycles deliberately not reported.
 */
import type { EdgeWitness } from '../analysis/lock-order-witness.js';

export type FindingKind =
  /** Locks taken in cyclic order by different contexts: a possible deadlock. */
  | 'lock-order-cycle'
  /** A cycle through at least one counting semaphore: a deadlock once enough contexts hold its permits. */
  | 'semaphore-cycle'
  /** A non-reentrant lock acquired again by the context that holds it: it waits for itself forever. */
  | 'self-deadlock'
  /**
   * A second instance of a lock class taken while the context holds another instance of it
   * (lockdep's "possible recursive locking"): two contexts nesting two instances in opposite orders
   * (`transfer(a, b)` and `transfer(b, a)`) deadlock unless the nesting follows an order.
   */
  | 'recursive-locking';

/** Kinds whose finding is about one lock (class): one step `L → L`, no cycle between locks. */
export function isSingleLockKind(kind: FindingKind): boolean {
  return kind === 'self-deadlock' || kind === 'recursive-locking';
}

/** One edge of a finding's cycle, with the witness chosen to show it (the shortest call chain). */
export interface FindingStep {
  readonly from: string;
  readonly to: string;
  readonly witness: EdgeWitness;
  /** How many witnesses the edge has in all (see the graph in the report for the others). */
  readonly witnessCount: number;
}

export interface Finding {
  readonly kind: FindingKind;
  /**
   * Stable across unrelated edits (line shifts): derived from the kind, the lock ids and the functions
   * of the witnesses, never from line numbers. Baselines and SARIF `partialFingerprints` use it.
   */
  readonly fingerprint: string;
  /** The cycle's locks in order, rotated to start at the smallest id; one lock for a self-deadlock. */
  readonly locks: readonly string[];
  /** `locks[i] → locks[(i + 1) % n]`, one step per edge; a self-deadlock has one step `L → L`. */
  readonly steps: readonly FindingStep[];
  /** True when any lock or acquisition on the cycle was recognised by name only. */
  readonly guessed: boolean;
  /** One sentence saying what can happen. */
  readonly message: string;
}

/** A cycle that is not a deadlock because one lock outside it is held on every edge. */
export interface GatedCycle {
  readonly locks: readonly string[];
  /** The lock(s) held on every edge of the cycle. */
  readonly gates: readonly string[];
}
