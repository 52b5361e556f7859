/**
 * Where `Condition.wait`/`notify` run, and with which locks held, across the program: what
 * `require-held-lock` needs to tell a notify whose every caller holds the condition's lock from one
 * that no caller does. The walker notes each use with what its walk holds there, and every resolved
 * call with what the caller holds; the locks that may be held when a function starts follow over the
 * call graph to a fixed point.
 */
import type ts from 'typescript';
import type { FunctionLike } from '../model/function-names.js';

/** Condition methods that throw unless the condition's lock is held. */
export const CONDITION_METHODS: ReadonlySet<string> = new Set(['wait', 'waitAsync', 'waitFor', 'waitForAsync', 'notify', 'notifyAll']);

/** One walk's view of a condition method call. */
export interface ConditionUse {
  /** The id of the lock the condition is held through (its own RLock, or the lock it was built on). */
  readonly lock: string;
  /** The function whose walk met it (an inlined callback's outer function). */
  readonly within: FunctionLike;
  /** Ids of the locks that walk may hold at the call. */
  readonly held: ReadonlySet<string>;
}

/** What the program knows about condition uses and the locks held on entry to each function. */
export interface ConditionFacts {
  /** Every condition method call met, with one entry per walk that met it. */
  readonly uses: ReadonlyMap<ts.CallExpression, readonly ConditionUse[]>;
  /** Ids of the locks some caller (directly or further up) may hold when the function runs. */
  heldOnEntry(fn: FunctionLike): ReadonlySet<string>;
  /** Whether any call in the program (or a lock helper running it as a callback) reaches the function. */
  isCalled(fn: FunctionLike): boolean;
  /** Callbacks walked where they are passed (`forEach`, `new Promise`): their uses count in the outer walk. */
  isInlined(fn: ts.Node): boolean;
}

const EMPTY: ReadonlySet<string> = new Set();

/** Collects the walker's notes and answers for the whole program once the walks are done. */
export class ConditionFactsBuilder {
  readonly #uses = new Map<ts.CallExpression, Map<FunctionLike, ConditionUse>>();
  /** callee → caller → ids held at some call. */
  readonly #calls = new Map<FunctionLike, Map<FunctionLike, Set<string>>>();
  readonly #inlined = new Set<ts.Node>();

  noteUse(call: ts.CallExpression, lock: string, within: FunctionLike, held: Iterable<string>): void {
    let byWalk = this.#uses.get(call);
    if (byWalk === undefined) this.#uses.set(call, (byWalk = new Map<FunctionLike, ConditionUse>()));
    // A later walk of the same function (exit effects settled) knows at least as much: it wins.
    byWalk.set(within, { lock, within, held: new Set(held) });
  }

  noteCall(callee: FunctionLike, caller: FunctionLike, held: Iterable<string>): void {
    let callers = this.#calls.get(callee);
    if (callers === undefined) this.#calls.set(callee, (callers = new Map<FunctionLike, Set<string>>()));
    const ids = callers.get(caller) ?? new Set<string>();
    for (const id of held) ids.add(id);
    callers.set(caller, ids);
  }

  noteInlined(fn: ts.Node): void {
    this.#inlined.add(fn);
  }

  build(): ConditionFacts {
    const entry = new Map<FunctionLike, Set<string>>();
    // Locks held on entry: those held at any call, and those held on entry to the caller. Sets only grow.
    const work = [...this.#calls.keys()];
    const dependents = new Map<FunctionLike, FunctionLike[]>();
    for (const [callee, callers] of this.#calls) for (const caller of callers.keys()) dependents.set(caller, [...(dependents.get(caller) ?? []), callee]);
    while (work.length > 0) {
      const callee = work.pop()!;
      const ids = entry.get(callee) ?? new Set<string>();
      const before = ids.size;
      for (const [caller, held] of this.#calls.get(callee) ?? []) {
        for (const id of held) ids.add(id);
        if (caller !== callee) for (const id of entry.get(caller) ?? EMPTY) ids.add(id);
      }
      entry.set(callee, ids);
      if (ids.size !== before) work.push(...(dependents.get(callee) ?? []));
    }
    const uses = new Map<ts.CallExpression, readonly ConditionUse[]>();
    for (const [call, byWalk] of this.#uses) uses.set(call, [...byWalk.values()]);
    return {
      uses,
      heldOnEntry: (fn) => entry.get(fn) ?? EMPTY,
      isCalled: (fn) => this.#calls.has(fn),
      isInlined: (fn) => this.#inlined.has(fn),
    };
  }
}
