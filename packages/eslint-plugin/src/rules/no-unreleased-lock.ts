/**
 * `no-unreleased-lock`: a lock taken with `acquire()` (or an awaited `acquireAsync()`, async-mutex's
 * `acquire()`, a successful `tryAcquire()`) that some path of its function leaves held: an early
 * `return`, a `break`/`continue` out of the loop that took it, the end of the function, or an
 * exception from a call between the acquisition and a release that no `finally` covers. SpotBugs'
 * `UL_UNRELEASED_LOCK` is the model; code that throws before the acquisition holds nothing and is
 * not reported.
 *
 * Each function is walked on its own, structurally (blocks, `if`/`switch`, loops to a fixpoint,
 * labels, `try`/`catch`/`finally`), once per acquisition, tracking whether that lock may be held.
 * A held state remembers the `break`/`continue` it went through, so the report can name that path.
 *
 * A function that hands the lock on (returns, stores, passes or aliases it or its release function)
 * is not checked, except when every release is in one callback it passes to a call: that callback
 * owns the lock, and is walked from its start with the lock held, reporting a `return`, an explicit
 * `throw` or its end that leaves it held (a call that may throw in it is its caller's business).
 */
import { FALLBACK_METHODS, LOCK_SHAPE_METHODS, looksLikeLockName, sameInstance } from '@lockstep/analyzer';
import type { LockMethodRole, LockRef, LockSource } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES, ASTUtils } from '@typescript-eslint/utils';
import ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { isFunction, isNode, receiverName } from '../util/estree-nodes.js';
import type { FunctionNode } from '../util/estree-nodes.js';
import { enclosingSignature, recognizerFor } from '../util/rule-recognizer.js';
import { resolveSettings } from '../util/settings.js';

/** The rule takes no options. */
export type Options = [];

type PathMessageId = 'releaseMissingOnReturn' | 'releaseMissingOnBreak' | 'releaseMissingOnContinue' | 'releaseMissingOnThrow' | 'releaseMissingAtEnd';
type CallbackPathMessageId = 'releaseMissingInCallbackOnReturn' | 'releaseMissingInCallbackOnThrow' | 'releaseMissingInCallbackAtEnd';

export type MessageId =
  /** A path leaves the function by `return` while the lock is held. */
  | 'releaseMissingOnReturn'
  /** A `break` leaves the loop (or labelled statement) that took the lock, and the lock stays held. */
  | 'releaseMissingOnBreak'
  /** A `continue` skips the release of the iteration that took the lock. */
  | 'releaseMissingOnContinue'
  /** A call, `new`, `await`, `yield` or `throw` between the acquisition and a release outside any `finally`. */
  | 'releaseMissingOnThrow'
  /** The function runs to its end holding the lock, and does not hand it off. */
  | 'releaseMissingAtEnd'
  /** The five above, for a lock recognised by its name only (no type information). */
  | `${PathMessageId}Guessed`
  /** Every release is in one callback, which owns the lock, and a path of it leaves by `return` holding it. */
  | 'releaseMissingInCallbackOnReturn'
  /** A path of the owning callback leaves by an explicit `throw` holding the lock. */
  | 'releaseMissingInCallbackOnThrow'
  /** The owning callback runs to its end holding the lock. */
  | 'releaseMissingInCallbackAtEnd'
  /** The three above, for a lock recognised by its name only (no type information). */
  | `${CallbackPathMessageId}Guessed`
  /** Suggestion: `using _lock = lock.hold();` instead of acquire/release. */
  | 'useUsingDeclaration'
  /** Suggestion: wrap the rest of the block in `try { … } finally { release }`. */
  | 'wrapInTryFinally';

/** The data of every report: the lock as written and the line of the path that leaves it held. */
export interface UnreleasedLockData extends Record<string, string> {
  readonly lock: string;
  /**
   * The line of the `return`, `break`, `continue`, throwing expression, or the function's closing brace
   * (for `releaseMissingInCallback…`: of the callback's `return` or `throw`, or where its body ends).
   */
  readonly line: string;
}

/** `releaseMissingInCallback…` also names where the owning callback does release the lock. */
export interface UnreleasedInCallbackData extends UnreleasedLockData {
  /** The line of the callback's first release. */
  readonly releaseLine: string;
}

/** `releaseMissingOnThrow…` also names the expression that may throw. */
export interface UnreleasedOnThrowData extends UnreleasedLockData {
  /** Its source text, first line only, shortened to 40 characters. */
  readonly throwingCall: string;
}

const GUESS = ' The lock was recognised by its name only (no type information), so this is a guess.';
const FIX = " Release it in a 'finally' block, or hold it with 'using'.";
const CALLBACK_FIX = " Release it on that path too, or wrap the callback's body in 'try { … } finally { … }'.";
const CALLBACK_MESSAGES: Record<CallbackPathMessageId, string> = {
  releaseMissingInCallbackOnReturn: "'{{lock}}' is released in the callback at line {{releaseLine}}, but not when it returns at line {{line}}.",
  releaseMissingInCallbackOnThrow: "'{{lock}}' is released in the callback at line {{releaseLine}}, but not when it throws at line {{line}}.",
  releaseMissingInCallbackAtEnd: "'{{lock}}' is released in the callback at line {{releaseLine}}, but not when the callback ends at line {{line}}.",
};
const PATH_MESSAGES: Record<PathMessageId, string> = {
  releaseMissingOnReturn: "'{{lock}}' is acquired here but not released when the function returns at line {{line}}.",
  releaseMissingOnBreak: "'{{lock}}' is acquired here but not released when 'break' at line {{line}} leaves the loop.",
  releaseMissingOnContinue: "'{{lock}}' is acquired here but not released when 'continue' at line {{line}} goes to the next iteration.",
  releaseMissingOnThrow: "'{{lock}}' is acquired here but not released if '{{throwingCall}}' at line {{line}} throws: the release is not in a 'finally' block.",
  releaseMissingAtEnd: "'{{lock}}' is acquired here but still held when the function ends at line {{line}}.",
};

/**
 * Functions whose name says they leave a lock held (`lock`, `lockAll`, `acquireBoth`, `tryLockFor`):
 * their caller releases, as the analyzer's exit effects assume.
 */
const ACQUIRING_FUNCTION_NAME = /^#?(?:try)?(?:lock|acquire)(?:$|[A-Z0-9_$])/i;

/** Calls whose callback may run many times: a lock released in it is not owned by one run. */
const REPEATING_CALLBACK_HOSTS: ReadonlySet<string> = new Set(['setInterval', 'on', 'addListener', 'prependListener', 'addEventListener']);

/**
 * Calls that cannot throw, so a lock held across them is not left held by an exception: the lookups and
 * updates of a standard `Map` or `Set` (the receiver's type declared by TypeScript's default library;
 * `WeakMap.set` is not among them, it throws on a primitive key) and `Date.now()`. Their arguments are
 * still walked: `map.set(k, compute())` may throw in `compute()`.
 */
const NON_THROWING_METHODS: ReadonlyMap<string, ReadonlySet<string>> = new Map([
  ['Map', new Set(['get', 'set', 'has', 'delete', 'clear'])],
  ['Set', new Set(['add', 'has', 'delete', 'clear'])],
]);
/** Every method name of {@link NON_THROWING_METHODS}: the cheap test before asking the checker. */
const NON_THROWING_METHOD_NAMES: ReadonlySet<string> = new Set([...NON_THROWING_METHODS.values()].flatMap((methods) => [...methods]));

/**
 * Logging calls, taken as not throwing: `console.debug(…)`, `log.warn(…)`, `this.logger.error(…)`
 * (a receiver named `console`, `log` or `logger`). A logger that throws is broken in a way every
 * other line of the program suffers from too, and counting one as a throw site reports nearly every
 * critical section that logs (livekit-client logs between `lock()` and `try`, and in its `finally`
 * blocks). Their arguments are still walked: `log.debug(describe(state))` may throw in `describe`.
 */
const LOGGING_RECEIVERS: ReadonlySet<string> = new Set(['console', 'log', 'logger']);
const LOGGING_METHODS: ReadonlySet<string> = new Set(['trace', 'debug', 'info', 'log', 'warn', 'error', 'fatal']);

/** The methods the name-based fallback knows, for the first, cheap test of a call without types. */
const FALLBACK_METHOD_NAMES: ReadonlySet<string> = new Set(FALLBACK_METHODS.keys());

/** May-held state: empty when not held; `null` for "held", a `break`/`continue` node for "held, having gone through it". */
type Held = ReadonlySet<TSESTree.Node | null>;
const NOT_HELD: Held = new Set();
const HELD: Held = new Set([null]);

interface Exit {
  readonly node: TSESTree.Node;
  readonly held: Held;
}
interface Jump extends Exit {
  /** The loop a `continue` goes back to; the loop, `switch` or labelled statement a `break` leaves. */
  readonly target: TSESTree.Node;
  readonly kind: 'break' | 'continue';
}

/** How a statement may complete, and holding what. `normal` is undefined when it cannot complete normally. */
interface Completion {
  normal: Held | undefined;
  readonly jumps: Jump[];
  /** Only those holding the lock. */
  readonly returns: Exit[];
  /** Only those holding the lock. */
  readonly throws: Exit[];
}

/** A lock operation found in a function's own body. */
interface Operation {
  readonly call: TSESTree.CallExpression;
  readonly role: LockMethodRole;
  readonly receiver: TSESTree.Expression;
  readonly receiverText: string;
  readonly form: string;
  readonly guessed: boolean;
  readonly ref: LockRef | undefined;
  readonly source: LockSource | undefined;
  readonly returnsPromise: boolean;
  readonly releaser: 'function' | 'tuple' | undefined;
}

interface Acquisition {
  readonly op: Operation;
  /** Where the lock becomes held: the call, or the `await` of it. */
  readonly point: TSESTree.Expression;
  /** A `tryAcquire()` (or timed acquire) tested by an `if`: held in one branch only. */
  readonly conditional: { readonly ifStatement: TSESTree.IfStatement; readonly negated: boolean } | undefined;
  /** The name the release function of async-mutex's `acquire()` is bound to. */
  readonly releaserName: string | undefined;
  /** Where that name is declared (`release` in `const release = await mutex.acquire()`). */
  readonly releaserId: TSESTree.Identifier | undefined;
  /** The statement that is only the acquisition, for the suggestions. */
  readonly statement: TSESTree.ExpressionStatement | TSESTree.VariableDeclaration | undefined;
}

/** A callback that makes every release of a lock taken by its enclosing function, and so owns it. */
interface CallbackOwner {
  readonly callback: FunctionNode;
  /** Its release calls: of the release function, or `release()`/`unlock()` on the lock. */
  readonly releases: readonly TSESTree.CallExpression[];
}

/** Who releases a lock: the function that took it, someone it handed the lock to, or a callback of its. */
type Owner = 'function' | 'handedOff' | CallbackOwner;

export default createRule<Options, MessageId>({
  name: 'no-unreleased-lock',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require every acquired lock to be released on every path, exceptions included',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      releaseMissingOnReturn: PATH_MESSAGES.releaseMissingOnReturn + FIX,
      releaseMissingOnBreak: PATH_MESSAGES.releaseMissingOnBreak + FIX,
      releaseMissingOnContinue: PATH_MESSAGES.releaseMissingOnContinue + FIX,
      releaseMissingOnThrow: PATH_MESSAGES.releaseMissingOnThrow + FIX,
      releaseMissingAtEnd: PATH_MESSAGES.releaseMissingAtEnd + FIX,
      releaseMissingOnReturnGuessed: PATH_MESSAGES.releaseMissingOnReturn + FIX + GUESS,
      releaseMissingOnBreakGuessed: PATH_MESSAGES.releaseMissingOnBreak + FIX + GUESS,
      releaseMissingOnContinueGuessed: PATH_MESSAGES.releaseMissingOnContinue + FIX + GUESS,
      releaseMissingOnThrowGuessed: PATH_MESSAGES.releaseMissingOnThrow + FIX + GUESS,
      releaseMissingAtEndGuessed: PATH_MESSAGES.releaseMissingAtEnd + FIX + GUESS,
      releaseMissingInCallbackOnReturn: CALLBACK_MESSAGES.releaseMissingInCallbackOnReturn + CALLBACK_FIX,
      releaseMissingInCallbackOnThrow: CALLBACK_MESSAGES.releaseMissingInCallbackOnThrow + CALLBACK_FIX,
      releaseMissingInCallbackAtEnd: CALLBACK_MESSAGES.releaseMissingInCallbackAtEnd + CALLBACK_FIX,
      releaseMissingInCallbackOnReturnGuessed: CALLBACK_MESSAGES.releaseMissingInCallbackOnReturn + CALLBACK_FIX + GUESS,
      releaseMissingInCallbackOnThrowGuessed: CALLBACK_MESSAGES.releaseMissingInCallbackOnThrow + CALLBACK_FIX + GUESS,
      releaseMissingInCallbackAtEndGuessed: CALLBACK_MESSAGES.releaseMissingInCallbackAtEnd + CALLBACK_FIX + GUESS,
      useUsingDeclaration: "Hold '{{lock}}' with '{{declaration}}', which releases it when the block exits.",
      wrapInTryFinally: "Wrap the rest of the block in 'try { … } finally { {{release}} }'.",
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
    const sourceCode = context.sourceCode;
    const visitorKeys = sourceCode.visitorKeys;
    const recognizer = checker === null ? undefined : recognizerFor(checker, settings, context.cwd);
    const methodNames = recognizer?.methodNames ?? FALLBACK_METHOD_NAMES;

    /** A call that cannot throw (see {@link NON_THROWING_METHODS}); only with type information. */
    function cannotThrow(call: TSESTree.CallExpression): boolean {
      const callee = call.callee;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return false;
      const method = callee.property.name;
      if (callee.object.type === AST_NODE_TYPES.Identifier && callee.object.name === 'Date' && method === 'now') {
        const variable = ASTUtils.findVariable(sourceCode.getScope(call), 'Date');
        return variable === null || variable.defs.length === 0; // the global, not a `Date` of the file's own
      }
      if (LOGGING_METHODS.has(method) && LOGGING_RECEIVERS.has(receiverName(callee.object)?.toLowerCase() ?? '')) return true;
      if (program === null || checker === null || nodeMap === undefined) return false;
      const tsCall = nodeMap.get(call);
      if (ts.isCallExpression(tsCall) && callCannotThrow(tsCall, checker, 1)) return true;
      if (!NON_THROWING_METHOD_NAMES.has(method)) return false;
      const type = checker.getNonNullableType(checker.getTypeAtLocation(nodeMap.get(callee.object)));
      const symbol = type.getSymbol();
      if (symbol === undefined || NON_THROWING_METHODS.get(symbol.getName())?.has(method) !== true) return false;
      const declarations = symbol.declarations ?? [];
      return declarations.length > 0 && declarations.every((declaration) => program.isSourceFileDefaultLibrary(declaration.getSourceFile()));
    }

    function classify(call: TSESTree.CallExpression): Operation | undefined {
      const callee = call.callee;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
      const method = callee.property.name;
      // Cheap first: most calls' method names are no lock method's.
      if (!methodNames.has(method)) return undefined;
      const receiver = callee.object;
      // `this.acquire()` inside a lock class's own methods implements the lock (hold(), a semaphore's
      // wait loop): taking `this` and returning it held is the method's job, not a leak.
      if (receiver.type === AST_NODE_TYPES.ThisExpression) return undefined;
      const receiverText = sourceCode.getText(receiver);
      if (recognizer !== undefined && nodeMap !== undefined) {
        const tsCall = nodeMap.get(call);
        if (!ts.isCallExpression(tsCall)) return undefined;
        const operation = recognizer.operationOf(tsCall, enclosingSignature(tsCall));
        if (operation === undefined || operation.role === 'scoped') return undefined;
        return {
          call,
          role: operation.role,
          receiver,
          receiverText,
          form: operation.form,
          guessed: operation.lock.guessed,
          ref: operation.lock,
          source: operation.lock.info.source,
          returnsPromise: operation.returnsPromise,
          releaser: operation.releaser,
        };
      }
      // No type information at all: the analyzer's name-based fallback, on the syntax tree.
      const role = FALLBACK_METHODS.get(method);
      const name = receiverName(receiver);
      if (role === undefined || role === 'scoped' || name === undefined || !looksLikeLockName(name)) return undefined;
      const awaited = call.parent.type === AST_NODE_TYPES.AwaitExpression;
      return {
        call,
        role,
        receiver,
        receiverText,
        form: method,
        guessed: true,
        ref: undefined,
        source: undefined,
        // Unknown without types: an awaited acquisition is held after the `await`, any other after the call,
        // and its value may be the function that releases it — as the recogniser says of a receiver typed `any`.
        returnsPromise: awaited || method.endsWith('Async'),
        releaser: role === 'acquire' && awaited ? 'function' : undefined,
      };
    }

    /** The acquisition an operation is, when the rule can follow it; undefined for shapes it leaves alone. */
    function acquisitionOf(op: Operation): Acquisition | undefined {
      if (op.role !== 'acquire' && op.role !== 'tryAcquire') return undefined;
      let point: TSESTree.Expression = op.call;
      if (op.returnsPromise) {
        // A pending acquisition nobody awaits holds nothing yet.
        if (op.call.parent.type !== AST_NODE_TYPES.AwaitExpression) return undefined;
        point = op.call.parent;
      }
      const context = point.parent;
      const tested = ifTestOf(point);
      if (tested !== undefined) return { op, point, conditional: tested, releaserName: undefined, releaserId: undefined, statement: undefined };
      // A `tryAcquire()` whose result is kept or returned cannot be followed into its branches.
      if (op.role === 'tryAcquire') return undefined;
      if (context?.type === AST_NODE_TYPES.ExpressionStatement) return { op, point, conditional: undefined, releaserName: undefined, releaserId: undefined, statement: context };
      if (context?.type === AST_NODE_TYPES.VariableDeclarator && context.init === point) {
        const releaserId = releaserOf(context.id, op);
        if (releaserId === undefined) return undefined;
        const declaration = context.parent;
        return {
          op,
          point,
          conditional: undefined,
          releaserName: releaserId.name,
          releaserId,
          statement: declaration.declarations.length === 1 ? declaration : undefined,
        };
      }
      return undefined;
    }

    /** `operations`: the lock operations among the function's own calls (not those of nested functions or classes). */
    function analyzeFunction(fn: FunctionNode, operations: ReadonlyMap<TSESTree.CallExpression, Operation>): void {
      if (fn.body.type !== AST_NODE_TYPES.BlockStatement) return;
      if (ACQUIRING_FUNCTION_NAME.test(functionNameOf(fn) ?? '')) return;
      // A lock class built on an inner lock (`RLock` over its `#mutex`): its methods implement holding it.
      if (isInLockClass(fn)) return;
      const body = fn.body;
      for (const op of operations.values()) {
        const acquisition = acquisitionOf(op);
        if (acquisition === undefined) continue;
        const isRelease = (call: TSESTree.CallExpression): boolean => {
          if (acquisition.releaserName !== undefined && call.callee.type === AST_NODE_TYPES.Identifier && call.callee.name === acquisition.releaserName) return true;
          const other = operations.get(call);
          return other?.role === 'release' && onSameLock(op, other);
        };
        if (restoresGivenBackHold(op, operations)) continue;
        const owner = ownerOf(fn, acquisition, operations, isRelease);
        if (owner === 'handedOff') continue;
        if (owner !== 'function') {
          checkCallback(acquisition, owner);
          continue;
        }
        const walker = new PathWalker(acquisition, isRelease, cannotThrow, visitorKeys);
        const completion = walker.block(body.body, NOT_HELD);
        report(fn, body, acquisition, completion, operations);
      }
    }

    /**
     * The function gave this lock back before taking it (a release of it comes first, with no
     * acquisition of it before that release): it was held on entry, by a caller or a lock helper
     * running this callback, and the acquisition takes the caller's hold back, for the caller to
     * release — @ethereumjs/blockchain's iterator releases its lock around `onBlock` and re-takes it
     * in a `finally`, inside `runWithLock`.
     */
    function restoresGivenBackHold(op: Operation, operations: ReadonlyMap<TSESTree.CallExpression, Operation>): boolean {
      const same = [...operations.values()].filter((other) => onSameLock(op, other));
      const firstRelease = same.filter((other) => other.role === 'release' && other.call.range[0] < op.call.range[0]).sort((x, y) => x.call.range[0] - y.call.range[0])[0];
      if (firstRelease === undefined) return false;
      return !same.some((other) => other.role !== 'release' && other.call.range[0] < firstRelease.call.range[0]);
    }

    /**
     * Who releases the lock. The function itself, unless the lock or its release function leaves its
     * hands: any mention other than a member access on the lock (`lock.release()`, `lock.locked`) or a
     * call of the release function in the function's own body — returned, stored, passed, aliased, or
     * used by a closure — is a hand-off, and someone else releases it. Except that when every release
     * is a call in one and the same callback, passed as an argument to a call (or `new`) of the function,
     * or of a callback so passed, and nothing else mentions the lock, that callback owns it.
     */
    function ownerOf(
      fn: FunctionNode,
      acquisition: Acquisition,
      operations: ReadonlyMap<TSESTree.CallExpression, Operation>,
      isRelease: (call: TSESTree.CallExpression) => boolean,
    ): Owner {
      const { op, releaserName, releaserId } = acquisition;
      const receiverIsName = op.receiver.type === AST_NODE_TYPES.Identifier;
      const inClosures: TSESTree.CallExpression[] = [];
      let handedOff = false;
      let releasedHere = false;
      const mentionsReceiver = (mention: TSESTree.Node): void => {
        const member = mention.parent;
        if (member?.type !== AST_NODE_TYPES.MemberExpression || member.object !== mention) {
          handedOff = true;
          return;
        }
        if (ownFunction(mention) === fn) return;
        const call = member.parent;
        if (call.type === AST_NODE_TYPES.CallExpression && call.callee === member && allOperations.get(call)?.role === 'release' && sameReceiver(mention, op.receiver, fn)) {
          inClosures.push(call);
        } else {
          handedOff = true;
        }
      };
      forEachNode(fn.body, visitorKeys, (node) => {
        if (handedOff) return;
        if (node.type === AST_NODE_TYPES.Identifier && isReference(node)) {
          if (node.name === releaserName && !isDeclarationId(node)) {
            const call = node.parent;
            if (call.type !== AST_NODE_TYPES.CallExpression || call.callee !== node) handedOff = true;
            else if (ownFunction(node) === fn) releasedHere = true;
            else if (releaserId !== undefined && sameBinding(node, releaserId)) inClosures.push(call);
            else handedOff = true;
          }
          if (receiverIsName && node.name === op.receiverText && !isDeclarationId(node)) mentionsReceiver(node);
        } else if (!receiverIsName && node.type === AST_NODE_TYPES.MemberExpression && sourceCode.getText(node) === op.receiverText) {
          mentionsReceiver(node);
        }
      });
      if (handedOff) return 'handedOff';
      if (inClosures.length === 0) return 'function';
      // Released here too, and in a closure: which paths hand the lock over is not followed.
      if (releasedHere || [...operations.keys()].some(isRelease)) return 'handedOff';
      const callbacks = new Set(inClosures.map(ownFunction));
      const [callback] = callbacks;
      if (callbacks.size !== 1 || callback === undefined || !isCallbackOf(callback, fn)) return 'handedOff';
      return { callback, releases: inClosures };
    }

    /**
     * The receiver of a release in a closure is the acquisition's, not a namesake: the same variable
     * at its root, or the same `this` (only arrow functions between them).
     */
    function sameReceiver(mention: TSESTree.Node, receiver: TSESTree.Node, fn: FunctionNode): boolean {
      const root = rootObjectOf(mention);
      const acquired = rootObjectOf(receiver);
      if (root.type === AST_NODE_TYPES.Identifier && acquired.type === AST_NODE_TYPES.Identifier) return sameBinding(root, acquired);
      if (root.type === AST_NODE_TYPES.ThisExpression) {
        for (let current = ownFunction(mention); current !== undefined && current !== fn; current = ownFunction(current)) {
          if (current.type !== AST_NODE_TYPES.ArrowFunctionExpression) return false;
        }
      }
      return true;
    }

    /** Whether two identifiers of one name denote one variable (or, both undeclared, one global). */
    function sameBinding(a: TSESTree.Identifier, b: TSESTree.Identifier): boolean {
      return ASTUtils.findVariable(sourceCode.getScope(a), a) === ASTUtils.findVariable(sourceCode.getScope(b), b);
    }

    /**
     * The callback that owns the lock is walked from its start with the lock held. A `return`, a
     * `throw` or its end while still holding it is reported; a call that may throw is not, since the
     * callback's caller decides what an exception from it does.
     */
    function checkCallback(acquisition: Acquisition, owner: CallbackOwner): void {
      const { callback, releases } = owner;
      const walker = new PathWalker(acquisition, (call) => releases.includes(call), cannotThrow, visitorKeys);
      const body = callback.body;
      let walked: Completion;
      if (body.type === AST_NODE_TYPES.BlockStatement) {
        walked = walker.block(body.body, HELD);
      } else {
        walked = completion(HELD);
        walked.normal = walker.expression(body, HELD, walked);
      }
      const found = callbackPathOf(body, walked);
      const release = earliest(releases);
      if (found === undefined || release === undefined) return;
      const { op } = acquisition;
      const data: UnreleasedInCallbackData = { lock: op.receiverText, line: String(found.line), releaseLine: String(release.loc.start.line) };
      context.report({ node: op.call, messageId: op.guessed ? `${found.messageId}Guessed` : found.messageId, data });
    }

    function report(
      fn: FunctionNode,
      body: TSESTree.BlockStatement,
      acquisition: Acquisition,
      completion: Completion,
      operations: ReadonlyMap<TSESTree.CallExpression, Operation>,
    ): void {
      const found = pathOf(body, completion);
      if (found === undefined) return;
      const { op } = acquisition;
      const data: Record<string, string> = { lock: op.receiverText, line: String(found.node.loc.start.line) };
      if (found.messageId === 'releaseMissingAtEnd') data['line'] = String(body.loc.end.line);
      if (found.messageId === 'releaseMissingOnThrow') data['throwingCall'] = abbreviate(sourceCode.getText(found.node));
      context.report({
        node: op.call,
        messageId: op.guessed ? `${found.messageId}Guessed` : found.messageId,
        data,
        suggest: suggestionsFor(fn, acquisition, operations),
      });
    }

    function suggestionsFor(
      fn: FunctionNode,
      acquisition: Acquisition,
      operations: ReadonlyMap<TSESTree.CallExpression, Operation>,
    ): TSESLint.SuggestionReportDescriptor<MessageId>[] {
      const { op, statement } = acquisition;
      const block = statement?.parent;
      if (statement === undefined || (block?.type !== AST_NODE_TYPES.BlockStatement && block?.type !== AST_NODE_TYPES.StaticBlock)) return [];
      const index = block.body.indexOf(statement);
      const rest = block.body.slice(index + 1);
      // The releases left in the rest of the block: only a final `release` statement can be rewritten safely,
      // any other would release twice (or, with `using`, the lock would be held longer than before).
      const releaseCalls: TSESTree.CallExpression[] = [];
      for (const statementAfter of rest) {
        forEachOwnNode(statementAfter, visitorKeys, (node) => {
          if (node.type !== AST_NODE_TYPES.CallExpression) return;
          if (acquisition.releaserName !== undefined && node.callee.type === AST_NODE_TYPES.Identifier && node.callee.name === acquisition.releaserName) releaseCalls.push(node);
          const other = operations.get(node);
          if (other?.role === 'release' && other.receiverText === op.receiverText) releaseCalls.push(node);
        });
      }
      const last = rest[rest.length - 1];
      const trailingRelease = last !== undefined && last.type === AST_NODE_TYPES.ExpressionStatement && releaseCalls.length === 1 && last.expression === releaseCalls[0] ? last : undefined;
      if (releaseCalls.length > 0 && trailingRelease === undefined) return [];
      const suggestions: TSESLint.SuggestionReportDescriptor<MessageId>[] = [];

      const awaited = acquisition.point !== op.call;
      if (
        !op.guessed &&
        op.source === 'lockstep' &&
        statement.type === AST_NODE_TYPES.ExpressionStatement &&
        op.call.arguments.length === 0 &&
        HOLD_OF_ACQUIRE.has(op.form) &&
        op.form.endsWith('Async') === awaited &&
        (!awaited || fn.async)
      ) {
        const hold = HOLD_OF_ACQUIRE.get(op.form)!;
        const declaration = awaited ? `await using _lock = await ${op.receiverText}.${hold}();` : `using _lock = ${op.receiverText}.${hold}();`;
        suggestions.push({
          messageId: 'useUsingDeclaration',
          data: { lock: op.receiverText, declaration },
          fix: (fixer) => {
            const fixes = [fixer.replaceText(statement, declaration)];
            if (trailingRelease !== undefined) fixes.push(fixer.removeRange([previousEnd(trailingRelease), trailingRelease.range[1]]));
            return fixes;
          },
        });
      }

      const kept = trailingRelease === undefined ? rest : rest.slice(0, -1);
      const first = kept[0];
      const lastKept = kept[kept.length - 1];
      if (first !== undefined && lastKept !== undefined && last !== undefined) {
        const release = acquisition.releaserName !== undefined ? `${acquisition.releaserName}();` : `${op.receiverText}.${releaseMethodOf(op)}();`;
        const indent = indentOf(statement);
        const inner = sourceCode.text
          .slice(first.range[0], lastKept.range[1])
          .split('\n')
          .map((line, i) => (i === 0 || line.trim() === '' ? line : `  ${line}`))
          .join('\n');
        const text = `try {\n${indent}  ${inner}\n${indent}} finally {\n${indent}  ${release}\n${indent}}`;
        suggestions.push({
          messageId: 'wrapInTryFinally',
          data: { release },
          fix: (fixer) => fixer.replaceTextRange([first.range[0], last.range[1]], text),
        });
      }
      return suggestions;
    }

    function previousEnd(node: TSESTree.Node): number {
      return sourceCode.getTokenBefore(node, { includeComments: true })?.range[1] ?? node.range[0];
    }

    function indentOf(node: TSESTree.Node): string {
      const line = sourceCode.lines[node.loc.start.line - 1] ?? '';
      return /^\s*/.exec(line)?.[0] ?? '';
    }

    // The lock operations of each function on the way down ESLint's own traversal, so that only the
    // few functions holding one are analysed (a class body stops its enclosing function's collection).
    interface Frame {
      readonly fn: FunctionNode | undefined;
      readonly operations: Map<TSESTree.CallExpression, Operation>;
    }
    const frames: Frame[] = [];
    // Every function's lock operations, for the releases a callback makes of its enclosing function's lock.
    const allOperations = new Map<TSESTree.CallExpression, Operation>();
    const enterFunction = (fn: FunctionNode): void => {
      frames.push({ fn, operations: new Map() });
    };
    const exitFunction = (): void => {
      const frame = frames.pop();
      if (frame?.fn !== undefined && frame.operations.size > 0) analyzeFunction(frame.fn, frame.operations);
    };
    const enterClass = (): void => {
      frames.push({ fn: undefined, operations: new Map() });
    };
    const exitClass = (): void => {
      frames.pop();
    };

    return {
      FunctionDeclaration: enterFunction,
      FunctionExpression: enterFunction,
      ArrowFunctionExpression: enterFunction,
      'FunctionDeclaration:exit': exitFunction,
      'FunctionExpression:exit': exitFunction,
      'ArrowFunctionExpression:exit': exitFunction,
      ClassDeclaration: enterClass,
      ClassExpression: enterClass,
      'ClassDeclaration:exit': exitClass,
      'ClassExpression:exit': exitClass,
      CallExpression(node): void {
        const frame = frames.at(-1);
        if (frame?.fn === undefined) return;
        const op = classify(node);
        if (op === undefined) return;
        frame.operations.set(node, op);
        allOperations.set(node, op);
      },
    } satisfies TSESLint.RuleListener;
  },
});

/**
 * Which path to report, when one leaves the lock held: the function's end first (the plainest leak),
 * then a `break`/`continue`, a `return`, and last the earliest expression that may throw.
 */
function pathOf(body: TSESTree.BlockStatement, completion: Completion): { messageId: PathMessageId; node: TSESTree.Node } | undefined {
  if (completion.normal?.has(null) === true) return { messageId: 'releaseMissingAtEnd', node: body };
  const exits: Exit[] = [...completion.returns, ...completion.throws];
  if (completion.normal !== undefined) exits.push({ node: body, held: completion.normal });
  const jumps = exits.flatMap((exit) => [...exit.held].filter((tag): tag is TSESTree.Node => tag !== null));
  const jump = earliest(jumps);
  if (jump !== undefined) return { messageId: jump.type === AST_NODE_TYPES.ContinueStatement ? 'releaseMissingOnContinue' : 'releaseMissingOnBreak', node: jump };
  const ret = earliest(completion.returns.filter((exit) => exit.held.has(null)).map((exit) => exit.node));
  if (ret !== undefined) return { messageId: 'releaseMissingOnReturn', node: ret };
  // The first to run: in `await load()` the call runs (and ends) before the `await`.
  const thrown = firstToEnd(completion.throws.filter((exit) => exit.held.has(null)).map((exit) => exit.node));
  if (thrown !== undefined) return { messageId: 'releaseMissingOnThrow', node: thrown };
  return undefined;
}

/**
 * Which path of an owning callback to report: its end first, then a `return`, then an explicit `throw`
 * (the expressions that merely may throw are left to the callback's caller).
 */
function callbackPathOf(body: FunctionNode['body'], walked: Completion): { messageId: CallbackPathMessageId; line: number } | undefined {
  if (walked.normal !== undefined && walked.normal.size > 0) return { messageId: 'releaseMissingInCallbackAtEnd', line: body.loc.end.line };
  const ret = earliest(walked.returns.filter((exit) => exit.held.size > 0).map((exit) => exit.node));
  if (ret !== undefined) return { messageId: 'releaseMissingInCallbackOnReturn', line: ret.loc.start.line };
  const thrown = earliest(walked.throws.filter((exit) => exit.held.size > 0 && exit.node.type === AST_NODE_TYPES.ThrowStatement).map((exit) => exit.node));
  if (thrown !== undefined) return { messageId: 'releaseMissingInCallbackOnThrow', line: thrown.loc.start.line };
  return undefined;
}

function firstToEnd(nodes: readonly TSESTree.Node[]): TSESTree.Node | undefined {
  let best: TSESTree.Node | undefined;
  for (const node of nodes) if (best === undefined || node.range[1] < best.range[1]) best = node;
  return best;
}

function earliest(nodes: readonly TSESTree.Node[]): TSESTree.Node | undefined {
  let best: TSESTree.Node | undefined;
  for (const node of nodes) if (best === undefined || node.range[0] < best.range[0]) best = node;
  return best;
}

/**
 * Walks one function body for one acquisition. Statements return how they may complete; expressions
 * return the state after them, recording the points that may throw while the lock is held.
 */
class PathWalker {
  readonly #acquisition: Acquisition;
  readonly #isRelease: (call: TSESTree.CallExpression) => boolean;
  readonly #cannotThrow: (call: TSESTree.CallExpression) => boolean;
  /**
   * How many `finally` blocks the walk is inside. A synchronous call there, before the release, is
   * cleanup (reset a flag, emit a state change, stop a media track): taken as not throwing, as
   * logging is. What an awaited call rejects with is the everyday failure, and is still counted.
   */
  #finallyDepth = 0;
  readonly #keys: TSESLint.SourceCode.VisitorKeys;

  constructor(
    acquisition: Acquisition,
    isRelease: (call: TSESTree.CallExpression) => boolean,
    cannotThrow: (call: TSESTree.CallExpression) => boolean,
    keys: TSESLint.SourceCode.VisitorKeys,
  ) {
    this.#acquisition = acquisition;
    this.#isRelease = isRelease;
    this.#cannotThrow = cannotThrow;
    this.#keys = keys;
  }

  block(statements: readonly TSESTree.Node[], held: Held): Completion {
    const result = completion(held);
    let current: Held | undefined = held;
    for (const statement of statements) {
      if (current === undefined) break; // dead code
      const inner = this.statement(statement, current);
      addAbrupt(result, inner);
      current = inner.normal;
    }
    result.normal = current;
    return result;
  }

  statement(node: TSESTree.Node, held: Held): Completion {
    switch (node.type) {
      case AST_NODE_TYPES.BlockStatement:
      case AST_NODE_TYPES.StaticBlock:
        return this.block(node.body, held);
      case AST_NODE_TYPES.ExpressionStatement:
        return this.#expressionStatement(node.expression, held);
      case AST_NODE_TYPES.VariableDeclaration: {
        const result = completion(held);
        let current = held;
        for (const declarator of node.declarations) current = this.expression(declarator.init, current, result);
        result.normal = current;
        return result;
      }
      case AST_NODE_TYPES.ReturnStatement: {
        const result = completion(undefined);
        const after = this.expression(node.argument, held, result);
        if (after.size > 0) result.returns.push({ node, held: after });
        return result;
      }
      case AST_NODE_TYPES.ThrowStatement: {
        const result = completion(undefined);
        // `throw new Error()` is reported as the `throw`, not as the `new`.
        const argument = node.argument;
        const after =
          argument.type === AST_NODE_TYPES.NewExpression
            ? this.#children(argument, held, result)
            : this.expression(argument, held, result);
        if (after.size > 0) result.throws.push({ node, held: after });
        return result;
      }
      case AST_NODE_TYPES.BreakStatement:
      case AST_NODE_TYPES.ContinueStatement: {
        const result = completion(undefined);
        const target = jumpTarget(node);
        if (target === undefined) return result;
        const kind = node.type === AST_NODE_TYPES.BreakStatement ? 'break' : 'continue';
        // Leaving the loop that took the lock: remember the jump, so the report can name it.
        const leaves = contains(target, this.#acquisition.point);
        const tagged: Held = leaves && held.size > 0 ? new Set([...held].map((tag) => tag ?? node)) : held;
        result.jumps.push({ node, held: tagged, target, kind });
        return result;
      }
      case AST_NODE_TYPES.IfStatement:
        return this.#if(node, held);
      case AST_NODE_TYPES.LabeledStatement: {
        const inner = this.statement(node.body, held);
        return consumeJumps(inner, node, 'break');
      }
      case AST_NODE_TYPES.WhileStatement:
        return this.#loop(node, held, { test: node.test, body: node.body });
      case AST_NODE_TYPES.DoWhileStatement:
        return this.#loop(node, held, { test: node.test, body: node.body, bodyFirst: true });
      case AST_NODE_TYPES.ForStatement: {
        let init = completion(held);
        let start = held;
        if (node.init?.type === AST_NODE_TYPES.VariableDeclaration) {
          init = this.statement(node.init, held);
          start = init.normal ?? held;
        } else if (node.init !== null) {
          start = this.expression(node.init, held, init);
        }
        const loop = this.#loop(node, start, { test: node.test, body: node.body, update: node.update });
        addAbrupt(loop, init);
        return loop;
      }
      case AST_NODE_TYPES.ForInStatement:
      case AST_NODE_TYPES.ForOfStatement: {
        const right = completion(held);
        const start = this.expression(node.right, held, right);
        const loop = this.#loop(node, start, { test: null, body: node.body, collection: true, awaits: node.type === AST_NODE_TYPES.ForOfStatement && node.await });
        addAbrupt(loop, right);
        return loop;
      }
      case AST_NODE_TYPES.SwitchStatement:
        return this.#switch(node, held);
      case AST_NODE_TYPES.TryStatement:
        return this.#try(node, held);
      case AST_NODE_TYPES.WithStatement: {
        const result = completion(held);
        const inner = this.statement(node.body, this.expression(node.object, held, result));
        addAbrupt(inner, result);
        return inner;
      }
      default:
        // Declarations (functions, classes, types), empty statements, `debugger`: nothing runs here.
        return completion(held);
    }
  }

  #expressionStatement(expression: TSESTree.Expression, held: Held): Completion {
    const result = completion(held);
    result.normal = this.expression(expression, held, result);
    return result;
  }

  #if(node: TSESTree.IfStatement, held: Held): Completion {
    const result = completion(held);
    const afterTest = this.expression(node.test, held, result);
    let consequentState = afterTest;
    let alternateState = afterTest;
    const conditional = this.#acquisition.conditional;
    if (conditional?.ifStatement === node) {
      if (conditional.negated) alternateState = union(afterTest, HELD);
      else consequentState = union(afterTest, HELD);
    }
    // `if (!released) unlock();` with `released` set only right after a release: where it is true, the lock is gone.
    const flag = releasedFlagTest(node.test);
    if (flag !== undefined && this.#isReleasedFlag(flag.name)) {
      if (flag.negated) alternateState = NOT_HELD;
      else consequentState = NOT_HELD;
    }
    // `if (!partOfTransaction) lock()` … `if (!partOfTransaction) unlock()` on one `const`: the branch
    // where the test went the other way never took the lock.
    const guard = this.#constGuard();
    if (flag !== undefined && guard !== undefined && flag.name === guard.name && contains(guard.declaredIn, node)) {
      if (flag.negated === guard.negated) alternateState = NOT_HELD;
      else consequentState = NOT_HELD;
    }
    const consequent = this.statement(node.consequent, consequentState);
    const alternate = node.alternate === null ? completion(alternateState) : this.statement(node.alternate, alternateState);
    addAbrupt(result, consequent);
    addAbrupt(result, alternate);
    result.normal = unionMaybe(consequent.normal, alternate.normal);
    return result;
  }

  #constGuardCache: { readonly name: string; readonly negated: boolean; readonly declaredIn: TSESTree.Node } | null | undefined;

  /**
   * The `const` whose test the acquisition runs under: `if (!partOfTransaction) await lock.lock()`
   * (the innermost enclosing `if` it is in the consequent of, tested as `x` or `!x`). A `const` keeps
   * its value, so a later `if` on the same test went the same way whenever the lock was taken.
   */
  #constGuard(): { readonly name: string; readonly negated: boolean; readonly declaredIn: TSESTree.Node } | undefined {
    if (this.#constGuardCache !== undefined) return this.#constGuardCache ?? undefined;
    this.#constGuardCache = null;
    let child: TSESTree.Node = this.#acquisition.point;
    for (let parent: TSESTree.Node | undefined = child.parent; parent !== undefined && !isFunction(parent); parent = parent.parent) {
      const inConsequent = parent.type === AST_NODE_TYPES.IfStatement && parent.consequent === child;
      child = parent;
      if (parent.type !== AST_NODE_TYPES.IfStatement || !inConsequent) continue;
      const test = releasedFlagTest(parent.test);
      if (test === undefined) break;
      const declaredIn = constDeclarationScope(test.name, parent);
      if (declaredIn !== undefined) this.#constGuardCache = { ...test, declaredIn };
      break;
    }
    return this.#constGuardCache ?? undefined;
  }

  readonly #releasedFlags = new Map<string, boolean>();

  /**
   * A local that records the release: `let released = false`, and every `released = true` comes as the
   * statement right after a release of this lock (`unlock(); released = true;`) — livekit-agents'
   * `procWatchTask` releases its init mutex early on success and in its `finally` only `if (!initReleased)`.
   * Nothing else may write it, so `true` means released.
   */
  #isReleasedFlag(name: string): boolean {
    const known = this.#releasedFlags.get(name);
    if (known !== undefined) return known;
    let fn: TSESTree.Node | undefined = this.#acquisition.point.parent;
    while (fn !== undefined && !isFunction(fn)) fn = fn.parent;
    let declared = false;
    let sound = fn !== undefined;
    let setsTrue = 0;
    if (fn !== undefined) {
      // Nested functions too: a closure that writes the flag makes it unsound.
      forEachNode(fn, this.#keys, (node) => {
        if (!sound) return;
        if (node.type === AST_NODE_TYPES.VariableDeclarator && node.id.type === AST_NODE_TYPES.Identifier && node.id.name === name) {
          if (declared || node.init === null || node.init.type !== AST_NODE_TYPES.Literal || node.init.value !== false) sound = false;
          declared = true;
        } else if (node.type === AST_NODE_TYPES.AssignmentExpression && node.left.type === AST_NODE_TYPES.Identifier && node.left.name === name) {
          if (node.operator !== '=' || node.right.type !== AST_NODE_TYPES.Literal || node.right.value !== true || !this.#followsRelease(node)) sound = false;
          else setsTrue += 1;
        } else if (node.type === AST_NODE_TYPES.UpdateExpression && node.argument.type === AST_NODE_TYPES.Identifier && node.argument.name === name) {
          sound = false;
        }
      });
    }
    const result = sound && declared && setsTrue > 0;
    this.#releasedFlags.set(name, result);
    return result;
  }

  /** `flag = true` as a statement whose previous statement in its block releases this lock. */
  #followsRelease(assignment: TSESTree.AssignmentExpression): boolean {
    const statement = assignment.parent;
    if (statement?.type !== AST_NODE_TYPES.ExpressionStatement) return false;
    const block = statement.parent;
    if (block?.type !== AST_NODE_TYPES.BlockStatement && block?.type !== AST_NODE_TYPES.Program) return false;
    const index = block.body.indexOf(statement);
    const previous = index > 0 ? block.body[index - 1] : undefined;
    if (previous?.type !== AST_NODE_TYPES.ExpressionStatement) return false;
    let expression: TSESTree.Expression = previous.expression;
    if (expression.type === AST_NODE_TYPES.AwaitExpression) expression = expression.argument;
    if (expression.type === AST_NODE_TYPES.ChainExpression) expression = expression.expression;
    return expression.type === AST_NODE_TYPES.CallExpression && this.#isRelease(expression);
  }

  #loop(
    node: TSESTree.Node,
    start: Held,
    parts: {
      test: TSESTree.Expression | null;
      body: TSESTree.Statement;
      update?: TSESTree.Expression | null;
      bodyFirst?: boolean;
      collection?: boolean;
      awaits?: boolean;
    },
  ): Completion {
    // Always true (`while (true)`, `for (;;)`): the loop is left only by `break`.
    const endless = !parts.collection && (parts.test === null || (parts.test.type === AST_NODE_TYPES.Literal && Boolean(parts.test.value)));
    let head = start;
    let last = completion(undefined);
    let exitByTest: Held | undefined;
    // The states only grow, and there are finitely many tags: this reaches a fixpoint.
    for (let round = 0; round < 100; round++) {
      const iteration = completion(undefined);
      let next: Held;
      if (parts.bodyFirst === true) {
        const body = consumeJumps(this.statement(parts.body, head), node, 'continue');
        addAbrupt(iteration, body);
        const afterTest = body.normal === undefined ? undefined : parts.test === null ? body.normal : this.expression(parts.test, body.normal, iteration);
        exitByTest = afterTest;
        next = unionMaybe(start, afterTest) ?? start;
      } else {
        const afterTest = parts.test === null ? head : this.expression(parts.test, head, iteration);
        if (parts.awaits === true && afterTest.size > 0) iteration.throws.push({ node, held: afterTest });
        exitByTest = afterTest;
        const body = consumeJumps(this.statement(parts.body, afterTest), node, 'continue');
        addAbrupt(iteration, body);
        const afterBody = body.normal === undefined || parts.update == null ? body.normal : this.expression(parts.update, body.normal, iteration);
        next = unionMaybe(head, afterBody) ?? head;
      }
      last = iteration;
      if (sameHeld(next, head)) break;
      head = next;
    }
    const result = consumeJumps(last, node, 'break');
    result.normal = unionMaybe(result.normal, endless ? undefined : exitByTest);
    return result;
  }

  #switch(node: TSESTree.SwitchStatement, held: Held): Completion {
    const result = completion(held);
    const discriminant = this.expression(node.discriminant, held, result);
    let fallThrough: Held | undefined;
    for (const switchCase of node.cases) {
      const entry = union(discriminant, this.expression(switchCase.test, discriminant, result), fallThrough ?? NOT_HELD);
      const body = this.block(switchCase.consequent, entry);
      addAbrupt(result, body);
      fallThrough = body.normal;
    }
    const hasDefault = node.cases.some((switchCase) => switchCase.test === null);
    result.normal = unionMaybe(fallThrough, hasDefault ? undefined : discriminant);
    return consumeJumps(result, node, 'break');
  }

  #try(node: TSESTree.TryStatement, held: Held): Completion {
    const block = this.block(node.block.body, held);
    let result: Completion;
    if (node.handler === null) {
      result = block;
    } else {
      // The catch clause is always walked (an acquisition may be in it), with whatever a throw held.
      const entry = union(NOT_HELD, ...block.throws.map((exit) => exit.held));
      const handler = this.block(node.handler.body.body, entry);
      result = completion(unionMaybe(block.normal, handler.normal));
      result.jumps.push(...block.jumps, ...handler.jumps);
      result.returns.push(...block.returns, ...handler.returns);
      result.throws.push(...handler.throws);
    }
    if (node.finalizer === null) return result;
    return this.#finally(node.finalizer, result);
  }

  /** Every way out of the `try` runs the `finally` first, which may release the lock (or complete abruptly itself). */
  #finally(finalizer: TSESTree.BlockStatement, inner: Completion): Completion {
    const runs = new Map<string, Completion>();
    const out = completion(undefined);
    const run = (held: Held): Held | undefined => {
      const key = keyOf(held);
      let ran = runs.get(key);
      if (ran === undefined) {
        this.#finallyDepth += 1;
        try {
          ran = this.block(finalizer.body, held);
        } finally {
          this.#finallyDepth -= 1;
        }
        runs.set(key, ran);
        addAbrupt(out, ran);
      }
      return ran.normal;
    };
    if (inner.normal !== undefined) out.normal = run(inner.normal);
    for (const jump of inner.jumps) {
      const after = run(jump.held);
      if (after !== undefined) out.jumps.push({ ...jump, held: after });
    }
    for (const exit of inner.returns) {
      const after = run(exit.held);
      if (after !== undefined && after.size > 0) out.returns.push({ node: exit.node, held: after });
    }
    for (const exit of inner.throws) {
      const after = run(exit.held);
      if (after !== undefined && after.size > 0) out.throws.push({ node: exit.node, held: after });
    }
    if (runs.size === 0) run(NOT_HELD); // walked for an acquisition it may hold
    return out;
  }

  /** The state after `node`, recording in `result` what may throw while the lock is held. */
  expression(node: TSESTree.Node | null | undefined, held: Held, result: Completion): Held {
    if (node === null || node === undefined) return held;
    switch (node.type) {
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.ClassExpression:
        return held; // runs later, if at all: its own function is walked on its own
      case AST_NODE_TYPES.LogicalExpression: {
        const left = this.expression(node.left, held, result);
        return union(left, this.expression(node.right, left, result));
      }
      case AST_NODE_TYPES.ConditionalExpression: {
        const test = this.expression(node.test, held, result);
        return union(this.expression(node.consequent, test, result), this.expression(node.alternate, test, result));
      }
      case AST_NODE_TYPES.CallExpression: {
        const after = this.#children(node, held, result);
        const acquisition = this.#acquisition;
        if (node === acquisition.op.call) return acquisition.point === node && acquisition.conditional === undefined ? union(after, HELD) : after;
        if (this.#isRelease(node)) return NOT_HELD;
        if (after.size > 0 && this.#finallyDepth === 0 && !this.#cannotThrow(node)) result.throws.push({ node, held: after });
        return after;
      }
      case AST_NODE_TYPES.AwaitExpression: {
        const after = this.expression(node.argument, held, result);
        const acquisition = this.#acquisition;
        if (node === acquisition.point) return acquisition.conditional === undefined ? union(after, HELD) : after;
        if (after.size > 0) result.throws.push({ node, held: after });
        return after;
      }
      case AST_NODE_TYPES.NewExpression:
      case AST_NODE_TYPES.YieldExpression:
      case AST_NODE_TYPES.TaggedTemplateExpression: {
        const after = this.#children(node, held, result);
        if (after.size > 0) result.throws.push({ node, held: after });
        return after;
      }
      default:
        return this.#children(node, held, result);
    }
  }

  #children(node: TSESTree.Node, held: Held, result: Completion): Held {
    let current = held;
    for (const key of this.#keys[node.type] ?? []) {
      const value = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(value)) {
        for (const child of value) if (isNode(child)) current = this.expression(child, current, result);
      } else if (isNode(value)) {
        current = this.expression(value, current, result);
      }
    }
    return current;
  }
}

function completion(normal: Held | undefined): Completion {
  return { normal, jumps: [], returns: [], throws: [] };
}

function addAbrupt(into: Completion, from: Completion): void {
  into.jumps.push(...from.jumps);
  into.returns.push(...from.returns);
  into.throws.push(...from.throws);
}

/** Moves the jumps of `kind` aimed at `target` into the normal completion. */
function consumeJumps(from: Completion, target: TSESTree.Node, kind: 'break' | 'continue'): Completion {
  const result = completion(from.normal);
  result.returns.push(...from.returns);
  result.throws.push(...from.throws);
  for (const jump of from.jumps) {
    if (jump.kind === kind && jump.target === target) result.normal = unionMaybe(result.normal, jump.held);
    else result.jumps.push(jump);
  }
  return result;
}

function union(...states: Held[]): Held {
  const nonEmpty = states.filter((state) => state.size > 0);
  if (nonEmpty.length <= 1) return nonEmpty[0] ?? NOT_HELD;
  return new Set(nonEmpty.flatMap((state) => [...state]));
}

function unionMaybe(a: Held | undefined, b: Held | undefined): Held | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return union(a, b);
}

function sameHeld(a: Held, b: Held): boolean {
  return a.size === b.size && [...a].every((tag) => b.has(tag));
}

function keyOf(held: Held): string {
  return [...held].map((tag) => (tag === null ? 'held' : String(tag.range[0]))).sort().join(',');
}

/** The loop a `continue` goes back to, or the statement a `break` leaves. */
function jumpTarget(node: TSESTree.BreakStatement | TSESTree.ContinueStatement): TSESTree.Node | undefined {
  for (let current: TSESTree.Node | undefined = node.parent; current !== undefined; current = current.parent) {
    if (isFunction(current)) return undefined;
    if (node.label !== null) {
      if (current.type === AST_NODE_TYPES.LabeledStatement && current.label.name === node.label.name) {
        return node.type === AST_NODE_TYPES.BreakStatement ? current : current.body;
      }
    } else if (isLoop(current) || (node.type === AST_NODE_TYPES.BreakStatement && current.type === AST_NODE_TYPES.SwitchStatement)) {
      return current;
    }
  }
  return undefined;
}

/** `if (lock.tryAcquire())` or `if (!lock.tryAcquire())`, possibly awaited. */
function ifTestOf(point: TSESTree.Expression): Acquisition['conditional'] {
  const parent = point.parent;
  if (parent?.type === AST_NODE_TYPES.IfStatement && parent.test === point) return { ifStatement: parent, negated: false };
  if (parent?.type === AST_NODE_TYPES.UnaryExpression && parent.operator === '!') {
    const grandParent = parent.parent;
    if (grandParent.type === AST_NODE_TYPES.IfStatement && grandParent.test === parent) return { ifStatement: grandParent, negated: true };
  }
  return undefined;
}

/** `release` in `const release = await mutex.acquire()` / `const [, release] = await semaphore.acquire()`. */
function releaserOf(id: TSESTree.Node, op: Operation): TSESTree.Identifier | undefined {
  if (op.releaser === 'tuple') {
    if (id.type !== AST_NODE_TYPES.ArrayPattern) return undefined;
    const element = id.elements[1];
    return element?.type === AST_NODE_TYPES.Identifier ? element : undefined;
  }
  // Typed (async-mutex), or guessed for an awaited acquisition (plain JavaScript, or a receiver typed
  // `any`, as the recogniser and `classify` both say): calling the value is the release.
  if (op.releaser === 'function') return id.type === AST_NODE_TYPES.Identifier ? id : undefined;
  return undefined;
}

/** Not a property name (`a.lock`, `{ lock: 1 }`), where an identifier names no variable. */
function isReference(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  if (parent?.type === AST_NODE_TYPES.MemberExpression && parent.property === node && !parent.computed) return false;
  if ((parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.PropertyDefinition || parent?.type === AST_NODE_TYPES.MethodDefinition) && parent.key === node && !parent.computed) {
    return parent.type === AST_NODE_TYPES.Property && parent.shorthand;
  }
  return true;
}

function isDeclarationId(node: TSESTree.Identifier): boolean {
  const parent = node.parent;
  return (
    (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id === node) ||
    (parent?.type === AST_NODE_TYPES.ArrayPattern && parent.parent.type === AST_NODE_TYPES.VariableDeclarator)
  );
}

function ownFunction(node: TSESTree.Node): FunctionNode | undefined {
  for (let current: TSESTree.Node | undefined = node.parent; current !== undefined; current = current.parent) if (isFunction(current)) return current;
  return undefined;
}

/** `a` of `a.b.c`, `this` of `this.#lock`, through `!`. */
function rootObjectOf(node: TSESTree.Node): TSESTree.Node {
  let current = node;
  while (current.type === AST_NODE_TYPES.MemberExpression || current.type === AST_NODE_TYPES.TSNonNullExpression) {
    current = current.type === AST_NODE_TYPES.MemberExpression ? current.object : current.expression;
  }
  return current;
}

/**
 * Whether `callback` is passed as an argument to a call (or `new`) made by `fn`, or by a callback of
 * `fn`'s so passed, and so on: `send(payload, (err) => { … })`, `open(() => read(() => { … }))`.
 * Not when one of those calls registers a callback that runs again and again (`setInterval`,
 * `emitter.on`): releasing on one of its runs only, the last, is how such code hands a lock over.
 */
function isCallbackOf(callback: FunctionNode, fn: FunctionNode): boolean {
  for (let current: FunctionNode | undefined = callback; current !== fn; current = ownFunction(current)) {
    if (current === undefined) return false;
    const call = current.parent;
    if ((call?.type !== AST_NODE_TYPES.CallExpression && call?.type !== AST_NODE_TYPES.NewExpression) || !call.arguments.some((argument) => argument === current)) return false;
    if (REPEATING_CALLBACK_HOSTS.has(calleeNameOf(call.callee) ?? '')) return false;
  }
  return true;
}

/** `f` of `f()`, `on` of `emitter.on()`. */
function calleeNameOf(callee: TSESTree.Expression): string | undefined {
  if (callee.type === AST_NODE_TYPES.Identifier) return callee.name;
  if (callee.type === AST_NODE_TYPES.MemberExpression && !callee.computed && callee.property.type === AST_NODE_TYPES.Identifier) return callee.property.name;
  return undefined;
}

function isLoop(node: TSESTree.Node): boolean {
  switch (node.type) {
    case AST_NODE_TYPES.WhileStatement:
    case AST_NODE_TYPES.DoWhileStatement:
    case AST_NODE_TYPES.ForStatement:
    case AST_NODE_TYPES.ForInStatement:
    case AST_NODE_TYPES.ForOfStatement:
      return true;
    default:
      return false;
  }
}

function contains(outer: TSESTree.Node, inner: TSESTree.Node): boolean {
  return outer.range[0] <= inner.range[0] && inner.range[1] <= outer.range[1];
}

/** Every node under `root`, nested functions included. */
function forEachNode(root: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, visit: (node: TSESTree.Node) => void): void {
  visit(root);
  for (const key of keys[root.type] ?? []) {
    const value = (root as unknown as Record<string, unknown>)[key];
    if (Array.isArray(value)) {
      for (const child of value) if (isNode(child)) forEachNode(child, keys, visit);
    } else if (isNode(value)) {
      forEachNode(value, keys, visit);
    }
  }
}

/** Every node of `root` that runs as part of its function: nested functions and classes are left out. */
function forEachOwnNode(root: TSESTree.Node, keys: TSESLint.SourceCode.VisitorKeys, visit: (node: TSESTree.Node) => void): void {
  visit(root);
  for (const key of keys[root.type] ?? []) {
    const value = (root as unknown as Record<string, unknown>)[key];
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) {
      if (!isNode(child) || isFunction(child) || child.type === AST_NODE_TYPES.ClassDeclaration || child.type === AST_NODE_TYPES.ClassExpression) continue;
      forEachOwnNode(child, keys, visit);
    }
  }
}

function functionNameOf(fn: FunctionNode): string | undefined {
  if (fn.id !== null && fn.id !== undefined) return fn.id.name;
  const parent = fn.parent;
  if ((parent?.type === AST_NODE_TYPES.MethodDefinition || parent?.type === AST_NODE_TYPES.Property || parent?.type === AST_NODE_TYPES.PropertyDefinition) && !parent.computed) {
    if (parent.key.type === AST_NODE_TYPES.Identifier) return parent.key.name;
    if (parent.key.type === AST_NODE_TYPES.PrivateIdentifier) return `#${parent.key.name}`;
  }
  if (parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id.type === AST_NODE_TYPES.Identifier) return parent.id.name;
  return undefined;
}

/** `unlock` for a lock taken with `lock()`/`lockAsync()` (name-based fallback), else `release`. */
/** `@lockstep/primitives`' acquisitions and the `hold` form each has (a ReadWriteLock's read and write sides included). */
const HOLD_OF_ACQUIRE: ReadonlyMap<string, string> = new Map([
  ['acquire', 'hold'],
  ['acquireAsync', 'holdAsync'],
  ['acquireRead', 'holdRead'],
  ['acquireReadAsync', 'holdReadAsync'],
  ['acquireWrite', 'holdWrite'],
  ['acquireWriteAsync', 'holdWriteAsync'],
]);

function releaseMethodOf(op: Operation): string {
  if (op.form === 'lock' || op.form === 'lockAsync') return 'unlock';
  // A ReadWriteLock gives each side back with its own method.
  if (op.form.startsWith('acquireRead') || op.form === 'tryAcquireRead') return 'releaseRead';
  if (op.form.startsWith('acquireWrite') || op.form === 'tryAcquireWrite') return 'releaseWrite';
  return 'release';
}

function abbreviate(text: string): string {
  const lines = text.trim().split('\n');
  const first = (lines[0] ?? '').trim();
  if (first.length > 40) return `${first.slice(0, 39)}…`;
  return lines.length > 1 ? `${first}…` : first;
}

/** `!flag` or `flag` as an `if` test, `flag` a plain identifier. */
function releasedFlagTest(test: TSESTree.Expression): { readonly name: string; readonly negated: boolean } | undefined {
  if (test.type === AST_NODE_TYPES.Identifier) return { name: test.name, negated: false };
  if (test.type === AST_NODE_TYPES.UnaryExpression && test.operator === '!' && test.argument.type === AST_NODE_TYPES.Identifier) return { name: test.argument.name, negated: true };
  return undefined;
}

/** The block or program that declares `name` as a `const` around `from`, within its function; `undefined` if none does. */
function constDeclarationScope(name: string, from: TSESTree.Node): TSESTree.Node | undefined {
  for (let scope: TSESTree.Node | undefined = from.parent; scope !== undefined; scope = scope.parent) {
    if (scope.type === AST_NODE_TYPES.BlockStatement || scope.type === AST_NODE_TYPES.Program) {
      for (const statement of scope.body) {
        if (statement.type !== AST_NODE_TYPES.VariableDeclaration) continue;
        for (const declarator of statement.declarations) {
          if (declarator.id.type === AST_NODE_TYPES.Identifier && declarator.id.name === name) return statement.kind === 'const' ? scope : undefined;
        }
      }
    }
    if (isFunction(scope)) {
      // A parameter of that name shadows any outer const.
      if (scope.params.some((param) => param.type === AST_NODE_TYPES.Identifier && param.name === name)) return undefined;
      break;
    }
  }
  return undefined;
}

/**
 * A call of a function of the program that cannot throw where it is made: an `async` function (it
 * turns every exception into a rejection; an `await` of it is a throw site of its own), or a plain
 * function whose body only assigns values read without calls and makes such calls itself, `depth`
 * levels down (sqlocal's `editConfig = (m) => { this.config = m.config; this.init(); }`, `init`
 * async). Arguments are evaluated by the caller and judged there.
 */
function callCannotThrow(call: ts.CallExpression, checker: ts.TypeChecker, depth: number): boolean {
  const declaration = checker.getResolvedSignature(call)?.declaration;
  if (declaration === undefined || ts.isJSDocSignature(declaration) || !ts.isFunctionLike(declaration)) return false;
  const body = (declaration as ts.FunctionLikeDeclaration).body;
  if (body === undefined || declaration.getSourceFile().isDeclarationFile) return false;
  if (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Async) return true;
  if (depth === 0 || !ts.isBlock(body)) return false;
  return body.statements.every((statement) => {
    if (!ts.isExpressionStatement(statement)) return false;
    const expression = statement.expression;
    if (ts.isBinaryExpression(expression) && expression.operatorToken.kind === ts.SyntaxKind.EqualsToken) return isPlainRead(expression.left) && isPlainRead(expression.right);
    return ts.isCallExpression(expression) && expression.arguments.every(isPlainRead) && callCannotThrow(expression, checker, depth - 1);
  });
}

/** A literal, an identifier, `this`, or a property read of those: nothing in it calls anything (getters aside). */
function isPlainRead(node: ts.Expression): boolean {
  if (ts.isIdentifier(node) || ts.isLiteralExpression(node) || node.kind === ts.SyntaxKind.ThisKeyword || node.kind === ts.SyntaxKind.TrueKeyword || node.kind === ts.SyntaxKind.FalseKeyword || node.kind === ts.SyntaxKind.NullKeyword) return true;
  if (ts.isPropertyAccessExpression(node)) return isPlainRead(node.expression);
  return false;
}

/**
 * Whether `fn` is a method (or a function inside one) of a class that is a lock itself: named like one
 * and with a method that takes it and one that gives it back (`class RLock { acquire() … release() … }`),
 * as the analyzer's lock-shaped types are. Its methods hold and hand over its inner lock by design.
 */
function isInLockClass(fn: FunctionNode): boolean {
  // `Program.parent` is null, not undefined.
  for (let node: TSESTree.Node | null | undefined = fn.parent; node !== undefined && node !== null; node = node.parent) {
    if (node.type !== AST_NODE_TYPES.ClassBody) continue;
    const cls = node.parent;
    const name = cls.id?.name;
    if (name === undefined || !looksLikeLockName(name)) return false;
    const methods = new Set(node.body.flatMap((member) => (member.type === AST_NODE_TYPES.MethodDefinition && member.key.type === AST_NODE_TYPES.Identifier ? [member.key.name] : [])));
    return LOCK_SHAPE_METHODS.acquire.some((method) => methods.has(method)) && LOCK_SHAPE_METHODS.release.some((method) => methods.has(method));
  }
  return false;
}

/** Two operations on one lock: the same receiver as written, or the same instance by the analyzer's identities. */
function onSameLock(op: Operation, other: Operation): boolean {
  return other.receiverText === op.receiverText || (op.ref !== undefined && other.ref !== undefined && sameInstance(op.ref, other.ref));
}
