/**
 * The deadlock report: what the analysis found, in a form every output format (text, JSON, SARIF, DOT)
 * renders without going back to the TypeScript program. The JSON format is this object as is, so these
 * types are its schema (documented in docs/analyzer.md); bump {@link REPORT_SCHEMA_VERSION} on any
 * incompatible change.
 */

/** Version of the JSON report's shape. */
export const REPORT_SCHEMA_VERSION = 1;

/** A place in a source file. Paths are relative to the report's root, with `/` separators. */
export interface SourceLocation {
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units as editors count them. */
  readonly column: number;
  readonly endLine: number;
  readonly endColumn: number;
  /** The source line, without its indentation. */
  readonly snippet: string;
}

/** What sort of lock an identity denotes, which decides what a cycle through it means. */
export type LockFlavor =
  /** Non-reentrant mutual exclusion: `Lock`, async-mutex `Mutex`, `AwaitLock`, an exclusive Web Lock. */
  | 'mutex'
  /** Re-entry by the owner never blocks: `RLock`, a `Condition` over its default `RLock`. */
  | 'reentrant'
  /** Counting: `Semaphore`, `BoundedSemaphore`, async-mutex `Semaphore`. */
  | 'semaphore';

/** Where the analysis learned that an expression is a lock. */
export type LockSource = 'lockstep' | 'async-mutex' | 'await-lock' | 'web-locks' | 'config' | 'name-fallback';

/** One abstract lock (a lock class, as lockdep says): every expression resolving to one declaration. */
export interface LockInfo {
  /**
   * Stable key: `path#name` for a module variable, `path#Class.field` for a class field (all instances
   * of the class share it), `path#fn(param)` for a parameter no caller binds, `web-lock:NAME` for a
   * Web Lock requested by a constant name.
   */
  readonly id: string;
  /** What a person reads: `accountsLock`, `Account.lock`, `navigator.locks "orders"`. */
  readonly name: string;
  readonly flavor: LockFlavor;
  readonly source: LockSource;
  /** Where it is declared; absent for Web Locks. */
  readonly declaredAt?: SourceLocation;
  /** A semaphore's initial count when it is a constant. */
  readonly count?: number;
}

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

/** An edge of the lock-order graph with every witness found for it. */
export interface LockOrderEdge {
  readonly from: string;
  readonly to: string;
  readonly witnesses: readonly EdgeWitness[];
}

export type FindingKind =
  /** Locks taken in cyclic order by different contexts: a possible deadlock. */
  | 'lock-order-cycle'
  /** A cycle through at least one counting semaphore: a deadlock once enough contexts hold its permits. */
  | 'semaphore-cycle'
  /** A non-reentrant lock acquired again by the context that holds it: it waits for itself forever. */
  | 'self-deadlock';

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

export type InputErrorCode = 'missing-path' | 'tsconfig' | 'parse' | 'config' | 'read' | 'usage';

/** A problem with the input that kept some of it from being analysed. Never fatal to the rest. */
export interface InputError {
  readonly code: InputErrorCode;
  /** The file concerned (relative to the root when inside it). */
  readonly file?: string;
  readonly line?: number;
  readonly column?: number;
  readonly message: string;
}

export interface Report {
  readonly schemaVersion: typeof REPORT_SCHEMA_VERSION;
  readonly tool: { readonly name: 'lockstep'; readonly version: string };
  /** Absolute path every relative path in the report is relative to (the current directory). */
  readonly root: string;
  /** Files analysed, relative to the root, sorted. */
  readonly files: readonly string[];
  readonly errors: readonly InputError[];
  /** Every lock that appears in an edge or a finding, sorted by id. */
  readonly locks: readonly LockInfo[];
  /** The whole lock-order graph, sorted by (from, to). */
  readonly edges: readonly LockOrderEdge[];
  /** Findings not in the baseline, sorted by kind then fingerprint. */
  readonly findings: readonly Finding[];
  /** What was found and deliberately not reported. */
  readonly suppressed: {
    readonly gatedCycles: readonly GatedCycle[];
    /** Fingerprints of findings matched by the baseline. */
    readonly baselined: readonly string[];
  };
  readonly stats: {
    readonly files: number;
    readonly functions: number;
    readonly locks: number;
    readonly edges: number;
    readonly durationMs: number;
  };
}
