/**
 * What our ESLint rules cost on top of typescript-eslint: the ESLint CLI with typescript-eslint's
 * `recommendedTypeChecked` alone, against the same plus `@lockstep/eslint-plugin`'s `configs.recommended`,
 * on the analyzer benchmark's projects (generated ones from `lib/generate-lock-project.ts` and `effect`'s
 * sources). DESIGN.md §6: our rules add ≤ 10% to the time of the type-checked recommended config, with
 * per-rule times from ESLint's `TIMING`.
 *
 *   node bench/.build/js/eslint-plugin-overhead.js [--quick]
 *   BENCH_ESLINT_SIZES=1000,5000   the generated sizes (default: 1000, plus 5000 when not --quick and its
 *                                  estimated time, from 1000's, fits BENCH_ESLINT_BUDGET_MIN, default 25)
 *   BENCH_ESLINT_REAL=0            skip the real code base
 *   BENCH_RUNS=n                   runs per project and config (default 5 up to 1k files, 3 above; quick 1)
 *
 * The plugin's `configs.recommended` is read when the benchmark starts, so it measures whatever rules the
 * built plugin (`packages/eslint-plugin/dist`) recommends then, and prints their names.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { prepareRealSources, PROJECTS_DIR, REPO } from './lib/bench-projects.js';
import { generateLockProject, type GeneratedProject } from './lib/generate-lock-project.js';
import { BUILD_DIR } from './lib/paths.js';
import { count, duration, median, meets, nowMs, percent, printTable, QUICK, RUNS, type Cell, type TargetCheck } from './lib/report.js';

const ESLINT = resolve(REPO, 'node_modules/eslint/bin/eslint.js');
/** Where the two flat configs per project and the JSON reports go (outside the projects, which the analyzer benchmark also reads). */
const WORK_DIR = resolve(BUILD_DIR, 'eslint-overhead');
/** Both configs get the same Node flags; typescript-eslint on 5 000 files outgrows the default heap. */
const NODE_FLAGS = ['--max-old-space-size=8192'];
/** Ours: at most this much on top of typescript-eslint's `recommendedTypeChecked`. */
const TARGET_OVERHEAD = 0.1;
const RUN_TIMEOUT_MS = 15 * 60_000;
const OUR_PREFIX = '@lockstep/';

const explicitRuns = process.env.BENCH_RUNS !== undefined;
const runsFor = (files: number): number => (explicitRuns ? RUNS : QUICK ? 1 : files <= 1000 ? 5 : 3);

type Variant = 'base' | 'with';
const VARIANTS: readonly Variant[] = ['base', 'with'];
const LABEL: Record<Variant, string> = { base: 'recommendedTypeChecked', with: '+ @lockstep recommended' };

interface ProjectInput {
  readonly name: string;
  readonly dir: string;
  readonly files: number;
  readonly lines: number;
  readonly generated?: GeneratedProject;
  readonly runs: number;
}

/** One ESLint run's outcome. */
interface LintRun {
  readonly ms: number;
  /** Rule → ms, from the TIMING table. */
  readonly timing: ReadonlyMap<string, number>;
  /** Problems by rule id (`(fatal)` for parse errors) and files linted, from the JSON report. */
  readonly problems: ReadonlyMap<string, number>;
  readonly filesLinted: number;
}

interface Measured {
  readonly project: ProjectInput;
  readonly runs: Record<Variant, LintRun[]>;
  failure: string | undefined;
}

const tail = (text: string, lines: number): string => text.trimEnd().split('\n').slice(-lines).join('\n');
const indented = (text: string): string => text.split('\n').map((l) => `    | ${l}`).join('\n');

/**
 * The two flat configs for a project. ESLint resolves `files` patterns against its working directory
 * (the project: see `lintOnce`), and the imports against the repository's `node_modules`, which this
 * directory inside `bench/.build/` sees.
 */
function writeConfigs(p: ProjectInput): Record<Variant, string> {
  const dir = join(WORK_DIR, p.name.replace(/[^\w.-]/g, '_'));
  mkdirSync(dir, { recursive: true });
  const common = [
    `import tseslint from 'typescript-eslint';`,
    '',
    `const files = ['**/*.ts'];`,
    `const typeChecked = [`,
    `  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files })),`,
    `  { files, languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: ${JSON.stringify(p.dir)} } } },`,
    `];`,
  ];
  const base = join(dir, 'base.config.mjs');
  const withOurs = join(dir, 'with-lockstep.config.mjs');
  writeFileSync(base, [`// Written by bench/eslint-plugin-overhead.ts: typescript-eslint's recommendedTypeChecked alone.`, ...common, 'export default typeChecked;', ''].join('\n'));
  writeFileSync(
    withOurs,
    [
      `// Written by bench/eslint-plugin-overhead.ts: the same plus @lockstep/eslint-plugin's recommended.`,
      `import lockstep from '@lockstep/eslint-plugin';`,
      ...common,
      'export default [...typeChecked, { ...lockstep.configs.recommended, files }];',
      '',
    ].join('\n'),
  );
  return { base, with: withOurs };
}

/** ESLint's `TIMING` table: `rule | time (ms) | relative`, after a header and a `:---|---:` line. */
function parseTiming(stdout: string): Map<string, number> {
  const timing = new Map<string, number>();
  for (const line of stdout.split('\n')) {
    const match = /^(\S+)\s*\|\s*([\d.]+)\s*\|\s*[\d.]+%\s*$/.exec(line.trim());
    if (match !== null) timing.set(match[1]!, Number(match[2]));
  }
  return timing;
}

interface EslintJsonFile {
  readonly messages: readonly { readonly ruleId: string | null; readonly fatal?: boolean }[];
}

/** Exit 0 (no problems) and 1 (problems) are success; 2 (config or crash), a signal or no report is a failure. */
function lintOnce(p: ProjectInput, config: string, output: string): LintRun | string {
  rmSync(output, { force: true });
  const start = nowMs();
  const r = spawnSync(process.execPath, [...NODE_FLAGS, ESLINT, '--config', config, 'src', '--format', 'json', '--output-file', output], {
    cwd: p.dir,
    env: { ...process.env, TIMING: 'all' },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: RUN_TIMEOUT_MS,
    killSignal: 'SIGKILL',
  });
  const ms = nowMs() - start;
  const what = r.signal !== null ? `killed by ${r.signal}` : `exit ${r.status}`;
  const stderr = r.error === undefined ? (r.stderr ?? '') : `${r.stderr ?? ''}\n${r.error.message}`;
  if (r.status !== 0 && r.status !== 1) return `${what}\n${tail(`${stderr}\n${r.stdout ?? ''}`, 40)}`;
  if (!existsSync(output)) return `${what} but wrote no report to ${output}\n${tail(stderr, 40)}`;
  let report: EslintJsonFile[];
  try {
    report = JSON.parse(readFileSync(output, 'utf8')) as EslintJsonFile[];
  } catch (error) {
    return `${what}: the report is not JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
  const timing = parseTiming(r.stdout ?? '');
  if (timing.size === 0) return `${what}: no TIMING table on stdout\n${tail(r.stdout ?? '', 10)}`;
  const problems = new Map<string, number>();
  for (const file of report) {
    for (const m of file.messages) {
      const id = m.fatal === true ? '(fatal)' : (m.ruleId ?? '(no rule)');
      problems.set(id, (problems.get(id) ?? 0) + 1);
    }
  }
  return { ms, timing, problems, filesLinted: report.length };
}

function measure(p: ProjectInput): Measured {
  const m: Measured = { project: p, runs: { base: [], with: [] }, failure: undefined };
  const configs = writeConfigs(p);
  const output = join(WORK_DIR, `report-${process.pid}.json`);
  const once = (variant: Variant): void => {
    if (m.failure !== undefined) return;
    const run = lintOnce(p, configs[variant], output);
    if (typeof run === 'string') {
      m.failure = `${LABEL[variant]}: ${run}`;
      console.log(`  · ${p.name}: ${LABEL[variant]} FAILED`);
      return;
    }
    m.runs[variant].push(run);
    const ours = [...run.problems].filter(([id]) => id.startsWith(OUR_PREFIX)).reduce((sum, [, n]) => sum + n, 0);
    const fatal = run.problems.get('(fatal)') ?? 0;
    console.log(
      `  · ${p.name}: ${LABEL[variant]} run ${m.runs[variant].length}/${p.runs}: ${duration(run.ms)} (${run.filesLinted} files, ${sumOf(run.problems)} problems${variant === 'with' ? `, ${ours} ours` : ''}${fatal > 0 ? `, ${fatal} PARSE ERRORS` : ''})`,
    );
  };
  // Alternate which config goes first, so neither always runs on a cooler (or warmer) machine.
  for (let run = 0; run < p.runs; run++) {
    for (const variant of run % 2 === 0 ? VARIANTS : [...VARIANTS].reverse()) once(variant);
  }
  rmSync(output, { force: true });
  return m;
}

function sumOf(values: ReadonlyMap<string, number>, keep: (key: string) => boolean = () => true): number {
  let sum = 0;
  for (const [key, value] of values) if (keep(key)) sum += value;
  return sum;
}

const isOurs = (rule: string): boolean => rule.startsWith(OUR_PREFIX);
const med = (values: readonly number[]): number => (values.length === 0 ? NaN : median(values));
const wall = (m: Measured, v: Variant): number => med(m.runs[v].map((r) => r.ms));
/** Median over runs of the summed TIMING of the rules `keep` selects. */
const ruleTime = (m: Measured, v: Variant, keep: (rule: string) => boolean): number => med(m.runs[v].map((r) => sumOf(r.timing, keep)));
const signedPercent = (fraction: number): string => (Number.isFinite(fraction) ? `${fraction >= 0 ? '+' : ''}${(fraction * 100).toFixed(1)}%` : 'n/a');
const verdict = (met: boolean | undefined): string => (met === undefined ? 'n/a' : met ? 'PASS' : 'MISS');

function generatedInput(files: number): ProjectInput {
  const start = nowMs();
  const dir = join(PROJECTS_DIR, `generated-${files}`);
  const g = generateLockProject(dir, { files });
  console.log(`  · generated-${files}: ${g.reused ? 'reused' : 'generated'} in ${duration(nowMs() - start)}: ${count(g.lines)} lines, ${g.lockFiles} files with a lock, ${g.inversions} deliberate inversions`);
  return { name: `generated-${files}`, dir, files: g.files, lines: g.lines, generated: g, runs: runsFor(files) };
}

function explicitSizes(): number[] | undefined {
  const text = process.env.BENCH_ESLINT_SIZES;
  if (text === undefined || text.trim() === '') return undefined;
  const parsed = text.split(',').map((s) => Number(s.trim()));
  if (parsed.some((n) => !Number.isInteger(n) || n < 10)) throw new Error(`BENCH_ESLINT_SIZES: whole numbers ≥ 10 separated by commas, got ${text}`);
  return parsed;
}

async function main(): Promise<void> {
  const versionOf = (dir: string): string => {
    try {
      return (JSON.parse(readFileSync(resolve(dir, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return 'not installed';
    }
  };
  let ourRules: string[];
  try {
    const { default: lockstep } = await import('@lockstep/eslint-plugin');
    ourRules = Object.keys(lockstep.configs.recommended.rules ?? {}).sort();
  } catch (error) {
    console.log(`\n## ESLint: our rules on top of typescript-eslint\n\n  PLUGIN CANNOT LOAD (is it built? run \`npx tsc -b\`): ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
    return;
  }
  const runsNote = explicitRuns ? `median of ${RUNS} runs per figure` : QUICK ? 'quick mode: 1 run per project and config' : 'median of 5 runs on projects of up to 1 000 files, 3 on larger ones';
  console.log(`
## ESLint: our rules on top of typescript-eslint's recommendedTypeChecked

The ESLint CLI (${versionOf(resolve(REPO, 'node_modules/eslint'))}, \`node ${NODE_FLAGS.join(' ')} node_modules/eslint/bin/eslint.js --config C src --format json\`,
TIMING=all, run in the project) with typescript-eslint ${versionOf(resolve(REPO, 'node_modules/typescript-eslint'))}'s \`recommendedTypeChecked\` (projectService) alone, and with
\`@lockstep/eslint-plugin\`'s \`configs.recommended\` added, both on \`**/*.ts\`, taking turns going first.
Our rules measured (configs.recommended now): ${ourRules.length === 0 ? 'NONE' : ourRules.join(', ')}
(${runsNote})`);
  if (ourRules.length === 0) console.log('\n  WARNING: configs.recommended enables no rule: both configs are the same.');

  mkdirSync(PROJECTS_DIR, { recursive: true });
  mkdirSync(WORK_DIR, { recursive: true });
  const results: Measured[] = [];
  const sizes = explicitSizes();
  const budgetMin = Number(process.env.BENCH_ESLINT_BUDGET_MIN ?? 25);
  const sizeNotes: string[] = [];
  for (const files of sizes ?? [1000]) results.push(measure(generatedInput(files)));
  if (sizes === undefined && !QUICK) {
    // 5 000 files only if it fits: estimated from 1 000's time per run, taken as linear.
    const first = results[0]!;
    const perRun = (wall(first, 'base') + wall(first, 'with')) / 2;
    const estimateMin = (perRun * 5 * 2 * runsFor(5000)) / 60_000;
    if (Number.isFinite(estimateMin) && estimateMin <= budgetMin) {
      results.push(measure(generatedInput(5000)));
    } else {
      sizeNotes.push(`generated-5000 skipped: estimated ${estimateMin.toFixed(0)} min from generated-1000's times, over BENCH_ESLINT_BUDGET_MIN=${budgetMin}`);
    }
  } else if (sizes === undefined) {
    sizeNotes.push('generated-5000 not measured in quick mode');
  }
  if (process.env.BENCH_ESLINT_REAL === '0') {
    sizeNotes.push('real code base skipped (BENCH_ESLINT_REAL=0)');
  } else {
    const real = prepareRealSources();
    if (typeof real === 'string') sizeNotes.push(`real code base: ${real}`);
    else results.push(measure({ name: real.name, dir: real.dir, files: real.files, lines: real.lines, runs: runsFor(real.files) }));
  }
  const ok = results.filter((r) => r.failure === undefined && r.runs.base.length > 0 && r.runs.with.length > 0);

  // Table 1: the overhead, in wall time and in the rules' own time.
  const targets: TargetCheck[] = [];
  const rows: Cell[][] = ok.map((r) => {
    const base = wall(r, 'base');
    const withOurs = wall(r, 'with');
    const overhead = withOurs / base - 1;
    const met = meets(overhead, { atMost: TARGET_OVERHEAD });
    const ours = ruleTime(r, 'with', isOurs);
    const all = ruleTime(r, 'with', () => true);
    const others = ruleTime(r, 'with', (rule) => !isOurs(rule));
    targets.push({ what: `wall time with ours / without − 1, ${r.project.name}`, reached: signedPercent(overhead), target: `≤ +${TARGET_OVERHEAD * 100}%`, met });
    targets.push({ what: `our rules' TIMING / the other rules' TIMING, ${r.project.name}`, reached: percent(ours / others), target: `≤ ${TARGET_OVERHEAD * 100}%`, met: meets(ours / others, { atMost: TARGET_OVERHEAD }) });
    return [
      r.project.name,
      count(r.project.files),
      count(r.project.lines),
      duration(base),
      duration(withOurs),
      signedPercent(overhead),
      verdict(met),
      duration(ours),
      duration(all),
      percent(ours / all),
      percent(ours / others),
      `${r.runs.base.length}/${r.runs.with.length}`,
    ];
  });
  const notes = [
    'wall time counts Node and ESLint start-up, parsing and typescript-eslint building the TypeScript program (most of it), which both configs pay; the rules\' TIMING sums count only time inside rules, so "ours / all rules" and "ours / other rules" isolate what our rules cost',
    'a type-aware rule\'s TIMING includes the type-checker work it triggers first (types are computed lazily): whichever rule asks first pays, so rule times shift between rules from run to run',
    ...sizeNotes,
  ];
  for (const r of results) {
    const seconds = (v: Variant): string => (r.runs[v].length === 0 ? 'none' : `${r.runs[v].map((x) => (x.ms / 1000).toFixed(2)).join(', ')} s`);
    notes.push(`${r.project.name} raw times: ${LABEL.base} ${seconds('base')}; ${LABEL.with} ${seconds('with')}`);
  }
  printTable(
    'ESLint: recommendedTypeChecked alone vs with @lockstep recommended (median wall time; rules\' TIMING sums from the runs with ours)',
    ['project', 'files', 'lines', 'alone', 'with ours', 'overhead', `≤ +${TARGET_OVERHEAD * 100}%`, 'our rules', 'all rules', 'ours / all rules', 'ours / other rules', 'runs'],
    rows,
    { targets, notes },
  );

  // Table 2: each of our rules, per project (median ms, share of all rules' time).
  if (ok.length > 0) {
    const measuredRules = new Set(ourRules);
    for (const r of ok) for (const run of r.runs.with) for (const rule of run.timing.keys()) if (isOurs(rule)) measuredRules.add(rule);
    const perRule: Cell[][] = [...measuredRules].sort().map((rule) => [
      rule,
      ...ok.map((r) => {
        const times = r.runs.with.map((run) => run.timing.get(rule)).filter((t): t is number => t !== undefined);
        if (times.length === 0) return 'not run';
        const reports = r.runs.with[0]!.problems.get(rule) ?? 0;
        return `${duration(med(times))} (${percent(med(times) / ruleTime(r, 'with', () => true))}), ${reports} reports`;
      }),
    ]);
    const slowest = ok.map((r) => {
      const run = r.runs.with[0]!;
      const top = [...run.timing].filter(([rule]) => !isOurs(rule)).sort((a, b) => b[1] - a[1]).slice(0, 3);
      return `${r.project.name}, slowest typescript-eslint rules (first run): ${top.map(([rule, t]) => `${rule} ${duration(t)}`).join(', ')}`;
    });
    printTable('Our rules: median TIMING per project (share of all rules\' time), reports in the first run', ['rule', ...ok.map((r) => r.project.name)], perRule, {
      align: ['l', ...ok.map(() => 'r' as const)],
      notes: slowest,
    });
  }

  // Table 3: what ran, so that the times are of real work.
  const workRows: Cell[][] = ok.map((r) => {
    const base = r.runs.base[0]!;
    const withOurs = r.runs.with[0]!;
    const ours = [...withOurs.problems].filter(([id]) => isOurs(id));
    const g = r.project.generated;
    return [
      r.project.name,
      `${base.filesLinted} / ${withOurs.filesLinted}`,
      `${sumOf(base.problems)} / ${sumOf(withOurs.problems)}`,
      `${base.problems.get('(fatal)') ?? 0} / ${withOurs.problems.get('(fatal)') ?? 0}`,
      ours.length === 0 ? 'none' : ours.map(([id, n]) => `${n} ${id.slice(OUR_PREFIX.length)}`).join(', '),
      g === undefined ? 'n/a (no locks)' : `${g.inversions} inversions, ${g.lockFiles} lock files`,
    ];
  });
  printTable(
    'What ESLint reported (first run of each config: alone / with ours)',
    ['project', 'files linted', 'problems', 'parse errors', 'our reports', 'generator planned'],
    workRows,
    { align: ['l', 'r', 'r', 'r', 'l', 'l'], notes: ['"problems" are every rule\'s errors in the JSON report; the generated code is not written to be clean under recommendedTypeChecked (unused `_held` guards, `let` never reassigned), which costs both configs the same', 'no-cyclic-lock-order reports each acquisition site of a cycle, so one deliberate inversion gives several reports'] },
  );

  const failed = results.filter((r) => r.failure !== undefined);
  for (const r of failed) console.log(`\n  ESLINT FAILED on ${r.project.name} (${r.project.dir}):\n${indented(r.failure!)}`);
  if (failed.length > 0) process.exitCode = 1;
}

await main();
