/**
 * The analyzer against the compiler: wall time of `lockstep` (one TypeScript program, lock recognition
 * through the checker, the whole-program lock-order graph, the report) against `tsc --noEmit` on the
 * same project, in the same run, as child processes started the same way. DESIGN.md §6: lockstep ≤ 1.2×
 * tsc, and linear in the number of files, measured on generated projects of 1 000, 5 000 and 20 000
 * files (`lib/generate-lock-project.ts`) and on a real code base installed from npm with its sources
 * (the `effect` package, a root devDependency).
 *
 *   node bench/.build/js/analyzer-vs-tsc.js [--quick]
 *   BENCH_ANALYZER_SIZES=1000,5000   the generated sizes to measure (default 1000,5000,20000; quick 1000,5000)
 *   BENCH_ANALYZER_REAL=0            skip the real code base
 *   BENCH_RUNS=n                     runs per project (default 5 up to 1k files, 3 above; quick 2 and 1)
 *   LOCKSTEP_BIN=path                another lockstep entry point (a previous build, say) instead of the repository's
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { prepareRealSources, PROJECTS_DIR, REPO } from './lib/bench-projects.js';
import { generateLockProject, type GeneratedProject } from './lib/generate-lock-project.js';
import { count, duration, median, meets, nowMs, printTable, QUICK, ratio, RUNS, type Cell, type TargetCheck } from './lib/report.js';

const TSC = resolve(REPO, 'node_modules/typescript/bin/tsc');
const LOCKSTEP = process.env.LOCKSTEP_BIN === undefined || process.env.LOCKSTEP_BIN === '' ? resolve(REPO, 'packages/analyzer/bin/lockstep.js') : resolve(process.env.LOCKSTEP_BIN);
const LOCKSTEP_MAIN = resolve(REPO, 'packages/analyzer/dist/cli/main.js');
/**
 * Both tools get the same Node flags. The default heap (~4 GiB here) is too small for a whole-program
 * check of the 20 000-file project; raising it for both keeps the comparison fair.
 */
const NODE_FLAGS = ['--max-old-space-size=8192'];
const TARGET_RATIO = 1.2;
/** "Linear": time grows by at most this factor more than the number of files. */
const LINEAR_SLACK = 1.25;
const RUN_TIMEOUT_MS = 15 * 60_000;

const explicitRuns = process.env.BENCH_RUNS !== undefined;
const runsFor = (files: number): number => (explicitRuns ? RUNS : QUICK ? (files <= 1000 ? 2 : 1) : files <= 1000 ? 5 : 3);

function sizes(): number[] {
  const text = process.env.BENCH_ANALYZER_SIZES;
  if (text === undefined || text.trim() === '') return QUICK ? [1000, 5000] : [1000, 5000, 20_000];
  const parsed = text.split(',').map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`BENCH_ANALYZER_SIZES: whole numbers ≥ 10 separated by commas, got ${text}`);
  return parsed;
}

interface ProjectInput {
  readonly name: string;
  readonly dir: string;
  readonly files: number;
  readonly lines: number;
  readonly generated?: GeneratedProject;
  readonly runs: number;
  readonly note?: string;
}

interface ChildRun {
  readonly ms: number;
  readonly status: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

interface LockstepReport {
  readonly stats: { readonly files: number; readonly functions: number; readonly locks: number; readonly edges: number; readonly durationMs: number };
  readonly findings: readonly { readonly kind: string; readonly locks?: readonly string[] }[];
  readonly errors: readonly unknown[];
}

interface Measured {
  readonly project: ProjectInput;
  readonly tscMs: number[];
  readonly lockstepMs: number[];
  /** `tsc` exit status and number of `error TS` lines, from the first run. */
  tsc: { status: number | null; errors: number; firstErrors: string[] } | undefined;
  /** From the first successful run; `failure` when lockstep did not run or reported an input error. */
  lockstep: { report: LockstepReport; status: number } | { failure: string } | undefined;
  /** `edges/findings` of every successful lockstep run: they should all be the same. */
  readonly shapes: Set<string>;
}

function runNode(args: readonly string[], cwd: string): ChildRun {
  const start = nowMs();
  const r = spawnSync(process.execPath, [...NODE_FLAGS, ...args], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 512 * 1024 * 1024,
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const ms = nowMs() - start;
  return { ms, status: r.status, signal: r.signal, stdout: r.stdout ?? '', stderr: r.error === undefined ? (r.stderr ?? '') : `${r.stderr ?? ''}\n${r.error.message}` };
}

const tail = (text: string, lines: number): string => text.trimEnd().split('\n').slice(-lines).join('\n');
const indented = (text: string): string => text.split('\n').map((l) => `    | ${l}`).join('\n');

function runTsc(p: ProjectInput): ChildRun {
  return runNode([TSC, '--noEmit', '-p', join(p.dir, 'tsconfig.json')], REPO);
}

function runLockstep(p: ProjectInput, output: string): ChildRun {
  rmSync(output, { force: true });
  return runNode([LOCKSTEP, '--project', join(p.dir, 'tsconfig.json'), '--format', 'json', '--output', output], REPO);
}

/** Exit 0 (no findings) and 1 (findings) are success; 2 (input error), a crash or no report is a failure. */
function readLockstep(run: ChildRun, output: string): { report: LockstepReport; status: number } | { failure: string } {
  const what = run.signal !== null ? `killed by ${run.signal}` : `exit ${run.status}`;
  if (run.status !== 0 && run.status !== 1) return { failure: `${what}${run.status === 2 ? ' (usage or input error)' : ''}\n${tail(`${run.stderr}\n${run.stdout}`, 40)}` };
  if (!existsSync(output)) return { failure: `${what} but wrote no report to ${output}\n${tail(run.stderr, 40)}` };
  try {
    const report = JSON.parse(readFileSync(output, 'utf8')) as LockstepReport;
    if (typeof report.stats?.edges !== 'number' || !Array.isArray(report.findings)) return { failure: `${what}: the report has no stats.edges or findings[]` };
    return { report, status: run.status };
  } catch (error) {
    return { failure: `${what}: the report is not JSON: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function analyzerUnavailable(): string | undefined {
  if (!existsSync(LOCKSTEP)) return `${LOCKSTEP} does not exist`;
  if (process.env.LOCKSTEP_BIN === undefined && !existsSync(LOCKSTEP_MAIN)) return `${LOCKSTEP_MAIN} does not exist: the analyzer is not built (run \`npx tsc -b\`)`;
  return undefined;
}

function measure(p: ProjectInput, analyzerMissing: string | undefined): Measured {
  const m: Measured = { project: p, tscMs: [], lockstepMs: [], shapes: new Set(), tsc: undefined, lockstep: analyzerMissing === undefined ? undefined : { failure: analyzerMissing } };
  const output = join(tmpdir(), `lockstep-bench-${process.pid}-${p.name}.json`);
  const tscOnce = (): void => {
    const run = runTsc(p);
    m.tscMs.push(run.ms);
    if (m.tsc === undefined) {
      const errorLines = run.stdout.split('\n').filter((l) => l.includes('error TS'));
      m.tsc = { status: run.status, errors: errorLines.length, firstErrors: errorLines.slice(0, 5) };
      if (run.status !== 0 && errorLines.length === 0) m.tsc.firstErrors = [tail(`${run.stdout}\n${run.stderr}`, 10)];
    }
    progress(p, 'tsc', run.ms, m.tscMs.length, run.status === 0 ? '' : ` (exit ${run.status ?? run.signal})`);
  };
  const lockstepOnce = (): void => {
    if (m.lockstep !== undefined && 'failure' in m.lockstep) return;
    const run = runLockstep(p, output);
    const result = readLockstep(run, output);
    if ('failure' in result) {
      m.lockstep = result;
      progress(p, 'lockstep', run.ms, m.lockstepMs.length + 1, ' FAILED');
      return;
    }
    m.lockstepMs.push(run.ms);
    m.lockstep ??= result;
    m.shapes.add(`${result.report.stats.edges} edges/${result.report.findings.length} findings`);
    progress(p, 'lockstep', run.ms, m.lockstepMs.length, ` (exit ${run.status}, ${result.report.stats.edges} edges, ${result.report.findings.length} findings)`);
  };
  // Alternate which tool goes first, so neither always runs on a cooler (or warmer) machine.
  for (let run = 0; run < p.runs; run++) {
    if (run % 2 === 0) {
      tscOnce();
      lockstepOnce();
    } else {
      lockstepOnce();
      tscOnce();
    }
  }
  rmSync(output, { force: true });
  return m;
}

function progress(p: ProjectInput, tool: string, ms: number, n: number, extra: string): void {
  console.log(`  · ${p.name}: ${tool} run ${n}/${p.runs}: ${duration(ms)}${extra}`);
}

/** The real code base, prepared by `lib/bench-projects.ts`, with this benchmark's number of runs. */
function prepareRealProject(): ProjectInput | string {
  const real = prepareRealSources();
  if (typeof real === 'string') return real;
  return { name: real.name, dir: real.dir, files: real.files, lines: real.lines, runs: runsFor(real.files), note: real.note };
}

/** How many of the generator's deliberate inversions a finding shows (both locks in one finding). */
function inversionsReported(report: LockstepReport, g: GeneratedProject): number {
  const matches = (lock: string, id: string): boolean => lock === id || lock.endsWith(`/${id}`);
  return g.inversionPairs.filter(({ holder, other }) =>
    report.findings.some((f) => (f.locks ?? []).some((l) => matches(l, holder)) && (f.locks ?? []).some((l) => matches(l, other))),
  ).length;
}

function perFile(totalMs: number, files: number): string {
  return Number.isFinite(totalMs) ? (totalMs / files).toFixed(2) : 'n/a';
}

function ms(values: readonly number[]): number {
  return values.length === 0 ? NaN : median(values);
}

function main(): void {
  const versionOf = (pkg: string): string => {
    try {
      return (JSON.parse(readFileSync(resolve(pkg, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  const typescriptVersion = versionOf(resolve(REPO, 'node_modules/typescript'));
  const analyzerTypescript = versionOf(resolve(REPO, 'packages/analyzer/node_modules/typescript'));
  // Not printHeading: the number of runs differs per project (fewer on the larger ones).
  const runsNote = explicitRuns ? `median of ${RUNS} runs per figure` : QUICK ? 'quick mode: 2 runs on projects of up to 1 000 files, 1 run on larger ones' : 'median of 5 runs on projects of up to 1 000 files, 3 runs on larger ones';
  console.log(`
## Analyzer: lockstep vs tsc --noEmit on the same project

Wall time of \`node ${LOCKSTEP.startsWith(`${REPO}/`) ? LOCKSTEP.slice(REPO.length + 1) : LOCKSTEP} --project P/tsconfig.json --format json --output F\` against
\`node node_modules/typescript/bin/tsc --noEmit -p P/tsconfig.json\` (TypeScript ${typescriptVersion}), both child processes
started the same way (node ${NODE_FLAGS.join(' ')}), taking turns going first, on generated projects and on a real code base.
lockstep builds its program with the TypeScript its package resolves (a peer dependency: in a user's project, the project's own), here ${analyzerTypescript}.
(${runsNote})`);
  const analyzerMissing = analyzerUnavailable();
  if (analyzerMissing !== undefined) {
    console.log(`\n  LOCKSTEP CANNOT RUN: ${analyzerMissing}. Only tsc is measured below.`);
  }

  const inputs: ProjectInput[] = [];
  mkdirSync(PROJECTS_DIR, { recursive: true });
  for (const files of sizes()) {
    const start = nowMs();
    const dir = join(PROJECTS_DIR, `generated-${files}`);
    const g = generateLockProject(dir, { files });
    console.log(
      `  · generated-${files}: ${g.reused ? 'reused' : 'generated'} in ${duration(nowMs() - start)}: ${count(g.lines)} lines, ${g.lockFiles} files with a lock (${((g.lockFiles / g.files) * 100).toFixed(0)}%), ${g.lockedCrossFileCalls} locked cross-file calls, ${g.inversions} deliberate inversions`,
    );
    inputs.push({ name: `generated-${files}`, dir, files: g.files, lines: g.lines, generated: g, runs: runsFor(files) });
  }
  const skipReal = process.env.BENCH_ANALYZER_REAL === '0';
  const real = skipReal ? 'skipped (BENCH_ANALYZER_REAL=0)' : prepareRealProject();
  if (typeof real === 'string') console.log(`  · real code base: ${real}`);
  else inputs.push(real);

  const results: Measured[] = [];
  for (const input of inputs) results.push(measure(input, analyzerMissing));

  // Table 1: the ratio.
  const targets: TargetCheck[] = [];
  const rows: Cell[][] = results.map((r) => {
    const tsc = ms(r.tscMs);
    const ours = ms(r.lockstepMs);
    const met = meets(ours / tsc, { atMost: TARGET_RATIO });
    targets.push({ what: `lockstep / tsc, ${r.project.name}`, reached: ratio(ours, tsc), target: `≤ ${TARGET_RATIO}×`, met });
    return [
      r.project.name,
      count(r.project.files),
      count(r.project.lines),
      duration(tsc),
      duration(ours),
      ratio(ours, tsc),
      met === undefined ? 'n/a' : met ? 'PASS' : 'MISS',
      perFile(tsc, r.project.files),
      perFile(ours, r.project.files),
      `${r.tscMs.length}/${r.lockstepMs.length}`,
    ];
  });
  const notes: string[] = [];
  for (const r of results) {
    if (r.tsc !== undefined && r.tsc.status !== 0) {
      notes.push(
        `tsc exited ${r.tsc.status} on ${r.project.name} with ${r.tsc.errors} errors: both tools still process the same files, so the times compare. First: ${r.tsc.firstErrors.join(' | ')}`,
      );
    }
  }
  for (const r of results) {
    const seconds = (values: readonly number[]): string => (values.length === 0 ? 'none' : `${values.map((t) => (t / 1000).toFixed(2)).join(', ')} s`);
    notes.push(`${r.project.name} raw times: tsc ${seconds(r.tscMs)}; lockstep ${seconds(r.lockstepMs)}`);
  }
  printTable(
    'lockstep vs tsc --noEmit: median wall time per project',
    ['project', 'files', 'lines', 'tsc --noEmit', 'lockstep', 'lockstep / tsc', `≤ ${TARGET_RATIO}×`, 'tsc ms/file', 'lockstep ms/file', 'runs (tsc/lockstep)'],
    rows,
    { targets, notes },
  );

  // Table 2: growth with the number of files (generated projects only, each size against the previous).
  const generated = results.filter((r) => r.project.generated !== undefined).sort((a, b) => a.project.files - b.project.files);
  if (generated.length >= 2) {
    const growthRows: Cell[][] = [];
    const growthTargets: TargetCheck[] = [];
    const pairs: [Measured, Measured][] = [];
    for (let i = 1; i < generated.length; i++) pairs.push([generated[i - 1]!, generated[i]!]);
    if (generated.length > 2) pairs.push([generated[0]!, generated[generated.length - 1]!]);
    for (const [a, b] of pairs) {
      const filesX = b.project.files / a.project.files;
      const tscX = ms(b.tscMs) / ms(a.tscMs);
      const oursX = ms(b.lockstepMs) / ms(a.lockstepMs);
      const met = meets(oursX / filesX, { atMost: LINEAR_SLACK });
      const step = `${count(a.project.files)} → ${count(b.project.files)} files`;
      growthTargets.push({ what: `lockstep growth ${step}`, reached: `${Number.isFinite(oursX) ? `${oursX.toFixed(2)}×` : 'n/a'} for ${filesX.toFixed(0)}× the files`, target: `≤ ${(filesX * LINEAR_SLACK).toFixed(2)}× (linear, ${LINEAR_SLACK}× slack)`, met });
      growthRows.push([
        step,
        `${filesX.toFixed(2)}×`,
        Number.isFinite(tscX) ? `${tscX.toFixed(2)}×` : 'n/a',
        Number.isFinite(oursX) ? `${oursX.toFixed(2)}×` : 'n/a',
        `${perFile(ms(a.lockstepMs), a.project.files)} → ${perFile(ms(b.lockstepMs), b.project.files)}`,
        met === undefined ? 'n/a' : met ? 'PASS' : 'MISS',
      ]);
    }
    printTable('Growth with the number of files (median wall time, generated projects)', ['step', 'files ×', 'tsc time ×', 'lockstep time ×', 'lockstep ms/file', 'linear'], growthRows, {
      targets: growthTargets,
      notes: ['time growing less than the files (×) is the fixed start-up cost (Node, lib.d.ts, @types/node) being spread; more than the files means superlinear work'],
    });
  }

  // Table 3: what lockstep did, so that the times are of real work.
  const workRows: Cell[][] = results.map((r) => {
    const g = r.project.generated;
    const planned = g === undefined ? 'n/a (no locks expected)' : `${g.lockFiles} lock files, ${g.lockedCrossFileCalls} locked cross-file calls`;
    if (r.lockstep === undefined || 'failure' in r.lockstep) return [r.project.name, 'FAILED', '', '', '', '', '', '', '', planned];
    const { stats, findings, errors } = r.lockstep.report;
    const kinds = new Map<string, number>();
    for (const f of findings) kinds.set(f.kind, (kinds.get(f.kind) ?? 0) + 1);
    const byKind = [...kinds].map(([k, n]) => `${n} ${k}`).join(', ');
    return [
      r.project.name,
      `exit ${r.lockstep.status}`,
      count(stats.files),
      count(stats.functions),
      count(stats.locks),
      count(stats.edges),
      `${findings.length}${byKind === '' ? '' : ` (${byKind})`}`,
      g === undefined ? 'n/a' : `${inversionsReported(r.lockstep.report, g)} of ${g.inversions}`,
      `${errors.length} / ${duration(stats.durationMs)}`,
      planned,
    ];
  });
  const workNotes = [
    'deliberate inversions: the generator makes a handful of two-lock cycles across files; "reported" counts those whose two locks appear together in one finding (lockstep gives one finding per strongly connected component, plus one per lock its first cycle misses, so other edges into the same locks can make more findings than inversions, or fewer when inversions share a component)',
    '"own duration" is stats.durationMs, the analysis as lockstep times it; wall time above also counts Node start-up and writing the report',
  ];
  for (const r of results) {
    if (r.shapes.size > 1) workNotes.push(`lockstep's report on ${r.project.name} differed between runs (${[...r.shapes].join('; ')}): was the analyzer rebuilt during the benchmark?`);
  }
  printTable(
    'What lockstep found (from its JSON report, first run)',
    ['project', 'exit', 'files', 'functions', 'locks', 'edges', 'findings', 'inversions reported', 'input errors / own duration', 'generator planned'],
    workRows,
    { align: ['l', 'l', 'r', 'r', 'r', 'r', 'l', 'r', 'r', 'l'], notes: workNotes },
  );

  const failed = results.filter((r) => r.lockstep !== undefined && 'failure' in r.lockstep);
  if (failed.length > 0) {
    for (const r of failed) {
      console.log(`\n  LOCKSTEP FAILED on ${r.project.name} (${r.project.dir}):\n${indented((r.lockstep as { failure: string }).failure)}`);
    }
    process.exitCode = 1;
  }
}

main();
