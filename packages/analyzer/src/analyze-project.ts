/**
 * One `lockstep` run without the command line: load the configuration and the project, analyse the
 * program, and assemble the report. Input problems never stop it: each becomes an InputError in the
 * report and the rest is analysed.
 */
import path from 'node:path';
import { analyzeProgram } from './analyze-program.js';
import { DEFAULT_CONFIG, type LockstepConfig } from './config/config-model.js';
import { ConfigError, loadConfig } from './config/load-config.js';
import { loadProject } from './project/load-project.js';
import { applyBaseline } from './report/baseline.js';
import { type Finding } from './graph/finding.js';
import { type LockInfo } from './model/lock-info.js';
import { type InputError } from './project/input-error.js';
import { REPORT_SCHEMA_VERSION, type LockCounts, type Report } from './report/report-model.js';
import { relativePath } from './model/source-location.js';
import { LOCKSTEP_VERSION } from './version.js';

export interface AnalyzeProjectOptions {
  /** Every relative path (and the report's paths) is relative to it. */
  readonly cwd: string;
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
}

export interface ProjectAnalysis {
  readonly report: Report;
  /** Every finding, the baselined ones included (what `--update-baseline` writes). */
  readonly allFindings: readonly Finding[];
}

export function analyzeProject(options: AnalyzeProjectOptions): ProjectAnalysis {
  const started = performance.now();
  const errors: InputError[] = [];
  const root = options.cwd;

  let config: LockstepConfig = DEFAULT_CONFIG;
  try {
    config = loadConfig({ cwd: root, ...(options.configFile === undefined ? {} : { configFile: options.configFile }) });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    errors.push({
      code: 'config',
      file: relativePath(root, error.file),
      ...(error.line === undefined ? {} : { line: error.line }),
      ...(error.column === undefined ? {} : { column: error.column }),
      message: error.detail,
    });
  }

  options.onPhase?.('loading the project');
  const project = loadProject({
    cwd: root,
    paths: options.paths ?? [],
    ...(options.project === undefined ? {} : { project: options.project }),
    exclude: config.exclude,
    // The config's globs are written relative to the config file.
    excludeBase: config.configFile === undefined ? root : path.dirname(config.configFile),
  });
  errors.push(...project.errors);

  options.onPhase?.(`analysing ${project.files.length} files`);
  const analysis = analyzeProgram({ program: project.program, files: project.files, root, config });
  const { reported, baselined } = applyBaseline(analysis.findings, options.baseline ?? new Set());

  const edges = analysis.graph.edges();
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
