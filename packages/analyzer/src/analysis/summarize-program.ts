/**
 * Summarises every function that can matter (relevance.ts), then re-walks callers of functions that
 * return holding a lock (or release their caller's) until those exit effects stop changing, so
 * `lockBoth(); …; unlockBoth()` helpers are understood.
 */
import ts from 'typescript';
import { enclosingFunction, type FunctionLike } from '../model/function-names.js';
import type { LockRecognizer } from '../model/lock-recognizer.js';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { instanceKey, type LockRef } from '../model/lock-ref.js';
import { CallResolver } from './call-resolver.js';
import { NO_EXIT_EFFECT, type DispatchCondition, type ExitEffect, type FunctionSummary, type LocalCall } from './function-summary.js';
import { summarizeFunction, type WalkerContext } from './function-walker.js';
import { findRelevantFunctions } from './relevance.js';
import { CONDITION_METHODS, ConditionFactsBuilder, type ConditionFacts } from './condition-uses.js';

/** Rounds of re-walking for exit effects; real helpers settle in one or two. */
const MAX_EXIT_ROUNDS = 6;

export interface ProgramSummaries {
  readonly summaries: ReadonlyMap<FunctionLike, FunctionSummary>;
  /** Binds a callee's lock parameter (or `this`) at a call site. */
  readonly substitute: (ref: LockRef, call: LocalCall) => LockRef;
  /**
   * A callee's dispatch condition as the caller sees it through `call`: on the caller's own parameter
   * (passed on), `null` when the argument may be of that class (or nothing is known), `false` when its
   * type says it cannot be, so the callee's path through that implementation is not taken from here.
   */
  readonly bindDispatch: (condition: DispatchCondition, call: LocalCall) => DispatchCondition | null | false;
  /**
   * Functions passed as callbacks that run with locks held (a lock helper's or a scoped lock's
   * callback), with the ids of those locks: what runs in them is under those locks.
   */
  readonly lockedCallbacks: ReadonlyMap<ts.Node, ReadonlySet<string>>;
  /** How many distinct lock operations (calls that take, try, release or scope a lock) were met. */
  readonly lockOperations: number;
  /** Condition wait/notify calls and the locks that may be held where they run. */
  readonly conditions: ConditionFacts;
  /** Ids of the locks some walk may hold where the expression is evaluated (absent: none). */
  readonly heldAt: ReadonlyMap<ts.Node, ReadonlySet<string>>;
}

export function summarizeProgram(
  checker: ts.TypeChecker,
  files: readonly ts.SourceFile[],
  recognizer: LockRecognizer,
  root: string,
  onFunctions?: (done: number, total: number) => void,
): ProgramSummaries {
  // A function calling a Condition's wait/notify matters too: require-held-lock asks who calls it holding what.
  const conditionLockOf = (call: ts.CallExpression): LockRef | undefined => {
    const callee = call.expression;
    if (!ts.isPropertyAccessExpression(callee) || !CONDITION_METHODS.has(callee.name.text)) return undefined;
    const lockType = recognizer.lockTypeOf(checker.getNonNullableType(checker.getTypeAtLocation(callee.expression)));
    if (lockType?.name !== 'Condition' || lockType.source !== 'lockstep') return undefined;
    return recognizer.lockOfArgument(callee.expression, enclosingFunction(call), false);
  };
  const relevance = findRelevantFunctions(files, new Set([...recognizer.methodNames, ...CONDITION_METHODS]), recognizer.lockModules, (call) => {
    const within = enclosingFunction(call);
    return recognizer.operationOf(call, within) !== undefined || conditionLockOf(call) !== undefined;
  });
  const conditions = new ConditionFactsBuilder();
  const resolver = new CallResolver(checker, relevance.calleeNames, new Set<ts.Node>(relevance.functions));
  const summaries = new Map<FunctionLike, FunctionSummary>();
  const argumentLocks = new Map<ts.Expression, LockRef | null>();
  const lockedCallbacks = new Map<ts.Node, Set<string>>();
  const operations = new Set<ts.CallExpression>();
  const heldAt = new Map<ts.Node, Set<string>>();

  const substitute = (ref: LockRef, call: LocalCall): LockRef => {
    const parameter = ref.parameter;
    if (parameter !== undefined && parameter.owner === call.callee) {
      if (parameter.webLockName !== undefined) {
        const named = call.unbound === true ? undefined : recognizer.identity.webLockAt(ref, call.expression, call.within);
        return named ?? { info: ref.info, instance: 'unknown', guessed: ref.guessed };
      }
      const argument = call.unbound === true ? undefined : call.expression.arguments?.[parameter.index];
      if (argument !== undefined) {
        let bound = argumentLocks.get(argument);
        if (bound === undefined) {
          bound = recognizer.lockOfArgument(argument, call.within, ref.guessed) ?? null;
          argumentLocks.set(argument, bound);
        }
        if (bound !== null) return bound;
      }
      return { info: ref.info, instance: 'unknown', guessed: ref.guessed };
    }
    // A field of the callee's `this` is the caller's only for `this.m()`; a callee's local is nobody's.
    if ((ref.instance === 'this' && !call.sameThis) || ref.instance.startsWith('symbol:')) return { ...ref, instance: 'unknown' };
    return ref;
  };

  const bindDispatch = (condition: DispatchCondition, call: LocalCall): DispatchCondition | null | false => {
    if (call.unbound === true || !ts.isCallExpression(call.expression)) return null;
    const callee = skipOuterExpressions(call.expression.expression);
    if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply')) return null;
    const argument = call.expression.arguments[condition.parameter];
    if (argument === undefined || ts.isSpreadElement(argument)) return null;
    const node = skipOuterExpressions(argument);
    const within = call.within;
    if (ts.isIdentifier(node) && within !== undefined) {
      const declaration = resolver.symbolOf(node)?.valueDeclaration;
      if (declaration !== undefined && ts.isParameter(declaration) && declaration.parent === within) {
        return { parameter: within.parameters.indexOf(declaration), implementation: condition.implementation };
      }
    }
    const type = checker.getNonNullableType(checker.getTypeAtLocation(node));
    const members = type.isUnion() ? type.types : [type];
    for (const member of members) {
      const declared = member.getSymbol()?.declarations?.find(ts.isClassLike);
      // An interface, an object type, `any`: the argument may be any implementation.
      if (declared === undefined || related(declared, condition.implementation)) return null;
    }
    return false;
  };
  const related = (a: ts.ClassLikeDeclaration, b: ts.ClassLikeDeclaration): boolean => a === b || derivesFrom(a, b) || derivesFrom(b, a);
  const derivesFrom = (sub: ts.ClassLikeDeclaration, base: ts.ClassLikeDeclaration): boolean => {
    const seen = new Set<ts.Node>();
    const pending: ts.ClassLikeDeclaration[] = [sub];
    while (pending.length > 0) {
      const current = pending.pop()!;
      if (seen.has(current)) continue;
      seen.add(current);
      if (current === base) return true;
      const symbol = current.name === undefined ? undefined : checker.getSymbolAtLocation(current.name);
      const instance = symbol === undefined ? undefined : checker.getDeclaredTypeOfSymbol(symbol);
      if (instance === undefined || !instance.isClassOrInterface()) continue;
      for (const baseType of checker.getBaseTypes(instance)) {
        const declaration = baseType.getSymbol()?.declarations?.find(ts.isClassLike);
        if (declaration !== undefined) pending.push(declaration);
      }
    }
    return false;
  };

  const context: WalkerContext = {
    root,
    recognizer,
    resolveCallees: (call) => resolver.resolveCalls(call),
    exitOf: (callee) => summaries.get(callee)?.exit ?? NO_EXIT_EFFECT,
    substitute,
    symbolOf: (node) => resolver.symbolOf(node),
    functionOfValue: (expression) => resolver.functionOfValue(expression),
    noteOperation: (call) => operations.add(call),
    noteConditionUse: (call, within, held) => {
      const lock = conditionLockOf(call);
      if (lock !== undefined) conditions.noteUse(call, lock.info.id, within, held.map((entry) => entry.ref.info.id));
    },
    noteCall: (callee, caller, held) => conditions.noteCall(callee, caller, held.map((entry) => entry.ref.info.id)),
    noteInlined: (fn) => conditions.noteInlined(fn),
    noteHeld: (node, held) => {
      let ids = heldAt.get(node);
      if (ids === undefined) heldAt.set(node, (ids = new Set<string>()));
      for (const entry of held) ids.add(entry.ref.info.id);
    },
    noteLockedCallback: (fn, held) => {
      const ids = lockedCallbacks.get(fn) ?? new Set<string>();
      for (const entry of held) ids.add(entry.ref.info.id);
      lockedCallbacks.set(fn, ids);
    },
  };

  const total = relevance.functions.length;
  for (const fn of relevance.functions) {
    summaries.set(fn, summarizeFunction(fn, context));
    onFunctions?.(summaries.size, total);
  }

  let changed = [...summaries.values()].filter((summary) => hasExitEffect(summary.exit)).map((summary) => summary.node);
  for (let round = 0; round < MAX_EXIT_ROUNDS && changed.length > 0; round++) {
    const changedSet = new Set<ts.Node>(changed);
    const callers = [...summaries.values()].filter((summary) => summary.calls.some((call) => changedSet.has(call.callee)));
    changed = [];
    for (const caller of callers) {
      const again = summarizeFunction(caller.node, context);
      summaries.set(caller.node, again);
      if (exitKey(again.exit) !== exitKey(caller.exit)) changed.push(caller.node);
    }
  }
  return { summaries, substitute, bindDispatch, lockedCallbacks, lockOperations: operations.size, conditions: conditions.build(), heldAt };
}

function hasExitEffect(exit: ExitEffect): boolean {
  return exit.leftHeld.length > 0 || exit.releasedFromCaller.length > 0 || exit.callbacks.length > 0;
}

function exitKey(exit: ExitEffect): string {
  return [
    ...exit.leftHeld.map((held) => `+${instanceKey(held.ref)}@${held.site.node.pos}`),
    ...exit.releasedFromCaller.map((ref) => `-${instanceKey(ref)}`),
    ...exit.callbacks.map((callback) => `${callback.parameter}(${callback.held.map((held) => `${instanceKey(held.ref)}@${held.site.node.pos}`).join(' ')})`),
  ].join(',');
}
