/**
 * `prefer-using`: `lock.acquire(); try { … } finally { lock.release(); }` written out by hand where the
 * lock's guard says the same in one line, `using _lock = lock.hold();`. The guard cannot be split from
 * its release by a later edit (a statement slipped in between the acquire and the `try`, a second
 * release in the body), which is how the hand-written pairing usually goes wrong.
 *
 * Only `@lockstep/primitives` locks are reported: they are the ones whose `hold()`/`holdAsync()` is
 * known to take the lock exactly as `acquire()`/`acquireAsync()` does and to return a guard that
 * releases it once. Without type information nothing is reported: an autofix on a guessed lock could
 * call a `hold()` that does not exist, or means something else.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import type ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { isNode } from '../util/estree-nodes.js';
import { primitiveTypesOf } from '../util/primitive-types.js';
import type { PrimitiveTypes } from '../util/primitive-types.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** An acquire directly followed by a `try` whose `finally` only releases that lock. */
  'preferUsing';

/** The report data of `preferUsing`. */
export interface PreferUsingData extends Record<string, string> {
  /** The lock as written: `lock`, `this.#mutex`, `this.cache.lock`. */
  readonly lock: string;
  /** What the fix declares the guard with: `using` for `acquire()`, `await using` for `await acquireAsync()`. */
  readonly declaration: 'using' | 'await using';
}

/** The statements a block-like node holds, and whether its last statement's scope may take a `using`. */
type Container = TSESTree.BlockStatement | TSESTree.StaticBlock | TSESTree.Program | TSESTree.SwitchCase | TSESTree.TSModuleBlock;

/** A matched acquire/try/finally: what the report and the fix need. */
interface Pattern {
  readonly acquire: TSESTree.ExpressionStatement;
  readonly tryStatement: TSESTree.TryStatement;
  readonly receiver: TSESTree.MemberExpression | TSESTree.Identifier;
  readonly lock: string;
  readonly declaration: PreferUsingData['declaration'];
}

/** Methods that take or give back a lock: the body may call none of them on the reported lock. */
const LOCK_STATE_METHODS: ReadonlySet<string> = new Set(['acquire', 'acquireAsync', 'tryAcquire', 'release', 'hold', 'holdAsync']);

const GUARD_NAME = '_lock';

export default createRule<Options, MessageId>({
  name: 'prefer-using',
  meta: {
    type: 'suggestion',
    fixable: 'code',
    docs: {
      description: 'Prefer a `using` declaration of the lock guard to an acquire released in try/finally',
      recommended: 'strict',
      requiresTypeChecking: true,
    },
    messages: {
      preferUsing:
        "'{{lock}}' is acquired and then released in a 'finally' that does nothing else: declare its guard with '{{declaration}}' instead, which releases it on every exit and cannot be separated from the acquire.",
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
    // Without types a lock could only be guessed from its name, and a guessed `hold()` is no safe autofix.
    if (checker === null || nodeMap === undefined) return {};
    const typeChecker = checker;
    const tsNodes = nodeMap;
    const primitives = primitiveTypesOf(checker);

    function isPrimitiveLock(receiver: TSESTree.Node): boolean {
      const type = typeChecker.getNonNullableType(typeChecker.getTypeAtLocation(tsNodes.get(receiver)));
      return isLockType(primitives, type);
    }

    return {
      TryStatement(tryStatement): void {
        const pattern = matchPattern(sourceCode, tryStatement);
        if (pattern === undefined || !isPrimitiveLock(pattern.receiver)) return;
        context.report({
          node: pattern.acquire,
          messageId: 'preferUsing',
          data: { lock: pattern.lock, declaration: pattern.declaration } satisfies PreferUsingData,
          fix: usingFix(sourceCode, pattern) ?? null,
        });
      },
    } satisfies TSESLint.RuleListener;
  },
});

/**
 * Every member of the type (bar `null`/`undefined`, removed before) is a lock of `@lockstep/primitives`
 * or a subclass: a union with anything else may have no `hold()`.
 */
function isLockType(primitives: PrimitiveTypes, type: ts.Type): boolean {
  if (type.isUnion()) return type.types.every((member) => isLockType(primitives, member));
  // The primitives with a blocking `acquire` are exactly the `Acquirable`s, the ones with `hold()`.
  return primitives.blockingMethodOf(type, 'acquire') !== undefined;
}

/** The acquire/try/finally pattern ending at `tryStatement`, checked on the syntax alone. */
function matchPattern(sourceCode: Readonly<TSESLint.SourceCode>, tryStatement: TSESTree.TryStatement): Pattern | undefined {
  if (tryStatement.handler !== null || tryStatement.finalizer === null) return undefined;
  const container = tryStatement.parent;
  const statements = statementsOf(container);
  if (statements === undefined) return undefined;
  const index = statements.indexOf(tryStatement);
  const acquire = index > 0 ? statements[index - 1] : undefined;
  if (acquire?.type !== AST_NODE_TYPES.ExpressionStatement) return undefined;

  const awaited = acquire.expression.type === AST_NODE_TYPES.AwaitExpression;
  const acquireCall = awaited ? (acquire.expression as TSESTree.AwaitExpression).argument : acquire.expression;
  const acquired = lockCall(acquireCall, awaited ? 'acquireAsync' : 'acquire');
  if (acquired === undefined) return undefined;

  const finalizer = tryStatement.finalizer.body;
  const release = finalizer.length === 1 && finalizer[0]?.type === AST_NODE_TYPES.ExpressionStatement ? lockCall(finalizer[0].expression, 'release') : undefined;
  const lock = tokenText(sourceCode, acquired);
  if (release === undefined || tokenText(sourceCode, release) !== lock) return undefined;
  if (touchesLock(sourceCode, tryStatement.block, lock)) return undefined;
  return { acquire, tryStatement, receiver: acquired, lock: sourceCode.getText(acquired), declaration: awaited ? 'await using' : 'using' };
}

function statementsOf(node: TSESTree.Node): readonly TSESTree.Node[] | undefined {
  switch (node.type) {
    case AST_NODE_TYPES.BlockStatement:
    case AST_NODE_TYPES.StaticBlock:
    case AST_NODE_TYPES.Program:
    case AST_NODE_TYPES.TSModuleBlock:
      return node.body;
    case AST_NODE_TYPES.SwitchCase:
      return node.consequent;
    default:
      return undefined;
  }
}

/**
 * The receiver of `receiver.method()` called with no arguments and not optionally, when the receiver
 * is a stable reference: an arguments-taking acquire has a timeout, and `hold({ timeout })` throws where
 * `acquire({ timeout })` returns false; a receiver with a call in it may be a different lock each time.
 */
function lockCall(node: TSESTree.Node, method: string): TSESTree.MemberExpression | TSESTree.Identifier | undefined {
  if (node.type !== AST_NODE_TYPES.CallExpression || node.optional || node.arguments.length > 0) return undefined;
  const callee = node.callee;
  if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.optional) return undefined;
  if (callee.property.type !== AST_NODE_TYPES.Identifier || callee.property.name !== method) return undefined;
  const receiver = callee.object;
  return isStableReference(receiver) ? receiver : undefined;
}

/** `lock`, `this.lock`, `this.#lock`, `a.b.c`: no calls, no computed keys, no optional links. */
function isStableReference(node: TSESTree.Node): node is TSESTree.MemberExpression | TSESTree.Identifier {
  if (node.type === AST_NODE_TYPES.Identifier) return true;
  if (node.type !== AST_NODE_TYPES.MemberExpression || node.computed || node.optional) return false;
  const object = node.object;
  return object.type === AST_NODE_TYPES.ThisExpression || isStableReference(object);
}

/** The node's tokens without whitespace or comments, so `this . lock` and `this.lock` compare equal. */
function tokenText(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node): string {
  return sourceCode
    .getTokens(node)
    .map((token) => token.value)
    .join('');
}

/**
 * Whether the try body takes or releases the lock again, or assigns the reference it is reached by
 * (`this.lock = other` would make the hand-written `finally` release another lock than the guard).
 */
function touchesLock(sourceCode: Readonly<TSESLint.SourceCode>, body: TSESTree.BlockStatement, lock: string): boolean {
  let found = false;
  const visit = (node: TSESTree.Node): void => {
    if (found) return;
    if (node.type === AST_NODE_TYPES.CallExpression) {
      const callee = node.callee;
      if (
        callee.type === AST_NODE_TYPES.MemberExpression &&
        !callee.computed &&
        callee.property.type === AST_NODE_TYPES.Identifier &&
        LOCK_STATE_METHODS.has(callee.property.name) &&
        tokenText(sourceCode, callee.object) === lock
      ) {
        found = true;
        return;
      }
    }
    const target =
      node.type === AST_NODE_TYPES.AssignmentExpression ? node.left : node.type === AST_NODE_TYPES.UpdateExpression ? node.argument : undefined;
    if (target !== undefined) {
      const assigned = tokenText(sourceCode, target);
      if (assigned === lock || lock.startsWith(`${assigned}.`)) {
        found = true;
        return;
      }
    }
    for (const key of sourceCode.visitorKeys[node.type] ?? []) {
      const child = (node as unknown as Record<string, unknown>)[key];
      if (Array.isArray(child)) {
        for (const item of child) if (isNode(item)) visit(item);
      } else if (isNode(child)) {
        visit(child);
      }
    }
  };
  visit(body);
  return found;
}

/**
 * The fix: the acquire and the whole `try` become `using <guard> = lock.hold();` and the body's
 * statements. The guard is disposed at the end of the block holding it, so the fix wraps the two in
 * a new block unless the `try` ended its block anyway (and the body's own declarations would not
 * collide with that block's names). No fix when comments outside the body would be lost.
 */
function usingFix(sourceCode: Readonly<TSESLint.SourceCode>, pattern: Pattern): TSESLint.ReportFixFunction | undefined {
  const { acquire, tryStatement, lock, declaration } = pattern;
  const body = tryStatement.block;
  const commentsOutsideBody = sourceCode
    .getCommentsInside(tryStatement)
    .concat(sourceCode.getCommentsInside(acquire), sourceCode.getCommentsAfter(acquire))
    .some((comment) => comment.range[0] < body.range[0] || comment.range[1] > body.range[1]);
  if (commentsOutsideBody) return undefined;

  const container = tryStatement.parent as Container;
  const statements = statementsOf(container) ?? [];
  const enclosing = sourceCode.getScope(tryStatement);
  const bodyScope = sourceCode.getScope(body);
  // A `using` is not allowed at a script's top level nor directly in a `case` clause; a namespace
  // body is no place for one either: there the fix always makes a block.
  const blockLike = container.type === AST_NODE_TYPES.BlockStatement || container.type === AST_NODE_TYPES.StaticBlock;
  const wrap = !blockLike || statements[statements.length - 1] !== tryStatement || bodyDeclarationsCollide(enclosing, bodyScope);

  const guard = freeName(enclosing);
  const call = declaration === 'using' ? `${lock}.hold()` : `await ${lock}.holdAsync()`;
  const guardDeclaration = `${declaration} ${guard} = ${call};`;

  const indent = indentOf(sourceCode, acquire);
  const inner = sourceCode.text.slice(body.range[0] + 1, body.range[1] - 1);
  let text: string;
  if (!inner.includes('\n')) {
    const statementsText = inner.trim();
    if (wrap) text = statementsText === '' ? `{ ${guardDeclaration} }` : `{ ${guardDeclaration} ${statementsText} }`;
    else text = statementsText === '' ? guardDeclaration : `${guardDeclaration}\n${indent}${statementsText}`;
  } else {
    // The body's lines, from the first statement's indentation to the end of the last one.
    const lines = inner.replace(/^[ \t]*\r?\n/, '').replace(/\r?\n[ \t]*$/, '');
    const bodyIndent = /^[ \t]*/.exec(lines)?.[0] ?? '';
    if (wrap) {
      text = `{\n${bodyIndent}${guardDeclaration}\n${lines}\n${indent}}`;
    } else {
      text = `${guardDeclaration}\n${dedent(sourceCode, body, lines, bodyIndent, indent)}`;
    }
  }
  return (fixer) => fixer.replaceTextRange([acquire.range[0], tryStatement.range[1]], text);
}

/**
 * Whether unwrapping the body would change what a name means: a name declared in the body that the
 * enclosing scope, or anything in it outside the body, declares or refers to too (`const x` in the
 * body next to a parameter `x`, or a closure before the `try` reading an outer `x`).
 */
function bodyDeclarationsCollide(enclosing: TSESLint.Scope.Scope, bodyScope: TSESLint.Scope.Scope): boolean {
  if (bodyScope === enclosing) return false;
  const declared = new Set(bodyScope.variables.map((variable) => variable.name));
  if (declared.size === 0) return false;
  for (const name of declared) if (enclosing.set.has(name)) return true;
  return namesInScopeTree(enclosing, bodyScope).some((name) => declared.has(name));
}

/** Every name declared or referred to in `scope` and the scopes inside it, but for `skip`'s subtree. */
function namesInScopeTree(scope: TSESLint.Scope.Scope, skip?: TSESLint.Scope.Scope): string[] {
  if (scope === skip) return [];
  return [
    ...scope.variables.map((variable) => variable.name),
    ...scope.references.map((reference) => reference.identifier.name),
    ...scope.childScopes.flatMap((child) => namesInScopeTree(child, skip)),
  ];
}

/**
 * `_lock`, or `_lock2`, `_lock3`…: the first that no scope around the `try` declares (the guard must
 * not shadow what the body reads) and that nothing in the enclosing scope declares or refers to.
 */
function freeName(enclosing: TSESLint.Scope.Scope): string {
  const taken = new Set(namesInScopeTree(enclosing));
  for (let scope: TSESLint.Scope.Scope | null = enclosing; scope !== null; scope = scope.upper) {
    for (const name of scope.set.keys()) taken.add(name);
  }
  let name = GUARD_NAME;
  for (let counter = 2; taken.has(name); counter++) name = `${GUARD_NAME}${counter}`;
  return name;
}

/** The whitespace before `node` on its line, when nothing else precedes it there. */
function indentOf(sourceCode: Readonly<TSESLint.SourceCode>, node: TSESTree.Node): string {
  const line = sourceCode.lines[node.loc.start.line - 1] ?? '';
  const before = line.slice(0, node.loc.start.column);
  return /^[ \t]*$/.test(before) ? before : '';
}

/**
 * The body's lines moved out one level, from `bodyIndent` to `indent`. Left as they are when a token
 * spans lines (a template literal, a string continued with `\`): its text would change.
 */
function dedent(sourceCode: Readonly<TSESLint.SourceCode>, body: TSESTree.BlockStatement, lines: string, bodyIndent: string, indent: string): string {
  const multiLineToken = sourceCode.getTokens(body).some((token) => token.loc.start.line !== token.loc.end.line);
  if (multiLineToken || !bodyIndent.startsWith(indent)) return lines;
  const extra = bodyIndent.slice(indent.length);
  return lines
    .split('\n')
    .map((line) => (line.startsWith(extra) ? line.slice(extra.length) : line))
    .join('\n');
}
