/**
 * `pnpm bench real-world`: both tools on published code, every finding compared with a hand label.
 * DESIGN.md §8: fixtures show a rule works on the code we imagined; real code shows it works.
 *
 * For each package of `real-world/packages.json` (pinned name@version): install it from the npm registry
 * into `.build/real-world/install/<name>@<version>/` (`npm install --ignore-scripts`, so its own
 * dependencies, async-mutex's types say, resolve; kept between runs), copy it to
 * `.build/real-world/projects/<name>@<version>/` with a generated tsconfig over the shipped files it
 * names (`allowJs`, so plain JavaScript is analysed with the `.d.ts` types of what it imports), then run
 *
 *   - `lockstep --project tsconfig.json --format json` (the repository's CLI): one finding per cycle or
 *     self-deadlock, located at the acquisition that closes it (SARIF's location);
 *   - ESLint (the repository's install, Node API) with typescript-eslint's parser, type-aware over the
 *     same tsconfig, and `@lockstep/eslint-plugin`'s `configs.recommended` only: every message of a
 *     `@lockstep/` rule.
 *
 * Each finding is matched with `real-world/labels.json` by package, version, rule, file and line (± 2):
 * its verdict (true, false, debatable) and why. The tables say, per package, how many findings, how many
 * of each verdict, how many have no label (printed in full as NEW), and the precision
 * true / (true + false + debatable); labels no finding matches any more are STALE; the known bugs
 * (upstream fixes, labels.json `knownBugs`) are found or missed. Results go to
 * `.build/real-world/results.json`.
 *
 *   node bench/.build/js/real-world.js [name…]      only the packages whose name contains one of the words
 *   BENCH_REAL_WORLD_PACKAGES=piscina,telegram     the same, from the environment
 *   BENCH_REAL_WORLD_SET=candidates.json           another package list (to try candidates before adding them)
 *   BENCH_REAL_WORLD_LABELS=labels.json            another labels file
 *
 * Exit 0 unless something failed to run (an install, lockstep, ESLint): unlabelled and stale entries
 * are reported, not failures, since the tools change during the day.
 */
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, relative, resolve, sep } from 'node:path';
import { BENCH_DIR, BUILD_DIR } from './lib/paths.js';
import { nowMs, percent, printTable, type Cell } from './lib/report.js';
import type { RealWorldEslintRequest, RealWorldEslintResult } from './real-world/eslint-worker.js';

const REPO = resolve(BENCH_DIR, '..');
const SET_DIR = resolve(BENCH_DIR, 'real-world');
const WORK_DIR = resolve(BUILD_DIR, 'real-world');
const INSTALL_DIR = join(WORK_DIR, 'install');
const PROJECTS_DIR = join(WORK_DIR, 'projects');
const REPORTS_DIR = join(WORK_DIR, 'reports');
const LOCKSTEP_BIN = resolve(REPO, 'packages/analyzer/bin/lockstep.js');
const ESLINT_WORKER = resolve(BUILD_DIR, 'js/real-world/eslint-worker.js');
/** A label matches a finding whose line is this close (formatting changes between versions). */
const LINE_SLACK = 2;
const SOURCE_FILE = /\.(?:[cm]?[jt]s|[jt]sx)$/;
const DECLARATION_FILE = /\.d\.(?:[cm]?ts|[^./\\]+\.ts)$/;
const MINIFIED_FILE = /\.min\.[cm]?js$/;
const STEP_TIMEOUT_MS = 5 * 60_000;

// ---------------------------------------------------------------------------------------------------
// The committed inputs

/** One entry of packages.json. */
interface PackageEntry {
  readonly name: string;
  readonly version: string;
  /** `ts`: ships TypeScript sources; `js`: JavaScript (with `.d.ts` files). */
  readonly language: 'ts' | 'js';
  /** Directories or files, relative to the package root, whose source files are analysed. */
  readonly analyse: readonly string[];
  /** Path prefixes (relative to the package root) under `analyse` to leave out. */
  readonly skip?: readonly string[];
  /** What locks or atomics its code uses. */
  readonly uses: string;
  /** Why it is in the set. */
  readonly why: string;
  /** Extra `lib` entries for its tsconfig (default ES2023, DOM, DOM.Iterable). */
  readonly lib?: readonly string[];
  /**
   * Packages installed beside it, pinned: what its shipped code imports but its package.json lists only
   * under devDependencies (its build bundled them), so that their types resolve.
   */
  readonly extraDependencies?: Readonly<Record<string, string>>;
}

type Verdict = 'true' | 'false' | 'debatable';

/** One hand label: the verdict on one finding. */
interface Label {
  readonly package: string;
  readonly version: string;
  /** Relative to the package root, `/` separators. */
  readonly file: string;
  readonly line: number;
  /** `lockstep/<kind>` or `@lockstep/<rule>`. */
  readonly rule: string;
  readonly verdict: Verdict;
  readonly why: string;
}

/** A bug fixed upstream (or known), which a finding should show. */
interface KnownBug {
  readonly package: string;
  readonly version: string;
  readonly file: string;
  /** The line the finding should be at (± LINE_SLACK); without it, any line of `function`. */
  readonly line?: number;
  readonly function?: string;
  /** The finding that would show it; `null` when no rule of ours looks for this kind of bug (listed all the same). */
  readonly rule: string | null;
  readonly description: string;
  readonly upstream?: string;
}

interface LabelsFile {
  readonly labels: readonly Label[];
  readonly knownBugs: readonly KnownBug[];
}

function readJson<T>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

const keyOf = (p: { readonly name: string; readonly version: string }): string => `${p.name}@${p.version}`;
/** A directory name for name@version (`@scope/name` → `@scope+name`). */
const dirNameOf = (p: { readonly name: string; readonly version: string }): string => keyOf(p).replace('/', '+');

// ---------------------------------------------------------------------------------------------------
// Installing and preparing a package

interface Prepared {
  /** The copy of the package with its tsconfig: every tool runs here, every path is relative to it. */
  readonly dir: string;
  /** The files analysed, relative to `dir`. */
  readonly files: readonly string[];
  readonly lines: number;
  readonly installed: 'cached' | 'installed';
}

function run(command: string, args: readonly string[], cwd: string, timeout = STEP_TIMEOUT_MS): { status: number | null; stdout: string; stderr: string; error?: Error } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout, killSignal: 'SIGKILL', maxBuffer: 256 * 1024 * 1024 });
  return { status: result.status, stdout: result.stdout ?? '', stderr: result.stderr ?? '', ...(result.error === undefined ? {} : { error: result.error }) };
}

/** `run`, without blocking: lockstep and ESLint of one package run at the same time (one core each). */
function runAsync(command: string, args: readonly string[], cwd: string, timeout = STEP_TIMEOUT_MS): Promise<{ status: number | null; stdout: string; stderr: string; error?: Error }> {
  return new Promise((resolvePromise) => {
    const child = spawn(command, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let error: Error | undefined;
    const timer = setTimeout(() => {
      error = new Error(`timed out after ${timeout / 1000} s`);
      child.kill('SIGKILL');
    }, timeout);
    child.on('error', (e) => (error = e));
    child.on('close', (status) => {
      clearTimeout(timer);
      resolvePromise({ status, stdout, stderr, ...(error === undefined ? {} : { error }) });
    });
  });
}

const tail = (text: string, lines = 15): string => text.trimEnd().split('\n').slice(-lines).join('\n');

/**
 * `npm install name@version` into its own directory (so each package gets the dependencies it declares,
 * nothing of the repository's), once: a later run finds the package.json of that version and skips it.
 */
function install(entry: PackageEntry): { dir: string; cached: boolean } | string {
  const dir = join(INSTALL_DIR, dirNameOf(entry));
  const installed = join(dir, 'node_modules', entry.name);
  const manifest = join(installed, 'package.json');
  const request = join(dir, 'package.json');
  const wanted = { ...entry.extraDependencies, [entry.name]: entry.version };
  if (
    existsSync(manifest) &&
    readJson<{ version?: string }>(manifest).version === entry.version &&
    existsSync(request) &&
    JSON.stringify(readJson<{ dependencies?: unknown }>(request).dependencies) === JSON.stringify(wanted)
  ) {
    return { dir: installed, cached: true };
  }
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'lockstep-real-world-install', private: true, description: 'written by bench/real-world.ts', dependencies: wanted }, null, 2)}\n`,
  );
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  const common = ['install', '--ignore-scripts', '--no-audit', '--no-fund', '--omit=dev', '--no-package-lock', '--loglevel=error'];
  let result = run(npm, common, dir);
  // A peer-dependency conflict is not ours to solve: the types still resolve without the peers.
  if (result.status !== 0 && /ERESOLVE/.test(result.stderr)) result = run(npm, [...common, '--legacy-peer-deps'], dir);
  if (result.status !== 0 || !existsSync(manifest)) {
    return `npm install ${keyOf(entry)} failed (${result.error?.message ?? `exit ${result.status}`}):\n${tail(result.stderr)}`;
  }
  const version = readJson<{ version?: string }>(manifest).version;
  if (version !== entry.version) return `npm install ${keyOf(entry)} installed version ${version}`;
  return { dir: installed, cached: false };
}

/** Source files under `path` (a file or directory of the package), relative to the package root. */
function sourceFiles(root: string, path: string, skip: readonly string[]): string[] {
  const absolute = resolve(root, path);
  if (!existsSync(absolute)) return [];
  const candidates = statSync(absolute).isFile()
    ? [relative(root, absolute)]
    : readdirSync(absolute, { recursive: true, encoding: 'utf8' }).map((entry) => relative(root, join(absolute, entry)));
  return candidates
    .map((file) => file.split(sep).join('/'))
    .filter((file) => SOURCE_FILE.test(file) && !DECLARATION_FILE.test(file) && !MINIFIED_FILE.test(file))
    .filter((file) => !file.split('/').includes('node_modules'))
    .filter((file) => !skip.some((prefix) => file === prefix || file.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`)))
    .filter((file) => statSync(join(root, file)).isFile());
}

function countLines(dir: string, files: readonly string[]): number {
  let lines = 0;
  for (const file of files) {
    const text = readFileSync(join(dir, file), 'utf8');
    lines += text.split('\n').length - (text.endsWith('\n') ? 1 : 0);
  }
  return lines;
}

/**
 * The package copied into `projects/<name>@<version>/` (re-copied when the stamp differs: another
 * version, other paths), `node_modules` linking to its install, and three files of ours: `tsconfig.json`
 * over exactly the files to analyse (listed under `files`, so a `.js` file is analysed even where a
 * `.d.ts` of the same name sits beside it, which an `include` pattern would prefer), an empty
 * `lockstep.config.json` (so no configuration from the directories above applies), and the stamp.
 */
function prepare(entry: PackageEntry): Prepared | string {
  const installed = install(entry);
  if (typeof installed === 'string') return installed;
  const dir = join(PROJECTS_DIR, dirNameOf(entry));
  const stampFile = join(dir, '.real-world-stamp.json');
  const stamp = JSON.stringify({ entry, from: installed.dir });
  if (!existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== stamp) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    cpSync(installed.dir, dir, { recursive: true, filter: (source) => !source.slice(installed.dir.length).split(sep).includes('node_modules') });
    symlinkSync(resolve(installed.dir, '..', ...(entry.name.startsWith('@') ? ['..'] : [])), join(dir, 'node_modules'), 'dir');
    const files = [...new Set(entry.analyse.flatMap((path) => sourceFiles(dir, path, entry.skip ?? [])))].sort();
    if (files.length === 0) return `${keyOf(entry)}: no source files under ${entry.analyse.join(', ')}`;
    const tsconfig = {
      compilerOptions: {
        target: 'ES2022',
        lib: ['ES2023', 'DOM', 'DOM.Iterable', ...(entry.lib ?? [])],
        // The most permissive resolution: extensionless relative imports, `.js` for `.ts`, package exports.
        module: 'preserve',
        moduleResolution: 'bundler',
        allowJs: true,
        checkJs: false,
        allowImportingTsExtensions: true,
        resolveJsonModule: true,
        strict: true,
        skipLibCheck: true,
        noEmit: true,
        types: ['node'],
      },
      files,
    };
    writeFileSync(join(dir, 'tsconfig.json'), `${JSON.stringify(tsconfig, null, 2)}\n`);
    writeFileSync(join(dir, 'lockstep.config.json'), '{}\n');
    writeFileSync(stampFile, stamp);
  }
  const files = readJson<{ files: string[] }>(join(dir, 'tsconfig.json')).files;
  return { dir, files, lines: countLines(dir, files), installed: installed.cached ? 'cached' : 'installed' };
}

// ---------------------------------------------------------------------------------------------------
// Running the tools

/** One finding of either tool, where a label can point at it. */
interface Finding {
  readonly tool: 'lockstep' | 'eslint';
  /** `lockstep/<kind>` or the ESLint rule id (`@lockstep/<rule>`). */
  readonly rule: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
  /** Recognised by name only (lockstep's `guessed`). */
  readonly guessed?: boolean;
}

interface LockstepLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
}
interface LockstepReport {
  readonly errors: readonly { readonly code: string; readonly file?: string; readonly line?: number; readonly message: string }[];
  readonly locks: readonly { readonly id: string; readonly name: string; readonly source: string }[];
  readonly findings: readonly {
    readonly kind: string;
    readonly locks: readonly string[];
    readonly guessed: boolean;
    readonly message: string;
    readonly steps: readonly { readonly witness: { readonly acquired: { readonly location: LockstepLocation; readonly function: string } } }[];
  }[];
  readonly stats: {
    readonly files: number;
    readonly functions: number;
    readonly locks: number;
    /** Every lock recognised (newer analyzers): a package full of locks never reads "0 findings" for want of seeing them. */
    readonly locksRecognised?: { readonly total: number; readonly typed: number; readonly guessed: number; readonly bySource: Readonly<Record<string, number>> };
    readonly lockOperations?: number;
    readonly edges: number;
    readonly durationMs: number;
  };
  readonly tool: { readonly version: string };
}

interface ToolRun {
  readonly findings: readonly Finding[];
  readonly ms: number;
  /** Problems worth a note that did not stop the tool (a file lockstep could not parse, say). */
  readonly notes: readonly string[];
  readonly stats?: LockstepReport['stats'];
  readonly lockSources?: Readonly<Record<string, number>>;
}

async function runLockstep(entry: PackageEntry, project: Prepared): Promise<ToolRun | string> {
  const output = join(REPORTS_DIR, `${dirNameOf(entry)}.lockstep.json`);
  rmSync(output, { force: true });
  const start = nowMs();
  const result = await runAsync(process.execPath, ['--max-old-space-size=4096', LOCKSTEP_BIN, '--project', 'tsconfig.json', '--config', 'lockstep.config.json', '--format', 'json', '--output', output], project.dir);
  const ms = nowMs() - start;
  if (result.status === null || result.status > 2 || !existsSync(output)) {
    return `lockstep failed (${result.error?.message ?? (result.status === null ? 'killed' : `exit ${result.status}`)}):\n${tail(result.stderr || result.stdout)}`;
  }
  let report: LockstepReport;
  try {
    report = readJson<LockstepReport>(output);
  } catch (error) {
    return `lockstep wrote an unreadable report: ${String(error)}`;
  }
  // Exit 2 is an input error: the report still covers what could be analysed. A broken tsconfig or
  // config would mean we analysed something else than we meant: that fails the package.
  const fatal = report.errors.filter((e) => ['tsconfig', 'config', 'usage', 'missing-path'].includes(e.code));
  if (fatal.length > 0) return `lockstep input errors:\n${fatal.map((e) => `  ${e.code} ${e.file ?? ''}:${e.line ?? ''} ${e.message}`).join('\n')}`;
  const notes = report.errors.map((e) => `lockstep ${e.code} error in ${e.file ?? '?'}${e.line === undefined ? '' : `:${e.line}`}: ${e.message}`);
  const lockNames = new Map(report.locks.map((l) => [l.id, l.name]));
  const findings = report.findings.map((f): Finding => {
    const closing = f.steps.at(-1)?.witness.acquired.location;
    return {
      tool: 'lockstep',
      rule: `lockstep/${f.kind}`,
      file: closing?.file ?? '?',
      line: closing?.line ?? 0,
      column: closing?.column ?? 0,
      message: `${f.message} [locks: ${f.locks.map((id) => lockNames.get(id) ?? id).join(' → ')}]`,
      guessed: f.guessed,
    };
  });
  const lockSources: Record<string, number> = {};
  for (const lock of report.locks) lockSources[lock.source] = (lockSources[lock.source] ?? 0) + 1;
  return { findings, ms, notes, stats: report.stats, lockSources };
}

/** ESLint in a child process of its own (`real-world/eslint-worker.ts`): each package's TypeScript program and caches go with it. */
async function runEslint(entry: PackageEntry, project: Prepared): Promise<ToolRun | string> {
  const request: RealWorldEslintRequest = { dir: project.dir, tsconfig: join(project.dir, 'tsconfig.json'), files: project.files };
  const requestFile = join(REPORTS_DIR, `${dirNameOf(entry)}.eslint-request.json`);
  const output = join(REPORTS_DIR, `${dirNameOf(entry)}.eslint.json`);
  writeFileSync(requestFile, JSON.stringify(request));
  rmSync(output, { force: true });
  const start = nowMs();
  const result = await runAsync(process.execPath, ['--max-old-space-size=4096', ESLINT_WORKER, requestFile, output], REPO);
  const ms = nowMs() - start;
  if (result.status !== 0 || !existsSync(output)) {
    return `ESLint failed (${result.error?.message ?? (result.status === null ? 'killed' : `exit ${result.status}`)}):\n${tail(result.stderr || result.stdout)}`;
  }
  const report = readJson<RealWorldEslintResult>(output);
  if (report.fatal.length > 0) {
    return `ESLint could not parse:\n${report.fatal.map((m) => `  ${m.file}:${m.line} ${m.message}`).join('\n')}`;
  }
  return {
    findings: report.messages.map((m): Finding => ({ tool: 'eslint', rule: m.ruleId, file: m.file, line: m.line, column: m.column, message: m.message })),
    ms,
    notes: [],
  };
}

// ---------------------------------------------------------------------------------------------------
// Matching findings with labels

interface Judged extends Finding {
  readonly verdict: Verdict | 'unlabelled';
  readonly why?: string;
}

/**
 * Pairs findings with labels one to one, nearest line first (so two findings two lines apart keep
 * their own labels). Returns each finding's label, and the labels left over.
 */
function matchLabels(findings: readonly Finding[], labels: readonly Label[]): { judged: Judged[]; unused: Label[] } {
  const pairs: { finding: number; label: number; distance: number }[] = [];
  findings.forEach((f, fi) => {
    labels.forEach((l, li) => {
      if (l.rule !== f.rule || l.file !== f.file) return;
      const distance = Math.abs(l.line - f.line);
      if (distance <= LINE_SLACK) pairs.push({ finding: fi, label: li, distance });
    });
  });
  pairs.sort((a, b) => a.distance - b.distance || a.finding - b.finding || a.label - b.label);
  const labelOf = new Map<number, Label>();
  const used = new Set<number>();
  for (const pair of pairs) {
    if (labelOf.has(pair.finding) || used.has(pair.label)) continue;
    labelOf.set(pair.finding, labels[pair.label]!);
    used.add(pair.label);
  }
  const judged = findings.map((f, fi): Judged => {
    const label = labelOf.get(fi);
    return label === undefined ? { ...f, verdict: 'unlabelled' } : { ...f, verdict: label.verdict, why: label.why };
  });
  return { judged, unused: labels.filter((_, li) => !used.has(li)) };
}

// ---------------------------------------------------------------------------------------------------
// The run

interface PackageResult {
  readonly entry: PackageEntry;
  files: number;
  lines: number;
  installed?: 'cached' | 'installed';
  lockstep?: ToolRun;
  eslint?: ToolRun;
  judged: Judged[];
  stale: Label[];
  failures: string[];
}

const VERDICTS: readonly Verdict[] = ['true', 'false', 'debatable'];
const isVerdict = (v: unknown): v is Verdict => typeof v === 'string' && (VERDICTS as readonly string[]).includes(v);

/** Labels that cannot be right whatever the tools say: a bad verdict, a missing field, a package not in the set. */
function checkLabels(labels: LabelsFile, entries: readonly PackageEntry[]): string[] {
  const problems: string[] = [];
  const known = new Set(entries.map(keyOf));
  labels.labels.forEach((l, i) => {
    const where = `labels[${i}] (${l.package}@${l.version} ${l.file}:${l.line} ${l.rule})`;
    if (!isVerdict(l.verdict)) problems.push(`${where}: verdict must be true, false or debatable, not ${JSON.stringify(l.verdict)}`);
    if (typeof l.why !== 'string' || l.why.trim() === '') problems.push(`${where}: no why`);
    if (!known.has(keyOf({ name: l.package, version: l.version }))) problems.push(`${where}: not a package of packages.json`);
    if (!Number.isInteger(l.line)) problems.push(`${where}: line must be a number`);
  });
  labels.knownBugs.forEach((b, i) => {
    if (!known.has(keyOf({ name: b.package, version: b.version }))) problems.push(`knownBugs[${i}] (${b.package}@${b.version}): not a package of packages.json`);
    if (b.line === undefined && b.function === undefined) problems.push(`knownBugs[${i}]: needs a line or a function`);
  });
  return problems;
}

function toolVersion(pkg: string): string {
  try {
    return readJson<{ version: string }>(resolve(REPO, 'node_modules', pkg, 'package.json')).version;
  } catch {
    return 'not installed';
  }
}

function gitDescribe(): string {
  const head = run('git', ['rev-parse', '--short', 'HEAD'], REPO);
  if (head.status !== 0) return 'unknown';
  const dirty = run('git', ['status', '--porcelain', '--', 'packages/analyzer/src', 'packages/eslint-plugin/src'], REPO);
  return `${head.stdout.trim()}${dirty.stdout.trim() === '' ? '' : ' with uncommitted changes to the analyzer or the plugin'}`;
}

const cell = (n: number | undefined): Cell => (n === undefined ? '-' : n);

/** What lockstep says it saw: locks recognised (by type, by name only, by library) and lock operations. */
function recognised(run: ToolRun): string {
  const locks = run.stats?.locksRecognised;
  if (locks === undefined) return '';
  const sources = Object.entries(locks.bySource)
    .map(([source, n]) => `${source} ${n}`)
    .join(', ');
  return ` (${locks.total} locks recognised: ${locks.typed} by type, ${locks.guessed} by name${sources === '' ? '' : `; ${sources}`}; ${run.stats?.lockOperations ?? '?'} lock operations)`;
}

async function main(): Promise<void> {
  const started = nowMs();
  const setFile = process.env.BENCH_REAL_WORLD_SET === undefined ? join(SET_DIR, 'packages.json') : resolve(process.env.BENCH_REAL_WORLD_SET);
  const labelsFile = process.env.BENCH_REAL_WORLD_LABELS === undefined ? join(SET_DIR, 'labels.json') : resolve(process.env.BENCH_REAL_WORLD_LABELS);
  const set = readJson<{ packages: PackageEntry[] }>(setFile);
  const labels = readJson<LabelsFile>(labelsFile);
  const words = [...process.argv.slice(2).filter((a) => !a.startsWith('-')), ...(process.env.BENCH_REAL_WORLD_PACKAGES ?? '').split(',').filter((w) => w !== '')];
  const entries = set.packages.filter((p) => words.length === 0 || words.some((w) => keyOf(p).includes(w)));

  console.log(`\n## Real-world evaluation (DESIGN.md §8)

Both tools on ${entries.length} published packages (${relative(REPO, setFile)}), every finding compared with a hand
label (${relative(REPO, labelsFile)}). lockstep ${readJson<{ version: string }>(resolve(REPO, 'packages/analyzer/package.json')).version} and @lockstep/eslint-plugin configs.recommended from this
working tree (${gitDescribe()}); ESLint ${toolVersion('eslint')}, typescript-eslint ${toolVersion('typescript-eslint')}, TypeScript ${toolVersion('typescript')}; ${availableParallelism()} cores.`);

  const failures: string[] = [];
  if (!existsSync(resolve(REPO, 'packages/analyzer/dist/cli/main.js'))) failures.push('the analyzer is not built (packages/analyzer/dist): run `npx tsc -b`');
  if (!existsSync(resolve(REPO, 'packages/eslint-plugin/dist/index.js'))) failures.push('the ESLint plugin is not built (packages/eslint-plugin/dist): run `npx tsc -b`');
  if (!existsSync(ESLINT_WORKER)) failures.push(`${relative(REPO, ESLINT_WORKER)} is missing: run through \`pnpm bench real-world\`, which compiles it`);
  const labelProblems = checkLabels(labels, set.packages);
  if (failures.length > 0) {
    for (const f of failures) console.log(`FAILED: ${f}`);
    process.exitCode = 1;
    return;
  }
  mkdirSync(REPORTS_DIR, { recursive: true });

  const results: PackageResult[] = [];
  for (const entry of entries) {
    const result: PackageResult = { entry, files: 0, lines: 0, judged: [], stale: [], failures: [] };
    results.push(result);
    const t0 = nowMs();
    const project = prepare(entry);
    if (typeof project === 'string') {
      result.failures.push(project);
      console.log(`- ${keyOf(entry)}: FAILED to install or prepare: ${project}`);
      continue;
    }
    result.files = project.files.length;
    result.lines = project.lines;
    result.installed = project.installed;
    const prepMs = nowMs() - t0;
    const [lockstep, eslint] = await Promise.all([runLockstep(entry, project), runEslint(entry, project)]);
    if (typeof lockstep === 'string') result.failures.push(lockstep);
    else result.lockstep = lockstep;
    if (typeof eslint === 'string') result.failures.push(eslint);
    else result.eslint = eslint;
    const found = [...(result.lockstep?.findings ?? []), ...(result.eslint?.findings ?? [])].sort(
      (a, b) => a.file.localeCompare(b.file) || a.line - b.line || a.rule.localeCompare(b.rule),
    );
    const mine = labels.labels.filter((l) => l.package === entry.name && l.version === entry.version);
    const { judged, unused } = matchLabels(found, mine);
    result.judged = judged;
    // A tool that failed leaves its labels unmatched: they are not stale, the run is broken.
    result.stale = unused.filter((l) => (l.rule.startsWith('lockstep/') ? result.lockstep !== undefined : result.eslint !== undefined));
    console.log(
      `- ${keyOf(entry)}: ${result.files} files, ${result.lines} lines (${project.installed}, ${(prepMs / 1000).toFixed(1)} s); ` +
        `lockstep ${result.lockstep === undefined ? 'FAILED' : `${result.lockstep.findings.length} findings in ${(result.lockstep.ms / 1000).toFixed(1)} s${recognised(result.lockstep)}`}; ` +
        `ESLint ${result.eslint === undefined ? 'FAILED' : `${result.eslint.findings.length} findings in ${(result.eslint.ms / 1000).toFixed(1)} s`}`,
    );
    for (const f of result.failures) console.log(`    FAILED: ${f.split('\n').join('\n    ')}`);
    for (const n of [...(result.lockstep?.notes ?? []), ...(result.eslint?.notes ?? [])]) console.log(`    note: ${n}`);
  }

  // The table: one row per package, and the total.
  const count = (r: PackageResult, v: Judged['verdict']): number => r.judged.filter((j) => j.verdict === v).length;
  const precisionOf = (t: number, f: number, d: number): string => (t + f + d === 0 ? 'n/a' : `${percent(t / (t + f + d))} (${t}/${t + f + d})`);
  const totals = { files: 0, lines: 0, locks: 0, lockOps: 0, lockstep: 0, eslint: 0, findings: 0, true: 0, false: 0, debatable: 0, unlabelled: 0, stale: 0 };
  const rows: Cell[][] = results.map((r) => {
    const row = {
      lockstep: r.lockstep?.findings.length,
      eslint: r.eslint?.findings.length,
      findings: r.judged.length,
      true: count(r, 'true'),
      false: count(r, 'false'),
      debatable: count(r, 'debatable'),
      unlabelled: count(r, 'unlabelled'),
      stale: r.stale.length,
    };
    totals.files += r.files;
    totals.lines += r.lines;
    totals.lockstep += row.lockstep ?? 0;
    totals.eslint += row.eslint ?? 0;
    totals.findings += row.findings;
    totals.true += row.true;
    totals.false += row.false;
    totals.debatable += row.debatable;
    totals.unlabelled += row.unlabelled;
    totals.stale += row.stale;
    totals.locks += r.lockstep?.stats?.locksRecognised?.total ?? 0;
    totals.lockOps += r.lockstep?.stats?.lockOperations ?? 0;
    return [
      keyOf(r.entry),
      r.entry.language,
      r.files,
      r.lines,
      cell(r.lockstep?.stats?.locksRecognised?.total),
      cell(r.lockstep?.stats?.lockOperations),
      cell(row.lockstep),
      cell(row.eslint),
      row.findings,
      row.true,
      row.false,
      row.debatable,
      row.unlabelled,
      row.stale,
      r.failures.length > 0 ? 'FAILED' : precisionOf(row.true, row.false, row.debatable),
    ];
  });
  rows.push([
    `total (${results.length} packages)`,
    '',
    totals.files,
    totals.lines,
    totals.locks,
    totals.lockOps,
    totals.lockstep,
    totals.eslint,
    totals.findings,
    totals.true,
    totals.false,
    totals.debatable,
    totals.unlabelled,
    totals.stale,
    precisionOf(totals.true, totals.false, totals.debatable),
  ]);
  printTable('Findings and their labels', ['package', 'lang', 'files', 'lines', 'locks', 'lock ops', 'lockstep', 'eslint', 'findings', 'true', 'false', 'debatable', 'unlabelled', 'stale', 'precision'], rows, {
    align: ['l', 'l'],
    notes: [
      'precision = true / (true + false + debatable): unlabelled findings are left out of it, so label them (NEW below) before quoting it',
      'locks, lock ops: the locks lockstep recognised in the package (by type or by name) and the calls that take, try, release or scope one ("-": an analyzer without these stats)',
      'lockstep: one finding per cycle or self-deadlock, at the acquisition that closes it; eslint: every message of a @lockstep/ rule (configs.recommended)',
    ],
  });

  // By rule, over the whole set.
  const byRule = new Map<string, { findings: number; true: number; false: number; debatable: number; unlabelled: number }>();
  for (const j of results.flatMap((r) => r.judged)) {
    const entry = byRule.get(j.rule) ?? { findings: 0, true: 0, false: 0, debatable: 0, unlabelled: 0 };
    entry.findings++;
    entry[j.verdict]++;
    byRule.set(j.rule, entry);
  }
  if (byRule.size > 0) {
    printTable(
      'By rule',
      ['rule', 'findings', 'true', 'false', 'debatable', 'unlabelled', 'precision'],
      [...byRule].sort(([a], [b]) => a.localeCompare(b)).map(([rule, c]) => [rule, c.findings, c.true, c.false, c.debatable, c.unlabelled, precisionOf(c.true, c.false, c.debatable)]),
    );
  }

  const unlabelled = results.flatMap((r) => r.judged.filter((j) => j.verdict === 'unlabelled').map((j) => ({ r, j })));
  console.log(`\n### NEW: findings without a label (${unlabelled.length})\n`);
  if (unlabelled.length === 0) console.log('none');
  for (const { r, j } of unlabelled) {
    console.log(`NEW ${keyOf(r.entry)} ${j.rule} ${j.file}:${j.line}:${j.column}${j.guessed === true ? ' (guessed)' : ''}\n    ${j.message.split('\n').join('\n    ')}`);
  }
  const stale = results.flatMap((r) => r.stale);
  console.log(`\n### STALE: labels no finding matches any more (${stale.length})\n`);
  if (stale.length === 0) console.log('none');
  for (const l of stale) console.log(`STALE ${l.package}@${l.version} ${l.rule} ${l.file}:${l.line} (was ${l.verdict}: ${l.why})`);

  // Known bugs: the findings we owe.
  const inRun = new Set(results.map((r) => keyOf(r.entry)));
  const bugs = labels.knownBugs.filter((b) => inRun.has(keyOf({ name: b.package, version: b.version })));
  const bugStatus = bugs.map((bug) => {
    const r = results.find((x) => x.entry.name === bug.package && x.entry.version === bug.version)!;
    const hit =
      bug.rule === null
        ? undefined
        : r.judged.find(
            (j) =>
              j.rule === bug.rule &&
              j.file === bug.file &&
              (bug.line === undefined ? j.message.includes(bug.function ?? '\u0000') : Math.abs(j.line - bug.line) <= LINE_SLACK),
          );
    const status =
      r.failures.length > 0
        ? 'not run'
        : hit !== undefined
          ? hit.verdict === 'true'
            ? 'found'
            : `found, but labelled ${hit.verdict}`
          : bug.rule === null
            ? 'missed (no rule of ours looks for this)'
            : 'missed';
    return { bug, status, finding: hit };
  });
  const found = bugStatus.filter((b) => b.status === 'found').length;
  const outOfScope = bugs.filter((b) => b.rule === null).length;
  console.log(`\n### Known bugs found: ${found} of ${bugs.length}${outOfScope === 0 ? '' : ` (${outOfScope} of them of a kind no rule of ours looks for)`}\n`);
  for (const { bug, status, finding } of bugStatus) {
    console.log(
      `- ${status.toUpperCase()}: ${bug.package}@${bug.version} ${bug.rule ?? '(no rule)'} ${bug.file}${bug.line === undefined ? '' : `:${bug.line}`}${bug.function === undefined ? '' : ` (${bug.function})`}\n    ${bug.description}` +
        `${bug.upstream === undefined ? '' : `\n    upstream: ${bug.upstream}`}${finding === undefined ? '' : `\n    finding: ${finding.rule} ${finding.file}:${finding.line}`}`,
    );
  }

  for (const p of labelProblems) console.log(`label problem: ${p}`);
  const failed = results.filter((r) => r.failures.length > 0);
  const seconds = (nowMs() - started) / 1000;
  console.log(`\n${failed.length === 0 ? 'All packages ran' : `FAILED: ${failed.map((r) => keyOf(r.entry)).join(', ')}`} in ${seconds.toFixed(1)} s.`);

  const resultsFile = join(WORK_DIR, 'results.json');
  writeFileSync(
    resultsFile,
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        repository: gitDescribe(),
        tools: { lockstep: readJson<{ version: string }>(resolve(REPO, 'packages/analyzer/package.json')).version, eslint: toolVersion('eslint'), typescriptEslint: toolVersion('typescript-eslint'), typescript: toolVersion('typescript') },
        seconds,
        totals: { ...totals, precision: totals.true + totals.false + totals.debatable === 0 ? null : totals.true / (totals.true + totals.false + totals.debatable) },
        packages: results.map((r) => ({
          name: r.entry.name,
          version: r.entry.version,
          language: r.entry.language,
          files: r.files,
          lines: r.lines,
          failures: r.failures,
          lockstep: r.lockstep === undefined ? null : { ms: r.lockstep.ms, stats: r.lockstep.stats, lockSources: r.lockstep.lockSources, notes: r.lockstep.notes },
          eslint: r.eslint === undefined ? null : { ms: r.eslint.ms },
          findings: r.judged,
          stale: r.stale,
        })),
        knownBugs: bugStatus.map(({ bug, status, finding }) => ({ ...bug, status, finding: finding ?? null })),
        labelProblems,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`Results: ${relative(REPO, resultsFile)}`);
  process.exitCode = failed.length === 0 && labelProblems.length === 0 ? 0 : 1;
}

await main();
