/**
 * `require-held-lock`: `wait`/`notify`/`notifyAll` on a `Condition`, or `release()` of an `RLock`, at a
 * point where the lock is provably not held — both throw at run time.
 *
 * The rule is intraprocedural and reports only what it can prove from one straight-line path:
 * - at the module's top level, where nothing holds any lock before the code runs, a use with no
 *   acquisition before it (or with every acquisition released again);
 * - in a function, a use right after the function itself gave the lock up: `cond.release(); cond.notify()`,
 *   a second `rlock.release()` after one `acquire()`, a call after the block whose `using … hold()` held it.
 * Any path it cannot follow (loops, `catch`/`finally`, a branch that acquires or releases, the lock
 * passed to another call, another lock's operations) makes it give up rather than guess.
 *
 * With type information it is also interprocedural for `Condition` waits and notifies: a use in a
 * function that no caller in the program calls while holding the condition's lock (directly or further
 * up the call chain, lock helpers and scoped callbacks included), or that nothing calls, and that does
 * not hold it there itself, is reported; one that some caller may call holding it is quiet.
 */
import { FALLBACK_METHODS, functionName, identifierWords, isUntyped, looksLikeConditionName, looksLikeLockName, sameInstance } from '@lockstep/analyzer';
import type { LockMethodRole, LockRef } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { isFunction, isNode, receiverName } from '../util/estree-nodes.js';
import { analysisOfProgram } from '../util/program-analysis.js';
import { enclosingSignature, recognizerFor } from '../util/rule-recognizer.js';
import { resolveSettings } from '../util/settings.js';

/** The rule takes no options. */
export type Options = [];

type BaseMessageId = 'notHeldWait' | 'notHeldNotify' | 'notHeldRelease';

export type MessageId =
  /** `wait`/`waitAsync`/`waitFor`/`waitForAsync` on a `Condition` that is not held. */
  | 'notHeldWait'
  /** `notify`/`notifyAll` on a `Condition` that is not held. */
  | 'notHeldNotify'
  /** `release()` of an `RLock` that is not held. */
  | 'notHeldRelease'
  /** The three above, for a receiver recognised by its name only (no type information). */
  | `${BaseMessageId}Guessed`;

/** The data of every report. */
export interface NotHeldData extends Record<string, string> {
  /** The receiver as written: `cond`, `this.rlock`. */
  readonly lock: string;
  /** The method called: `notify`, `wait`, `release`… */
  readonly method: string;
  /** A sentence saying what left it unheld: the release, the end of the `using` block, or no acquisition at all. */
  readonly since: string;
}

const CONDITION_METHODS: ReadonlyMap<string, BaseMessageId> = new Map([
  ['wait', 'notHeldWait'],
  ['waitAsync', 'notHeldWait'],
  ['waitFor', 'notHeldWait'],
  ['waitForAsync', 'notHeldWait'],
  ['notify', 'notHeldNotify'],
  ['notifyAll', 'notHeldNotify'],
]);

/** Roles that change whether a lock is held (a scoped call gives back what it takes). */
const STATE_ROLES: ReadonlySet<LockMethodRole> = new Set(['acquire', 'tryAcquire', 'release', 'hold']);

const GUESS = " '{{lock}}' was recognised by its name only (no type information), so this is a guess.";
const WHERE = ' {{since}}.';

/** The statements that run before the call on its one path, and the `if` tests it passed through. */
interface Path {
  readonly mode: 'function' | 'module';
  readonly statements: readonly TSESTree.Node[];
  readonly tests: readonly TSESTree.Expression[];
}

/** The lock whose state is followed: the target's receiver text and, with types, its identity. */
interface Subject {
  readonly text: string;
  readonly ref: LockRef | undefined;
}

export default createRule<Options, MessageId>({
  name: 'require-held-lock',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow `Condition` waits and notifies, and `RLock` releases, where the lock is provably not held',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      notHeldWait: "'{{lock}}.{{method}}()' is called where '{{lock}}' is certainly not held, so it throws at run time." + WHERE,
      notHeldNotify: "'{{lock}}.{{method}}()' is called where '{{lock}}' is certainly not held, so it throws at run time." + WHERE,
      notHeldRelease: "'{{lock}}.{{method}}()' releases '{{lock}}' more often than it was acquired, so it throws at run time." + WHERE,
      notHeldWaitGuessed: "'{{lock}}.{{method}}()' is called where '{{lock}}' is certainly not held, so it throws at run time." + WHERE + GUESS,
      notHeldNotifyGuessed: "'{{lock}}.{{method}}()' is called where '{{lock}}' is certainly not held, so it throws at run time." + WHERE + GUESS,
      notHeldReleaseGuessed: "'{{lock}}.{{method}}()' releases '{{lock}}' more often than it was acquired, so it throws at run time." + WHERE + GUESS,
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

    /** What the target is: its message and whether by type or by name; undefined when not a target. */
    function targetKind(receiver: TSESTree.Expression, method: string): { messageId: BaseMessageId; guessed: boolean; ref: LockRef | undefined } | undefined {
      const conditionMessage = CONDITION_METHODS.get(method);
      const wanted = conditionMessage !== undefined ? 'Condition' : method === 'release' ? 'RLock' : undefined;
      if (wanted === undefined) return undefined;
      const messageId = conditionMessage ?? 'notHeldRelease';
      if (checker !== null && recognizer !== undefined && nodeMap !== undefined) {
        const tsReceiver = nodeMap.get(receiver) as ts.Expression;
        const type = checker.getNonNullableType(checker.getTypeAtLocation(tsReceiver));
        const lockType = recognizer.lockTypeOf(type);
        if (lockType !== undefined) {
          if (lockType.name !== wanted || lockType.module !== '@lockstep/primitives') return undefined;
          const ref = recognizer.lockOfArgument(tsReceiver, enclosingSignature(tsReceiver), false);
          return { messageId, guessed: false, ref };
        }
        // A receiver whose type someone wrote, and which is not a lock, is never guessed at.
        if (!isUntyped(type)) return undefined;
      }
      const name = receiverName(receiver);
      if (name === undefined) return undefined;
      const matches = wanted === 'Condition' ? looksLikeConditionName(name) : identifierWords(name).includes('rlock');
      return matches ? { messageId, guessed: true, ref: undefined } : undefined;
    }

    /**
     * What a call does to the followed lock: its role when it is on that lock, `'other'` when it changes
     * some other lock's state (which might alias it), undefined when it is no lock operation.
     */
    function operationOn(call: TSESTree.CallExpression, subject: Subject): LockMethodRole | 'other' | undefined {
      const callee = call.callee;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
      const method = callee.property.name;
      const fallbackRole = FALLBACK_METHODS.get(method);
      if (fallbackRole === undefined && recognizer?.methodNames.has(method) !== true) return undefined;
      if (fallbackRole !== undefined && sourceCode.getText(callee.object) === subject.text) return fallbackRole;
      if (recognizer !== undefined && nodeMap !== undefined) {
        const tsCall = nodeMap.get(call);
        if (ts.isCallExpression(tsCall)) {
          const operation = recognizer.operationOf(tsCall, enclosingSignature(tsCall));
          if (operation !== undefined) {
            if (subject.ref !== undefined && sameInstance(subject.ref, operation.lock)) return operation.role;
            return STATE_ROLES.has(operation.role) ? 'other' : undefined;
          }
        }
      }
      // Without types (or an untyped receiver), a lock- or condition-named receiver may be any lock.
      if (fallbackRole === undefined || !STATE_ROLES.has(fallbackRole)) return undefined;
      const name = receiverName(callee.object);
      if (name === undefined) return undefined;
      return looksLikeLockName(name) || looksLikeConditionName(name) ? 'other' : undefined;
    }

    /**
     * Whether a statement (or test) neither changes any lock's state nor lets the followed lock escape:
     * it may call methods on it (`cond.notify()`), and declare it, but nothing else.
     */
    function isNeutral(root: TSESTree.Node, subject: Subject): boolean {
      let neutral = true;
      const visit = (node: TSESTree.Node): void => {
        if (!neutral) return;
        if (node.type === AST_NODE_TYPES.CallExpression && operationOn(node, subject) !== undefined) {
          neutral = false;
          return;
        }
        if (
          (node.type === AST_NODE_TYPES.Identifier || node.type === AST_NODE_TYPES.MemberExpression) &&
          node.range[1] - node.range[0] === subject.text.length &&
          sourceCode.getText(node) === subject.text
        ) {
          const parent = node.parent;
          const isReceiver = parent?.type === AST_NODE_TYPES.MemberExpression && parent.object === node;
          const isDeclared = parent?.type === AST_NODE_TYPES.VariableDeclarator && parent.id === node;
          if (!isReceiver && !isDeclared) {
            // Passed on, stored or aliased: someone else may acquire it.
            neutral = false;
            return;
          }
        }
        for (const key of visitorKeys[node.type] ?? []) {
          const value = (node as unknown as Record<string, unknown>)[key];
          for (const child of Array.isArray(value) ? value : [value]) if (isNode(child)) visit(child);
        }
      };
      visit(root);
      return neutral;
    }

    /** The role of a statement that is only an operation on the followed lock, else undefined. */
    function simpleOperation(statement: TSESTree.Node, subject: Subject): LockMethodRole | undefined {
      if (statement.type === AST_NODE_TYPES.ExpressionStatement) {
        const call = unwrapAwait(statement.expression);
        if (call?.type !== AST_NODE_TYPES.CallExpression || !call.arguments.every((argument) => isNeutral(argument, subject))) return undefined;
        const role = operationOn(call, subject);
        return role === 'other' ? undefined : role;
      }
      if (statement.type === AST_NODE_TYPES.VariableDeclaration && (statement.kind === 'using' || statement.kind === 'await using')) {
        const roles = statement.declarations.map((declarator) => {
          const call = unwrapAwait(declarator.init);
          return call?.type === AST_NODE_TYPES.CallExpression && call.arguments.length === 0 ? operationOn(call, subject) : undefined;
        });
        return roles.length === 1 && roles[0] === 'hold' ? 'hold' : undefined;
      }
      return undefined;
    }

    /** A block holding the lock through a top-level `using … hold()` and otherwise neutral: it ends unheld. */
    function isUsingBlock(statement: TSESTree.Node, subject: Subject): boolean {
      if (statement.type !== AST_NODE_TYPES.BlockStatement) return false;
      let holds = 0;
      for (const inner of statement.body) {
        if (simpleOperation(inner, subject) === 'hold' && inner.type === AST_NODE_TYPES.VariableDeclaration) holds += 1;
        else if (!isNeutral(inner, subject)) return false;
      }
      return holds > 0;
    }

    /** Where the lock stopped being held before the path's end, or undefined when that is not certain. */
    function notHeldSince(path: Path, subject: Subject): string | undefined {
      if (!path.tests.every((test) => isNeutral(test, subject))) return undefined;
      // Acquisitions minus releases on the path: what the code before the call adds to the lock's count.
      let count = 0;
      let releasedAt: string | undefined;
      for (const statement of path.statements) {
        if (neverRuns(statement)) continue;
        const role = simpleOperation(statement, subject);
        if (role === 'release') {
          count -= 1;
          releasedAt = `It was released at line ${statement.loc.start.line}`;
        } else if (role === 'acquire' || role === 'tryAcquire' || role === 'hold') {
          // An acquisition that may fail (timeout, tryAcquire) is counted as held: never a false report.
          count += 1;
          releasedAt = undefined;
        } else if (role !== undefined) {
          return undefined;
        } else if (isUsingBlock(statement, subject)) {
          releasedAt = `The block whose 'using' declaration held it ended at line ${statement.loc.end.line}`;
        } else if (!isNeutral(statement, subject)) {
          return undefined;
        }
      }
      if (count > 0) return undefined;
      // In a function the caller may hold it: only the function's own release proves it is gone.
      if (path.mode === 'function') return releasedAt;
      return releasedAt ?? "Nothing acquires it before this point of the module's top-level code";
    }

    /**
     * Across the program: every walk of the function containing `call` (with the locks its callers may
     * hold on entry) leaves the condition's lock unheld there. Quiet when the analysis did not meet the
     * call, or when the lock is a parameter or unresolved (a caller may pass, or hold, anything).
     */
    function notHeldByAnyCaller(call: TSESTree.CallExpression, lockText: string): string | undefined {
      if (program === null || nodeMap === undefined) return undefined;
      const tsCall = nodeMap.get(call);
      if (!ts.isCallExpression(tsCall)) return undefined;
      const { conditions } = analysisOfProgram(program, settings).analysis;
      // An inlined callback's own walk stands for no caller: its outer function's walk covers it.
      const uses = (conditions.uses.get(tsCall) ?? []).filter((use) => !conditions.isInlined(use.within));
      if (uses.length === 0 || uses.some((use) => use.lock.startsWith('unknown:') || /\([^)]*\)$/.test(use.lock))) return undefined;
      if (uses.some((use) => use.held.has(use.lock) || conditions.heldOnEntry(use.within).has(use.lock))) return undefined;
      const within = uses[0]!.within;
      if (ts.isSourceFile(within)) return "Nothing holds it at this point of the module's top-level code";
      const name = functionName(within);
      if (uses.every((use) => !conditions.isCalled(use.within))) return `Nothing in the program calls '${name}', and '${name}' does not hold '${lockText}' here`;
      return `No caller in the program calls '${name}' while holding '${lockText}', and '${name}' does not hold it here`;
    }

    return {
      CallExpression(call): void {
        const callee = call.callee;
        if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
        const method = callee.property.name;
        if (!CONDITION_METHODS.has(method) && method !== 'release') return;
        const statement = call.parent.type === AST_NODE_TYPES.AwaitExpression ? call.parent.parent : call.parent;
        const path = statement?.type === AST_NODE_TYPES.ExpressionStatement && unwrapAwait(statement.expression) === call ? pathTo(statement) : undefined;
        // Cheap first: the interprocedural check needs a typed Condition, the local one a simple path.
        if (path === undefined && (!CONDITION_METHODS.has(method) || program === null)) return;
        const kind = targetKind(callee.object, method);
        if (kind === undefined) return;
        const subject: Subject = { text: sourceCode.getText(callee.object), ref: kind.ref };
        const since =
          (path === undefined ? undefined : notHeldSince(path, subject)) ??
          (CONDITION_METHODS.has(method) && !kind.guessed ? notHeldByAnyCaller(call, subject.text) : undefined);
        if (since === undefined) return;
        context.report({
          node: call,
          messageId: kind.guessed ? `${kind.messageId}Guessed` : kind.messageId,
          data: { lock: subject.text, method, since } satisfies NotHeldData,
        });
      },
    } satisfies TSESLint.RuleListener;
  },
});

/**
 * The statements before `statement` on its straight-line path up to its function's body or the
 * module's top level, passing only through blocks, `if` branches, `try` blocks and labels: a loop,
 * `switch`, `catch` or `finally` on the way has paths the rule does not follow.
 */
function pathTo(statement: TSESTree.Node): Path | undefined {
  const chunks: TSESTree.Node[][] = [];
  const tests: TSESTree.Expression[] = [];
  let current: TSESTree.Node = statement;
  for (;;) {
    const parent: TSESTree.Node | undefined = current.parent;
    if (parent === undefined) return undefined;
    switch (parent.type) {
      case AST_NODE_TYPES.Program:
        chunks.unshift(parent.body.slice(0, parent.body.indexOf(current as TSESTree.ProgramStatement)));
        return { mode: 'module', statements: chunks.flat(), tests };
      case AST_NODE_TYPES.BlockStatement: {
        chunks.unshift(parent.body.slice(0, parent.body.indexOf(current as TSESTree.Statement)));
        if (isFunction(parent.parent)) return { mode: 'function', statements: chunks.flat(), tests };
        current = parent;
        break;
      }
      case AST_NODE_TYPES.IfStatement:
        if (current === parent.test) return undefined;
        tests.push(parent.test);
        current = parent;
        break;
      case AST_NODE_TYPES.TryStatement:
        if (current !== parent.block) return undefined;
        current = parent;
        break;
      case AST_NODE_TYPES.LabeledStatement:
        current = parent;
        break;
      default:
        return undefined;
    }
  }
}

/** Declarations whose bodies do not run where they stand: functions, classes, types, imports. */
function neverRuns(statement: TSESTree.Node): boolean {
  switch (statement.type) {
    case AST_NODE_TYPES.FunctionDeclaration:
    case AST_NODE_TYPES.ClassDeclaration:
    case AST_NODE_TYPES.ImportDeclaration:
    case AST_NODE_TYPES.TSInterfaceDeclaration:
    case AST_NODE_TYPES.TSTypeAliasDeclaration:
    case AST_NODE_TYPES.TSDeclareFunction:
    case AST_NODE_TYPES.ExportAllDeclaration:
      return true;
    case AST_NODE_TYPES.ExportNamedDeclaration:
      return statement.declaration === null || neverRuns(statement.declaration);
    case AST_NODE_TYPES.ExportDefaultDeclaration:
      return neverRuns(statement.declaration);
    default:
      return false;
  }
}

function unwrapAwait(expression: TSESTree.Expression | null): TSESTree.Expression | null {
  return expression?.type === AST_NODE_TYPES.AwaitExpression ? expression.argument : expression;
}

