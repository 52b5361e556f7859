/**
 * One `lockstep` run without the command line: load the configuration and the project, analyse the
 * program, and assemble the report. Input problems never stop it: each becomes an InputError in the
 * report and the rest is analysed.
 */
import path from 'node:path';
import { analyzeProgram, type ProgramAnalysis } from './analyze-program.js';
import { DEFAULT_CONFIG, type LockstepConfig } from './config/config-model.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { loadProject } from './project/load-project.js';
import { applyBaseline } from './report/baseline.js';
import { type LockOrderEdge } from './analysis/lock-order-graph.js';
import { type Finding } from './graph/finding.js';
import { type LockInfo } from './model/lock-info.js';
import { type InputError } from './project/input-error.js';
import { chooseRoot } from './project/choose-root.js';
import { refuseSpecialFile } from './project/file-kind.js';
import { isStackOverflow, tooDeepMessage } from './project/stack-overflow.js';
import { systemErrorReason } from './project/walk-directory.js';
import { REPORT_SCHEMA_VERSION, type LockCounts, type Report } from './report/report-model.js';
import { relativePath } from './model/source-location.js';
import { LOCKSTEP_VERSION } from './version.js';

export interface AnalyzeProjectOptions {
  /** Relative paths given (paths, project, config file) are relative to it. */
  readonly cwd: string;
  /** The report's root (`--root`); default: `cwd`, or the inputs' common directory when some are outside it. */
  readonly root?: string;
  /** Files, directories or globs; empty: the tsconfig.json of `cwd`, or every source file under it. */
  readonly paths?: readonly string[];
  /** A tsconfig.json. */
  readonly project?: string;
  /** A config file instead of the one found from `cwd`. */
  readonly configFile?: string;
  /** Fingerprints of findings to leave out of `findings` (they go to `suppressed.baselined`). */
  readonly baseline?: ReadonlySet<string>;
  /** Told what the run is doing, for progress output on long runs. */
  readonly onPhase?: (phase: string) => void;
  /** Told how far a phase got (`parsing files`, 1200; `bound`, total), for progress output on long runs. */
  readonly onCount?: (phase: string, done: number, total?: number) => void;
}

export interface ProjectAnalysis {
  readonly report: Report;
  /** Every finding, the baselined ones included (what `--update-baseline` writes). */
  readonly allFindings: readonly Finding[];
}

export function analyzeProject(options: AnalyzeProjectOptions): ProjectAnalysis {
  const started = performance.now();
  const errors: InputError[] = [];
  const cwd = path.resolve(options.cwd);
  const root = chooseRoot({
    cwd,
    paths: options.paths ?? [],
    ...(options.project === undefined ? {} : { project: options.project }),
    ...(options.root === undefined ? {} : { root: options.root }),
  });

  let config: LockstepConfig = DEFAULT_CONFIG;
  // Given on the command line: relative to the current directory, whatever the root.
  const configFile = options.configFile === undefined ? undefined : path.resolve(cwd, options.configFile);
  const refused = configFile === undefined ? undefined : refuseSpecialFile(configFile);
  try {
    if (configFile !== undefined && refused !== undefined) {
      const name = relativePath(root, configFile);
      errors.push({ code: 'config', file: name, message: `cannot read ${name}: ${refused}` });
    } else {
      config = loadConfig({ cwd: root, ...(configFile === undefined ? {} : { configFile }) });
    }
  } catch (error) {
    if (isSystemError(error)) {
      // Looking for the config file met a directory it may not read, or a path too long: say which.
      errors.push({ code: 'config', ...(error.path === undefined ? {} : { file: relativePath(root, error.path) }), message: `cannot look for the config file: ${systemErrorReason(error)}` });
    } else if (!(error instanceof ConfigError)) throw error;
    else errors.push({
      code: 'config',
      file: relativePath(root, error.file),
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.column === undefined ? {} : { column: error.column }),
      message: error.detail,
    });
  }

  options.onPhase?.('loading the project');
  let project = loadProject({
    cwd,
    root,
    paths: options.paths ?? [],
    ...(options.project === undefined ? {} : { project: options.project }),
    exclude: config.exclude,
    // The config's globs are written relative to the config file.
    excludeBase: config.configFile === undefined ? root : path.dirname(config.configFile),
    ...(options.onCount === undefined ? {} : { onParsed: (count: number) => options.onCount?.('parsing files', count) }),
  });

  options.onPhase?.(`analysing ${project.files.length} files`);
  let analysis: ProgramAnalysis;
  for (;;) {
    try {
      analysis = analyzeProgram({
        program: project.program,
        files: project.files,
        root,
        config,
        ...(options.onCount === undefined ? {} : { onFunctions: (done: number, total: number) => options.onCount?.('analysing functions', done, total) }),
      });
      break;
    } catch (error) {
      if (!isStackOverflow(error)) throw error;
      // Some file is nested too deeply for the walker (or the checker it asks). Find which, then start
      // again on a fresh program without them: the overflow may have left the checker half-updated.
      const culprits = project.files.filter((file) => overflows(() => analyzeProgram({ program: project.program, files: [file], root, config })));
      if (culprits.length === 0) {
        errors.push({ code: 'too-deep', message: tooDeepMessage('analyse').replace('the file is', 'the files are') });
        analysis = analyzeProgram({ program: project.program, files: [], root, config });
        break;
      }
      project = project.without(culprits);
    }
  }
  errors.push(...project.errors);
  if (project.files.length === 0 && errors.length === 0) {
    // Nothing to analyse is never a clean result: the paths or the directory were probably not the intended ones.
    errors.push({ code: 'missing-path', message: `no source files to analyse in ${root}` });
  }
  const { reported, baselined } = applyBaseline(analysis.findings, options.baseline ?? new Set(), analysis.locks);

  const edges = analysis.graph.edges().map(reportedEdge);
  const used = new Set<string>();
  for (const edge of edges) used.add(edge.from).add(edge.to);
  for (const finding of analysis.findings) for (const lock of finding.locks) used.add(lock);
  for (const cycle of analysis.gatedCycles) for (const lock of [...cycle.locks, ...cycle.gates]) used.add(lock);
  const locks: LockInfo[] = [...used].map((id) => analysis.locks.get(id)).filter((lock): lock is LockInfo => lock !== undefined);
  locks.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const files = project.files.map((file) => relativePath(root, file.fileName)).sort();
  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    tool: { name: 'lockstep', version: LOCKSTEP_VERSION },
    root,
    files,
    errors,
    locks,
    edges,
    findings: reported,
    suppressed: { gatedCycles: analysis.gatedCycles, baselined },
    stats: {
      files: files.length,
      functions: analysis.functions,
      locks: locks.length,
      locksRecognised: countLocks(analysis.locks.values()),
      lockOperations: analysis.lockOperations,
      edges: edges.length,
      durationMs: Math.round(performance.now() - started),
    },
  };
  return { report, allFindings: analysis.findings };
}

/**
 * Other locks held that a report lists per witness, at most. The graph keeps them all (gates are
 * found from them); a report of every edge of a function holding hundreds of locks at once listed
 * each of them on each of its tens of thousands of edges, past the longest string JSON.stringify
 * can make (a 200-line function: a crash, "Invalid string length").
 */
const REPORTED_ALSO_HELD = 32;

function reportedEdge(edge: LockOrderEdge): LockOrderEdge {
  if (!edge.witnesses.some((witness) => witness.alsoHeld.length > REPORTED_ALSO_HELD)) return edge;
  return { ...edge, witnesses: edge.witnesses.map((witness) => (witness.alsoHeld.length > REPORTED_ALSO_HELD ? { ...witness, alsoHeld: witness.alsoHeld.slice(0, REPORTED_ALSO_HELD) } : witness)) };
}

/** A Node system error (`EACCES`, `ELOOP`…), with the path it concerns when Node knows it. */
function isSystemError(error: unknown): error is Error & { code: string; path?: string } {
  return error instanceof Error && typeof (error as { code?: unknown }).code === 'string' && 'syscall' in error;
}

/** Whether `run` overflows the stack. */
function overflows(run: () => unknown): boolean {
  try {
    run();
    return false;
  } catch (error) {
    if (isStackOverflow(error)) return true;
    throw error;
  }
}

function countLocks(locks: Iterable<LockInfo>): LockCounts {
  let total = 0;
  let guessed = 0;
  const bySource: Partial<Record<LockInfo['source'], number>> = {};
  for (const lock of locks) {
    total++;
    if (lock.source === 'name-fallback') guessed++;
    bySource[lock.source] = (bySource[lock.source] ?? 0) + 1;
  }
  return { total, typed: total - guessed, guessed, bySource };
}
