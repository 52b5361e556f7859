/**
 * The human format, in the layout of `lockstep`'s text report (packages/analyzer/src/report/
 * format-text.ts), itself modelled on lockdep's "possible circular locking dependency" splat: the same
 * headings, steps, scenario table and advice, so that a finding reads the same whichever tool found it.
 * What differs is the evidence: a run-time stack where the static report has a call chain, and the
 * thread and async context that took each order.
 */
import { isStaticKind, type LockValidationKind, type LockValidationReport, type LockValidationStep, type ValidationSite } from './report.js';
import { lockNamer } from './lock-names.js';
import { describeContext } from './sites.js';

const ARROW = '→';

const KIND_NAMES: Readonly<Record<LockValidationKind, readonly [string, string]>> = {
  'lock-order-cycle': ['lock-order cycle', 'lock-order cycles'],
  'semaphore-cycle': ['semaphore cycle', 'semaphore cycles'],
  'self-deadlock': ['self-deadlock', 'self-deadlocks'],
  'recursive-locking': ['recursive locking', 'recursive lockings'],
  'release-not-held': ['release of a lock not held', 'releases of locks not held'],
  'held-too-long': ['lock held too long', 'locks held too long'],
  deadlock: ['deadlock of blocked threads', 'deadlocks of blocked threads'],
};

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function title(report: LockValidationReport, name: (id: string) => string): string {
  const first = name(report.locks[0] ?? '');
  const cycle = [...report.locks, ...report.locks.slice(0, 1)].map(name).join(` ${ARROW} `);
  switch (report.kind) {
    case 'lock-order-cycle':
      return `possible circular locking dependency: ${cycle}`;
    case 'semaphore-cycle':
      return `possible circular dependency through a semaphore: ${cycle}`;
    case 'self-deadlock':
      return `possible self-deadlock: ${first} re-acquired while held`;
    case 'recursive-locking':
      return `possible recursive locking: ${first} taken while another instance is held`;
    case 'release-not-held':
      return `bad unlock: ${first} released by a context that does not hold it`;
    case 'held-too-long':
      return `lock held too long: ${first}`;
    case 'deadlock':
      return `deadlock: threads blocked on each other now: ${cycle}`;
  }
}

class TextWriter {
  readonly lines: string[] = [];

  constructor(
    readonly name: (id: string) => string,
    readonly kindOf: (id: string) => string | undefined,
  ) {}

  line(text = ''): void {
    this.lines.push(text);
  }

  site(site: ValidationSite, lead: string, verb: string, chain: boolean): void {
    this.line(`  ${lead}${this.name(site.lock)} ${verb} in ${site.function} (${site.form})`);
    if (site.location !== undefined) this.line(`    at ${site.location.file}:${site.location.line}:${site.location.column}`);
    if (site.snippet !== undefined) this.line(`    | ${site.snippet}`);
    this.line(`    by ${describeContext(site.context)}`);
    const callers = site.stack.slice(1);
    if (!chain || callers.length === 0) return;
    this.line('    called from:');
    for (const frame of callers) this.line(`      ${frame.function} at ${frame.file}:${frame.line}:${frame.column}`);
  }

  step(step: LockValidationStep, index: number, report: LockValidationReport): void {
    const { name } = this;
    const heading =
      report.kind === 'self-deadlock'
        ? `${name(step.to)} taken again while already held`
        : report.kind === 'recursive-locking'
          ? `another ${name(step.to)} taken while one is held`
          : report.kind === 'release-not-held'
            ? `${name(step.to)} released by a context that does not hold it`
            : report.kind === 'held-too-long'
              ? `${name(step.to)} still held`
              : report.kind === 'deadlock'
                ? `${describeContext(step.acquired.context)} blocked on ${name(step.to)} while it holds ${name(step.from)}`
                : `${name(step.to)} taken while ${name(step.from)} is held`;
    this.line(`#${index + 1} ${heading}:`);
    if (report.kind === 'held-too-long') {
      if (step.acquired.location === undefined) this.line(`  ${name(step.to)} taken by ${describeContext(step.acquired.context)} (where was not recorded; { everySite: true } records every acquisition)`);
      else this.site(step.acquired, '', 'taken', true);
      return;
    }
    if (step.held === undefined) {
      const what = report.kind === 'release-not-held' ? 'no context of this thread held it' : 'where it was taken was not recorded; { everySite: true } records every acquisition';
      this.line(`  ${name(step.from)} held (${what})`);
    } else {
      this.site(step.held, '', 'taken', false);
    }
    this.site(step.acquired, 'then ', report.kind === 'release-not-held' ? 'released' : 'taken', true);
  }

  /** lockdep's "Possible unsafe locking scenario", as `lockstep` prints it. */
  scenario(report: LockValidationReport): void {
    const operation = (id: string): string => `${this.kindOf(id)?.endsWith('Semaphore') === true ? 'acquire' : 'lock'}(${this.name(id)})`;
    const nested = report.kind === 'recursive-locking';
    const columns = nested ? 2 : report.steps.length;
    const rows: { column: number; text: string }[] = nested
      ? report.steps.flatMap((step) => [
          { column: 0, text: `${operation(step.from)} #1` },
          { column: 1, text: `${operation(step.from)} #2` },
          { column: 0, text: `${operation(step.to)} #2` },
          { column: 1, text: `${operation(step.to)} #1` },
        ])
      : [
          ...report.steps.map((step, column) => ({ column, text: operation(step.from) })),
          ...report.steps.map((step, column) => ({ column: report.kind === 'self-deadlock' ? 0 : column, text: operation(step.to) })),
        ];
    const headers = Array.from({ length: columns }, (_, column) => `context ${column + 1}`);
    const widths = headers.map((header, column) => Math.max(header.length, ...rows.filter((row) => row.column === column).map((row) => row.text.length)) + 4);
    const cells = (texts: readonly string[]): string =>
      `    ${texts.map((text, index) => (index === texts.length - 1 ? text : text.padEnd(widths[index] ?? 0))).join('')}`.trimEnd();
    const at = (column: number, text: string): string => cells([...Array.from({ length: column }, () => ''), text]);
    this.line(' Possible unsafe locking scenario:');
    this.line();
    this.line(cells(headers));
    this.line(cells(headers.map((header) => '-'.repeat(header.length))));
    for (const row of rows) this.line(at(row.column, row.text));
    this.line();
    this.line('   *** DEADLOCK ***');
    if (report.kind === 'semaphore-cycle') {
      this.line();
      this.line(' (each context on a semaphore stands for as many contexts as it has permits)');
    }
  }

  advice(report: LockValidationReport): void {
    const locks = report.locks.map(this.name);
    const list = locks.length <= 2 ? locks.join(' and ') : `${locks.slice(0, -1).join(', ')} and ${locks.at(-1) ?? ''}`;
    switch (report.kind) {
      case 'lock-order-cycle':
      case 'semaphore-cycle':
      case 'deadlock':
        this.line(` fix: take ${list} in one order everywhere, or take one gate lock before them on every one of these paths.`);
        break;
      case 'self-deadlock':
        this.line(` fix: do not take ${list} again while it is held (split off a part that expects it held), or use a reentrant lock.`);
        break;
      case 'recursive-locking':
        this.line(' fix: take the instances in one order (by a key or an id), or take one lock covering both; nameLock() gives instances classes of their own.');
        break;
      case 'release-not-held':
        this.line(` fix: release ${list} in the context that took it; to hand over between contexts or threads, use a Semaphore or an Event.`);
        break;
      case 'held-too-long':
        this.line(` fix: do not await slow work while holding ${list} (copy what it protects, release, then work), give the slow call a timeout, or release on every path.`);
        break;
    }
  }

  report(report: LockValidationReport, index: number, total: number): void {
    const heading = `WARNING: ${title(report, this.name)}`;
    const rule = Math.min(heading.length + 6, 100);
    this.line('='.repeat(rule));
    this.line(`[${index + 1}/${total}] ${heading}`);
    this.line('-'.repeat(rule));
    this.line(report.message);
    this.line();
    report.steps.forEach((step, stepIndex) => {
      this.step(step, stepIndex, report);
      this.line();
    });
    if (isStaticKind(report.kind)) {
      this.scenario(report);
      this.line();
    }
    this.advice(report);
    const static_ = !isStaticKind(report.kind)
      ? 'seen at run time only: lockstep has no such kind'
      : report.kind === 'deadlock'
        ? "lockstep's for the lock-order cycle on these locks"
        : "the same as lockstep's for this finding";
    this.line(` fingerprint: ${report.fingerprint} (${static_})`);
    this.line();
  }

  summary(reports: readonly LockValidationReport[]): void {
    if (reports.length === 0) {
      this.line('lockstep validator: no lock-order problems seen at run time');
      return;
    }
    const byKind = (Object.keys(KIND_NAMES) as LockValidationKind[])
      .map((kind) => ({ kind, count: reports.filter((report) => report.kind === kind).length }))
      .filter(({ count }) => count > 0)
      .map(({ kind, count }) => `${count} ${KIND_NAMES[kind][count === 1 ? 0 : 1]}`)
      .join(', ');
    this.line(`lockstep validator: ${plural(reports.length, 'finding')} (${byKind}) seen at run time`);
  }
}

/** The heading of one report, for an error message: `possible self-deadlock: X re-acquired while held`. */
export function reportTitle(report: LockValidationReport): string {
  return title(report, lockNamer([report]));
}

/**
 * Renders run-time findings as `lockstep`'s text report renders static ones: each as a lockdep-like
 * splat, then a one-line summary. Ends with a newline.
 *
 * @example
 * ```ts
 * import { formatLockValidationText, lockValidationReports } from '@lockstep/primitives/validate';
 *
 * process.stderr.write(formatLockValidationText(lockValidationReports()));
 * ```
 */
export function formatLockValidationText(reports: readonly LockValidationReport[]): string {
  const kinds = new Map<string, string>();
  for (const report of reports) for (const lock of report.lockInfo) kinds.set(lock.id, lock.kind);
  const writer = new TextWriter(lockNamer(reports), (id) => kinds.get(id));
  reports.forEach((report, index) => writer.report(report, index, reports.length));
  writer.summary(reports);
  return `${writer.lines.join('\n')}\n`;
}
