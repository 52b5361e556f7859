/**
 * What every benchmark shares: the run mode (full or quick), medians, the clock, number formatting and
 * the table each benchmark prints (our figure, the peers' figures from the same run, the ratio, and the
 * DESIGN.md §6 target with whether it is met).
 */

/** `--quick` or `BENCH_QUICK=1`: every measurement once and brief, to check that everything runs. */
export const QUICK = process.argv.includes('--quick') || process.env.BENCH_QUICK === '1';

/** How many times each measurement is repeated; tables show the median. `BENCH_RUNS` overrides. */
export const RUNS = QUICK ? 1 : positiveInt(process.env.BENCH_RUNS) ?? 5;

function positiveInt(text: string | undefined): number | undefined {
  const n = Number(text);
  return text !== undefined && Number.isInteger(n) && n > 0 ? n : undefined;
}

/** Monotonic time in ms with sub-µs resolution, on the same clock in every thread (CLOCK_MONOTONIC). */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** Median of each key over several runs' records. */
export function medianBy<T>(records: readonly T[], pick: (record: T) => number): number {
  return median(records.map(pick));
}

function scaled(value: number, unit: string): string {
  if (!Number.isFinite(value)) return 'n/a';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${(value / 1e9).toFixed(2)} G${unit}`;
  if (abs >= 1e6) return `${(value / 1e6).toFixed(2)} M${unit}`;
  if (abs >= 1e3) return `${(value / 1e3).toFixed(1)} k${unit}`;
  return `${value.toFixed(0)} ${unit}`;
}

/** Operations per second, e.g. `12.34 M/s`. */
export function rate(perSecond: number): string {
  return scaled(perSecond, '/s');
}

/** A count, e.g. `1.20 M`. */
export function count(n: number): string {
  return scaled(n, '').trimEnd();
}

/** A duration given in ms: `850 ns`, `16.2 µs`, `3.40 ms`, `1.23 s`. */
export function duration(ms: number): string {
  if (!Number.isFinite(ms)) return 'n/a';
  if (ms < 0.001) return `${(ms * 1e6).toFixed(0)} ns`;
  if (ms < 1) return `${(ms * 1e3).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}

/** `ours / theirs` as `0.53×`. */
export function ratio(ours: number, theirs: number): string {
  if (!Number.isFinite(ours) || !Number.isFinite(theirs) || theirs === 0) return 'n/a';
  const r = ours / theirs;
  return `${r >= 100 ? r.toFixed(0) : r >= 10 ? r.toFixed(1) : r.toFixed(2)}×`;
}

export function percent(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(0)}%` : 'n/a';
}

/** One line under a table: a DESIGN.md §6 target, the value reached, and whether it is met. */
export interface TargetCheck {
  readonly what: string;
  /** The value reached, already formatted (usually a ratio). */
  readonly reached: string;
  /** The target as written, e.g. `≥ 0.5× raw CAS pair`. */
  readonly target: string;
  /** `undefined` when it could not be measured (a peer missing, say). */
  readonly met: boolean | undefined;
}

/** Whether `value` reaches `bound` (`atLeast`) or stays under it (`atMost`); `undefined` if not measurable. */
export function meets(value: number, bound: { atLeast: number } | { atMost: number }): boolean | undefined {
  if (!Number.isFinite(value)) return undefined;
  return 'atLeast' in bound ? value >= bound.atLeast : value <= bound.atMost;
}

export type Cell = string | number;

/** Prints an aligned table (pipe-separated, so it pastes into Markdown), then notes and target lines. */
export function printTable(
  title: string,
  headers: readonly string[],
  rows: readonly (readonly Cell[])[],
  extra: { notes?: readonly string[]; targets?: readonly TargetCheck[]; align?: readonly ('l' | 'r')[] } = {},
): void {
  const cells = [headers, ...rows].map((row) => row.map(String));
  const widths = headers.map((_, column) => Math.max(...cells.map((row) => (row[column] ?? '').length)));
  // Text columns left, figures right; by default only the first column is text.
  const left = (column: number): boolean => (extra.align?.[column] ?? (column === 0 ? 'l' : 'r')) === 'l';
  const line = (row: readonly string[]): string =>
    `| ${row.map((cell, column) => (left(column) ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!))).join(' | ')} |`;
  const rule = widths.map((w, column) => (left(column) ? `:${'-'.repeat(w + 1)}` : `${'-'.repeat(w + 1)}:`));
  const out = [``, `### ${title}`, ``, line(cells[0]!), `|${rule.join('|')}|`];
  for (const row of cells.slice(1)) out.push(line(row));
  if (extra.targets !== undefined && extra.targets.length > 0) {
    out.push('');
    for (const t of extra.targets) {
      const verdict = t.met === undefined ? 'NOT MEASURED' : t.met ? 'met' : 'MISSED';
      out.push(`  target: ${t.what}: ${t.reached} (target ${t.target}) -> ${verdict}`);
    }
  }
  if (extra.notes !== undefined && extra.notes.length > 0) {
    out.push('');
    for (const note of extra.notes) out.push(`  note: ${note}`);
  }
  console.log(out.join('\n'));
}

/** The heading a benchmark prints first: what it measures and how many runs its medians are of. */
export function printHeading(name: string, measures: string): void {
  const mode = QUICK ? 'quick mode: 1 brief run per figure' : `median of ${RUNS} runs per figure`;
  console.log(`\n## ${name}\n\n${measures}\n(${mode})`);
}
