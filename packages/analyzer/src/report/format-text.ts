/**
 * The human format, modelled on Linux lockdep's "possible circular locking dependency detected" splat:
 * what can deadlock, where each lock is taken and through which calls, and the interleaving that hangs.
 */
import { createColors } from 'picocolors';
import { printable } from './escape-text.js';
import { formatSite, lockNamer, type LockNamer } from './lock-names.js';
import type { Acquisition, CallStep } from '../analysis/lock-order-witness.js';
import type { Finding, FindingKind, FindingStep } from '../graph/finding.js';
import type { SourceLocation } from '../model/source-location.js';
import type { InputError } from '../project/input-error.js';
import type { LockCounts, Report } from './report-model.js';

/** How {@link formatText} renders. */
export interface TextFormatOptions {
  /** ANSI colours; the caller decides (TTY, `NO_COLOR`, `--color`), this module never looks. */
  readonly color: boolean;
}

type Colors = ReturnType<typeof createColors>;

const ARROW = '→';

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Semaphores are acquired, not locked: the scenario says which one the reader is looking at. */
function operation(names: LockNamer, id: string): string {
  const verb = names.info(id)?.flavor === 'semaphore' ? 'acquire' : 'lock';
  return `${verb}(${printable(names.name(id))})`;
}

function title(finding: Finding, names: LockNamer): string {
  const cycle = [...finding.locks, ...finding.locks.slice(0, 1)].map((id) => printable(names.name(id))).join(` ${ARROW} `);
  switch (finding.kind) {
    case 'lock-order-cycle':
      return `possible circular locking dependency: ${cycle}`;
    case 'semaphore-cycle':
      return `possible circular dependency through a semaphore: ${cycle}`;
    case 'self-deadlock':
      return `possible self-deadlock: ${printable(names.name(finding.locks[0] ?? ''))} re-acquired while held`;
    case 'recursive-locking':
      return `possible recursive locking: ${printable(names.name(finding.locks[0] ?? ''))} taken while another instance is held`;
  }
}

const KIND_NAMES: Readonly<Record<FindingKind, readonly [string, string]>> = {
  'lock-order-cycle': ['lock-order cycle', 'lock-order cycles'],
  'semaphore-cycle': ['semaphore cycle', 'semaphore cycles'],
  'self-deadlock': ['self-deadlock', 'self-deadlocks'],
  'recursive-locking': ['recursive locking', 'recursive lockings'],
};

/** `5 locks recognised (3 async-mutex, 1 lockstep, 1 guessed by name)`. */
function recognised(counts: LockCounts): string {
  const parts = Object.entries(counts.bySource)
    .filter(([source]) => source !== 'name-fallback')
    .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
    .map(([source, count]) => `${count} ${source}`);
  if (counts.guessed > 0) parts.push(`${counts.guessed} guessed by name`);
  return `${plural(counts.total, 'lock')} recognised${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

class TextWriter {
  readonly lines: string[] = [];
  constructor(
    readonly c: Colors,
    readonly names: LockNamer,
  ) {}

  line(text = ''): void {
    this.lines.push(text);
  }

  /** The source line under a site, marked off so it never reads as the tool's own prose. */
  snippet(location: SourceLocation, indent: string): void {
    if (location.snippet !== '') this.line(`${indent}${this.c.dim(`| ${printable(location.snippet)}`)}`);
  }

  acquisition(acquisition: Acquisition, lead: string): void {
    const { c } = this;
    const how = [acquisition.form, ...(acquisition.guessed ? ['by name only'] : [])].join(', ');
    this.line(`  ${lead}${c.bold(printable(this.names.name(acquisition.lock)))} taken in ${printable(acquisition.function)} (${printable(how)})`);
    this.line(`    at ${c.cyan(printable(formatSite(acquisition.location)))}`);
    this.snippet(acquisition.location, '    ');
  }

  step(step: FindingStep, index: number, finding: Finding): void {
    const { c, names } = this;
    const { held, acquired, alsoHeld } = step.witness;
    const others = step.witnessCount > 1 ? c.dim(` (${plural(step.witnessCount - 1, 'other witness', 'other witnesses')})`) : '';
    const heading =
      finding.kind === 'self-deadlock'
        ? `${printable(names.name(step.to))} taken again while already held`
        : finding.kind === 'recursive-locking'
          ? `another ${printable(names.name(step.to))} taken while one is held`
          : `${printable(names.name(step.to))} taken while ${printable(names.name(step.from))} is held`;
    this.line(`#${index + 1} ${heading}${others}:`);
    this.acquisition(held, '');
    // A lock parameter bound by a caller, or a lock a callee returned holding: the calls that did it.
    this.chain('reached through', held.callChain);
    this.acquisition(acquired, 'then ');
    this.chain('call chain', acquired.callChain);
    if (alsoHeld.length > 0) this.line(`    also held: ${alsoHeld.map((id) => printable(names.name(id))).join(', ')}`);
  }

  chain(title: string, calls: readonly CallStep[]): void {
    if (calls.length === 0) return;
    this.line(`    ${title}:`);
    for (const call of calls) {
      this.line(`      ${printable(call.caller)} ${ARROW} ${printable(call.callee)} at ${this.c.cyan(printable(formatSite(call.location)))}`);
      this.snippet(call.location, '        ');
    }
  }

  /**
   * lockdep's "Possible unsafe locking scenario", one column per edge: first every context takes the lock
   * it holds on its edge, then each reaches for the next one, which the next context holds.
   */
  scenario(finding: Finding): void {
    const { c, names } = this;
    // Two instances of one class: two contexts, each holding one and reaching for the other.
    const nested = finding.kind === 'recursive-locking';
    const columns = nested ? 2 : finding.steps.length;
    const rows: { column: number; text: string }[] = nested
      ? finding.steps.flatMap((step) => [
          { column: 0, text: `${operation(names, step.from)} #1` },
          { column: 1, text: `${operation(names, step.from)} #2` },
          { column: 0, text: `${operation(names, step.to)} #2` },
          { column: 1, text: `${operation(names, step.to)} #1` },
        ])
      : [
          ...finding.steps.map((step, column) => ({ column, text: operation(names, step.from) })),
          ...finding.steps.map((step, column) => ({ column: finding.kind === 'self-deadlock' ? 0 : column, text: operation(names, step.to) })),
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
    this.line(`   ${c.bold(c.red('*** DEADLOCK ***'))}`);
    if (finding.kind === 'semaphore-cycle') {
      this.line();
      this.line(c.dim(' (each context on a semaphore stands for as many contexts as it has permits)'));
    }
    if (nested) {
      this.line();
      this.line(c.dim(" (#1 and #2 are two instances; if the nesting follows an order, say so with '// lockstep-ordered: <how>')"));
    }
  }

  finding(finding: Finding, index: number, total: number): void {
    const { c } = this;
    const heading = `WARNING: ${title(finding, this.names)}`;
    const rule = Math.min(heading.length, 100);
    this.line(c.red('='.repeat(rule)));
    this.line(`${c.dim(`[${index + 1}/${total}]`)} ${c.bold(c.red(heading))}`);
    this.line(c.red('-'.repeat(rule)));
    this.line(printable(finding.message));
    if (finding.guessed) this.line(c.yellow('note: recognised by name only, no type information'));
    this.line();
    finding.steps.forEach((step, stepIndex) => {
      this.step(step, stepIndex, finding);
      this.line();
    });
    this.scenario(finding);
    this.line();
    this.advice(finding);
    this.line();
  }

  /** How to fix it, and where the rest of the evidence is: the splat shows one witness per edge. */
  advice(finding: Finding): void {
    const { c, names } = this;
    const locks = finding.locks.map((id) => printable(names.name(id)));
    const list = locks.length <= 2 ? locks.join(' and ') : `${locks.slice(0, -1).join(', ')} and ${locks.at(-1) ?? ''}`;
    switch (finding.kind) {
      case 'lock-order-cycle':
      case 'semaphore-cycle':
        this.line(` ${c.bold('fix:')} take ${list} in one order everywhere, or take one gate lock before them on every one of these paths.`);
        break;
      case 'self-deadlock':
        this.line(` ${c.bold('fix:')} do not take ${list} again while it is held (split off a part that expects it held), or use a reentrant lock.`);
        break;
      case 'recursive-locking':
        this.line(` ${c.bold('fix:')} take the instances in one order (by a key or an id) and say so with '// lockstep-ordered: <how>', or take one lock covering both.`);
        break;
    }
    if (finding.steps.some((step) => step.witnessCount > 1)) {
      this.line(c.dim(' (one witness per step is shown: every witness of every edge is in --format json, under edges[].witnesses)'));
    }
  }

  errors(errors: readonly InputError[]): void {
    const { c } = this;
    this.line(c.bold(`${plural(errors.length, 'input error')}:`));
    for (const error of errors) {
      const where = [error.file, error.line, error.column].filter((part) => part !== undefined).join(':');
      const place = where === '' ? '' : `${c.cyan(printable(where))}: `;
      this.line(`  ${place}${c.red('error')}: ${printable(error.message)} ${c.dim(`(${error.code})`)}`);
    }
    this.line();
  }

  summary(report: Report): void {
    const { c } = this;
    const { findings, suppressed, stats, errors } = report;
    const scope = `${plural(stats.files, 'file')} analysed, ${recognised(stats.locksRecognised)}, ${plural(stats.lockOperations, 'lock operation')}; ${plural(stats.locks, 'lock')} in ${plural(stats.edges, 'lock-order edge')}`;
    const hidden = `${plural(suppressed.gatedCycles.length, 'gated cycle')} and ${plural(suppressed.baselined.length, 'baselined finding')} suppressed`;
    const failed = errors.length > 0 ? `; ${c.red(plural(errors.length, 'input error'))}` : '';
    if (stats.files === 0) {
      // "No problems found" over no files at all would read as a clean bill of health.
      this.line(`${c.bold(c.red('lockstep: nothing analysed'))} (no source file could be analysed${errors.length > 0 ? `: see the ${plural(errors.length, 'input error')} above` : ''})`);
      return;
    }
    if (findings.length === 0) {
      this.line(`${c.green('lockstep: no lock-order problems found')} (${scope}; ${hidden})${failed}`);
      return;
    }
    const byKind = (Object.keys(KIND_NAMES) as FindingKind[])
      .map((kind) => ({ kind, count: findings.filter((finding) => finding.kind === kind).length }))
      .filter(({ count }) => count > 0)
      .map(({ kind, count }) => `${count} ${KIND_NAMES[kind][count === 1 ? 0 : 1]}`)
      .join(', ');
    this.line(`${c.bold(c.red(`lockstep: ${plural(findings.length, 'finding')}`))} (${byKind}) in ${scope}; ${hidden}${failed}`);
  }
}

/**
 * Renders a report for a terminal: each finding as a lockdep-like splat (the cycle, both acquisition
 * sites of every edge with their source lines, the call chain behind the second, and the interleaving
 * that deadlocks), then input errors and a one-line summary. Lock names, never ids, except to tell apart
 * two locks with the same name. Ends with a newline.
 */
export function formatText(report: Report, options: TextFormatOptions): string {
  const writer = new TextWriter(createColors(options.color), lockNamer(report.locks));
  report.findings.forEach((finding, index) => writer.finding(finding, index, report.findings.length));
  if (report.errors.length > 0) writer.errors(report.errors);
  writer.summary(report);
  return `${writer.lines.join('\n')}\n`;
}

/**
 * The report's last line alone (`lockstep: 1 finding (1 lock-order cycle) in 6 files analysed, …`),
 * for the terminal when the report itself went to a file. Ends with a newline.
 */
export function formatSummary(report: Report, options: TextFormatOptions): string {
  const writer = new TextWriter(createColors(options.color), lockNamer(report.locks));
  writer.summary(report);
  return `${writer.lines.join('\n')}\n`;
}
