/**
 * The deadlock report: what the analysis found, in a form every output format (text, JSON, SARIF, DOT)
 * renders without going back to the TypeScript program. The JSON format is this object as is, so these
 * types are its schema (documented in docs/analyzer.md); bump {@link REPORT_SCHEMA_VERSION} on any
 * incompatible change. The parts are owned by the layers that produce them (model, analysis, graph,
 * project) and re-exported here so the whole schema can be read from one module.
 */
import type { LockOrderEdge } from '../analysis/lock-order-graph.js';
import type { Finding, GatedCycle } from '../graph/finding.js';
import type { LockInfo, LockSource } from '../model/lock-info.js';
import type { InputError } from '../project/input-error.js';

export type { Acquisition, CallStep, EdgeWitness } from '../analysis/lock-order-witness.js';
export type { LockOrderEdge } from '../analysis/lock-order-graph.js';
export type { Finding, FindingKind, FindingStep, GatedCycle } from '../graph/finding.js';
export type { LockFlavor, LockInfo, LockSource } from '../model/lock-info.js';
export type { SourceLocation } from '../model/source-location.js';
export type { InputError, InputErrorCode } from '../project/input-error.js';

/** How many locks were recognised, and how. */
export interface LockCounts {
  readonly total: number;
  /** Recognised by their types (a library's class, a configured lock type, a Web Lock request). */
  readonly typed: number;
  /** Recognised by their names only (no type information). */
  readonly guessed: number;
  /** By {@link LockSource}, only the sources that occur. */
  readonly bySource: Readonly<Partial<Record<LockSource, number>>>;
}

/** Version of the JSON report's shape. */
export const REPORT_SCHEMA_VERSION = 1;

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
    /** Locks in an edge or a finding (those listed in `locks`). */
    readonly locks: number;
    /** Every lock recognised anywhere, in an edge or not: a project full of locks never reads "0". */
    readonly locksRecognised: LockCounts;
    /** Distinct calls that take, try, release or scope a lock. */
    readonly lockOperations: number;
    readonly edges: number;
    readonly durationMs: number;
  };
}
