/**
 * Baselines let a team adopt lockstep on a codebase that already has findings: record them once, then
 * report only new ones. Entries match by fingerprint alone (see fingerprint.ts); the kind, lock names
 * and message are there for the people reviewing the file, so editing them changes nothing.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { lockNamer } from './lock-names.js';
import type { Finding, FindingKind } from '../graph/finding.js';
import type { LockInfo } from '../model/lock-info.js';

/** Version of the baseline file's shape. */
export const BASELINE_VERSION = 1;

/** One accepted finding. */
export interface BaselineEntry {
  readonly fingerprint: string;
  readonly kind: FindingKind;
  /** Lock names, in cycle order, for the reader. */
  readonly locks: readonly string[];
  readonly message: string;
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

const KINDS: ReadonlySet<string> = new Set<FindingKind>(['lock-order-cycle', 'semaphore-cycle', 'self-deadlock', 'recursive-locking']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** What is wrong with the parsed file, or undefined when it is a baseline. */
function shapeProblem(data: unknown): string | undefined {
  if (!isRecord(data)) return 'expected a JSON object';
  if (data.tool !== 'lockstep') return 'expected "tool": "lockstep"';
  if (data.version !== BASELINE_VERSION) return `unsupported "version" ${JSON.stringify(data.version)} (expected ${BASELINE_VERSION})`;
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
  }
  return undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads a baseline file and returns the fingerprints it accepts.
 *
 * @throws {BaselineError} when the file is missing or unreadable, is not JSON, or is not a version-1
 *   lockstep baseline.
 */
export function readBaseline(path: string): Set<string> {
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
  return new Set((data as BaselineFile).findings.map((entry) => entry.fingerprint));
}

/**
 * The baseline file's text for these findings: one entry per fingerprint, sorted, lock names resolved
 * through `locks`. Pass every finding (before {@link applyBaseline}) to keep the accepted ones accepted.
 */
export function formatBaseline(findings: readonly Finding[], locks: readonly LockInfo[]): string {
  const names = lockNamer(locks);
  const entries = new Map<string, BaselineEntry>();
  for (const finding of findings) {
    entries.set(finding.fingerprint, {
      fingerprint: finding.fingerprint,
      kind: finding.kind,
      locks: finding.locks.map((id) => names.name(id)),
      message: finding.message,
    });
  }
  const file: BaselineFile = {
    version: BASELINE_VERSION,
    tool: 'lockstep',
    findings: [...entries.values()].sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0)),
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
 * Splits findings into those to report and the fingerprints the baseline accepted (sorted, each once),
 * which go to `Report.suppressed.baselined`. Keeps the findings' order.
 */
export function applyBaseline(findings: readonly Finding[], fingerprints: ReadonlySet<string>): { reported: Finding[]; baselined: string[] } {
  const reported: Finding[] = [];
  const baselined = new Set<string>();
  for (const finding of findings) {
    if (fingerprints.has(finding.fingerprint)) baselined.add(finding.fingerprint);
    else reported.push(finding);
  }
  return { reported, baselined: [...baselined].sort() };
}
