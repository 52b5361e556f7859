/**
 * The validator's findings as SARIF 2.1.0, for code scanning and SARIF viewers, in the shape of
 * `lockstep --format sarif` (packages/analyzer/src/report/format-sarif.ts): the same rule ids
 * (`lockstep/lock-order-cycle`, …), the same `partialFingerprints` key and values, paths relative to
 * `%SRCROOT%`, a thread flow per step. What differs is the evidence: each step's flow is the run-time
 * stack of the acquisition (outermost call first) where the static report has its call chain, and each
 * flow names the thread and async context that took the order.
 */
import type * as Sarif from 'sarif';
import { nodeBuiltin } from '../internal/runtime.js';
import { lockNamer } from './lock-names.js';
import type { LockValidationKind, LockValidationReport, LockValidationStep, ValidationFrame, ValidationLocation, ValidationSite } from './report.js';
import { describeContext } from './sites.js';

/** The `partialFingerprints` key `lockstep`'s SARIF uses: the same key and value for the same finding. */
const FINGERPRINT_KEY = 'lockstep/v2';
const SRCROOT = '%SRCROOT%';
const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';
const HELP_URI = 'https://www.npmjs.com/package/@lockstep/primitives';
const tags = ['concurrency', 'deadlock', 'correctness', 'run-time'];

interface RuleSpec {
  readonly kind: LockValidationKind;
  readonly level: 'error' | 'warning';
  readonly short: string;
  readonly help: string;
}

/** One rule per kind, in a fixed order (results refer to them by index); the first four are `lockstep`'s. */
const RULES: readonly RuleSpec[] = [
  { kind: 'lock-order-cycle', level: 'error', short: 'Locks taken in cyclic order: a possible deadlock.', help: 'Take these locks in one global order everywhere, or take one gate lock before them on every one of these paths.' },
  { kind: 'semaphore-cycle', level: 'warning', short: 'A lock-order cycle through a counting semaphore.', help: 'Take the semaphore and the locks in one global order, or do not hold a permit while taking the other locks of the cycle.' },
  { kind: 'self-deadlock', level: 'error', short: 'A non-reentrant lock taken again by the context holding it.', help: 'Do not take the lock again in code called while it is held (split off a part that expects it held), or use a reentrant lock such as RLock.' },
  { kind: 'recursive-locking', level: 'warning', short: 'A second instance of a lock class taken while another instance is held.', help: 'Take the instances in one order (by a key or an id), or take one lock that covers both.' },
  { kind: 'deadlock', level: 'error', short: 'Threads blocked on each other: a deadlock happening now.', help: 'Take these locks in one global order everywhere, or take one gate lock before them on every one of these paths.' },
  { kind: 'held-too-long', level: 'warning', short: 'A lock held longer than the watchdog allows.', help: 'Do not await slow work while holding the lock (copy what it protects, release, then work), give the slow call a timeout, or release on every path.' },
  { kind: 'release-not-held', level: 'error', short: 'A lock released by a context that does not hold it.', help: 'Release a lock in the context that took it: pass the work back to the holder, or use a Semaphore, whose permits may be released by anyone.' },
];

const urlBuiltin = nodeBuiltin<{ pathToFileURL(path: string): URL }>('node:url');

function fileUri(path: string): string {
  if (urlBuiltin !== undefined) return urlBuiltin.pathToFileURL(path).href;
  return `file://${encodeURI(path.replace(/\\/g, '/').replace(/^(?=[A-Za-z]:)/, '/'))}`;
}

function isAbsolute(file: string): boolean {
  return file.startsWith('/') || /^[A-Za-z]:[\\/]/.test(file) || file.startsWith('\\\\');
}

function artifactLocation(file: string): Sarif.ArtifactLocation {
  // A path the validator could not make relative (another drive): a file URI, with no base.
  if (isAbsolute(file)) return { uri: fileUri(file) };
  return { uri: file.split('/').map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function located(where: ValidationLocation, text: string, snippet?: string): Sarif.Location {
  return {
    physicalLocation: {
      artifactLocation: artifactLocation(where.file),
      region: { startLine: where.line, startColumn: where.column, ...(snippet === undefined || snippet === '' ? {} : { snippet: { text: snippet } }) },
    },
    message: { text },
  };
}

class SarifWriter {
  constructor(readonly name: (id: string) => string) {}

  siteText(site: ValidationSite, step: LockValidationStep, role: 'held' | 'acquired', kind: LockValidationKind): string {
    const lock = this.name(role === 'held' ? step.from : step.to);
    const by = describeContext(site.context);
    if (role === 'held') return `${lock} taken in ${site.function} (${site.form}) by ${by}`;
    if (kind === 'self-deadlock') return `${lock} taken again in ${site.function} (${site.form}) by ${by}, which holds it`;
    if (kind === 'release-not-held') return `${lock} released in ${site.function} by ${by}, which does not hold it`;
    if (kind === 'held-too-long') return `${lock} taken in ${site.function} (${site.form}) by ${by}, and still held`;
    return `${lock} taken in ${site.function} (${site.form}) by ${by} while ${this.name(step.from)} is held`;
  }

  threadFlow(step: LockValidationStep, index: number, kind: LockValidationKind): Sarif.ThreadFlow {
    const locations: Sarif.ThreadFlowLocation[] = [];
    const held = step.held;
    if (held?.location !== undefined) locations.push({ location: located(held.location, this.siteText(held, step, 'held', kind), held.snippet), kinds: ['acquire'], nestingLevel: 0 });
    const acquired = step.acquired;
    // The stack is innermost first and starts at the acquisition: its callers, outermost first, lead to it.
    const callers = acquired.stack.slice(1).reverse();
    callers.forEach((frame: ValidationFrame, depth) => {
      const callee = (callers[depth + 1]?.function ?? acquired.function).replace(/^async /, '');
      locations.push({ location: located(frame, `${frame.function.replace(/^async /, '')} calls ${callee}`), kinds: ['call'], nestingLevel: depth });
    });
    if (acquired.location !== undefined) {
      locations.push({
        location: located(acquired.location, this.siteText(acquired, step, 'acquired', kind), acquired.snippet),
        kinds: [kind === 'release-not-held' ? 'release' : 'acquire'],
        nestingLevel: callers.length,
      });
    }
    return {
      message: { text: `${describeContext(acquired.context)}: holds ${this.name(step.from)}, takes ${this.name(step.to)}` },
      locations,
    };
  }

  result(report: LockValidationReport): Sarif.Result {
    const ruleIndex = RULES.findIndex((rule) => rule.kind === report.kind);
    const rule = RULES[ruleIndex];
    const closing = report.steps.at(-1);
    const related: Sarif.Location[] = [];
    report.steps.forEach((step, index) => {
      if (step.held?.location !== undefined) related.push({ id: related.length + 1, ...located(step.held.location, this.siteText(step.held, step, 'held', report.kind)) });
      if (index < report.steps.length - 1 && step.acquired.location !== undefined) {
        related.push({ id: related.length + 1, ...located(step.acquired.location, this.siteText(step.acquired, step, 'acquired', report.kind)) });
      }
    });
    const place = closing?.acquired.location;
    const cycle = [...report.locks, ...report.locks.slice(0, 1)].map(this.name).join(' → ');
    return {
      ruleId: `lockstep/${report.kind}`,
      ruleIndex,
      level: rule?.level ?? 'error',
      message: { text: report.message },
      ...(place === undefined || closing === undefined ? {} : { locations: [located(place, this.siteText(closing.acquired, closing, 'acquired', report.kind), closing.acquired.snippet)] }),
      ...(related.length === 0 ? {} : { relatedLocations: related }),
      codeFlows: [{ message: { text: cycle }, threadFlows: report.steps.map((step, index) => this.threadFlow(step, index, report.kind)) }],
      partialFingerprints: { [FINGERPRINT_KEY]: report.fingerprint },
      properties: {
        kind: report.kind,
        locks: report.locks.map(this.name),
        thrown: report.thrown,
        threads: [...new Set(report.steps.map((step) => step.acquired.context.thread.name))],
        seen: 'run time',
      },
    };
  }
}

function rootUri(root: string): string {
  const href = fileUri(root);
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * Renders the validator's findings as a SARIF 2.1.0 log with one run of the tool
 * `lockstep-validator`: a result per finding, with `lockstep`'s rule id and its fingerprint under
 * `partialFingerprints["lockstep/v2"]`, located at the acquisition that closed the cycle (or broke the
 * rule), the other acquisitions as related locations and each step as a thread flow through its
 * run-time stack; paths relative to `%SRCROOT%` (`root`). Pretty JSON with a trailing newline.
 *
 * @example
 * ```ts
 * writeFileSync('locks.sarif', formatLockValidationSarif(lockValidationReports(), process.cwd()));
 * ```
 */
export function formatLockValidationSarif(reports: readonly LockValidationReport[], root: string): string {
  const writer = new SarifWriter(lockNamer(reports));
  const log: Sarif.Log = {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'lockstep-validator',
            informationUri: HELP_URI,
            rules: RULES.map((rule) => ({
              id: `lockstep/${rule.kind}`,
              shortDescription: { text: rule.short },
              help: { text: rule.help },
              helpUri: HELP_URI,
              defaultConfiguration: { level: rule.level },
              properties: { tags, precision: 'high', 'problem.severity': rule.level },
            })),
          },
        },
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(root) } },
        columnKind: 'utf16CodeUnits',
        results: reports.map((report) => writer.result(report)),
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}
