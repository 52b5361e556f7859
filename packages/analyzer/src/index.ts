/**
 * `@lockstep/analyzer`: the lock model (what is a lock, which lock it is, how it is held), the
 * whole-program lock-order graph, and the `lockstep` deadlock report in text, JSON, SARIF and DOT.
 * The ESLint plugin builds on `analyzeProgram` and the lock recogniser so a lock means the same thing
 * in a lint message and in a report.
 *
 * @example
 * ```ts
 * import { analyzeProject, formatText } from '@lockstep/analyzer';
 *
 * const { report } = analyzeProject({ cwd: process.cwd(), project: 'tsconfig.json' });
 * console.log(formatText(report, { color: false }));
 * process.exitCode = report.findings.length > 0 ? 1 : 0;
 * ```
 *
 * @packageDocumentation
 */
export { analyzeProgram, type ProgramAnalysis, type ProgramAnalysisOptions } from './analyze-program.js';
export type { GuardEvidence, GuardFinding, GuardFindingKind, GuardedStateFacts } from './analysis/guarded-state.js';
export { CONDITION_METHODS, type ConditionFacts, type ConditionUse } from './analysis/condition-uses.js';
export { findSharedViews, type SharedOrigin, type SharedReason, type SharedViewFacts } from './analysis/shared-views.js';
export { analyzeProject, type AnalyzeProjectOptions, type ProjectAnalysis } from './analyze-project.js';
export { lockTypesWith } from './config/configured-lock-types.js';
export { DEFAULT_CONFIG, type LockstepConfig, type LockTypeConfig } from './config/config-model.js';
export { ConfigError, findConfig, loadConfig } from './config/load-config.js';
export { loadProject, type LoadedProject } from './project/load-project.js';
export {
  BUILT_IN_LOCK_TYPES,
  FALLBACK_METHODS,
  LOCK_SHAPE_METHODS,
  flavorFromName,
  identifierWords,
  looksLikeConditionName,
  looksLikeLockName,
  type LockMethodRole,
  type LockType,
} from './model/lock-catalog.js';
export { LockIdentityResolver, skipOuterExpressions, type LockTypeFacts } from './model/lock-identity.js';
export { isUntyped, LockRecognizer, type LockOperation, type RecognizerOptions } from './model/lock-recognizer.js';
export { sameInstance, type LockInstance, type LockRef } from './model/lock-ref.js';
export { packageNameOf } from './model/package-name.js';
export { functionName, type FunctionLike } from './model/function-names.js';
export { LockOrderGraph } from './analysis/lock-order-graph.js';
export { canonicalRotation, shortestCycleThrough, stronglyConnectedComponents } from './graph/cycles.js';
export { tarjan } from './analysis/strongly-connected.js';
export { findFindings, fixSite, type FindingsResult, type Fingerprinter } from './graph/find-findings.js';
export { isSingleLockKind } from './graph/finding.js';
export { applyBaseline, BaselineError, readBaseline, writeBaseline } from './report/baseline.js';
export { fingerprintFinding } from './report/fingerprint.js';
export { formatDot } from './report/format-dot.js';
export { formatJson } from './report/format-json.js';
export { formatSarif } from './report/format-sarif.js';
export { formatText, type TextFormatOptions } from './report/format-text.js';
export * from './report/report-model.js';
export { main as runCli, EXIT_CLEAN, EXIT_ERROR, EXIT_FINDINGS, type CliEnvironment } from './cli/main.js';
export { LOCKSTEP_DOCS_URL, LOCKSTEP_VERSION } from './version.js';
