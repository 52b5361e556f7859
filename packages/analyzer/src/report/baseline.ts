/**
 * Baselines let a team adopt lockstep on a codebase that already has findings: record them once, then
 * report only new ones.
 *
 * An entry matches a finding by fingerprint, the finding's identity (kind and locks, see
 * fingerprint.ts), and then by the functions recorded behind its edges: a baselined cycle comes back
 * when a function not recorded now takes locks along the cycle's inverting edge, since that is a new
 * place that deadlocks and that fixing the accepted code would not fix. The kind, lock names, edge
 * lock names and message are there for the people reviewing the file, so editing them changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { lockNamer } from './lock-names.js';
import { canonicalSteps, fingerprintFindingV1 } from './fingerprint.js';
import { witnessFunctions, type EdgeFunctions, type Finding, type FindingKind, type FindingStep } from '../graph/finding.js';
import type { LockInfo } from '../model/lock-info.js';

/** Version of the baseline file's shape written now; version-1 files are still read (see {@link readBaseline}). */
export const BASELINE_VERSION = 2;

/** One edge of an accepted finding, in cycle order: `edges[i]` goes from `locks[i]` to `locks[i + 1]`. */
export interface BaselineEdge {
  /** Lock names, for the reader; edges are matched by position. */
  readonly from: string;
  readonly to: string;
  /** Every function pair found behind this edge when the baseline was written, sorted. */
  readonly functions: readonly EdgeFunctions[];
}

/** One accepted finding. */
export interface BaselineEntry {
  readonly fingerprint: string;
  readonly kind: FindingKind;
  /** Lock names, in cycle order, for the reader. */
  readonly locks: readonly string[];
  readonly message: string;
  /** One per step of the finding (one for a single-lock kind). */
  readonly edges: readonly BaselineEdge[];
}

/** The baseline file: pretty JSON, entries sorted by fingerprint so that diffs stay small. */
export interface BaselineFile {
  readonly version: typeof BASELINE_VERSION;
  readonly tool: 'lockstep';
  readonly findings: readonly BaselineEntry[];
}

/** A baseline that cannot be read or written; the message names the file and what is wrong with it. */
export class BaselineError extends Error {
  /** The baseline file concerned, as given. */
  readonly file: string;

  constructor(file: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'BaselineError';
    this.file = file;
  }
}

/** A function pair as one string, for set membership. */
function pairKey(pair: EdgeFunctions): string {
  return JSON.stringify([pair.holding, pair.acquiring]);
}

/** The functions behind a step: all of its witnesses' when the graph layer gave them, else the shown one's. */
function stepFunctions(step: FindingStep): readonly EdgeFunctions[] {
  return step.functions ?? [witnessFunctions(step.witness)];
}

/**
 * A baseline as read from a file. It is the set of the fingerprints it accepts, so that it can go
 * wherever a set of fingerprints is expected (`AnalyzeProjectOptions.baseline`); {@link applyBaseline}
 * also checks the functions it recorded per edge when given one.
 */
export class Baseline extends Set<string> {
  /** The file's version: 2 matches identities and checks functions, 1 matches the first scheme's fingerprints only. */
  readonly version: 1 | 2;
  /** Per fingerprint, per edge in cycle order, the function pairs recorded (entries sharing a fingerprint merged). */
  readonly #edges = new Map<string, Set<string>[]>();

  /** A baseline holding these entries; for version 1 only their fingerprints are used. */
  constructor(version: 1 | 2, entries: readonly { readonly fingerprint: string; readonly edges?: readonly { readonly functions: readonly EdgeFunctions[] }[] }[]) {
    super();
    this.version = version;
    for (const entry of entries) {
      this.add(entry.fingerprint);
      if (version === 1) continue;
      const recorded = this.#edges.get(entry.fingerprint) ?? [];
      (entry.edges ?? []).forEach((edge, index) => {
        const pairs = (recorded[index] ??= new Set());
        for (const pair of edge.functions) pairs.add(pairKey(pair));
      });
      this.#edges.set(entry.fingerprint, recorded);
    }
  }

  /**
   * Whether the baseline accepts this finding.
   *
   * Version 2: its fingerprint is recorded, and no inverting edge has a function pair that was not
   * recorded for it. The inverting edges of a cycle are those with the fewest recorded pairs: the code
   * on the other edges follows the order most of the code follows, so a new function there takes the
   * locks in the consistent order and is fixed with the rest when the inversion is; a new function on
   * an inverting edge is a further inversion. When every edge has as many pairs (one function each way)
   * the code shows no majority, and the order the locks are declared in (`locks`, by file, line and
   * column; by id without it) is taken as the intended one: the edges going back against it are the
   * inverting ones. A single-lock finding has one edge: every new function behind it counts.
   *
   * Version 1: the fingerprint the first scheme gives this finding is recorded (no functions to check).
   */
  accepts(finding: Finding, locks?: ReadonlyMap<string, LockInfo>): boolean {
    if (this.version === 1) return this.has(fingerprintFindingV1(finding.kind, finding.steps));
    if (!this.has(finding.fingerprint)) return false;
    const recorded = this.#edges.get(finding.fingerprint) ?? [];
    const steps = canonicalSteps(finding.steps);
    // An entry not describing every step was edited by hand or written for another cycle: report the finding.
    if (recorded.length !== steps.length) return false;
    const sizes = recorded.map((pairs) => pairs.size);
    const fewest = Math.min(...sizes);
    const tied = steps.length > 1 && sizes.every((size) => size === fewest);
    return steps.every((step, index) => {
      const pairs = recorded[index]!;
      const inverting = tied ? declaredBefore(step.to, step.from, locks) : pairs.size === fewest;
      return !inverting || stepFunctions(step).every((pair) => pairs.has(pairKey(pair)));
    });
  }
}

/** Whether lock `a` is declared before lock `b`: by file, line and column where both are known, else by id. */
function declaredBefore(a: string, b: string, locks: ReadonlyMap<string, LockInfo> | undefined): boolean {
  const at = locks?.get(a)?.declaredAt;
  const bt = locks?.get(b)?.declaredAt;
  if (at !== undefined && bt !== undefined) {
    if (at.file !== bt.file) return at.file < bt.file;
    if (at.line !== bt.line) return at.line < bt.line;
    if (at.column !== bt.column) return at.column < bt.column;
  }
  return a < b;
}

const KINDS: ReadonlySet<string> = new Set<FindingKind>(['lock-order-cycle', 'semaphore-cycle', 'self-deadlock', 'recursive-locking']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isFunctionPair(value: unknown): value is EdgeFunctions {
  return isRecord(value) && typeof value.holding === 'string' && typeof value.acquiring === 'string';
}

/** What is wrong with one version-2 entry's edges, or undefined. */
function edgesProblem(edges: unknown, at: string): string | undefined {
  if (!Array.isArray(edges) || edges.length === 0) return `${at}.edges must be a non-empty array (re-run with --update-baseline to rewrite the file)`;
  for (const [index, edge] of (edges as unknown[]).entries()) {
    const here = `${at}.edges[${index}]`;
    if (!isRecord(edge)) return `${here} is not an object`;
    if (!Array.isArray(edge.functions)) return `${here}.functions must be an array`;
    if (!(edge.functions as unknown[]).every(isFunctionPair)) return `${here}.functions must hold { "holding": string, "acquiring": string } objects`;
  }
  return undefined;
}

/** What is wrong with the parsed file, or undefined when it is a baseline (of either version). */
function shapeProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'expected a JSON object';
  if (data.tool !== 'lockstep') return 'expected "tool": "lockstep"';
  if (data.version !== 1 && data.version !== BASELINE_VERSION) return `unsupported "version" ${JSON.stringify(data.version)} (expected 1 or ${BASELINE_VERSION})`;
  if (!Array.isArray(data.findings)) return 'expected "findings" to be an array';
  for (const [index, entry] of (data.findings as unknown[]).entries()) {
    const at = `findings[${index}]`;
    if (!isRecord(entry)) return `${at} is not an object`;
    if (typeof entry.fingerprint !== 'string' || entry.fingerprint === '') return `${at}.fingerprint must be a non-empty string`;
    // Hand-edited notes may drift; only reject what is plainly not a baseline entry.
    if (entry.kind !== undefined && (typeof entry.kind !== 'string' || !KINDS.has(entry.kind))) return `${at}.kind is not a finding kind`;
    if (entry.locks !== undefined && !(Array.isArray(entry.locks) && entry.locks.every((lock) => typeof lock === 'string'))) {
      return `${at}.locks must be an array of strings`;
    }
    if (entry.message !== undefined && typeof entry.message !== 'string') return `${at}.message must be a string`;
    // The recorded functions decide what a version-2 baseline accepts, so unlike the notes they must be there.
    if (data.version === BASELINE_VERSION) {
      const problem = edgesProblem(entry.edges, at);
      if (problem !== undefined) return problem;
    }
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a baseline file.
 *
 * A version-1 file (written before the functions behind edges were recorded) is still read and matched
 * as it was then, by the first scheme's fingerprints alone: it keeps accepting what it accepted, with
 * that scheme's blind spots, until `--update-baseline` rewrites it as version 2.
 *
 * @throws {BaselineError} when the file is missing or unreadable, is not JSON, or is not a version-1 or
 *   version-2 lockstep baseline.
 */
export function readBaseline(path: string): Baseline {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const message = code === 'ENOENT' ? `Baseline file not found: ${path}` : `Cannot read baseline file ${path}: ${describe(error)}`;
    throw new BaselineError(path, message, { cause: error });
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new BaselineError(path, `Baseline file ${path} is not valid JSON: ${describe(error)}`, { cause: error });
  }
  const problem = shapeProblem(data);
  if (problem !== undefined) throw new BaselineError(path, `Baseline file ${path} is not a lockstep baseline: ${problem}`);
  // A version-1 entry has no edges; the constructor reads them only for version 2, where they were checked.
  const file = data as { version: 1 | 2; findings: readonly { fingerprint: string; edges?: readonly BaselineEdge[] }[] };
  return new Baseline(file.version, file.findings);
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * The baseline file's text (version 2) for these findings: one entry per fingerprint, sorted, with the
 * function pairs behind each edge (merged when findings share a fingerprint), lock names resolved
 * through `locks`. Pass every finding (before {@link applyBaseline}) to keep the accepted ones accepted.
 */
export function formatBaseline(findings: readonly Finding[], locks: readonly LockInfo[]): string {
  const names = lockNamer(locks);
  const entries = new Map<string, { finding: Finding; edges: Map<string, EdgeFunctions>[] }>();
  for (const finding of findings) {
    const steps = canonicalSteps(finding.steps);
    const entry = entries.get(finding.fingerprint) ?? { finding, edges: steps.map(() => new Map<string, EdgeFunctions>()) };
    steps.forEach((step, index) => {
      const pairs = (entry.edges[index] ??= new Map());
      for (const pair of stepFunctions(step)) pairs.set(pairKey(pair), { holding: pair.holding, acquiring: pair.acquiring });
    });
    entries.set(finding.fingerprint, entry);
  }
  const written: BaselineEntry[] = [...entries.values()].map(({ finding, edges }) => {
    const steps = canonicalSteps(finding.steps);
    return {
      fingerprint: finding.fingerprint,
      kind: finding.kind,
      locks: finding.locks.map((id) => names.name(id)),
      message: finding.message,
      edges: steps.map((step, index) => ({
        from: names.name(step.from),
        to: names.name(step.to),
        functions: [...edges[index]!.values()].sort((a, b) => compareText(a.holding, b.holding) || compareText(a.acquiring, b.acquiring)),
      })),
    };
  });
  const file: BaselineFile = {
    version: BASELINE_VERSION,
    tool: 'lockstep',
    findings: written.sort((a, b) => compareText(a.fingerprint, b.fingerprint)),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

/**
 * Writes {@link formatBaseline}'s text to `path`, replacing the file.
 *
 * @throws {BaselineError} when the file cannot be written.
 */
export function writeBaseline(path: string, findings: readonly Finding[], locks: readonly LockInfo[]): void {
  try {
    writeFileSync(path, formatBaseline(findings, locks), 'utf8');
  } catch (error) {
    throw new BaselineError(path, `Cannot write baseline file ${path}: ${describe(error)}`, { cause: error });
  }
}

/**
 * Splits findings into those to report and the fingerprints of those the baseline accepted (sorted,
 * each once), which go to `Report.suppressed.baselined`. Keeps the findings' order.
 *
 * Given a {@link Baseline} (what {@link readBaseline} returns), a finding is accepted as
 * {@link Baseline.accepts} says, with `locks` (the analysis's, by id) for their declaration order;
 * given a plain set, by its fingerprint alone.
 */
export function applyBaseline(
  findings: readonly Finding[],
  fingerprints: ReadonlySet<string>,
  locks?: ReadonlyMap<string, LockInfo>,
): { reported: Finding[]; baselined: string[] } {
  const reported: Finding[] = [];
  const baselined = new Set<string>();
  const accepts =
    fingerprints instanceof Baseline ? (finding: Finding) => fingerprints.accepts(finding, locks) : (finding: Finding) => fingerprints.has(finding.fingerprint);
  for (const finding of findings) {
    if (accepts(finding)) baselined.add(finding.fingerprint);
    else reported.push(finding);
  }
  return { reported, baselined: [...baselined].sort() };
}
