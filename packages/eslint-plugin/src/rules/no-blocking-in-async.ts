/**
 * `no-blocking-in-async`: a call that parks the whole thread (`Atomics.wait` underneath) made where
 * the thread is supposed to keep turning its event loop — in an `async` function, or in a callback the
 * event loop runs. Every other task of that thread (timers, I/O, the very task that would release the
 * lock) stalls until the call returns, and on a thread that may not block it throws. The `…Async` twin
 * of each such call waits without blocking.
 */
import type { TSESLint, TSESTree } from '@typescript-eslint/utils';
import { AST_NODE_TYPES } from '@typescript-eslint/utils';
import ts from 'typescript';
import { createRule } from '../util/create-rule.js';
import { BLOCKING_METHOD_NAMES, primitiveTypesOf } from '../util/primitive-types.js';

/** The rule takes no options. */
export type Options = [];

export type MessageId =
  /** A blocking method of a `@lockstep/primitives` type that has an `…Async` twin. */
  | 'blockingCall'
  /** `Atomics.wait`, whose twin `Atomics.waitAsync` returns `{ async, value }`: no mechanical rewrite. */
  | 'atomicsWait'
  /** Suggestion: `await` the `…Async` twin instead. */
  | 'useAsyncForm';

/** Where the reported call runs, as the messages' `where` says it. */
type Where = 'an async function' | 'an event listener' | 'a Promise executor' | `a ${string} callback`;

interface EventLoopContext {
  readonly where: Where;
  /** The call's nearest function is the async function itself, so `await` may be written there. */
  readonly awaitable: boolean;
}

const TIMER_FUNCTIONS: ReadonlySet<string> = new Set(['setTimeout', 'setInterval', 'setImmediate', 'queueMicrotask']);
const GLOBAL_OBJECTS: ReadonlySet<string> = new Set(['globalThis', 'window', 'self']);
const PROMISE_CALLBACKS: ReadonlySet<string> = new Set(['then', 'catch', 'finally']);
const EMITTER_METHODS: ReadonlySet<string> = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener']);

export default createRule<Options, MessageId>({
  name: 'no-blocking-in-async',
  meta: {
    type: 'problem',
    docs: {
      description: 'Disallow blocking waits in async functions and event-loop callbacks where an async form exists',
      recommended: 'strict',
      requiresTypeChecking: true,
    },
    hasSuggestions: true,
    messages: {
      blockingCall:
        "'{{type}}.{{method}}()' blocks the whole thread in {{where}}, stalling every other task of its event loop (and throwing on a thread that may not block). Use '{{asyncMethod}}()', which waits without blocking.",
      atomicsWait:
        "'Atomics.wait()' blocks the whole thread in {{where}}, stalling every other task of its event loop. Use 'Atomics.waitAsync()', which returns '{ async, value }' and waits without blocking when 'async' is true.",
      useAsyncForm: "Replace with 'await ….{{asyncMethod}}()'.",
    },
    schema: [],
  },
  defaultOptions: [],
  create(context) {
    const services = context.sourceCode.parserServices;
    const program = services?.program ?? null;
    const nodeMap = services?.esTreeNodeToTSNodeMap;
    const checker = program?.getTypeChecker();
    const primitives = checker === undefined ? undefined : primitiveTypesOf(checker);

    function tsTypeOf(node: TSESTree.Node): ts.Type | undefined {
      if (checker === undefined || nodeMap === undefined) return undefined;
      return checker.getNonNullableType(checker.getTypeAtLocation(nodeMap.get(node)));
    }

    /**
     * Whether `.on(event, cb)` is an EventEmitter's: with types, the receiver must be one (or untyped);
     * without, the method name is all there is.
     */
    function isEmitter(receiver: TSESTree.Node): boolean {
      const type = tsTypeOf(receiver);
      if (type === undefined || type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
      return checker !== undefined && derivesFrom(checker, type, 'EventEmitter', new Set());
    }

    /** The event-loop API that runs `fn`, when `fn` is written as its callback argument. */
    function eventLoopCallback(fn: TSESTree.FunctionExpression | TSESTree.ArrowFunctionExpression): Where | undefined {
      let argument: TSESTree.Node = fn;
      while (isTypeWrapper(argument.parent)) argument = argument.parent;
      const call = argument.parent;
      if (call?.type === AST_NODE_TYPES.NewExpression) {
        return call.callee.type === AST_NODE_TYPES.Identifier && call.callee.name === 'Promise' && call.arguments[0] === argument ? 'a Promise executor' : undefined;
      }
      if (call?.type !== AST_NODE_TYPES.CallExpression) return undefined;
      const index = call.arguments.indexOf(argument);
      if (index < 0) return undefined;
      const callee = call.callee;
      if (callee.type === AST_NODE_TYPES.Identifier) return TIMER_FUNCTIONS.has(callee.name) && index === 0 ? `a ${callee.name} callback` : undefined;
      if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return undefined;
      const method = callee.property.name;
      const object = callee.object;
      const objectName = object.type === AST_NODE_TYPES.Identifier ? object.name : undefined;
      if (index === 0 && objectName === 'process' && method === 'nextTick') return 'a process.nextTick callback';
      if (index === 0 && objectName !== undefined && GLOBAL_OBJECTS.has(objectName) && TIMER_FUNCTIONS.has(method)) return `a ${method} callback`;
      if (PROMISE_CALLBACKS.has(method)) return `a .${method} callback`;
      if (index === 1 && method === 'addEventListener') return 'an event listener';
      if (index === 1 && EMITTER_METHODS.has(method) && isEmitter(object)) return 'an event listener';
      return undefined;
    }

    /**
     * Whether `node` runs on the event loop, decided by its nearest function: an `async` one, or a
     * callback handed to an event-loop API. Any other synchronous function may run in a worker,
     * where blocking is what the blocking forms are for, so it ends the search.
     */
    function eventLoopContextOf(node: TSESTree.Node): EventLoopContext | undefined {
      // `Program.parent` is null at run time, whatever the AST types say: test truthiness.
      for (let current: TSESTree.Node | undefined = node.parent; current; current = current.parent) {
        switch (current.type) {
          case AST_NODE_TYPES.FunctionDeclaration:
            return current.async ? { where: 'an async function', awaitable: true } : undefined;
          case AST_NODE_TYPES.FunctionExpression:
          case AST_NODE_TYPES.ArrowFunctionExpression: {
            if (current.async) return { where: 'an async function', awaitable: true };
            const where = eventLoopCallback(current);
            return where === undefined ? undefined : { where, awaitable: false };
          }
          // Class bodies run at construction or definition, not in the enclosing function.
          case AST_NODE_TYPES.PropertyDefinition:
          case AST_NODE_TYPES.AccessorProperty:
          case AST_NODE_TYPES.StaticBlock:
            return undefined;
          default:
            break;
        }
      }
      return undefined;
    }

    /** `Atomics` is the global one, not a local binding of that name. */
    function isGlobalAtomics(node: TSESTree.Identifier): boolean {
      for (let scope: TSESLint.Scope.Scope | null = context.sourceCode.getScope(node); scope !== null; scope = scope.upper) {
        const variable = scope.set.get(node.name);
        if (variable !== undefined) return variable.defs.length === 0;
      }
      return true;
    }

    function suggestion(call: TSESTree.CallExpression, property: TSESTree.Identifier, asyncMethod: string): TSESLint.ReportSuggestionArray<MessageId> {
      // `lock?.acquire()` is wrapped in a ChainExpression: `await` goes before the whole chain.
      const expression: TSESTree.Node = call.parent.type === AST_NODE_TYPES.ChainExpression ? call.parent : call;
      const parent = expression.parent;
      const rename = (fixer: TSESLint.RuleFixer): TSESLint.RuleFix[] => [fixer.insertTextBefore(expression, 'await '), fixer.replaceText(property, asyncMethod)];
      if (parent?.type === AST_NODE_TYPES.ExpressionStatement) return [{ messageId: 'useAsyncForm', data: { asyncMethod }, fix: rename }];
      if (parent?.type !== AST_NODE_TYPES.VariableDeclarator || parent.init !== expression) return [];
      const declaration = parent.parent;
      // In a loop head `await` would change what the loop means (`for await`): leave that to the user.
      if (declaration.parent.type === AST_NODE_TYPES.ForStatement || declaration.parent.type === AST_NODE_TYPES.ForInStatement || declaration.parent.type === AST_NODE_TYPES.ForOfStatement) return [];
      const usingToken = declaration.kind === 'using' ? context.sourceCode.getFirstToken(declaration) : null;
      return [
        {
          messageId: 'useAsyncForm',
          data: { asyncMethod },
          fix: (fixer) => {
            const fixes = rename(fixer);
            // `holdAsync()` resolves to an AsyncDisposable: release it with `await using`.
            if (usingToken !== null) fixes.push(fixer.replaceText(usingToken, 'await using'));
            return fixes;
          },
        },
      ];
    }

    return {
      CallExpression(call): void {
        const callee = call.callee;
        if (callee.type !== AST_NODE_TYPES.MemberExpression || callee.computed || callee.property.type !== AST_NODE_TYPES.Identifier) return;
        const method = callee.property.name;

        if (method === 'wait' && callee.object.type === AST_NODE_TYPES.Identifier && callee.object.name === 'Atomics') {
          if (!isGlobalAtomics(callee.object)) return;
          const where = eventLoopContextOf(call);
          if (where !== undefined) context.report({ node: call, messageId: 'atomicsWait', data: { where: where.where } });
          return;
        }

        // Without types only `Atomics.wait` is certain: `q.get()`, `e.wait()` by name would be noise.
        if (primitives === undefined || !BLOCKING_METHOD_NAMES.has(method)) return;
        const where = eventLoopContextOf(call);
        if (where === undefined) return;
        const type = tsTypeOf(callee.object);
        const blocking = type === undefined ? undefined : primitives.blockingMethodOf(type, method);
        if (blocking === undefined) return;
        const suggest = where.awaitable ? suggestion(call, callee.property, blocking.asyncMethod) : [];
        context.report({
          node: call,
          messageId: 'blockingCall',
          data: { type: blocking.className, method, asyncMethod: blocking.asyncMethod, where: where.where },
          ...(suggest.length === 0 ? {} : { suggest }),
        });
      },
    } satisfies TSESLint.RuleListener;
  },
});

function isTypeWrapper(node: TSESTree.Node | undefined): node is TSESTree.TSAsExpression | TSESTree.TSSatisfiesExpression | TSESTree.TSNonNullExpression {
  return node?.type === AST_NODE_TYPES.TSAsExpression || node?.type === AST_NODE_TYPES.TSSatisfiesExpression || node?.type === AST_NODE_TYPES.TSNonNullExpression;
}

/** `type` is, or extends, a class or interface named `name` (Node's `Worker`, `MessagePort`, `process`…). */
function derivesFrom(checker: ts.TypeChecker, type: ts.Type, name: string, seen: Set<ts.Type>): boolean {
  if (seen.has(type)) return false;
  seen.add(type);
  if (type.isUnionOrIntersection()) return type.types.some((member) => derivesFrom(checker, member, name, seen));
  if (type.getSymbol()?.getName() === name) return true;
  const target = type.flags & ts.TypeFlags.Object && (type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference ? (type as ts.TypeReference).target : type;
  if (!(target.flags & ts.TypeFlags.Object) || !((target as ts.ObjectType).objectFlags & ts.ObjectFlags.ClassOrInterface)) return false;
  return checker.getBaseTypes(target as ts.InterfaceType).some((base) => derivesFrom(checker, base, name, seen));
}
