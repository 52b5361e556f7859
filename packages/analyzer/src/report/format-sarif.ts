/**
 * SARIF 2.1.0, the format GitHub code scanning and editors' SARIF viewers read. Everything in it is a
 * function of the report: no timestamps, no absolute paths except the root in `originalUriBaseIds`, so
 * two runs over the same code give the same file and code scanning never duplicates an alert.
 */
import { posix, win32 } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { sarifText } from './escape-text.js';
import { lockNamer, type LockNamer } from './lock-names.js';
import type { Acquisition } from '../analysis/lock-order-witness.js';
import { isSingleLockKind, type Finding, type FindingKind, type FindingStep } from '../graph/finding.js';
import { fixSite } from '../graph/find-findings.js';
import type { SourceLocation } from '../model/source-location.js';
import type { InputError } from '../project/input-error.js';
import type { Report } from './report-model.js';
import { LOCKSTEP_DOCS_URL } from '../version.js';

/** Where SARIF viewers send a reader who wants to know what lockstep is. */
export const LOCKSTEP_INFORMATION_URI = 'https://www.npmjs.com/package/@lockstep/analyzer';

/** The `uriBaseId` every path in the log is relative to; `originalUriBaseIds` maps it to the root. */
export const SRCROOT = '%SRCROOT%';

/** The `partialFingerprints` key: versioned with the fingerprint so a new scheme never matches an old one. */
export const FINGERPRINT_KEY = 'lockstep/v2';

const SCHEMA_URI = 'https://json.schemastore.org/sarif-2.1.0.json';

/** Where each kind is explained: the docs of the version that wrote the log, not of `main`. */
const KINDS_HELP_URI = `${LOCKSTEP_DOCS_URL}analyzer.md#what-it-reports`;

interface RuleSpec {
  readonly kind: FindingKind;
  readonly descriptor: Sarif.ReportingDescriptor;
}

const tags = ['concurrency', 'deadlock', 'correctness'];

/** One rule per finding kind, in a fixed order since results refer to them by index. */
const RULES: readonly RuleSpec[] = [
  {
    kind: 'lock-order-cycle',
    descriptor: {
      id: 'lockstep/lock-order-cycle',
      name: 'LockOrderCycle',
      shortDescription: { text: 'Locks taken in cyclic order: a possible deadlock.' },
      fullDescription: {
        text: 'Different contexts take the same locks in different orders, so each can hold one lock while it waits for the next one, which another context holds: none of them ever proceeds.',
      },
      help: {
        text: 'Take these locks in one global order everywhere, serialise the code paths behind one lock taken first, or release a lock before calling code that takes another.',
        markdown:
          'Take these locks in **one global order** everywhere, serialise the code paths behind one lock taken first, or release a lock before calling code that takes another. Each step of the code flow shows one context holding a lock and taking the next.',
      },
      helpUri: KINDS_HELP_URI,
      defaultConfiguration: { level: 'error' },
      properties: { tags, precision: 'medium', 'problem.severity': 'error' },
    },
  },
  {
    kind: 'semaphore-cycle',
    descriptor: {
      id: 'lockstep/semaphore-cycle',
      name: 'SemaphoreCycle',
      shortDescription: { text: 'A lock-order cycle through a counting semaphore.' },
      fullDescription: {
        text: 'Locks and semaphores are taken in cyclic order. Once enough contexts hold a semaphore’s permits while they wait for the other locks of the cycle, they deadlock.',
      },
      help: {
        text: 'Take the semaphore and the locks in one global order, or do not hold a permit while taking the other locks of the cycle.',
        markdown: 'Take the semaphore and the locks in **one global order**, or do not hold a permit while taking the other locks of the cycle.',
      },
      helpUri: KINDS_HELP_URI,
      defaultConfiguration: { level: 'warning' },
      properties: { tags, precision: 'medium', 'problem.severity': 'warning' },
    },
  },
  {
    kind: 'self-deadlock',
    descriptor: {
      id: 'lockstep/self-deadlock',
      name: 'SelfDeadlock',
      shortDescription: { text: 'A non-reentrant lock taken again by the context holding it.' },
      fullDescription: {
        text: 'A context that holds a non-reentrant lock tries to take it again, directly or through the functions it calls, and waits for itself forever.',
      },
      help: {
        text: 'Do not take the lock again in code called while it is held (split the function into a part that takes the lock and a part that expects it held), or use a reentrant lock such as RLock.',
        markdown:
          'Do not take the lock again in code called while it is held (split the function into a part that takes the lock and a part that expects it held), or use a reentrant lock such as `RLock`.',
      },
      helpUri: KINDS_HELP_URI,
      defaultConfiguration: { level: 'error' },
      properties: { tags, precision: 'high', 'problem.severity': 'error' },
    },
  },
  {
    kind: 'recursive-locking',
    descriptor: {
      id: 'lockstep/recursive-locking',
      name: 'RecursiveLocking',
      shortDescription: { text: 'A second instance of a lock class taken while another instance is held.' },
      fullDescription: {
        text: 'A context holding one instance of a lock class takes another instance of the same class (transfer(from, to) locking both accounts). Two contexts nesting two instances in opposite orders deadlock.',
      },
      help: {
        text: "Take the instances in one order (by a key or an id), and mark the nesting with a '// lockstep-ordered: <how>' comment on either acquisition; or take one lock that covers both.",
        markdown:
          "Take the instances in **one order** (by a key or an id), and mark the nesting with a `// lockstep-ordered: <how>` comment on either acquisition; or take one lock that covers both.",
      },
      helpUri: KINDS_HELP_URI,
      defaultConfiguration: { level: 'warning' },
      properties: { tags, precision: 'medium', 'problem.severity': 'warning' },
    },
  },
];

/** `$ & + , ; = @` and (past the first segment) `:` are legal in a URI path: keep paths readable. */
function encodePath(file: string): string {
  return file
    .split('/')
    .map((segment, index) =>
      encodeURIComponent(segment).replace(/%(24|26|2B|2C|3B|3D|40|3A)/gi, (escape, hex: string) =>
        // A colon in the first segment would read as a URI scheme (`c:foo.ts`).
        hex.toUpperCase() === '3A' && index === 0 ? escape : String.fromCharCode(Number.parseInt(hex, 16)),
      ),
    )
    .join('/');
}

function artifactLocation(file: string): Sarif.ArtifactLocation {
  // Input errors may name a file outside the root by its absolute path: a file URI, with no base.
  if (posix.isAbsolute(file) || win32.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: encodePath(file), uriBaseId: SRCROOT };
}

function region(location: SourceLocation): Sarif.Region {
  return {
    startLine: location.line,
    startColumn: location.column,
    endLine: location.endLine,
    endColumn: location.endColumn,
    ...(location.snippet === '' ? {} : { snippet: { text: location.snippet } }),
  };
}

function physical(location: SourceLocation): Sarif.PhysicalLocation {
  return { artifactLocation: artifactLocation(location.file), region: region(location) };
}

function located(location: SourceLocation, text: string, id?: number): Sarif.Location {
  return { ...(id === undefined ? {} : { id }), physicalLocation: physical(location), message: { text: sarifText(text) } };
}

class SarifWriter {
  constructor(readonly names: LockNamer) {}

  /** What a site is, from the point of view of the step it belongs to. */
  heldText(step: FindingStep, finding: Finding): string {
    const held = this.names.name(step.from);
    if (finding.kind === 'self-deadlock') return `${held} first taken in ${step.witness.held.function}`;
    if (finding.kind === 'recursive-locking') return `one ${held} taken in ${step.witness.held.function}`;
    return `${held} taken in ${step.witness.held.function}, held while ${this.names.name(step.to)} is taken`;
  }

  acquiredText(step: FindingStep, finding: Finding): string {
    const taken = this.names.name(step.to);
    if (finding.kind === 'self-deadlock') return `${taken} taken again in ${step.witness.acquired.function} while already held`;
    if (finding.kind === 'recursive-locking') return `another ${taken} taken in ${step.witness.acquired.function} while one is held`;
    return `${taken} taken in ${step.witness.acquired.function} while ${this.names.name(step.from)} held`;
  }

  threadFlow(step: FindingStep, index: number, finding: Finding): Sarif.ThreadFlow {
    const { held, acquired } = step.witness;
    const acquisition = (site: Acquisition, text: string, nestingLevel: number): Sarif.ThreadFlowLocation => ({
      location: located(site.location, text),
      kinds: ['acquire'],
      nestingLevel,
    });
    return {
      message: { text: sarifText(`context ${index + 1}: holds ${this.names.name(step.from)}, takes ${this.names.name(step.to)}`) },
      locations: [
        acquisition(held, this.heldText(step, finding), 0),
        ...acquired.callChain.map(
          (call, depth): Sarif.ThreadFlowLocation => ({
            location: located(call.location, `${call.caller} calls ${call.callee}`),
            kinds: ['call'],
            nestingLevel: depth,
          }),
        ),
        acquisition(acquired, this.acquiredText(step, finding), acquired.callChain.length),
      ],
    };
  }

  result(finding: Finding): Sarif.Result {
    const ruleIndex = RULES.findIndex((rule) => rule.kind === finding.kind);
    const rule = RULES[ruleIndex]?.descriptor;
    const cycle = [...finding.locks, ...finding.locks.slice(0, 1)].map((id) => this.names.name(id)).join(' → ');
    const guessNote = finding.guessed ? ' Some locks were recognised by name only, without type information.' : '';
    return {
      ...(rule === undefined ? {} : { ruleId: rule.id, ruleIndex }),
      // A guess is worth looking at but should not fail a build the way a typed finding does.
      level: finding.guessed ? 'warning' : (rule?.defaultConfiguration?.level ?? 'error'),
      message: { text: sarifText(`${finding.message}${guessNote}`) },
      ...this.places(finding, cycle),
      partialFingerprints: { [FINGERPRINT_KEY]: finding.fingerprint },
      properties: {
        kind: finding.kind,
        locks: finding.locks.map((id) => this.names.name(id)),
        guessed: finding.guessed,
      },
    };
  }

  /**
   * The acquisition that closes the cycle is the alert's place; every other acquisition is related to
   * it, and each step is a thread flow. A finding without steps (never produced) has no place at all.
   */
  places(finding: Finding, cycle: string): Pick<Sarif.Result, 'locations' | 'relatedLocations' | 'codeFlows'> {
    const closing = finding.steps.at(-1);
    if (closing === undefined) return {};
    const related: Sarif.Location[] = [];
    finding.steps.forEach((step, index) => {
      related.push(located(step.witness.held.location, this.heldText(step, finding), related.length + 1));
      if (index < finding.steps.length - 1) related.push(located(step.witness.acquired.location, this.acquiredText(step, finding), related.length + 1));
    });
    // A lock taken again further down a call chain: the alert goes where the fix goes, the call made
    // while holding it (the callee is innocent when called without the lock).
    const place = isSingleLockKind(finding.kind) ? fixSite(closing.witness) : closing.witness.acquired.location;
    if (place !== closing.witness.acquired.location) related.push(located(closing.witness.acquired.location, this.acquiredText(closing, finding), related.length + 1));
    return {
      locations: [located(place, this.acquiredText(closing, finding))],
      relatedLocations: related,
      codeFlows: [
        {
          message: {
            text: sarifText(finding.kind === 'self-deadlock' ? `${cycle} (re-acquired while held)` : finding.kind === 'recursive-locking' ? `${cycle} (two instances nested)` : cycle),
          },
          threadFlows: finding.steps.map((step, index) => this.threadFlow(step, index, finding)),
        },
      ],
    };
  }
}

function notification(error: InputError): Sarif.Notification {
  const where = error.file === undefined ? '' : `${[error.file, error.line, error.column].filter((part) => part !== undefined).join(':')}: `;
  const location: Sarif.Location[] =
    error.file === undefined
      ? []
      : [
          {
            physicalLocation: {
              artifactLocation: artifactLocation(error.file),
              ...(error.line === undefined ? {} : { region: { startLine: error.line, ...(error.column === undefined ? {} : { startColumn: error.column }) } }),
            },
          },
        ];
  return {
    level: 'error',
    descriptor: { id: error.code },
    message: { text: sarifText(`${where}${error.message}`) },
    ...(location.length === 0 ? {} : { locations: location }),
  };
}

/** The root as a file URI ending in `/`, as SARIF requires of a base URI. */
function rootUri(root: string): string {
  const href = pathToFileURL(root).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * Renders a report as a SARIF 2.1.0 log with one run: a rule per finding kind, a result per finding
 * (located at the acquisition closing the cycle, the other acquisitions as related locations, a thread
 * flow per edge from the held site through the call chain to the acquisition, and the fingerprint under
 * `partialFingerprints["lockstep/v2"]`), paths relative to `%SRCROOT%`, and input errors as tool
 * execution notifications. Findings recognised by name only are downgraded to warnings. Pretty JSON with
 * a trailing newline; deterministic.
 */
export function formatSarif(report: Report): string {
  const writer = new SarifWriter(lockNamer(report.locks));
  const log: Sarif.Log = {
    $schema: SCHEMA_URI,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: report.tool.name,
            version: report.tool.version,
            semanticVersion: report.tool.version,
            informationUri: LOCKSTEP_INFORMATION_URI,
            rules: RULES.map((rule) => rule.descriptor),
          },
        },
        invocations: [
          {
            executionSuccessful: report.errors.length === 0,
            toolExecutionNotifications: report.errors.map(notification),
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: rootUri(report.root) } },
        columnKind: 'utf16CodeUnits',
        results: report.findings.map((finding) => writer.result(finding)),
        properties: {
          filesAnalysed: report.stats.files,
          locks: report.stats.locks,
          locksRecognised: report.stats.locksRecognised.total,
          lockOperations: report.stats.lockOperations,
          edges: report.stats.edges,
          gatedCyclesSuppressed: report.suppressed.gatedCycles.length,
          baselinedSuppressed: report.suppressed.baselined.length,
        },
      },
    ],
  };
  return `${JSON.stringify(log, null, 2)}\n`;
}

