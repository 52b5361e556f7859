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

/**
 * The functions behind one witness of an edge: the function holding the edge's first lock and the
 * function taking its second, each as `file#name` (function names alone repeat across files:
 * `<module>`, `run`). The same function twice when one function takes both.
 */
export interface EdgeFunctions {
  readonly holding: string;
  readonly acquiring: string;
}

/** The {@link EdgeFunctions} of one witness. */
export function witnessFunctions(witness: EdgeWitness): EdgeFunctions {
  return {
    holding: `${witness.held.location.file}#${witness.held.function}`,
    acquiring: `${witness.acquired.location.file}#${witness.acquired.function}`,
  };
}

/** The distinct {@link EdgeFunctions} of these witnesses, sorted (holding, then acquiring). */
export function edgeFunctions(witnesses: readonly EdgeWitness[]): EdgeFunctions[] {
  const pairs = new Map<string, EdgeFunctions>();
  for (const witness of witnesses) {
    const pair = witnessFunctions(witness);
    pairs.set(JSON.stringify([pair.holding, pair.acquiring]), pair);
  }
  return [...pairs.values()].sort((a, b) => compare(a.holding, b.holding) || compare(a.acquiring, b.acquiring));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One edge of a finding's cycle, with the witness chosen to show it (the shortest call chain). */
export interface FindingStep {
  readonly from: string;
  readonly to: string;
  readonly witness: EdgeWitness;
  /** How many witnesses the edge has in all (see the graph in the report for the others). */
  readonly witnessCount: number;
  /**
   * The functions behind every witness of this step, not only the one shown: what a baseline records
   * per edge, so that a new function taking the same locks in the same order is seen. For a single-lock
   * kind, the witnesses of this finding's fix site only. Absent on steps built by hand; then the shown
   * witness's functions are all that is known.
   */
  readonly functions?: readonly EdgeFunctions[];
}

export interface Finding {
  readonly kind: FindingKind;
  /**
   * The finding's identity, stable across unrelated edits: derived from the kind and the lock ids in
   * cycle order (and, for a single-lock kind, the function where the fix goes), never from line numbers
   * or from which witness is shown. Baselines and SARIF `partialFingerprints` use it (see
   * report/fingerprint.ts).
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
