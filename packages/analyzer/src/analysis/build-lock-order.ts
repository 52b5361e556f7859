/**
 * The interprocedural step: which locks each function takes, directly or through the functions it
 * calls (computed callee-first over the call graph's strongly connected components, to a fixed point,
 * so recursion terminates), and from that every lock-order edge with its witness: a lock held in a
 * function, the lock taken while it is held, and the call chain between them. Edges between a
 * function's own lock parameters wait for its callers, which bind them.
 */
import type ts from 'typescript';
import type { FunctionLike } from '../model/function-names.js';
import { instanceKey, sameInstance, type LockRef } from '../model/lock-ref.js';
import { tarjan } from './strongly-connected.js';
import { LockOrderGraph } from './lock-order-graph.js';
import type { Acquisition, CallStep, EdgeWitness } from './lock-order-witness.js';
import type { AcquisitionSite, DispatchCondition, FunctionSummary, HeldLock, LocalCall } from './function-summary.js';
import { isReentryOf } from './function-walker.js';
import { settleGuard, type GuardOutcome, type ParameterGuard } from './parameter-guards.js';
import type { ProgramSummaries } from './summarize-program.js';

/** Sites kept per lock in one function's reach: enough witnesses, bounded work on huge call graphs. */
const MAX_SITES_PER_LOCK = 8;
/** Longer chains say nothing a shorter witness does not. */
const MAX_CHAIN = 24;

/** A lock some function takes, directly or through calls. */
interface Reach {
  readonly ref: LockRef;
  readonly site: AcquisitionSite;
  readonly chain: readonly CallStep[];
  /** Locks held on the way down in every path found (an intersection, so gates are never overstated). */
  readonly heldOnTheWay: ReadonlySet<string>;
  /** Locks of the function's caller given back before this acquisition (see LocalAcquisition). */
  readonly releasedBefore: readonly LockRef[];
  /**
   * Fields of the function's `this` that must be truthy for the acquisition to run, on every path
   * found (an intersection); a caller that cleared one of them before the call does not reach it.
   */
  readonly guards: ReadonlySet<string>;
  /** Classes the function's parameters must be instances of for the path to be taken (see DispatchCondition). */
  readonly dispatch: readonly DispatchCondition[];
  /** Tests of the function's own parameters the acquisition runs under, for its callers to settle (parameter-guards.ts). */
  readonly parameterGuards: readonly ParameterGuard[];
  /**
   * Taken only when a value some caller on the way computes at run time says so (a helper's
   * `bypass` option not passed as a constant): it orders other locks, but is not claimed to re-take
   * a lock already held — on the paths that matter the caller may have asked it not to.
   */
  readonly conditional: boolean;
}

interface PendingEdge {
  readonly from: LockRef;
  readonly to: LockRef;
  readonly witness: EdgeWitness;
  readonly fromPartial: boolean;
  /** The acquisition is {@link Reach.conditional}. */
  readonly toConditional: boolean;
  /** Either acquisition carries the `lockstep-ordered` annotation. */
  readonly ordered: boolean;
}

/** The nesting annotation: this nesting of two instances of one lock class follows an order. */
const ORDERED_ANNOTATION = /lockstep-ordered\b/;

export function buildLockOrderGraph({ summaries, substitute, bindDispatch }: ProgramSummaries): LockOrderGraph {
  const graph = new LockOrderGraph();
  const reach = new Map<FunctionLike, Map<string, Reach>>();
  const pending = new Map<FunctionLike, PendingEdge[]>();
  const called = new Set<ts.Node>();
  for (const summary of summaries.values()) for (const call of summary.calls) called.add(call.callee);

  const order = tarjan(summaries.values(), (summary) => calleesOf(summary, summaries));
  for (const component of order) {
    // Callees first; inside a recursive component, repeat until nothing new is learned.
    for (let changed = true; changed; ) {
      changed = false;
      for (const summary of component) if (computeReach(summary, reach, substitute, bindDispatch)) changed = true;
    }
  }

  for (const component of order) {
    for (const summary of component) {
      const emit = (from: HeldLock, to: LockRef, site: AcquisitionSite, chain: readonly CallStep[], alsoHeld: Iterable<string>, toConditional = false): void => {
        const witness: EdgeWitness = {
          held: acquisitionOf(from.ref, from.site, from.chain),
          acquired: acquisitionOf(to, site, chain),
          alsoHeld: [...new Set(alsoHeld)].filter((id) => id !== from.ref.info.id && id !== to.info.id).sort(),
        };
        const ordered = from.ref.info.id === to.info.id || from.ref.parameter !== undefined || to.parameter !== undefined ? isAnnotatedOrdered(from.site.node) || isAnnotatedOrdered(site.node) : false;
        addEdge(summary, { from: from.ref, to, witness, fromPartial: from.partial === true, toConditional, ordered });
      };
      const addEdge = (owner: FunctionSummary, edge: PendingEdge): void => {
        const { from, to, witness, fromPartial } = edge;
        if (from.info.id === to.info.id) {
          if (fromPartial || edge.toConditional) return; // on the paths that matter the first may not be held, or the second not taken
          // The same lock expression run again by a loop over a variable (`for (const a of all) a.lock.acquire()`)
          // takes another object each time: two instances, not one taken twice.
          const reTakenByLoop = from.instance.startsWith('symbol:') && sameSite(witness);
          // Two read holds of one ReadWriteLock: the holder's nested read never waits (lock-ref.ts `shared`).
          const bothShared = from.shared === true && to.shared === true;
          if (sameInstance(from, to) && !reTakenByLoop) {
            if (canDeadlockOnItself(to) && !bothShared) graph.addSelfDeadlock(to.info.id, witness);
            return; // re-entry of a reentrant lock, a nested read, or a counting semaphore's second permit
          }
          // An unknown instance of a reentrant lock (or a read hold) may be the held one, re-entered: only two known instances count.
          const distinct = (to.info.flavor !== 'reentrant' && !bothShared) || (from.instance !== 'unknown' && to.instance !== 'unknown');
          if (canNestInstances(to) && distinct && !edge.ordered) graph.addNestedInstances(to.info.id, witness);
          return;
        }
        if (from.parameter?.owner === owner.node || to.parameter?.owner === owner.node) {
          const list = pending.get(owner.node) ?? [];
          list.push(edge);
          pending.set(owner.node, list);
          return;
        }
        graph.addWitness(from.info.id, to.info.id, witness);
      };

      for (const acquisition of summary.acquisitions) {
        const held = acquisition.held.map((entry) => entry.ref.info.id);
        for (const entry of acquisition.held) emit(entry, acquisition.ref, acquisition.site, [], held);
      }
      for (const call of summary.calls) {
        // Edges the callee could not place, because they involve its lock parameters: bind them here.
        for (const edge of pending.get(call.callee) ?? []) {
          if (call.callee === summary.node) continue;
          const from = substitute(edge.from, call);
          const to = substitute(edge.to, call);
          // The witness now names the locks this call passes, and shows the call that passed them.
          const witness: EdgeWitness = {
            ...edge.witness,
            held: { ...edge.witness.held, lock: from.info.id, callChain: [call.step, ...edge.witness.held.callChain] },
            acquired: { ...edge.witness.acquired, lock: to.info.id },
          };
          addEdge(summary, { from, to, witness, fromPartial: edge.fromPartial, toConditional: edge.toConditional, ordered: edge.ordered });
        }
        if (call.held.length === 0) continue;
        const heldIds = call.held.map((entry) => entry.ref.info.id);
        for (const reached of reach.get(call.callee)?.values() ?? []) {
          const settled = settleParameterGuards(reached, call);
          if (settled === 'fails' || isGuardedOff(reached, call) || dispatchThrough(reached, call, bindDispatch) === false) continue;
          const to = substitute(reached.ref, call);
          if (isReentryOf(to, call.held)) continue;
          // A lock the callee gave back before this acquisition is not held by us any more there.
          const released = reached.releasedBefore.map((ref) => substitute(ref, call));
          for (const entry of call.held) {
            if (released.some((ref) => instanceKey(ref) === instanceKey(entry.ref) || sameInstance(ref, entry.ref))) continue;
            emit(entry, to, reached.site, [call.step, ...reached.chain], [...heldIds, ...reached.heldOnTheWay], reached.conditional || settled === 'unknown');
          }
        }
      }
    }
  }

  // A function nobody calls keeps its parameters as locks of their own: the best that can be said.
  for (const [owner, edges] of pending) {
    if (called.has(owner)) continue;
    for (const edge of edges) graph.addWitness(edge.from.info.id, edge.to.info.id, edge.witness);
  }
  return graph;
}

function calleesOf(summary: FunctionSummary, summaries: ProgramSummaries['summaries']): FunctionSummary[] {
  const callees: FunctionSummary[] = [];
  for (const call of summary.calls) {
    const callee = summaries.get(call.callee);
    if (callee !== undefined) callees.push(callee);
  }
  return callees;
}

function computeReach(
  summary: FunctionSummary,
  reach: Map<FunctionLike, Map<string, Reach>>,
  substitute: ProgramSummaries['substitute'],
  bindDispatch: ProgramSummaries['bindDispatch'],
): boolean {
  let own = reach.get(summary.node);
  let changed = false;
  if (own === undefined) {
    own = new Map();
    reach.set(summary.node, own);
    changed = true;
    for (const acquisition of summary.acquisitions) {
      merge(own, {
        ref: acquisition.ref,
        site: acquisition.site,
        chain: [],
        heldOnTheWay: new Set(acquisition.held.map((entry) => entry.ref.info.id)),
        releasedBefore: acquisition.releasedBefore,
        guards: new Set(acquisition.guards ?? []),
        dispatch: [],
        parameterGuards: acquisition.parameterGuards ?? [],
        conditional: false,
      });
    }
  }
  for (const call of summary.calls) {
    const callee = reach.get(call.callee);
    if (callee === undefined) continue;
    const heldIds = call.held.map((entry) => entry.ref.info.id);
    for (const reached of callee.values()) {
      if (reached.chain.length >= MAX_CHAIN || isGuardedOff(reached, call)) continue;
      const settled = settleParameterGuards(reached, call);
      if (settled === 'fails') continue;
      const dispatch = dispatchThrough(reached, call, bindDispatch);
      if (dispatch === false) continue;
      const candidate: Reach = {
        ref: substitute(reached.ref, call),
        site: reached.site,
        chain: [call.step, ...reached.chain],
        heldOnTheWay: new Set([...heldIds, ...reached.heldOnTheWay]),
        releasedBefore: [...call.releasedBefore, ...reached.releasedBefore.map((ref) => substitute(ref, call))],
        // The callee's guards are fields of our `this` only when it runs on it.
        guards: new Set([...(call.guards ?? []), ...(call.sameThis ? reached.guards : [])]),
        dispatch,
        // Settled here, by this call's arguments: the caller's own parameters are another matter.
        parameterGuards: [],
        conditional: reached.conditional || settled === 'unknown',
      };
      if (merge(own, candidate)) changed = true;
    }
  }
  return changed;
}

const sitesPerLock = new WeakMap<Map<string, Reach>, Map<string, number>>();

/** Adds or improves an entry; true when something changed. */
function merge(into: Map<string, Reach>, candidate: Reach): boolean {
  const key = `${candidate.ref.info.id}@${candidate.ref.instance}#${candidate.ref.parameter?.index ?? ''}|${candidate.site.location.file}:${candidate.site.node.pos}`;
  const existing = into.get(key);
  if (existing === undefined) {
    let counts = sitesPerLock.get(into);
    if (counts === undefined) sitesPerLock.set(into, (counts = new Map<string, number>()));
    const sites = counts.get(candidate.ref.info.id) ?? 0;
    if (sites >= MAX_SITES_PER_LOCK) return false;
    counts.set(candidate.ref.info.id, sites + 1);
    into.set(key, candidate);
    return true;
  }
  const shorter = candidate.chain.length < existing.chain.length;
  const gates = [...existing.heldOnTheWay].filter((id) => candidate.heldOnTheWay.has(id));
  const guards = [...existing.guards].filter((field) => candidate.guards.has(field));
  const candidateConditions = new Set(candidate.dispatch.map(conditionKey));
  const dispatch = existing.dispatch.filter((condition) => candidateConditions.has(conditionKey(condition)));
  // Certain on one path is certain.
  const conditional = existing.conditional && candidate.conditional;
  if (!shorter && gates.length === existing.heldOnTheWay.size && guards.length === existing.guards.size && dispatch.length === existing.dispatch.length && conditional === existing.conditional) return false;
  into.set(key, { ...(shorter ? candidate : existing), heldOnTheWay: new Set(gates), guards: new Set(guards), dispatch, conditional });
  return true;
}

function conditionKey(condition: DispatchCondition): string {
  return `${condition.parameter}:${condition.implementation.getSourceFile().fileName}:${condition.implementation.pos}`;
}

/**
 * The dispatch conditions of a path through `call`, on the caller's parameters; `false` when the
 * arguments show the path cannot be taken (`peek(storage: StorageFacade)` reaching the locking
 * implementation, called with a `StorageClass`, which does not lock: Amplify DataStore).
 */
function dispatchThrough(reached: Reach, call: LocalCall, bindDispatch: ProgramSummaries['bindDispatch']): readonly DispatchCondition[] | false {
  const conditions: DispatchCondition[] = call.dispatch === undefined ? [] : [call.dispatch];
  for (const condition of reached.dispatch) {
    const bound = bindDispatch(condition, call);
    if (bound === false) return false;
    if (bound !== null) conditions.push(bound);
  }
  return conditions;
}

/**
 * What `call`'s arguments say about the guards on the callee's parameters: `fails` when one is
 * certainly false (the caller passed `bypass: true`), `unknown` when one depends on a value computed
 * at run time, `holds` otherwise. A callback passed as a value gets no arguments of ours: unknown.
 */
function settleParameterGuards(reached: Reach, call: LocalCall): GuardOutcome {
  if (reached.parameterGuards.length === 0) return 'holds';
  if (call.unbound === true) return 'unknown';
  let outcome: GuardOutcome = 'holds';
  for (const guard of reached.parameterGuards) {
    const settled = settleGuard(guard, call.expression);
    if (settled === 'fails') return 'fails';
    if (settled === 'unknown') outcome = 'unknown';
  }
  return outcome;
}

/** The callee reaches this acquisition only when a field of our `this` is set, and the call comes after we cleared it. */
function isGuardedOff(reached: Reach, call: LocalCall): boolean {
  if (!call.sameThis || call.cleared === undefined || reached.guards.size === 0) return false;
  return call.cleared.some((field) => reached.guards.has(field));
}

function acquisitionOf(ref: LockRef, site: AcquisitionSite, chain: readonly CallStep[]): Acquisition {
  return { lock: ref.info.id, location: site.location, function: site.function, callChain: chain, form: site.form, guessed: ref.guessed };
}

/**
 * Locks whose instances nested in opposite orders deadlock: mutexes, reentrant locks (re-entry of one
 * instance never reaches here), and one-permit semaphores. Counting semaphores are left out: their
 * nesting needs as many contexts as permits, and pools of them are commonly taken together.
 */
function canNestInstances(ref: LockRef): boolean {
  return ref.info.flavor === 'mutex' || ref.info.flavor === 'reentrant' || (ref.info.flavor === 'semaphore' && ref.info.count === 1);
}

/** Both acquisitions of a witness are one expression, reached without calls (a loop's next iteration). */
function sameSite(witness: EdgeWitness): boolean {
  const { held, acquired } = witness;
  return (
    held.callChain.length === 0 &&
    acquired.callChain.length === 0 &&
    held.location.file === acquired.location.file &&
    held.location.line === acquired.location.line &&
    held.location.column === acquired.location.column
  );
}

/** `// lockstep-ordered: by account id` on the acquisition's line or the line before it. */
function isAnnotatedOrdered(node: ts.Node): boolean {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart(file));
  const starts = file.getLineStarts();
  const from = starts[Math.max(0, line - 1)] ?? 0;
  const to = starts[line + 1] ?? file.text.length;
  return ORDERED_ANNOTATION.test(file.text.slice(from, to));
}

/** A mutex, or a semaphore of one permit: taken again by its holder, it never comes free. */
function canDeadlockOnItself(ref: LockRef): boolean {
  return ref.info.flavor === 'mutex' || (ref.info.flavor === 'semaphore' && ref.info.count === 1);
}
