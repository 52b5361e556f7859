/**
 * `wait-in-loop`: a `Condition.wait()` whose caller does not loop back to re-check its predicate.
 * A waiter woken by `notify()` may find the state already consumed by a thread that took the lock
 * first (a "stolen" wake-up), and a timed-out or aborted wait returns with nothing changed; only a loop
 * around the wait (or `waitFor`, which is that loop) makes the code after it safe.
 */
import { BUILT_IN_LOCK_TYPES, isUntyped, LockIdentityResolver, LockRecognizer, looksLikeConditionName } from '@lockstep/analyzer';
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { receiverName } from '../util/estree-nodes.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** A wait on a receiver typed as `@lockstep/primitives`' `Condition`, outside any loop of its function. */
  | 'waitNotInLoop'
  /** As `waitNotInLoop`, for an untyped receiver recognised as a condition by its name only. */
  | 'waitNotInLoopGuessed'
  /** Suggestion: `if (p) cond.wait()` becomes `cond.waitFor(() => !p)`. */
  | 'useWaitFor';

/** The report data of `waitNotInLoop` and `waitNotInLoopGuessed`. */
export interface WaitData extends Record<string, string> {
  /** The receiver as written: `cond`, `this.notEmpty`. */
  readonly condition: string;
  /** `wait` or `waitAsync`. */
  readonly method: string;
}

/** The report data of the `useWaitFor` suggestion. */
export interface UseWaitForData extends Record<string, string> {
  readonly condition: string;
  /** `waitFor` or `waitForAsync`. */
  readonly replacement: string;
}

const WAIT_METHODS: ReadonlyMap<string, string> = new Map([
  ['wait', 'waitFor'],
  ['waitAsync', 'waitForAsync'],
]);

// Only `Condition` (and its subclasses) has a wait that needs a loop: `Event.wait` and `Barrier.wait`
// wait for something that stays true, and the lock types' own catalog entries are not needed here.
const CONDITION_TYPES = BUILT_IN_LOCK_TYPES.filter((type) => type.name === 'Condition' && type.module === '@lockstep/primitives');

// The recognizer caches its answers per type symbol: one per checker, shared by every file of the program.
const recognizers = new WeakMap<ts.TypeChecker, LockRecognizer>();

export default createRule<Options, MessageId>({
  name: 'wait-in-loop',
  meta: {
    type: 'problem',
    hasSuggestions: true,
    docs: {
      description: 'Require `Condition.wait` to be called inside a loop that re-checks its predicate',
      recommended: 'recommended',
      requiresTypeChecking: true,
    },
    messages: {
      waitNotInLoop:
        "'{{condition}}.{{method}}()' is not inside a loop: after a wake-up another thread may already have consumed the state, and a timed-out wait changes nothing, so re-check the predicate in a 'while' loop or use 'waitFor'.",
      waitNotInLoopGuessed:
        "'{{condition}}.{{method}}()' is not inside a loop: after a wake-up another thread may already have consumed the state, and a timed-out wait changes nothing, so re-check the predicate in a 'while' loop or use 'waitFor'. '{{condition}}' was recognised as a condition by its name only (no type information), so this is a guess.",
      useWaitFor: "Replace the 'if' with '{{condition}}.{{replacement}}()', which waits until the predicate holds.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = context.sourceCode.parserServices;
    const program = services?.program ?? null;
    const nodeMap = services?.esTreeNodeToTSNodeMap;
    const checker = program?.getTypeChecker() ?? null;
    const sourceCode = context.sourceCode;

    /** `'typed'` for a `Condition`, `'guessed'` for an untyped condition-like name, else undefined. */
    function conditionKind(receiver: TSESTree.Expression): 'typed' | 'guessed' | undefined {
      if (checker !== null && nodeMap !== undefined) {
        const type = checker.getNonNullableType(checker.getTypeAtLocation(nodeMap.get(receiver)));
        if (recognizerFor(checker).lockTypeOf(type) !== undefined) return 'typed';
        // A receiver whose type someone wrote, and which is not a Condition, is never guessed at.
        if (!isUntyped(type)) return undefined;
      }
      const name = nameOfReceiver(receiver);
      return name !== undefined && looksLikeConditionName(name) ? 'guessed' : undefined;
    }

    return {
      CallExpression(call): void {
        const callee = call.callee;
        if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
        const method = callee.property.name;
        const replacement = WAIT_METHODS.get(method);
        if (replacement === undefined || insideLoop(call)) return;
        const kind = conditionKind(callee.object);
        if (kind === undefined) return;
        const condition = sourceCode.getText(callee.object);
        // Without types the receiver may be any object with a `wait`: it may have no `waitFor` to suggest.
        const fix = kind === 'typed' ? waitForFix(sourceCode, call, condition, replacement) : undefined;
        context.report({
          node: call,
          messageId: kind === 'typed' ? 'waitNotInLoop' : 'waitNotInLoopGuessed',
          data: { condition, method } satisfies WaitData,
          suggest: fix === undefined ? [] : [{ messageId: 'useWaitFor', data: { condition, replacement } satisfies UseWaitForData, fix }],
        });
      },
    } satisfies TSESLint.RuleListener;
  },
});

function recognizerFor(checker: ts.TypeChecker): LockRecognizer {
  let recognizer = recognizers.get(checker);
  if (recognizer === undefined) {
    // The identity resolver is never asked here (only `lockTypeOf` is used), so its root does not matter.
    recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, ''), { lockTypes: CONDITION_TYPES, nameFallback: false });
    recognizers.set(checker, recognizer);
  }
  return recognizer;
}

/**
 * Whether a `while`, `do…while` or `for` of the call's own function encloses it (body, test or update
 * alike: a wait in the loop's test re-runs with it). `for…of`/`for…in` walk a collection and re-check
 * nothing, and a loop outside the function cannot see the predicate the function waits for.
 */
function insideLoop(node: TSESTree.Node): boolean {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    switch (current.type) {
      case AST_NODE_TYPES.WhileStatement:
      case AST_NODE_TYPES.DoWhileStatement:
      case AST_NODE_TYPES.ForStatement:
        return true;
      case AST_NODE_TYPES.FunctionDeclaration:
      case AST_NODE_TYPES.FunctionExpression:
      case AST_NODE_TYPES.ArrowFunctionExpression:
      case AST_NODE_TYPES.StaticBlock:
      case AST_NODE_TYPES.PropertyDefinition:
      case AST_NODE_TYPES.AccessorProperty:
        return false;
      default:
        break;
    }
  }
  return false;
}

/**
 * The fix for `if (p) cond.wait(o)` / `if (p) { await cond.waitAsync(o); }` with no `else`: the whole
 * `if` becomes `cond.waitFor(() => !(p), o)`, which waits until `p` no longer holds — what the `if`
 * meant. Nothing is offered where the rewrite could change more than that: another statement in the
 * block, an `else`, comments that would be dropped, an `await` in the test, spread arguments, an
 * optional call.
 */
function waitForFix(
  sourceCode: Readonly<TSESLint.SourceCode>,
  call: TSESTree.CallExpression,
  condition: string,
  replacement: string,
): TSESLint.ReportFixFunction | undefined {
  if (call.optional || call.parent.type === AST_NODE_TYPES.ChainExpression) return undefined;
  if (call.arguments.some((argument) => argument.type === AST_NODE_TYPES.SpreadElement)) return undefined;
  const awaited = call.parent.type === AST_NODE_TYPES.AwaitExpression;
  const expression: TSESTree.Node = awaited ? call.parent : call;
  const statement = expression.parent;
  if (statement?.type !== AST_NODE_TYPES.ExpressionStatement) return undefined;
  let ifStatement = statement.parent;
  if (ifStatement?.type === AST_NODE_TYPES.BlockStatement && ifStatement.body.length === 1) ifStatement = ifStatement.parent;
  if (ifStatement?.type !== AST_NODE_TYPES.IfStatement || ifStatement.alternate !== null) return undefined;
  if (ifStatement.consequent !== statement && ifStatement.consequent !== statement.parent) return undefined;
  if (sourceCode.getCommentsInside(ifStatement).length > 0) return undefined;
  // The predicate becomes a plain arrow function, where `await` and `yield` mean nothing.
  if (sourceCode.getTokens(ifStatement.test).some((token) => token.value === 'await' || token.value === 'yield')) return undefined;

  const predicate = negation(sourceCode, ifStatement.test);
  const args = [`() => ${predicate}`, ...call.arguments.map((argument) => sourceCode.getText(argument))].join(', ');
  const text = `${awaited ? 'await ' : ''}${condition}.${replacement}(${args});`;
  const target = ifStatement;
  return (fixer) => fixer.replaceText(target, text);
}

/** `!(test)`, or for a plain `!x` just `x` (its own parentheses kept, so `!(a, b)` gives `(a, b)`). */
function negation(sourceCode: Readonly<TSESLint.SourceCode>, test: TSESTree.Expression): string {
  if (test.type === AST_NODE_TYPES.UnaryExpression && test.operator === '!') {
    const operator = sourceCode.getFirstToken(test);
    const operand = sourceCode.text.slice(operator === null ? test.argument.range[0] : operator.range[1], test.range[1]).trim();
    // An arrow body starting with `{` would be read as a block.
    return operand.startsWith('{') ? `(${operand})` : operand;
  }
  return `!(${sourceCode.getText(test)})`;
}

/**
 * The name the fallback reads, as the analyzer's recogniser does: through `!`, `as` and `satisfies`
 * (`(queueCv as any).wait()` is guessed like `queueCv.wait()` in plain JavaScript).
 */
function nameOfReceiver(receiver: TSESTree.Node): string | undefined {
  if (receiver.type === AST_NODE_TYPES.TSAsExpression || receiver.type === AST_NODE_TYPES.TSSatisfiesExpression || receiver.type === AST_NODE_TYPES.TSNonNullExpression) {
    return nameOfReceiver(receiver.expression);
  }
  return receiverName(receiver);
}
