/**
 * The analysis of one TypeScript program: recognise locks, summarise functions, build the lock-order
 * graph, find its cycles. Input loading and output formats live elsewhere; the ESLint plugin calls
 * this directly with the program typescript-eslint already built.
 */
import type ts from 'typescript';
import { findGuardAnnotations } from './analysis/guard-annotations.js';
import { findGuardedState, type GuardedStateFacts } from './analysis/guarded-state.js';
import { findSharedViews, type SharedViewFacts } from './analysis/shared-views.js';
import { buildLockOrderGraph } from './analysis/build-lock-order.js';
import type { ConditionFacts } from './analysis/condition-uses.js';
import { summarizeProgram } from './analysis/summarize-program.js';
import type { LockstepConfig } from './config/config-model.js';
import { findFindings } from './graph/find-findings.js';
import type { LockOrderGraph } from './analysis/lock-order-graph.js';
import { lockTypesWith } from './config/configured-lock-types.js';
import { LockIdentityResolver } from './model/lock-identity.js';
import { LockRecognizer } from './model/lock-recognizer.js';
import { fingerprintFinding } from './report/fingerprint.js';
import type { Finding, GatedCycle } from './graph/finding.js';
import type { LockInfo } from './model/lock-info.js';

export interface ProgramAnalysisOptions {
  readonly program: ts.Program;
  /** The files whose functions are analysed (others are only read for types). */
  readonly files: readonly ts.SourceFile[];
  /** Paths in the results are relative to it. */
  readonly root: string;
  readonly config: Pick<LockstepConfig, 'lockTypes' | 'nameFallback'>;
  /**
   * The program's shared-memory facts, when the caller already keeps them (the ESLint plugin shares one
   * per program between rules); made from `files` on first use otherwise.
   */
  readonly sharedViews?: () => SharedViewFacts;
  /** Called as functions are summarised, with how many are done of how many matter (for progress). */
  readonly onFunctions?: (done: number, total: number) => void;
}

export interface ProgramAnalysis {
  readonly graph: LockOrderGraph;
  /** Every lock met, by id. */
  readonly locks: ReadonlyMap<string, LockInfo>;
  readonly findings: readonly Finding[];
  readonly gatedCycles: readonly GatedCycle[];
  /** How many functions (and files' top-level code) were summarised. */
  readonly functions: number;
  /** How many distinct lock operations (calls that take, try, release or scope a lock) were met. */
  readonly lockOperations: number;
  /**
   * Functions passed as callbacks that run with locks held (a lock helper's or a scoped lock's
   * callback: `withLock(this.#mutex, async () => …)`), with the ids of those locks.
   */
  readonly lockedCallbacks: ReadonlyMap<ts.Node, ReadonlySet<string>>;
  /** Condition wait/notify calls and the locks that may be held where they run (for require-held-lock). */
  readonly conditions: ConditionFacts;
  /**
   * Ids of the locks that may be held where `node` (an access, an assignment, a call, an `await`) is
   * evaluated, as the function's own walk sees it: taken earlier in the function, held through a lock
   * helper (`const release = await this.#lock()`), or inside a callback a lock helper runs. Empty where
   * no walk holds one. Locks the function's callers hold are in `conditions.heldOnEntry`.
   */
  heldLocksAt(node: ts.Node): ReadonlySet<string>;
  /**
   * Which lock guards which state (declared with `@guardedBy`, or inferred) and the writes made
   * without it; computed on first call, since only the guarded-by rule asks.
   */
  guardedState(): GuardedStateFacts;
}

const NONE_HELD: ReadonlySet<string> = new Set();

export function analyzeProgram(options: ProgramAnalysisOptions): ProgramAnalysis {
  const checker = options.program.getTypeChecker();
  const identity = new LockIdentityResolver(checker, options.root);
  const recognizer = new LockRecognizer(checker, identity, {
    lockTypes: lockTypesWith(options.config.lockTypes),
    nameFallback: options.config.nameFallback,
  });
  const summaries = summarizeProgram(checker, options.files, recognizer, options.root, options.onFunctions);
  const graph = buildLockOrderGraph(summaries);
  const heldLocksAt = (node: ts.Node): ReadonlySet<string> => summaries.heldAt.get(node) ?? NONE_HELD;
  let guarded: GuardedStateFacts | undefined;
  let views: SharedViewFacts | undefined;
  const sharedViews = (): SharedViewFacts => (views ??= options.sharedViews?.() ?? findSharedViews(options.program, options.files, options.root));
  const { findings, gatedCycles } = findFindings(graph, identity.infos, (kind, _locks, steps) => fingerprintFinding(kind, steps));
  return {
    graph,
    locks: identity.infos,
    findings,
    gatedCycles,
    functions: summaries.summaries.size,
    lockOperations: summaries.lockOperations,
    lockedCallbacks: summaries.lockedCallbacks,
    conditions: summaries.conditions,
    heldLocksAt,
    guardedState: () =>
      (guarded ??= findGuardedState({
        checker,
        files: options.files,
        root: options.root,
        heldAt: summaries.heldAt,
        heldLocksAt,
        lockedCallbacks: summaries.lockedCallbacks,
        isInlined: (fn) => summaries.conditions.isInlined(fn),
        annotations: findGuardAnnotations(options.files, checker, identity, options.root),
        isSharedView: (expression) => sharedViews().originOf(expression) !== undefined,
        lockName: (id) => identity.infos.get(id)?.name ?? id,
      })),
  };
}
