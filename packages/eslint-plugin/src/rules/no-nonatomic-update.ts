/**
 * `no-nonatomic-update`: an update that reads a value and writes it back in two steps while another
 * context may change it in between, so that context's update is lost.
 *
 * (a) Shared memory: an element of a typed array over a `SharedArrayBuffer` updated with `++`, `+=`,
 *     `x[i] = x[i] + d` or a check-then-act `if (x[i] === a) x[i] = b` — another thread may write the
 *     element between the read and the write; `Atomics` does both in one step.
 * (b) Across a suspension: in an async function (or a generator) a write of shared state whose new
 *     value was computed from a read made before an `await`/`yield` — other tasks run at the `await` —
 *     or that acts on a check of it made before one (`if (this.balance >= n) { await audit(); … }`).
 *
 * Both are quiet inside a held lock. "Shared" is decided from declarations and types, not from the
 * mere shape of the code: see docs/rules/no-nonatomic-update.md for what counts and why.
 */
import path from 'node:path';
import { FALLBACK_METHODS, looksLikeLockName } from '@lockstep/analyzer';
import type { LockMethodRole, SharedOrigin } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, TSESLint as TSESLintRuntime } from '@typescript-eslint/utils';
import ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { isFunction, isNode } from '../util/estree-nodes.js';
import { displayPath } from '../util/finding-sites.js';
import type { FunctionNode } from '../util/estree-nodes.js';
import { analysisOfProgram } from '../util/program-analysis.js';
import { recognizerFor } from '../util/rule-recognizer.js';
import { resolveSettings } from '../util/settings.js';
import { sharedViewFactsOf } from '../util/shared-view-facts.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** A read-modify-write of a shared typed array's element (`++`, `op=`, `x[i] = x[i] op y`). */
  | 'nonAtomicSharedMemory'
  /** `if (x[i] === a) x[i] = b` on a shared typed array. */
  | 'nonAtomicCheckThenAct'
  /** A write of shared state computed from a value read before an `await` or `yield`. */
  | 'staleWriteAfterAwait'
  /** The same, with the read, the suspension and the write in one assignment (`total += await part()`). */
  | 'staleWriteInStatement'
  /** A write of shared state on the branch of a check of it made before an `await` or `yield`. */
  | 'staleCheckAfterAwait'
  /** Suggestion: the `Atomics` method that does the update in one step. */
  | 'useAtomics';

/** Data of `nonAtomicSharedMemory`. */
export interface NonAtomicData extends Record<string, string> {
  /** The typed array, as written. */
  readonly view: string;
  /** The element, `view[index]` as written. */
  readonly element: string;
  /** `++`, `--`, the compound operator (`+=`…), or for `x[i] = x[i] op y` the binary operator (`=` when it is no binary operation). */
  readonly operator: string;
  /**
   * Why the typed array is taken to view a SharedArrayBuffer, with the evidence's place when it has
   * one: "typed Int32Array<SharedArrayBuffer>", "a field assigned from a SharedArrayBuffer view at
   * src/pool.ts:12", "taken from workerData at src/worker.ts:3" (the analyzer's `SharedOrigin.description`).
   */
  readonly why: string;
}

/** Data of `nonAtomicCheckThenAct`. */
export interface CheckThenActData extends Record<string, string> {
  /** The typed array, as written. */
  readonly view: string;
  /** The element checked and then stored, `view[index]` as written. */
  readonly element: string;
  /** Why the typed array is taken to view a SharedArrayBuffer, as in {@link NonAtomicData.why}. */
  readonly why: string;
}

/** Data of `staleWriteAfterAwait`. */
export interface StaleWriteData extends Record<string, string> {
  /** The variable or property written, as written. */
  readonly target: string;
  /** The line of the last `await` (or `yield`) between the read and the write. */
  readonly line: string;
}

/** Data of `staleWriteInStatement`. */
export interface StaleWriteInStatementData extends Record<string, string> {
  /** The variable or property written, as written. */
  readonly target: string;
  /** `await` or `yield`: the suspension inside the assignment. */
  readonly suspension: string;
}

/** Data of `staleCheckAfterAwait`. */
export interface StaleCheckData extends Record<string, string> {
  /** The variable or property checked and then written, as written at the write. */
  readonly target: string;
  /** The line of the last `await` (or `yield`) between the check and the write. */
  readonly line: string;
}

/** Typed arrays, and whether `Atomics` works on them (only the integer ones). */
const TYPED_ARRAYS: ReadonlyMap<string, boolean> = new Map([
  ['Int8Array', true],
  ['Uint8Array', true],
  ['Int16Array', true],
  ['Uint16Array', true],
  ['Int32Array', true],
  ['Uint32Array', true],
  ['BigInt64Array', true],
  ['BigUint64Array', true],
  ['Uint8ClampedArray', false],
  ['Float16Array', false],
  ['Float32Array', false],
  ['Float64Array', false],
]);
const BIGINT_ARRAYS: ReadonlySet<string> = new Set(['BigInt64Array', 'BigUint64Array']);

/** Compound assignment operator → the `Atomics` method doing the same in one step. */
const ATOMIC_COMPOUND: ReadonlyMap<string, string> = new Map([
  ['+=', 'add'],
  ['-=', 'sub'],
  ['&=', 'and'],
  ['|=', 'or'],
  ['^=', 'xor'],
]);
/** Binary operator of `x[i] = x[i] op y` → `Atomics` method; `commutative` also accepts `y op x[i]`. */
const ATOMIC_BINARY: ReadonlyMap<string, { readonly method: string; readonly commutative: boolean }> = new Map([
  ['+', { method: 'add', commutative: true }],
  ['-', { method: 'sub', commutative: false }],
  ['&', { method: 'and', commutative: true }],
  ['|', { method: 'or', commutative: true }],
  ['^', { method: 'xor', commutative: true }],
]);

/**
 * Parameters that are per-call objects handed in by a framework (Koa's `ctx`, Express' `req`/`res`,
 * Fastify's `reply`, DOM events): each call gets its own, so they are local state, not shared — the
 * false positives of ESLint's rule (koajs/koa#1351).
 */
const PER_CALL_NAMES = /^(?:ctx|context|req|request|res|response|reply|event|evt)$/i;
const PER_CALL_TYPE_NAMES = /(?:Context|Request|Response|Reply|IncomingMessage|ServerResponse|Event)$/;

/** Controllers a Streams callback receives beside its chunk. */
const STREAM_CONTROLLERS: ReadonlySet<string> = new Set(['TransformStreamDefaultController', 'WritableStreamDefaultController']);
const NODE_TYPES_PATH = /[\\/]node_modules[\\/]@types[\\/]node[\\/]/;

type ScopeVariable = TSESLint.Scope.Variable;
const { ScopeType, DefinitionType } = TSESLintRuntime.Scope;

interface LockCall {
  readonly role: LockMethodRole;
  /** The receiver as written: an acquire and a release match when they name the same lock expression. */
  readonly key: string;
}

/** What one async function or generator contains, gathered once per function. */
interface FunctionFacts {
  /** `await` and `yield` expressions, in source order (nested functions excluded). */
  readonly suspensions: readonly TSESTree.Node[];
  /** Reads of member chains (`this.count`, `cache.size`) by key. */
  readonly memberReads: ReadonlyMap<string, readonly TSESTree.Node[]>;
}

export default createRule<Options, MessageId>({
  name: 'no-nonatomic-update',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Disallow non-atomic read-modify-write of shared memory and of shared state across `await`',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      nonAtomicSharedMemory:
        "'{{view}}' is a typed array over a SharedArrayBuffer ({{why}}): '{{operator}}' reads '{{element}}' and writes it back in two steps, so an update another thread makes in between is lost. Use an 'Atomics' operation, or hold a lock.",
      nonAtomicCheckThenAct:
        "'{{element}}' is checked and then written in two steps, but '{{view}}' is a typed array over a SharedArrayBuffer ({{why}}): another thread may change the element in between. Use 'Atomics.compareExchange', or hold a lock.",
      staleWriteAfterAwait:
        "'{{target}}' is written from a value read before the suspension on line {{line}}: other tasks run meanwhile and may change it, and their update is lost. Read it again after the suspension, or hold one lock across the read, the suspension and the write.",
      staleWriteInStatement:
        "'{{target}}' is read, then the function suspends at the '{{suspension}}' in this same statement, then it is written: other tasks run meanwhile and may change it, and their update is lost. Take the awaited value into a local first and update from the current value, or hold one lock across the statement.",
      staleCheckAfterAwait:
        "'{{target}}' is written after a check of it made before the suspension on line {{line}}: other tasks run meanwhile and may change it, so the check may no longer hold. Check it again after the suspension, or hold one lock across the check, the suspension and the write.",
      useAtomics: "Replace with 'Atomics.{{method}}()', which reads and writes in one step.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const settings = resolveSettings(context.settings, context.cwd);
    const services = context.sourceCode.parserServices;
    const program = services?.program ?? null;
    const nodeMap = services?.esTreeNodeToTSNodeMap;
    const checker = program?.getTypeChecker() ?? null;
    const recognizer = checker === null ? null : recognizerFor(checker, settings, context.cwd);
    const sourceCode = context.sourceCode;
    const visitorKeys = sourceCode.visitorKeys;

    const lockCalls = new WeakMap<TSESTree.CallExpression, LockCall | null>();
    const releasesByRoot = new WeakMap<TSESTree.Node, readonly { readonly call: TSESTree.CallExpression; readonly key: string }[]>();
    const factsByFunction = new WeakMap<FunctionNode, FunctionFacts>();
    const heldOnEntryCache = new WeakMap<FunctionNode, ReadonlySet<string>>();

    function tsTypeOf(node: TSESTree.Node): ts.Type | undefined {
      if (checker === null || nodeMap === undefined) return undefined;
      return checker.getNonNullableType(checker.getTypeAtLocation(nodeMap.get(node)));
    }

    function text(node: TSESTree.Node): string {
      return sourceCode.getText(node);
    }

    /** Whitespace- and comment-insensitive text, to tell whether two expressions are written alike. */
    function tokensOf(node: TSESTree.Node): string {
      return sourceCode
        .getTokens(node)
        .map((token) => token.value)
        .join(' ');
    }

    /** Calls `visit` on `node` and its descendants, not entering nested functions. */
    function walk(node: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
      visit(node);
      for (const key of visitorKeys[node.type] ?? []) {
        const child = (node as unknown as Record<string, unknown>)[key];
        for (const item of Array.isArray(child) ? child : [child]) {
          if (!isNode(item) || isFunction(item)) continue;
          walk(item, visit);
        }
      }
    }

    function variableOf(identifier: TSESTree.Identifier): ScopeVariable | undefined {
      // Only references resolve: a property name or a declaration's own name has no reference.
      const reference = sourceCode.getScope(identifier).references.find((candidate) => candidate.identifier === identifier);
      return reference?.resolved ?? undefined;
    }

    function isModuleVariable(variable: ScopeVariable): boolean {
      return variable.scope.type === ScopeType.module || variable.scope.type === ScopeType.global;
    }

    // ---- locks ----------------------------------------------------------------------------------

    /** The lock operation `call` is: by type through the analyzer's recognizer, else by name. */
    function lockCallOf(call: TSESTree.CallExpression): LockCall | undefined {
      const cached = lockCalls.get(call);
      if (cached !== undefined) return cached ?? undefined;
      let found: LockCall | undefined;
      const callee = skipWrappers(call.callee);
      if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) {
        const method = callee.property.name;
        let role: LockMethodRole | undefined;
        if (recognizer !== null && nodeMap !== undefined) {
          if (recognizer.methodNames.has(method)) role = recognizer.operationOf(nodeMap.get(call), undefined)?.role;
        } else {
          const name = receiverName(callee.object);
          if (name !== undefined && looksLikeLockName(name)) role = FALLBACK_METHODS.get(method);
        }
        if (role !== undefined) found = { role, key: tokensOf(callee.object) };
      }
      lockCalls.set(call, found ?? null);
      return found;
    }

    /** The lock a statement takes and keeps (`lock.acquire();`, `const release = await mutex.acquire();`). */
    function acquiredBy(statement: TSESTree.Node): LockCall | undefined {
      let expression: TSESTree.Node | null | undefined;
      if (statement.type === AST_NODE_TYPES.ExpressionStatement) expression = statement.expression;
      else if (statement.type === AST_NODE_TYPES.VariableDeclaration && statement.kind !== 'using' && statement.kind !== 'await using') {
        expression = statement.declarations.length === 1 ? statement.declarations[0]?.init : undefined;
      }
      const call = expression === null || expression === undefined ? undefined : callIn(expression);
      const lock = call === undefined ? undefined : lockCallOf(call);
      return lock?.role === 'acquire' ? lock : undefined;
    }

    /** `using _ = lock.hold()` / `await using _ = await lock.holdAsync()`: held to the end of the block. */
    function holdsByUsing(statement: TSESTree.Node): boolean {
      if (statement.type !== AST_NODE_TYPES.VariableDeclaration || (statement.kind !== 'using' && statement.kind !== 'await using')) return false;
      return statement.declarations.some((declarator) => {
        const call = declarator.init === null ? undefined : callIn(declarator.init);
        const role = call === undefined ? undefined : lockCallOf(call)?.role;
        return role === 'hold' || role === 'acquire';
      });
    }

    /** Release calls of a function body (or of the file's top level), with their lock keys. */
    function releasesIn(root: TSESTree.Node): readonly { readonly call: TSESTree.CallExpression; readonly key: string }[] {
      let releases = releasesByRoot.get(root);
      if (releases === undefined) {
        const found: { call: TSESTree.CallExpression; key: string }[] = [];
        walk(root, (node) => {
          if (node.type !== AST_NODE_TYPES.CallExpression) return;
          const callee = skipWrappers(node.callee);
          // Only calls named like a release are worth a type query.
          if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
          if (!RELEASE_NAMES.has(callee.property.name) && recognizer?.methodNames.has(callee.property.name) !== true) return;
          const lock = lockCallOf(node);
          if (lock?.role === 'release') found.push({ call: node, key: lock.key });
        });
        releasesByRoot.set(root, (releases = found));
      }
      return releases;
    }

    /**
     * Whether a release of `key` runs after `after` and before `end` on the path that reaches `end`.
     * A release in a branch that leaves (its block ends in `return`/`throw`/`break`/`continue` and does
     * not contain `end`) is on another path.
     */
    function releasedBetween(key: string, after: TSESTree.Node, end: TSESTree.Node, root: TSESTree.Node): boolean {
      return releasesIn(root).some(({ call, key: releaseKey }) => {
        if (releaseKey !== key || call.range[0] < after.range[1] || call.range[1] > end.range[0]) return false;
        // `Program.parent` is null at run time, whatever the AST types say: test truthiness.
        for (let node: TSESTree.Node | undefined = call.parent; node && node !== root; node = node.parent) {
          if (node.type === AST_NODE_TYPES.BlockStatement && !contains(node, end) && endsByLeaving(node)) return false;
        }
        return true;
      });
    }

    /**
     * Whether the whole-program analysis saw `fn` run with locks held as a callback: passed inline or by
     * reference to a lock helper (`withLock(mutex, fn)`, `#withControllerLock(fn)`) or a scoped lock.
     * Only with type information; the analysis is the one every whole-program rule shares.
     */
    function runsUnderHelperLock(fn: FunctionNode): boolean {
      if (program === null || nodeMap === undefined) return false;
      const tsNode = nodeMap.get(fn);
      return analysisOfProgram(program, settings).analysis.lockedCallbacks.has(tsNode);
    }

    /** Whether `fn` is a callback that a scoped lock (`runExclusive(cb)`, `navigator.locks.request(name, cb)`) runs. */
    function runsUnderScopedLock(fn: FunctionNode): boolean {
      let argument: TSESTree.Node = fn;
      while (isTypeWrapper(argument.parent)) argument = argument.parent;
      const call = argument.parent;
      return call?.type === AST_NODE_TYPES.CallExpression && call.arguments.includes(argument as TSESTree.CallExpressionArgument) && lockCallOf(call)?.role === 'scoped';
    }

    /**
     * The call that starts the runs of the async closure `fn` together: it is the callback of an array
     * method that calls it for every element without waiting (`items.map(async …)`, `forEach`).
     */
    function callStartingTogether(fn: FunctionNode): TSESTree.CallExpression | undefined {
      if (!fn.async) return undefined;
      let argument: TSESTree.Node = fn;
      while (isTypeWrapper(argument.parent)) argument = argument.parent;
      const call = argument.parent;
      if (call?.type !== AST_NODE_TYPES.CallExpression || !call.arguments.includes(argument as TSESTree.CallExpressionArgument)) return undefined;
      const callee = skipWrappers(call.callee);
      const together = callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier && STARTS_RUNS_TOGETHER.has(callee.property.name);
      return together ? call : undefined;
    }

    /** Calls `visit` on `node` and all its descendants, nested functions included. */
    function everyNode(node: TSESTree.Node, visit: (node: TSESTree.Node) => void): void {
      visit(node);
      for (const key of visitorKeys[node.type] ?? []) {
        const child = (node as unknown as Record<string, unknown>)[key];
        for (const item of Array.isArray(child) ? child : [child]) if (isNode(item)) everyNode(item, visit);
      }
    }

    /**
     * The call that starts the runs of the async closure around `node` together (`items.map(async …)`),
     * looking outwards until a closure that takes a lock for each run (a scoped lock's or a lock helper's
     * callback). A lock held around that call does not order the runs: each one suspends inside it and
     * the next one proceeds, so only a lock taken inside the closure guards its updates across a
     * suspension.
     */
    function callStartingRunsTogether(node: TSESTree.Node): TSESTree.CallExpression | undefined {
      for (let current: TSESTree.Node | undefined = node.parent; current; current = current.parent) {
        if (!isFunction(current)) continue;
        if (runsUnderScopedLock(current) || runsUnderHelperLock(current)) return undefined;
        const call = callStartingTogether(current);
        if (call !== undefined) return call;
      }
      return undefined;
    }

    /**
     * Ids of the locks the whole-program analysis sees held where `node` is evaluated, as the walk of
     * its function sees it. The analysis notes expressions only (accesses, assignments, updates, calls,
     * suspensions): a statement is asked at its test, and wrappers are looked through.
     */
    function heldIdsAt(node: TSESTree.Node): ReadonlySet<string> {
      if (program === null || nodeMap === undefined) return NO_IDS;
      let tsNode: ts.Node = nodeMap.get(node);
      if (ts.isIfStatement(tsNode) || ts.isExpressionStatement(tsNode)) tsNode = tsNode.expression;
      while (ts.isParenthesizedExpression(tsNode) || ts.isAsExpression(tsNode) || ts.isNonNullExpression(tsNode) || ts.isSatisfiesExpression(tsNode) || ts.isTypeAssertionExpression(tsNode)) {
        tsNode = tsNode.expression;
      }
      return analysisOfProgram(program, settings).analysis.heldLocksAt(tsNode);
    }

    /**
     * Ids of the locks held at every call of `fn`, when every call is in view: a private method's
     * (`#apply`, `private apply`) within its class, or the calls of a function the file declares and
     * does not export. A reference that is not a call (a callback, an export) may run the function
     * elsewhere and ends the search. The analysis's own `heldOnEntry` cannot serve: it says only that
     * *some* caller may hold a lock, and follows calls only into functions that take locks themselves.
     */
    function heldOnEveryEntry(fn: FunctionNode, visiting: Set<FunctionNode> = new Set<FunctionNode>()): ReadonlySet<string> {
      if (program === null || nodeMap === undefined || visiting.has(fn)) return NO_IDS;
      const cached = visiting.size === 0 ? heldOnEntryCache.get(fn) : undefined;
      if (cached !== undefined) return cached;
      const calls = visibleCallsOf(fn);
      let every: Set<string> | undefined;
      if (calls !== undefined) {
        visiting.add(fn);
        for (const call of calls) {
          // An async call left running goes on after its first `await`, when the caller may have let go.
          const held = new Set((fn.async || fn.generator) && !isWaitedFor(call) ? NO_IDS : heldIdsAt(call));
          const caller = enclosingFunction(call);
          if (caller !== undefined && held.size > 0) for (const id of heldOnEveryEntry(caller, visiting)) held.add(id);
          every = every === undefined ? held : new Set([...every].filter((id) => held.has(id)));
          if (every.size === 0) break;
        }
        visiting.delete(fn);
      }
      const result = every ?? NO_IDS;
      if (visiting.size === 0) heldOnEntryCache.set(fn, result);
      return result;
    }

    /**
     * Whether the caller waits for the async call `call` to settle before it moves on: the call is
     * awaited, or returned from a callback that a scoped lock or a lock helper runs (which awaits it
     * before it releases). Not `return call()` elsewhere: a `finally { release(); }` runs before the
     * returned promise settles.
     */
    function isWaitedFor(call: TSESTree.CallExpression): boolean {
      let node: TSESTree.Node = call;
      while (isTypeWrapper(node.parent) || node.parent?.type === AST_NODE_TYPES.ChainExpression) node = node.parent;
      const parent = node.parent;
      if (parent?.type === AST_NODE_TYPES.AwaitExpression) return true;
      let callback: TSESTree.Node | undefined;
      if (parent?.type === AST_NODE_TYPES.ArrowFunctionExpression && parent.body === node) callback = parent;
      else if (parent?.type === AST_NODE_TYPES.ReturnStatement) callback = enclosingFunction(parent);
      return isFunction(callback) && (runsUnderScopedLock(callback) || runsUnderHelperLock(callback));
    }

    /** Every call of `fn` when all of them are in view (see `heldOnEveryEntry`), else undefined. */
    function visibleCallsOf(fn: FunctionNode): readonly TSESTree.CallExpression[] | undefined {
      const calls: TSESTree.CallExpression[] = [];
      const callOf = (reference: TSESTree.Node): boolean => {
        let use = reference;
        while (isTypeWrapper(use.parent)) use = use.parent;
        if (use.parent?.type !== AST_NODE_TYPES.CallExpression || use.parent.callee !== use) return false;
        calls.push(use.parent);
        return true;
      };
      const parent = fn.parent;
      if (parent?.type === AST_NODE_TYPES.MethodDefinition && parent.value === fn) {
        const key = parent.key;
        const privateName = key.type === AST_NODE_TYPES.PrivateIdentifier;
        if (parent.kind !== 'method' || parent.computed || !(privateName || (key.type === AST_NODE_TYPES.Identifier && parent.accessibility === 'private'))) return undefined;
        const name = key.type === AST_NODE_TYPES.PrivateIdentifier || key.type === AST_NODE_TYPES.Identifier ? key.name : undefined;
        let all = true;
        everyNode(parent.parent, (node) => {
          if (!all || node.type !== AST_NODE_TYPES.MemberExpression || node.computed || node.property.name !== name) return;
          if ((node.property.type === AST_NODE_TYPES.PrivateIdentifier) === privateName) all = callOf(node);
        });
        return all ? calls : undefined;
      }
      if (fn.type !== AST_NODE_TYPES.FunctionDeclaration || fn.id === null) return undefined;
      if (parent?.type === AST_NODE_TYPES.ExportNamedDeclaration || parent?.type === AST_NODE_TYPES.ExportDefaultDeclaration) return undefined;
      const name = fn.id.name;
      const variable = sourceCode.getDeclaredVariables(fn).find((candidate) => candidate.name === name);
      if (variable === undefined) return undefined;
      return variable.references.every((reference) => callOf(reference.identifier)) ? calls : undefined;
    }

    /**
     * With type information: whether the whole-program analysis sees one lock held at `start`, at
     * `suspension` (when given) and at `end` — taken through the application's own helper (`const
     * release = await this.#lock()`), inside a callback a helper runs, or by every caller of a private
     * method — and not merely held around a call that starts the closure's runs together.
     */
    function heldByAnalysis(start: TSESTree.Node, end: TSESTree.Node, suspension: TSESTree.Node | undefined): boolean {
      if (program === null || nodeMap === undefined) return false;
      const fn = enclosingFunction(start);
      const entry = fn === undefined ? NO_IDS : heldOnEveryEntry(fn);
      let common: Set<string> | undefined;
      for (const point of suspension === undefined ? [start, end] : [start, suspension, end]) {
        const held = new Set([...heldIdsAt(point), ...entry]);
        common = common === undefined ? held : new Set([...common].filter((id) => held.has(id)));
        if (common.size === 0) return false;
      }
      const together = suspension === undefined ? undefined : callStartingRunsTogether(start);
      if (together !== undefined) for (const id of heldIdsAt(together)) common?.delete(id);
      return common !== undefined && common.size > 0;
    }

    /**
     * Whether one lock is held from before `start` until after `end` (both in the same function), and
     * at `suspension` when one is given (an update across it, part (b)). With type information the
     * whole-program analysis answers first; the lexical forms below are the fallback without it.
     */
    function lockHeld(start: TSESTree.Node, end: TSESTree.Node, suspension?: TSESTree.Node): boolean {
      if (heldByAnalysis(start, end, suspension)) return true;
      // Inside a callback run under the lock: runExclusive(cb), withLock(cb), navigator.locks.request(name, cb).
      for (let node: TSESTree.Node | undefined = start.parent; node; node = node.parent) {
        if (!isFunction(node)) continue;
        if (runsUnderScopedLock(node)) return true;
        // A callback the application's own lock helper runs under its lock (`withLock(this.#mutex, async () => …)`).
        if (runsUnderHelperLock(node)) return true;
        // Runs started together inside a lock interleave with one another at every suspension.
        if (suspension !== undefined && callStartingTogether(node) !== undefined) break;
      }
      const fn = enclosingFunction(start);
      const root: TSESTree.Node = fn === undefined ? sourceCode.ast : fn.body;
      let child: TSESTree.Node = start;
      for (let node: TSESTree.Node | undefined = start.parent; node && !isFunction(node); child = node, node = node.parent) {
        // `if (lock.tryAcquire()) { … }`: held in the consequent.
        if (node.type === AST_NODE_TYPES.IfStatement && node.consequent === child) {
          const call = callIn(node.test);
          const lock = call === undefined ? undefined : lockCallOf(call);
          if (lock?.role === 'tryAcquire' && !releasedBetween(lock.key, node.test, end, root)) return true;
        }
        const statements = statementsOf(node);
        if (statements === undefined) continue;
        for (let index = statements.indexOf(child) - 1; index >= 0; index--) {
          const statement = statements[index];
          if (statement === undefined) continue;
          if (holdsByUsing(statement) && contains(node, end)) return true;
          const lock = acquiredBy(statement);
          if (lock !== undefined && !releasedBetween(lock.key, statement, end, root)) return true;
        }
      }
      return false;
    }

    // ---- (a) shared memory ----------------------------------------------------------------------

    /** A typed array that may view a SharedArrayBuffer: its class (`''` when its type does not say) and why it is taken to be shared. */
    interface SharedView {
      readonly arrayType: string;
      readonly why: string;
    }

    /**
     * The typed array `object` when it may view a SharedArrayBuffer. With types the analyzer decides
     * over the whole program: by the type where it names the buffer, else by where the value comes
     * from (fields, variables, parameters, returns, workerData, messages). Without types, only a
     * creation visible in the file counts.
     */
    function sharedViewOf(object: TSESTree.Expression): SharedView | undefined {
      const type = tsTypeOf(object);
      if (type === undefined || checker === null || program === null || nodeMap === undefined) return createdOverSharedBuffer(object);
      const name = type.getSymbol()?.getName();
      const arrayType = name !== undefined && TYPED_ARRAYS.has(name) ? name : undefined;
      // Cheap first: `Int32Array<ArrayBuffer>`, an ordinary array or a number never asks the program.
      if (arrayType === undefined ? !(type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) : bufferKindOf(checker, type) === 'unshared') return undefined;
      const tsObject = nodeMap.get(object);
      const origin = ts.isExpression(tsObject) ? sharedViewFactsOf(program).originOf(tsObject) : undefined;
      // An `any` has no class to suggest an `Atomics` call for.
      return origin === undefined ? undefined : { arrayType: arrayType ?? '', why: relativeToCwd(origin, program.getCurrentDirectory()) };
    }

    /** The origin's description with its place shown as ESLint shows files: relative to ESLint's cwd. */
    function relativeToCwd(origin: SharedOrigin, root: string): string {
      const { file, line } = origin.location;
      return origin.description.replace(`${file}:${line}`, `${displayPath(context.cwd, path.resolve(root, file))}:${line}`);
    }

    /** `const view = new Int32Array(new SharedArrayBuffer(n))`, or over a `sab` known to be one. */
    function createdOverSharedBuffer(object: TSESTree.Expression): SharedView | undefined {
      const init = constantInit(skipWrappers(object));
      if (init?.type !== AST_NODE_TYPES.NewExpression || init.callee.type !== AST_NODE_TYPES.Identifier || !TYPED_ARRAYS.has(init.callee.name)) return undefined;
      const buffer = init.arguments[0];
      if (buffer === undefined || buffer.type === AST_NODE_TYPES.SpreadElement || !isSharedBuffer(buffer)) return undefined;
      return { arrayType: init.callee.name, why: `created over a SharedArrayBuffer on line ${init.loc.start.line}` };
    }

    function isSharedBuffer(expression: TSESTree.Expression): boolean {
      const node = skipWrappers(expression);
      if (node.type === AST_NODE_TYPES.NewExpression) return node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === 'SharedArrayBuffer';
      if (node.type !== AST_NODE_TYPES.Identifier) return false;
      const type = tsTypeOf(node);
      if (type !== undefined && !type.isUnion() && type.getSymbol()?.getName() === 'SharedArrayBuffer') return true;
      const init = constantInit(node);
      return init !== undefined && isSharedBuffer(init);
    }

    /** The initializer of a variable that is never assigned again. */
    function constantInit(node: TSESTree.Node): TSESTree.Expression | undefined {
      if (node.type !== AST_NODE_TYPES.Identifier) return undefined;
      const variable = variableOf(node);
      const definition = variable?.defs[0];
      if (variable === undefined || variable.defs.length !== 1 || definition?.node.type !== AST_NODE_TYPES.VariableDeclarator) return undefined;
      const declarator = definition.node;
      if (declarator.id.type !== AST_NODE_TYPES.Identifier || declarator.init === null) return undefined;
      if (variable.references.filter((reference) => reference.isWrite()).length > 1) return undefined;
      return declarator.init;
    }

    /** `view[index]` on a shared typed array, with what the report and its suggestion need. */
    function sharedElement(node: TSESTree.Node): (SharedView & { readonly member: TSESTree.MemberExpression }) | undefined {
      const member = skipWrappers(node);
      if (member.type !== AST_NODE_TYPES.MemberExpression || !member.computed) return undefined;
      const view = sharedViewOf(member.object);
      return view === undefined ? undefined : { ...view, member };
    }

    function elementKey(member: TSESTree.MemberExpression): string {
      return `${tokensOf(member.object)}[${tokensOf(member.property)}]`;
    }

    /** Reads of the element `key` in `node` (a computed member written alike), not counting `skip`. */
    function readsElement(node: TSESTree.Node, key: string, skip?: TSESTree.Node): boolean {
      let found = false;
      walk(node, (candidate) => {
        if (!found && candidate !== skip && candidate.type === AST_NODE_TYPES.MemberExpression && candidate.computed && elementKey(candidate) === key) found = true;
      });
      return found;
    }

    function atomicsCall(method: string, member: TSESTree.MemberExpression, value: string): string {
      return `Atomics.${method}(${text(member.object)}, ${parenthesizedIfSequence(member.property)}, ${value})`;
    }

    function parenthesizedIfSequence(node: TSESTree.Node): string {
      return node.type === AST_NODE_TYPES.SequenceExpression ? `(${text(node)})` : text(node);
    }

    /** The suggestion for an update whose value nobody uses; none where the value is used or comments would be lost. */
    function atomicsSuggestion(node: TSESTree.Node, replacement: string | undefined, method: string): TSESLint.ReportSuggestionArray<MessageId> {
      if (replacement === undefined || node.parent?.type !== AST_NODE_TYPES.ExpressionStatement) return [];
      if (sourceCode.getCommentsInside(node).length > 0) return [];
      return [{ messageId: 'useAtomics', data: { method }, fix: (fixer) => fixer.replaceText(node, replacement) }];
    }

    function reportUpdate(node: TSESTree.Node, member: TSESTree.MemberExpression, why: string, operator: string, suggest: TSESLint.ReportSuggestionArray<MessageId>): void {
      if (lockHeld(node, node)) return;
      const data: NonAtomicData = { view: text(member.object), element: text(member), operator, why };
      context.report({ node, messageId: 'nonAtomicSharedMemory', data, ...(suggest.length === 0 ? {} : { suggest }) });
    }

    function checkUpdateExpression(node: TSESTree.UpdateExpression): void {
      const element = sharedElement(node.argument);
      if (element === undefined) return;
      const { member, arrayType, why } = element;
      const method = node.operator === '++' ? 'add' : 'sub';
      const one = BIGINT_ARRAYS.has(arrayType) ? '1n' : '1';
      const replacement = TYPED_ARRAYS.get(arrayType) === true ? atomicsCall(method, member, one) : undefined;
      reportUpdate(node, member, why, node.operator, atomicsSuggestion(node, replacement, method));
    }

    function checkElementAssignment(node: TSESTree.AssignmentExpression): boolean {
      if (skipWrappers(node.left).type !== AST_NODE_TYPES.MemberExpression) return false;
      const element = sharedElement(node.left);
      if (element === undefined) return false;
      const { member, arrayType, why } = element;
      const atomic = TYPED_ARRAYS.get(arrayType) === true;
      if (node.operator !== '=') {
        const method = ATOMIC_COMPOUND.get(node.operator);
        const replacement = atomic && method !== undefined ? atomicsCall(method, member, parenthesizedIfSequence(node.right)) : undefined;
        reportUpdate(node, member, why, node.operator, method === undefined ? [] : atomicsSuggestion(node, replacement, method));
        return true;
      }
      const key = elementKey(member);
      if (!readsElement(node.right, key)) return true; // a plain store is atomic on its own
      const right = skipWrappers(node.right);
      if (right.type !== AST_NODE_TYPES.BinaryExpression) {
        reportUpdate(node, member, why, '=', []);
        return true;
      }
      const binary = ATOMIC_BINARY.get(right.operator);
      let operand: TSESTree.Node | undefined;
      if (binary !== undefined && isElement(right.left, key) && !readsElement(right.right, key)) operand = right.right;
      else if (binary?.commutative === true && isElement(right.right, key) && !readsElement(right.left, key)) operand = right.left;
      const replacement = atomic && binary !== undefined && operand !== undefined && hasNoSideEffects(member.property) ? atomicsCall(binary.method, member, parenthesizedIfSequence(operand)) : undefined;
      reportUpdate(node, member, why, right.operator, binary === undefined ? [] : atomicsSuggestion(node, replacement, binary.method));
      return true;
    }

    function isElement(node: TSESTree.Node, key: string): boolean {
      const member = skipWrappers(node);
      return member.type === AST_NODE_TYPES.MemberExpression && member.computed && elementKey(member) === key;
    }

    function checkIfStatement(node: TSESTree.IfStatement): void {
      const candidates: TSESTree.MemberExpression[] = [];
      walk(node.test, (candidate) => {
        if (candidate.type === AST_NODE_TYPES.MemberExpression && candidate.computed) candidates.push(candidate);
      });
      if (candidates.length === 0) return;
      for (const read of candidates) {
        const key = elementKey(read);
        // A plain store of the same element in the consequent; a read-modify-write there is reported on its own.
        let write: TSESTree.AssignmentExpression | undefined;
        walk(node.consequent, (candidate) => {
          if (write === undefined && candidate.type === AST_NODE_TYPES.AssignmentExpression && candidate.operator === '=' && isElement(candidate.left, key) && !readsElement(candidate.right, key)) write = candidate;
        });
        if (write === undefined) continue;
        const shared = sharedViewOf(read.object);
        if (shared === undefined) continue;
        if (lockHeld(node, node)) return;
        const { arrayType, why } = shared;
        const data: CheckThenActData = { view: text(read.object), element: text(read), why };
        const suggest: TSESLint.ReportSuggestionArray<MessageId> = [];
        const expected = compareExchangeExpected(node, read, write);
        if (TYPED_ARRAYS.get(arrayType) === true && expected !== undefined && sourceCode.getCommentsInside(node).length === 0) {
          const replacement = `${atomicsCall('compareExchange', read, `${parenthesizedIfSequence(expected)}, ${parenthesizedIfSequence(write.right)}`)};`;
          suggest.push({ messageId: 'useAtomics', data: { method: 'compareExchange' }, fix: (fixer) => fixer.replaceText(node, replacement) });
        }
        context.report({
          node,
          loc: { start: node.loc.start, end: node.test.loc.end },
          messageId: 'nonAtomicCheckThenAct',
          data,
          ...(suggest.length === 0 ? {} : { suggest }),
        });
        return;
      }
    }

    /** `a` of `if (x[i] === a) x[i] = b;` when the `if` is exactly that (no `else`, nothing else in it). */
    function compareExchangeExpected(node: TSESTree.IfStatement, read: TSESTree.MemberExpression, write: TSESTree.AssignmentExpression): TSESTree.Node | undefined {
      if (node.alternate !== null) return undefined;
      let statement: TSESTree.Statement = node.consequent;
      if (statement.type === AST_NODE_TYPES.BlockStatement) {
        if (statement.body.length !== 1 || statement.body[0] === undefined) return undefined;
        statement = statement.body[0];
      }
      if (statement.type !== AST_NODE_TYPES.ExpressionStatement || statement.expression !== write) return undefined;
      const test = skipWrappers(node.test);
      if (test.type !== AST_NODE_TYPES.BinaryExpression || test.operator !== '===' || !hasNoSideEffects(read.property)) return undefined;
      if (test.left === read) return test.right;
      if (test.right === read) return test.left;
      return undefined;
    }

    // ---- (b) stale writes across await ----------------------------------------------------------

    function factsOf(fn: FunctionNode): FunctionFacts {
      let facts = factsByFunction.get(fn);
      if (facts === undefined) {
        const suspensions: TSESTree.Node[] = [];
        const memberReads = new Map<string, TSESTree.Node[]>();
        walk(fn.body, (node) => {
          if (node.type === AST_NODE_TYPES.AwaitExpression || node.type === AST_NODE_TYPES.YieldExpression) suspensions.push(node);
          else if (node.type === AST_NODE_TYPES.MemberExpression && !isPlainWriteTarget(node)) {
            const key = targetKey(node);
            if (key === undefined) return;
            const list = memberReads.get(key) ?? [];
            list.push(node);
            memberReads.set(key, list);
          }
        });
        factsByFunction.set(fn, (facts = { suspensions, memberReads }));
      }
      return facts;
    }

    /** Reads of `target` (a variable or a member chain) in `fn`, not in nested functions. */
    function readsOf(target: TSESTree.Node, key: string, fn: FunctionNode): readonly TSESTree.Node[] {
      if (target.type !== AST_NODE_TYPES.Identifier) return factsOf(fn).memberReads.get(key) ?? [];
      return referencesOf(target)
        .filter((reference) => reference.isRead() && enclosingFunction(reference.identifier) === fn)
        .map((reference) => reference.identifier);
    }

    /** The references of the variable `identifier` names; for an undeclared global, those of its name left unresolved. */
    function referencesOf(identifier: TSESTree.Identifier): readonly TSESLint.Scope.Reference[] {
      const variable = variableOf(identifier);
      if (variable !== undefined) return variable.references;
      return sourceCode.scopeManager?.globalScope?.through.filter((reference) => reference.identifier.name === identifier.name) ?? [];
    }

    /**
     * The reads of `key` the written value depends on: the target itself for a compound assignment,
     * reads in the right-hand side, and reads in the initializers of the locals it uses (`const v =
     * this.count; …; this.count = v + 1`), a few levels deep.
     */
    function dependedReads(node: TSESTree.AssignmentExpression, target: TSESTree.Node, key: string, fn: FunctionNode): TSESTree.Node[] {
      const reads = new Set(readsOf(target, key, fn));
      const found: TSESTree.Node[] = [];
      if (node.operator !== '=') found.push(node.left);
      const visited = new Set<ScopeVariable>();
      const collect = (expression: TSESTree.Node, depth: number): void => {
        walk(expression, (candidate) => {
          if (reads.has(candidate)) found.push(candidate);
          else if (candidate.type === AST_NODE_TYPES.Identifier && depth > 0) {
            const variable = variableOf(candidate);
            if (variable === undefined || visited.has(variable) || !contains(fn, variable.defs[0]?.node)) return;
            // `sink.bytes` of a local object handed to a call (`pipeTo(writeInto(sink))`): the call may
            // have refilled it, so what it holds now is not what its initializer read.
            if (isObjectOfMember(candidate) && isPassedToCall(variable)) return;
            visited.add(variable);
            const init = constantInit(candidate);
            if (init !== undefined) collect(init, depth - 1);
          }
        });
      };
      collect(node.right, 3);
      return found;
    }

    function isObjectOfMember(node: TSESTree.Identifier): boolean {
      let child: TSESTree.Node = node;
      while (isTypeWrapper(child.parent)) child = child.parent;
      return child.parent?.type === AST_NODE_TYPES.MemberExpression && child.parent.object === child;
    }

    function isPassedToCall(variable: ScopeVariable): boolean {
      return variable.references.some((reference) => {
        let node: TSESTree.Node = reference.identifier;
        while (isTypeWrapper(node.parent)) node = node.parent;
        const parent = node.parent;
        return (parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) && parent.arguments.includes(node as TSESTree.CallExpressionArgument);
      });
    }

    /** Whether `target`'s state can be changed by other tasks while this function is suspended. */
    function isShared(target: TSESTree.Node): boolean {
      if (target.type === AST_NODE_TYPES.Identifier) {
        const variable = variableOf(target);
        // An undeclared global (declared by a library, in `declare global`, or nowhere) is reachable from
        // everywhere, as `globalThis.counter` is.
        if (variable === undefined) return true;
        if (isModuleVariable(variable)) return true;
        // A variable of an enclosing function, updated by a closure that may run several times at once.
        const fn = enclosingFunction(target);
        return fn !== undefined && !contains(fn, variable.defs[0]?.node) && mayRunConcurrently(fn);
      }
      const root = rootOf(target);
      if (root.type === AST_NODE_TYPES.ThisExpression) return true;
      if (root.type !== AST_NODE_TYPES.Identifier) return false;
      const variable = variableOf(root);
      // An undeclared global (`window`, `process`) is reachable from everywhere.
      if (variable === undefined || variable.defs.length === 0 || isModuleVariable(variable)) return true;
      const definition = variable.defs[0];
      if (definition === undefined) return false;
      if (definition.type === DefinitionType.ImportBinding || definition.type === DefinitionType.ClassName) return true;
      if (definition.type === DefinitionType.Parameter) {
        // A destructured parameter's parts are values taken from the argument, not the argument.
        if (definition.name.type !== AST_NODE_TYPES.Identifier) return false;
        if (isPerCallParameter(definition.name) || isStreamChunkParameter(definition.name)) return escapesToSharedState(variable, false);
        // Without types a parameter may be anything: only a typed class or interface instance counts.
        const type = tsTypeOf(definition.name);
        return type !== undefined && isInstanceType(type) && !isPlatformDictionary(type);
      }
      if (definition.type === DefinitionType.Variable && definition.node.type === AST_NODE_TYPES.VariableDeclarator && definition.node.id.type === AST_NODE_TYPES.Identifier) {
        const init = definition.node.init === null ? undefined : skipWrappers(definition.node.init);
        if (init === undefined) return false;
        if (init.type === AST_NODE_TYPES.ObjectExpression || init.type === AST_NODE_TYPES.ArrayExpression || init.type === AST_NODE_TYPES.NewExpression) {
          return escapesToSharedState(variable, true);
        }
        // An alias of shared state: `const stats = this.stats`.
        return init.type === AST_NODE_TYPES.MemberExpression && isSharedRoot(rootOf(init));
      }
      return false;
    }

    /**
     * Whether calls of the closure `fn` may overlap: it is handed to a call (`items.map(async …)`,
     * `emitter.on(…)`), returned, yielded or stored in a property, or bound to a variable that is.
     * An immediately invoked closure, or one only called by its name, is not followed.
     */
    function mayRunConcurrently(fn: FunctionNode): boolean {
      let node: TSESTree.Node = fn;
      while (isTypeWrapper(node.parent)) node = node.parent;
      const parent = node.parent;
      if (parent === undefined) return false;
      switch (parent.type) {
        case AST_NODE_TYPES.CallExpression:
        case AST_NODE_TYPES.NewExpression:
          return parent.arguments.includes(node as TSESTree.CallExpressionArgument);
        case AST_NODE_TYPES.ReturnStatement:
        case AST_NODE_TYPES.YieldExpression:
        case AST_NODE_TYPES.Property:
        case AST_NODE_TYPES.PropertyDefinition:
        case AST_NODE_TYPES.ArrayExpression:
          return true;
        case AST_NODE_TYPES.ArrowFunctionExpression:
          return parent.body === node;
        case AST_NODE_TYPES.AssignmentExpression:
          return parent.right === node && skipWrappers(parent.left).type === AST_NODE_TYPES.MemberExpression;
        case AST_NODE_TYPES.VariableDeclarator: {
          if (parent.id.type !== AST_NODE_TYPES.Identifier) return false;
          const variable = variableOf(parent.id);
          return (
            variable?.references.some((reference) => {
              if (reference.init === true) return false;
              let use: TSESTree.Node = reference.identifier;
              while (isTypeWrapper(use.parent)) use = use.parent;
              return !(use.parent?.type === AST_NODE_TYPES.CallExpression && use.parent.callee === use);
            }) ?? false
          );
        }
        default:
          return false;
      }
    }

    /**
     * From where in the source other code can change `target` while `fn` is suspended: 0 for shared
     * state (`isShared`); for a local variable, the point where a closure that writes it is handed
     * out (`emitter.on('data', (n) => { total += n; })`), since only a suspension after that can let
     * it run. Undefined when nobody else can change it.
     */
    function sharedFrom(target: TSESTree.Node, fn: FunctionNode): number | undefined {
      if (isShared(target)) return 0;
      if (target.type !== AST_NODE_TYPES.Identifier) return undefined;
      const variable = variableOf(target);
      return variable === undefined ? undefined : closureWriteFrom(variable, fn);
    }

    /**
     * The earliest point from which a closure may write `variable` while `fn` is suspended: where the
     * closure holding the write, or one around it (up to `fn` or the variable's scope), is handed out.
     * Undefined when every closure that writes it runs only in place or is only called by its name.
     */
    function closureWriteFrom(variable: ScopeVariable, fn: FunctionNode): number | undefined {
      const scope = variable.scope.block;
      let from: number | undefined;
      for (const reference of variable.references) {
        if (!reference.isWrite() || reference.init === true) continue;
        for (let closure = enclosingFunction(reference.identifier); closure !== undefined && closure !== fn && closure !== scope && contains(scope, closure); closure = enclosingFunction(closure)) {
          const at = handedOutAt(closure);
          if (at !== undefined) {
            from = Math.min(from ?? at, at);
            break;
          }
        }
      }
      return from;
    }

    /**
     * Where the closure `fn` is handed to code that may call it later: passed to a call (a listener, a
     * timer, `.then`; not a plain callback of `forEach`, `map`, `new Promise` and the like, which run it
     * during the call), returned, yielded, stored in a property, or bound to a name used otherwise than
     * called. Undefined when it is only invoked in place or called by its name.
     */
    function handedOutAt(fn: FunctionNode): number | undefined {
      if (fn.type === AST_NODE_TYPES.FunctionDeclaration) {
        const name = fn.id?.name;
        const variable = sourceCode.getDeclaredVariables(fn).find((candidate) => candidate.name === name);
        return variable === undefined ? undefined : firstUseNotCalled(variable, fn);
      }
      let node: TSESTree.Node = fn;
      while (isTypeWrapper(node.parent)) node = node.parent;
      const parent = node.parent;
      if (parent === undefined) return undefined;
      switch (parent.type) {
        case AST_NODE_TYPES.CallExpression:
        case AST_NODE_TYPES.NewExpression:
          return parent.arguments.includes(node) && !runsInPlace(parent, fn) ? fn.range[0] : undefined;
        case AST_NODE_TYPES.ReturnStatement:
        case AST_NODE_TYPES.YieldExpression:
        case AST_NODE_TYPES.Property:
        case AST_NODE_TYPES.PropertyDefinition:
        case AST_NODE_TYPES.ArrayExpression:
          return fn.range[0];
        case AST_NODE_TYPES.ArrowFunctionExpression:
          return parent.body === node ? fn.range[0] : undefined;
        case AST_NODE_TYPES.AssignmentExpression: {
          if (parent.right !== node) return undefined;
          const left = skipWrappers(parent.left);
          if (left.type === AST_NODE_TYPES.MemberExpression) return fn.range[0];
          const variable = left.type === AST_NODE_TYPES.Identifier ? variableOf(left) : undefined;
          return variable === undefined ? undefined : firstUseNotCalled(variable, fn);
        }
        case AST_NODE_TYPES.VariableDeclarator: {
          const variable = parent.id.type === AST_NODE_TYPES.Identifier ? variableOf(parent.id) : undefined;
          return variable === undefined ? undefined : firstUseNotCalled(variable, fn);
        }
        default:
          return undefined;
      }
    }

    /** The first use of the variable holding the closure `fn` that is not a call of it (nor an in-place callback). */
    function firstUseNotCalled(variable: ScopeVariable, fn: FunctionNode): number | undefined {
      let first: number | undefined;
      for (const reference of variable.references) {
        if (reference.isWrite()) continue;
        let use: TSESTree.Node = reference.identifier;
        while (isTypeWrapper(use.parent)) use = use.parent;
        const parent = use.parent;
        if (parent?.type === AST_NODE_TYPES.CallExpression && parent.callee === use) continue;
        if ((parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) && runsInPlace(parent, fn)) continue;
        first = Math.min(first ?? use.range[0], use.range[0]);
      }
      return first;
    }

    /** Whether `call` runs its plain callback `fn` during the call and keeps no reference to it. */
    function runsInPlace(call: TSESTree.CallExpression | TSESTree.NewExpression, fn: FunctionNode): boolean {
      // An async callback runs on after its first `await`, whoever calls it.
      if (fn.async || fn.generator) return false;
      const callee = skipWrappers(call.callee);
      if (call.type === AST_NODE_TYPES.NewExpression) return callee.type === AST_NODE_TYPES.Identifier && callee.name === 'Promise';
      return callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier && RUNS_CALLBACK_IN_PLACE.has(callee.property.name);
    }

    function isSharedRoot(root: TSESTree.Node): boolean {
      if (root.type === AST_NODE_TYPES.ThisExpression) return true;
      if (root.type !== AST_NODE_TYPES.Identifier) return false;
      const variable = variableOf(root);
      // An undeclared global (`window`, `globalThis`) is module state of every module.
      return variable === undefined || isModuleVariable(variable);
    }

    /**
     * The chunk of a Streams callback, recognised by its controller parameter (`transform(chunk,
     * controller: TransformStreamDefaultController)`, a sink's `write(chunk, controller)`): the stream
     * hands each chunk to one call and calls again only once that call's promise settles, so a write
     * to the chunk after an `await` loses nobody's update (livekit-client's frame encryptor).
     */
    function isStreamChunkParameter(name: TSESTree.Identifier): boolean {
      if (program === null) return false;
      const fn = enclosingFunction(name);
      if (fn === undefined || fn.params[0] !== name) return false;
      return fn.params.slice(1).some((param) => {
        if (param.type !== AST_NODE_TYPES.Identifier || param.typeAnnotation === undefined) return false;
        const symbol = tsTypeOf(param)?.getSymbol();
        return symbol !== undefined && STREAM_CONTROLLERS.has(symbol.getName()) && isDeclaredByPlatform(symbol, true);
      });
    }

    /**
     * A dictionary of the platform: an interface of TypeScript's own library with properties only
     * (`RTCSessionDescriptionInit`, `RequestInit`). WebIDL dictionaries are argument bags a caller
     * builds for one call (the platform copies them), not objects tasks share; an application's own
     * interfaces are not assumed to be.
     */
    function isPlatformDictionary(type: ts.Type): boolean {
      if (type.isUnion()) return type.types.every(isPlatformDictionary);
      const symbol = type.getSymbol();
      if (symbol === undefined || !(symbol.flags & ts.SymbolFlags.Interface) || !isDeclaredByPlatform(symbol, false)) return false;
      if (type.getCallSignatures().length > 0 || type.getConstructSignatures().length > 0) return false;
      return type.getProperties().every((property) => !(property.flags & ts.SymbolFlags.Method));
    }

    /**
     * Whether every declaration of `symbol` is in TypeScript's own library, or also (with
     * `orNodeTypes`) in Node's types, which declare the Streams globals on Node.
     */
    function isDeclaredByPlatform(symbol: ts.Symbol, orNodeTypes: boolean): boolean {
      const declarations = symbol.declarations ?? [];
      return (
        program !== null &&
        declarations.length > 0 &&
        declarations.every((declaration) => {
          const file = declaration.getSourceFile();
          return program.isSourceFileDefaultLibrary(file) || (orNodeTypes && NODE_TYPES_PATH.test(file.fileName));
        })
      );
    }

    function isPerCallParameter(name: TSESTree.Identifier): boolean {
      if (PER_CALL_NAMES.test(name.name)) return true;
      const type = tsTypeOf(name);
      const typeName = type?.aliasSymbol?.getName() ?? type?.getSymbol()?.getName();
      return typeName !== undefined && PER_CALL_TYPE_NAMES.test(typeName);
    }

    /**
     * Whether a local object is made reachable from elsewhere: stored into module or `this` state,
     * handed to a method of such state (`pending.push(ctx)`), or — for an object made in the
     * function, when `anyCall` — passed to any call, which may keep it.
     */
    function escapesToSharedState(variable: ScopeVariable, anyCall: boolean): boolean {
      return variable.references.some((reference) => {
        let node: TSESTree.Node = reference.identifier;
        while (isTypeWrapper(node.parent)) node = node.parent;
        const parent = node.parent;
        if (parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.right === node) return isSharedRoot(rootOf(parent.left));
        if ((parent?.type === AST_NODE_TYPES.CallExpression || parent?.type === AST_NODE_TYPES.NewExpression) && parent.arguments.includes(node as TSESTree.CallExpressionArgument)) {
          if (anyCall) return true;
          const callee = skipWrappers(parent.callee);
          // `this.pending.push(ctx)` keeps it in shared state; `this.describe(ctx)`, a method of the
          // object's own, is only a call (livekit's frame encryptor hands each frame to helpers).
          if (callee.type !== AST_NODE_TYPES.MemberExpression || skipWrappers(callee.object).type === AST_NODE_TYPES.ThisExpression) return false;
          return isSharedRoot(rootOf(callee.object));
        }
        return false;
      });
    }

    /** Reports a write of shared state computed from a read made before a suspension; true when reported. */
    function checkStaleWrite(node: TSESTree.AssignmentExpression): boolean {
      // `x ??= await publish()`, `this.hash ||= await compute()`: the current value is tested at the write
      // and the new one does not come from it — lazy initialisation, as `if (!x) x = await …` is. At
      // worst the work is done twice; nothing another task stored is overwritten with a stale copy.
      if (LOGICAL_ASSIGNMENTS.has(node.operator)) return false;
      const fn = enclosingFunction(node);
      if (fn === undefined || !(fn.async || fn.generator) || isAsyncIteratorNext(fn)) return false;
      const target = skipWrappers(node.left);
      const key = targetKey(target);
      if (key === undefined) return false;
      const { suspensions } = factsOf(fn);
      // Cheap first: a suspension must end before the write does.
      if (!suspensions.some((suspension) => suspension.range[1] <= node.range[1])) return false;
      const sharedSince = sharedFrom(target, fn);
      if (sharedSince === undefined) return false;
      const reads = readsOf(target, key, fn);
      const stale = dependedReads(node, target, key, fn).sort((a, b) => a.range[0] - b.range[0]);
      for (const read of stale) {
        // The last suspension between this read and the write: other tasks ran there.
        let suspension: TSESTree.Node | undefined;
        for (const candidate of suspensions) {
          if (read.range[1] <= candidate.range[1] && candidate.range[1] <= node.range[1] && !onExclusiveBranches(read, candidate)) suspension = candidate;
        }
        // A closure writing the local that is handed out only after it cannot run during it.
        if (suspension === undefined || suspension.range[1] <= sharedSince) continue;
        // `this.chats = await resolve(this.chats)`: the old value is handed to the async operation that
        // computes the new one (a refresh, a transform); a read only there is not a stale copy kept
        // across the suspension. Real code does this constantly, and ESLint's rule is known for it.
        if (contains(suspension, read)) continue;
        const after = suspension.range[1];
        // Read again after the suspension: the code works from the current value (e.g. compares the two).
        const fresh = reads.some((other) => other !== node.left && other.range[0] >= after && other.range[1] <= node.range[1]);
        if (fresh || lockHeld(read, node, suspension)) continue;
        if (contains(node, read) && contains(node, suspension)) {
          // `total += await fetchPart()`: "read before the suspension on line N" would name its own line.
          const data: StaleWriteInStatementData = { target: text(target), suspension: suspension.type === AST_NODE_TYPES.YieldExpression ? 'yield' : 'await' };
          context.report({ node, messageId: 'staleWriteInStatement', data });
        } else {
          const data: StaleWriteData = { target: text(target), line: String(suspension.loc.start.line) };
          context.report({ node, messageId: 'staleWriteAfterAwait', data });
        }
        return true;
      }
      return false;
    }

    /**
     * Reports a write of shared state on a branch of an `if` or a conditional whose test read it before
     * a suspension on the way to the write (`if (this.balance >= amount) { await audit(); this.balance
     * -= amount; }`): the write may re-read the value, but the decision to write was made on the old
     * one. Conservative: the innermost such test counts, a check of the value after the suspension (a
     * comparison, a test, `!`) clears it, and lazy initialisation (`if (x === undefined) x = await
     * start()`, the new value not computed from `x`) is left alone as the stale-write check leaves it.
     */
    function checkStaleCheck(node: TSESTree.AssignmentExpression | TSESTree.UpdateExpression): void {
      if (node.type === AST_NODE_TYPES.AssignmentExpression && LOGICAL_ASSIGNMENTS.has(node.operator)) return;
      const fn = enclosingFunction(node);
      if (fn === undefined || !(fn.async || fn.generator)) return;
      const target = skipWrappers(node.type === AST_NODE_TYPES.AssignmentExpression ? node.left : node.argument);
      const key = targetKey(target);
      if (key === undefined) return;
      const { suspensions } = factsOf(fn);
      if (!suspensions.some((suspension) => suspension.range[1] <= node.range[1])) return;
      // The innermost `if`/conditional of this function around the write whose test reads the target.
      let reads: readonly TSESTree.Node[] | undefined;
      let testReads: readonly TSESTree.Node[] = [];
      let inConsequent = false;
      let child: TSESTree.Node = node;
      for (let parent: TSESTree.Node | undefined = node.parent; parent && parent !== fn; child = parent, parent = parent.parent) {
        if ((parent.type !== AST_NODE_TYPES.IfStatement && parent.type !== AST_NODE_TYPES.ConditionalExpression) || child === parent.test) continue;
        const { test } = parent;
        reads ??= readsOf(target, key, fn);
        testReads = reads.filter((read) => contains(test, read));
        if (testReads.length === 0) continue;
        inConsequent = child === parent.consequent;
        break;
      }
      const lastRead = testReads[testReads.length - 1];
      if (reads === undefined || lastRead === undefined) return;
      // The last suspension after the test's read and before the write, on the write's path.
      let suspension: TSESTree.Node | undefined;
      for (const candidate of suspensions) {
        if (lastRead.range[1] <= candidate.range[1] && candidate.range[1] <= node.range[1] && !contains(candidate, lastRead) && !onExclusiveBranches(candidate, node)) suspension = candidate;
      }
      if (suspension === undefined) return;
      // `if (!parent) … else parent = await Promise.all(parent.map(resolve))`: the only suspension is the
      // computation of the new value itself, as in `this.x = await f(this.x)` (a transform the stale-write
      // check lets pass for the same reason) and lazy initialisation.
      const right = node.type === AST_NODE_TYPES.AssignmentExpression ? node.right : undefined;
      if (right !== undefined && !suspensions.some((candidate) => lastRead.range[1] <= candidate.range[1] && candidate.range[1] <= node.range[1] && !contains(candidate, lastRead) && !contains(right, candidate))) return;
      const after = suspension.range[1];
      // Checked again after the suspension: `if (this.balance < amount) throw …` before the write.
      if (reads.some((read) => read.range[0] >= after && read.range[1] <= node.range[1] && isChecked(read))) return;
      if (inConsequent && (isLazyInitialisation(node, target, key, fn, testReads) || isTeardown(node, testReads))) return;
      if (isAsyncIteratorNext(fn)) return;
      if (isRefresh(node, target, key, fn, suspension)) return;
      const sharedSince = sharedFrom(target, fn);
      if (sharedSince === undefined || suspension.range[1] <= sharedSince) return;
      if (lockHeld(lastRead, node, suspension)) return;
      // `if (view[i] < n) { await x(); view[i]++; }` on shared memory is reported by (a) already.
      if (node.type === AST_NODE_TYPES.UpdateExpression && sharedElement(node.argument) !== undefined) return;
      const data: StaleCheckData = { target: text(target), line: String(suspension.loc.start.line) };
      context.report({ node, messageId: 'staleCheckAfterAwait', data });
    }

    /**
     * `if (!x)`, `if (x === undefined)`, `if (x == null)` (some read of the test in such a form) around
     * a plain `x = …` whose value depends on no read of `x`: lazy initialisation.
     */
    function isLazyInitialisation(node: TSESTree.AssignmentExpression | TSESTree.UpdateExpression, target: TSESTree.Node, key: string, fn: FunctionNode, testReads: readonly TSESTree.Node[]): boolean {
      if (node.type !== AST_NODE_TYPES.AssignmentExpression || node.operator !== '=') return false;
      return testReads.some(isAbsenceTest) && dependedReads(node, target, key, fn).length === 0;
    }

    /**
     * A refresh: `if (isExpired(this.token)) this.token = await fetchToken()` — a plain `x = …` whose
     * value is what the suspension produced (awaited in the value itself, or in the initializer of a
     * local it uses) and depends on no read of `x`. Whatever the check saw, the new value is computed
     * fresh; at worst it is computed twice, as in lazy initialisation.
     */
    function isRefresh(node: TSESTree.AssignmentExpression | TSESTree.UpdateExpression, target: TSESTree.Node, key: string, fn: FunctionNode, suspension: TSESTree.Node): boolean {
      if (node.type !== AST_NODE_TYPES.AssignmentExpression || node.operator !== '=') return false;
      const produces = (expression: TSESTree.Node, depth: number): boolean => {
        if (contains(expression, suspension)) return true;
        let found = false;
        walk(expression, (candidate) => {
          if (found || depth === 0 || candidate.type !== AST_NODE_TYPES.Identifier) return;
          const init = constantInit(candidate);
          if (init !== undefined && contains(fn, init)) found = produces(init, depth - 1);
        });
        return found;
      };
      return produces(node.right, 3) && dependedReads(node, target, key, fn).length === 0;
    }

    /**
     * Its mirror, teardown: `if (this.conn) { await this.conn.close(); this.conn = undefined; }` (a
     * presence test, then `undefined` or `null` stored). At worst the teardown runs twice.
     */
    function isTeardown(node: TSESTree.AssignmentExpression | TSESTree.UpdateExpression, testReads: readonly TSESTree.Node[]): boolean {
      if (node.type !== AST_NODE_TYPES.AssignmentExpression || node.operator !== '=' || !isNothing(skipWrappers(node.right))) return false;
      // A presence test written through a helper (`!isNullOrUndefined(this.proc)`, mongodb-memory-server's
      // stop()) is one too: the value is handed to the test, and clearing it is teardown whatever the form.
      return testReads.some((read) => isPresenceTest(read) || isArgumentOfCall(read));
    }

    return {
      UpdateExpression(node): void {
        checkUpdateExpression(node);
        checkStaleCheck(node);
      },
      AssignmentExpression(node): void {
        if (checkElementAssignment(node)) return;
        if (!checkStaleWrite(node)) checkStaleCheck(node);
      },
      IfStatement: checkIfStatement,
    } satisfies TSESLint.RuleListener;
  },
});

const NO_IDS: ReadonlySet<string> = new Set();

/**
 * Array methods that call their callback for every element without waiting for it: async callbacks
 * given to them run side by side (`await Promise.all(items.map(async …))`).
 */
const STARTS_RUNS_TOGETHER: ReadonlySet<string> = new Set(['map', 'forEach', 'flatMap', 'filter', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex']);

/**
 * Methods that run a plain (not async) callback there and then, during the call, and keep no
 * reference to it: such a callback cannot write anything while the caller is suspended later.
 */
const RUNS_CALLBACK_IN_PLACE: ReadonlySet<string> = new Set([
  'forEach',
  'map',
  'flatMap',
  'filter',
  'reduce',
  'reduceRight',
  'some',
  'every',
  'find',
  'findIndex',
  'findLast',
  'findLastIndex',
  'sort',
  'toSorted',
  'from',
  'replace',
  'replaceAll',
]);

/** `&&=`, `||=`, `??=`: the current value is tested at the write, and the new one is not computed from it. */
const LOGICAL_ASSIGNMENTS: ReadonlySet<string> = new Set(['&&=', '||=', '??=']);

const COMPARISONS: ReadonlySet<string> = new Set(['<', '<=', '>', '>=', '==', '!=', '===', '!==', 'in', 'instanceof']);

/**
 * Whether the read `read` is checked where it is made: compared (`this.balance < amount`), negated,
 * an operand of `&&`/`||`/`??`, or the test of an `if`, a loop or a conditional. The value of a
 * member chain's object counts for the chain (`this.queue.length > 0`).
 */
function isChecked(read: TSESTree.Node): boolean {
  let node = read;
  while (node.parent?.type === AST_NODE_TYPES.MemberExpression && node.parent.object === node) node = node.parent;
  for (;;) {
    const up = node.parent;
    // `a && b` in a test tests both; `this.items || []` as a value tests nothing.
    if (isTypeWrapper(up) || up?.type === AST_NODE_TYPES.ChainExpression || (up?.type === AST_NODE_TYPES.LogicalExpression && up.operator !== '??')) node = up;
    else break;
  }
  const parent = node.parent;
  switch (parent?.type) {
    case AST_NODE_TYPES.BinaryExpression:
      return COMPARISONS.has(parent.operator);
    case AST_NODE_TYPES.UnaryExpression:
      return parent.operator === '!';
    case AST_NODE_TYPES.IfStatement:
    case AST_NODE_TYPES.ConditionalExpression:
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.ForStatement:
      return parent.test === node;
    default:
      return false;
  }
}

/** `undefined`, `null`, `void 0`. */
/**
 * `next()` of an async iterator: a method `next` of a class with a `[Symbol.asyncIterator]` member, or
 * the `next` of the object such a member returns. `for await` calls it again only once the previous
 * call settled, so the iteration's state is not shared between overlapping calls (telegram's
 * RequestIter resets its buffer across the `await` that loads the next chunk).
 */
function isAsyncIteratorNext(fn: FunctionNode): boolean {
  const holder = fn.parent;
  if (holder === undefined) return false;
  const isNext = (key: TSESTree.Node): boolean => key.type === AST_NODE_TYPES.Identifier && key.name === 'next';
  if (holder.type === AST_NODE_TYPES.MethodDefinition && !holder.computed && isNext(holder.key)) return declaresAsyncIterator(holder.parent.body);
  if (holder.type !== AST_NODE_TYPES.Property || holder.computed || !isNext(holder.key) || holder.value !== fn) return false;
  // `[Symbol.asyncIterator]() { return { next: async () => … } }`
  for (let node: TSESTree.Node | undefined = holder.parent; node !== undefined; node = node.parent) {
    if (isFunction(node)) {
      const member = node.parent;
      return (member?.type === AST_NODE_TYPES.MethodDefinition || member?.type === AST_NODE_TYPES.Property) && member.computed && isSymbolAsyncIterator(member.key);
    }
  }
  return false;
}

function declaresAsyncIterator(members: readonly TSESTree.ClassElement[]): boolean {
  return members.some((member) => (member.type === AST_NODE_TYPES.MethodDefinition || member.type === AST_NODE_TYPES.PropertyDefinition) && member.computed && isSymbolAsyncIterator(member.key));
}

function isSymbolAsyncIterator(key: TSESTree.Node): boolean {
  return (
    key.type === AST_NODE_TYPES.MemberExpression &&
    !key.computed &&
    key.object.type === AST_NODE_TYPES.Identifier &&
    key.object.name === 'Symbol' &&
    key.property.type === AST_NODE_TYPES.Identifier &&
    key.property.name === 'asyncIterator'
  );
}

/** A read handed to a call as an argument (`isNullOrUndefined(this.proc)`). */
function isArgumentOfCall(read: TSESTree.Node): boolean {
  let node = read;
  while (isTypeWrapper(node.parent)) node = node.parent;
  const parent = node.parent;
  return parent?.type === AST_NODE_TYPES.CallExpression && parent.arguments.includes(node as TSESTree.CallExpressionArgument);
}

function isNothing(node: TSESTree.Node): boolean {
  if (node.type === AST_NODE_TYPES.Literal) return node.value === null;
  if (node.type === AST_NODE_TYPES.Identifier) return node.name === 'undefined';
  return node.type === AST_NODE_TYPES.UnaryExpression && node.operator === 'void';
}

/** `if (x)` (alone or with `&&`), `x !== undefined`, `x != null` (either side): a test that `x` is there. */
function isPresenceTest(read: TSESTree.Node): boolean {
  let node = read;
  for (;;) {
    const up = node.parent;
    if (isTypeWrapper(up) || up?.type === AST_NODE_TYPES.ChainExpression || (up?.type === AST_NODE_TYPES.LogicalExpression && up.operator === '&&')) node = up;
    else break;
  }
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.IfStatement || parent?.type === AST_NODE_TYPES.ConditionalExpression) return parent.test === node;
  if (node !== read || parent?.type !== AST_NODE_TYPES.BinaryExpression || (parent.operator !== '!==' && parent.operator !== '!=')) return false;
  return isNothing(parent.left === node ? parent.right : parent.left);
}

/** `!x`, `x === undefined`, `x == null`, `x === void 0`, `typeof x === 'undefined'` (either side): a test that `x` is not there yet. */
function isAbsenceTest(read: TSESTree.Node): boolean {
  let node = read;
  while (isTypeWrapper(node.parent) || node.parent?.type === AST_NODE_TYPES.ChainExpression) node = node.parent;
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.UnaryExpression) {
    if (parent.operator === '!') return true;
    if (parent.operator !== 'typeof') return false;
    const comparison = parent.parent;
    if (comparison?.type !== AST_NODE_TYPES.BinaryExpression || (comparison.operator !== '===' && comparison.operator !== '==')) return false;
    const other = comparison.left === parent ? comparison.right : comparison.left;
    return other.type === AST_NODE_TYPES.Literal && other.value === 'undefined';
  }
  if (parent?.type !== AST_NODE_TYPES.BinaryExpression || !['===', '=='].includes(parent.operator)) return false;
  return isNothing(parent.left === node ? parent.right : parent.left);
}

/** Method names a release may have, to skip the type query on every other call. */
const RELEASE_NAMES: ReadonlySet<string> = new Set([...FALLBACK_METHODS].filter(([, role]) => role === 'release').map(([name]) => name));

/** Whether the typed array's `buffer` is certainly a SharedArrayBuffer, certainly not, or may be either. */
function bufferKindOf(checker: ts.TypeChecker, type: ts.Type): 'shared' | 'unshared' | 'unknown' {
  const property = type.getProperty('buffer');
  if (property === undefined) return 'unknown';
  const buffer = checker.getTypeOfSymbol(property);
  const members = buffer.isUnion() ? buffer.types : [buffer];
  const names = members.map((member) => member.getSymbol()?.getName());
  if (names.every((name) => name === 'SharedArrayBuffer')) return 'shared';
  if (names.every((name) => name === 'ArrayBuffer')) return 'unshared';
  return 'unknown';
}

/** A class or interface instance (not a primitive, not an anonymous object type). */
function isInstanceType(type: ts.Type): boolean {
  if (type.isUnion()) return type.types.some(isInstanceType);
  if (!(type.flags & ts.TypeFlags.Object)) return false;
  const objectType = type as ts.ObjectType;
  const target = objectType.objectFlags & ts.ObjectFlags.Reference ? (objectType as ts.TypeReference).target : objectType;
  return (target.objectFlags & ts.ObjectFlags.ClassOrInterface) !== 0;
}

function enclosingFunction(node: TSESTree.Node): FunctionNode | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (isFunction(current)) return current;
    // Field initialisers and static blocks run apart from the enclosing function.
    if (current.type === AST_NODE_TYPES.PropertyDefinition || current.type === AST_NODE_TYPES.StaticBlock) return undefined;
  }
  return undefined;
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node | undefined): boolean {
  return inner !== undefined && outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

function statementsOf(node: TSESTree.Node): readonly TSESTree.Node[] | undefined {
  switch (node.type) {
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.Program:
    case AST_NODE_TYPES.StaticBlock:
      return node.body;
    case AST_NODE_TYPES.SwitchCase:
      return node.consequent;
    default:
      return undefined;
  }
}

function endsByLeaving(block: TSESTree.BlockStatement): boolean {
  const last = block.body[block.body.length - 1];
  return (
    last?.type === AST_NODE_TYPES.ReturnStatement ||
    last?.type === AST_NODE_TYPES.ThrowStatement ||
    last?.type === AST_NODE_TYPES.BreakStatement ||
    last?.type === AST_NODE_TYPES.ContinueStatement
  );
}

/** The call an expression evaluates, through `await`, `!`, casts and parentheses. */
function callIn(expression: TSESTree.Node): TSESTree.CallExpression | undefined {
  let node = skipWrappers(expression);
  if (node.type === AST_NODE_TYPES.AwaitExpression) node = skipWrappers(node.argument);
  if (node.type === AST_NODE_TYPES.ChainExpression) node = node.expression;
  return node.type === AST_NODE_TYPES.CallExpression ? node : undefined;
}

function isTypeWrapper(node: TSESTree.Node | undefined): node is TSESTree.TSAsExpression | TSESTree.TSSatisfiesExpression | TSESTree.TSNonNullExpression | TSESTree.TSTypeAssertion {
  return (
    node?.type === AST_NODE_TYPES.TSAsExpression ||
    node?.type === AST_NODE_TYPES.TSSatisfiesExpression ||
    node?.type === AST_NODE_TYPES.TSNonNullExpression ||
    node?.type === AST_NODE_TYPES.TSTypeAssertion
  );
}

function skipWrappers<T extends TSESTree.Node>(node: T): TSESTree.Node {
  let current: TSESTree.Node = node;
  while (isTypeWrapper(current)) current = current.expression;
  return current;
}

/** The object a member chain starts from (`this` of `this.a.b`). */
function rootOf(node: TSESTree.Node): TSESTree.Node {
  let current = skipWrappers(node);
  while (current.type === AST_NODE_TYPES.MemberExpression) current = skipWrappers(current.object);
  return current;
}

/**
 * `count`, `this.count`, `cache.entries.size`, `headers['x']` (as `headers.x`): a variable or a
 * member chain with static keys. Anything else (`a[i]`, calls in the chain) has no stable key.
 */
function targetKey(node: TSESTree.Node): string | undefined {
  const current = skipWrappers(node);
  if (current.type === AST_NODE_TYPES.Identifier) return current.name;
  if (current.type === AST_NODE_TYPES.ThisExpression) return 'this';
  if (current.type !== AST_NODE_TYPES.MemberExpression) return undefined;
  const object = targetKey(current.object);
  if (object === undefined) return undefined;
  if (!current.computed) return current.property.type === AST_NODE_TYPES.PrivateIdentifier ? `${object}.#${current.property.name}` : `${object}.${current.property.name}`;
  const property = current.property;
  if (property.type === AST_NODE_TYPES.Literal && (typeof property.value === 'string' || typeof property.value === 'number')) return `${object}.${String(property.value)}`;
  // `totals[key]`: the same key variable names the same element within one function.
  const key = targetKey(property);
  return key === undefined ? undefined : `${object}[${key}]`;
}

/**
 * Whether `a` and `b` lie on the two branches of one conditional (`c ? a : b`, `if (c) a; else b;`):
 * they never both run, so a read on one is not followed by a suspension on the other.
 */
function onExclusiveBranches(a: TSESTree.Node, b: TSESTree.Node): boolean {
  for (let node: TSESTree.Node | undefined = a; node !== undefined; node = node.parent) {
    const parent = node.parent;
    if (parent === undefined || !contains(parent, b)) continue;
    if (parent.type === AST_NODE_TYPES.ConditionalExpression || parent.type === AST_NODE_TYPES.IfStatement) {
      const branches: readonly (TSESTree.Node | null)[] = [parent.consequent, parent.alternate];
      return branches.includes(node) && branches.some((branch) => branch !== null && branch !== node && contains(branch, b));
    }
    return false;
  }
  return false;
}

/** The left side of a plain `=`: written, not read. */
function isPlainWriteTarget(node: TSESTree.Node): boolean {
  let current = node;
  while (isTypeWrapper(current.parent)) current = current.parent;
  const parent = current.parent;
  return parent?.type === AST_NODE_TYPES.AssignmentExpression && parent.operator === '=' && parent.left === current;
}

function receiverName(receiver: TSESTree.Node): string | undefined {
  const node = skipWrappers(receiver);
  if (node.type === AST_NODE_TYPES.Identifier) return node.name;
  if (node.type === AST_NODE_TYPES.MemberExpression) {
    if (!node.computed && node.property.type === AST_NODE_TYPES.Identifier) return node.property.name;
    return receiverName(node.object);
  }
  return undefined;
}

/** An index expression that evaluates the same however often it is evaluated. */
function hasNoSideEffects(node: TSESTree.Node): boolean {
  const current = skipWrappers(node);
  switch (current.type) {
    case AST_NODE_TYPES.Identifier:
    case AST_NODE_TYPES.Literal:
    case AST_NODE_TYPES.ThisExpression:
      return true;
    case AST_NODE_TYPES.MemberExpression:
      return hasNoSideEffects(current.object) && (!current.computed || hasNoSideEffects(current.property));
    case AST_NODE_TYPES.BinaryExpression:
      return current.left.type !== AST_NODE_TYPES.PrivateIdentifier && hasNoSideEffects(current.left) && hasNoSideEffects(current.right);
    case AST_NODE_TYPES.UnaryExpression:
      return current.operator !== 'delete' && hasNoSideEffects(current.argument);
    default:
      return false;
  }
}
