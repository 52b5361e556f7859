/**
 * The deadlock report: what the analysis found, in a form every output format (text, JSON, SARIF, DOT)
 * renders without going back to the TypeScript program. The JSON format is this object as is, so these
 * types are its schema (documented in docs/analyzer.md); bump {@link REPORT_SCHEMA_VERSION} on any
 * incompatible change. The parts are owned by the layers that produce them (model, analysis, graph,
 * project) and re-exported here so the whole schema can be read from one module.
 */
import type { LockOrderEdge } from '../analysis/lock-order-graph.js';
import type { Finding, GatedCycle } from '../graph/finding.js';
import type { LockInfo } from '../model/lock-info.js';
import type { InputError } from '../project/input-error.js';

export type { Acquisition, CallStep, EdgeWitness } from '../analysis/lock-order-witness.js';
export type { LockOrderEdge } from '../analysis/lock-order-graph.js';
export type { Finding, FindingKind, FindingStep, GatedCycle } from '../graph/finding.js';
export type { LockFlavor, LockInfo, LockSource } from '../model/lock-info.js';
export type { SourceLocation } from '../model/source-location.js';
export type { InputError, InputErrorCode } from '../project/input-error.js';

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
    readonly locks: number;
    readonly edges: number;
    readonly durationMs: number;
  };
}
