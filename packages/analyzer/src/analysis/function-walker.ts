/**
 * Walks one function's body in execution order, tracking which locks may be held at each point
 * (branches merge by union, so "may be held"), and records its summary. Paths that end (`return`,
 * `throw`, `break`, `continue`) drop out of the merge, `finally` blocks run on the way out, and a
 * `using` declaration holds its lock until its block ends.
 */
import ts from 'typescript';
import { functionName, isFunctionWithBody, type FunctionLike } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { instanceKey, sameInstance, type LockRef } from '../model/lock-ref.js';
import type { LockOperation, LockRecognizer } from '../model/lock-recognizer.js';
import { locationOf } from '../model/source-location.js';
import type { CallStep } from './lock-order-witness.js';
import { CONDITION_METHODS } from './condition-uses.js';
import { clearedThisFields, thisFieldGuards } from './guard-fields.js';
import { parameterGuards } from './parameter-guards.js';
import type { AcquisitionSite, CallbackInvocation, ExitEffect, FunctionSummary, HeldLock, LocalAcquisition, LocalCall } from './function-summary.js';

/** What the walker needs from the whole-program pass. */
export interface WalkerContext {
  readonly root: string;
  readonly recognizer: LockRecognizer;
  /**
   * The functions a call may reach, when worth knowing (see call-resolver.ts): one for a direct call,
   * every implementation for a call through an interface, an abstract method or a union.
   */
  resolveCallees(call: ts.CallExpression | ts.NewExpression): readonly ts.SignatureDeclaration[];
  /** The callee's effect on its caller's held locks, as known so far. */
  exitOf(callee: ts.SignatureDeclaration): ExitEffect;
  /** Binds a callee's lock parameters to the caller's arguments. */
  substitute(ref: LockRef, call: LocalCall): LockRef;
  /** The symbol an identifier denotes (aliases followed). */
  symbolOf(node: ts.Node): ts.Symbol | undefined;
  /** The function a value denotes (`runExclusive(doWork)`), if it has a body. */
  functionOfValue(expression: ts.Expression): ts.SignatureDeclaration | undefined;
  /** Told of every function seen running with locks held that its caller passed as a callback. */
  noteLockedCallback(fn: ts.Node, held: readonly HeldLock[]): void;
  /** Told of every lock operation met (the report counts them). */
  noteOperation(call: ts.CallExpression): void;
  /** Told of every call of a Condition method (`wait`, `notify`…) and of what is held there. */
  noteConditionUse(call: ts.CallExpression, within: FunctionLike, held: readonly HeldLock[]): void;
  /** Told of every call that reaches a function, awaited or not, and of what the caller holds. */
  noteCall(callee: ts.SignatureDeclaration, caller: FunctionLike, held: readonly HeldLock[]): void;
  /** Told of every callback walked where it is passed. */
  noteInlined(fn: ts.Node): void;
  /**
   * Told of the locks that may be held where an access or a call is evaluated (only where some are):
   * what the guarded-state analysis and the rules ask about a given node.
   */
  noteHeld(node: ts.Expression, held: readonly HeldLock[]): void;
}

/** Held locks at a point, or `null` where no path reaches. */
type State = readonly HeldLock[] | null;

interface JumpTarget {
  readonly node: ts.Node;
  readonly label: string | undefined;
  readonly isLoop: boolean;
  readonly breaks: State[];
  readonly continues: State[];
}

interface FinallyContext {
  readonly block: ts.Block;
  readonly returns: State[];
}

/** One function body being walked: the function itself, or a callback inlined at its call. */
interface Frame {
  readonly returns: State[];
  readonly jumps: JumpTarget[];
  readonly finallies: FinallyContext[];
  readonly isAsync: boolean;
}

/** Calls whose callback runs later, without the caller's locks: its own summary covers it. */
const DEFERRING_CALLS = new Set([
  'setTimeout',
  'setInterval',
  'setImmediate',
  'queueMicrotask',
  'nextTick',
  'then',
  'catch',
  'finally',
  'addEventListener',
  'addListener',
  'on',
  'once',
  'prependListener',
  'subscribe',
  'requestAnimationFrame',
]);

/** Expressions whose held locks are noted: accesses of state, the writes and calls around them, suspensions. */
const NOTED_KINDS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.Identifier,
  ts.SyntaxKind.PropertyAccessExpression,
  ts.SyntaxKind.ElementAccessExpression,
  ts.SyntaxKind.BinaryExpression,
  ts.SyntaxKind.PrefixUnaryExpression,
  ts.SyntaxKind.PostfixUnaryExpression,
  ts.SyntaxKind.CallExpression,
  ts.SyntaxKind.NewExpression,
  ts.SyntaxKind.AwaitExpression,
  ts.SyntaxKind.YieldExpression,
]);

export function summarizeFunction(node: FunctionLike, context: WalkerContext): FunctionSummary {
  return new FunctionWalker(node, context).run();
}

class FunctionWalker {
  readonly #node: FunctionLike;
  readonly #within: ts.SignatureDeclaration | undefined;
  readonly #context: WalkerContext;
  readonly #name: string;
  readonly #acquisitions: LocalAcquisition[] = [];
  readonly #calls: LocalCall[] = [];
  readonly #recorded = new Set<string>();
  readonly #releasedFromCaller: LockRef[] = [];
  readonly #callbacks: CallbackInvocation[] = [];
  #recording = true;
  #guessed = false;
  #frame: Frame;

  constructor(node: FunctionLike, context: WalkerContext) {
    this.#node = node;
    this.#within = ts.isSourceFile(node) ? undefined : node;
    this.#context = context;
    this.#name = functionName(node);
    this.#frame = newFrame(!ts.isSourceFile(node) && isAsyncFunction(node));
  }

  run(): FunctionSummary {
    let end: State;
    if (ts.isSourceFile(this.#node)) {
      end = this.#statements(this.#node.statements, [], this.#node);
    } else {
      end = this.#functionBody(this.#node as ts.FunctionLikeDeclaration, []);
    }
    const exits = [end, ...this.#frame.returns].filter((state): state is readonly HeldLock[] => state !== null);
    const exit = mergeAll(exits) ?? [];
    const leftHeld = exit
      .filter((held) => held.scope === undefined)
      .map((held) => {
        const onEveryExit = exits.every((state) => state.some((other) => other.ref.info.id === held.ref.info.id));
        return held.partial === true || onEveryExit ? held : { ...held, partial: true };
      });
    const exitEffect: ExitEffect = { leftHeld, releasedFromCaller: this.#releasedFromCaller, callbacks: this.#callbacks };
    return {
      node: this.#node,
      name: this.#name,
      acquisitions: this.#acquisitions,
      calls: this.#calls,
      exit: exitEffect,
      guessed: this.#guessed,
    };
  }

  #functionBody(fn: ts.FunctionLikeDeclaration, state: State): State {
    const body = fn.body;
    if (body === undefined) return state;
    if (ts.isBlock(body)) return this.#statements(body.statements, state, body);
    // A concise arrow body is its return value.
    const after = this.#expression(body, state, true);
    this.#frame.returns.push(after);
    return null;
  }

  // ---- statements -------------------------------------------------------------------------------

  #statements(statements: readonly ts.Statement[], state: State, scope: ts.Node): State {
    let current = state;
    for (const statement of statements) {
      if (current === null) break;
      current = this.#statement(statement, current);
    }
    // Leaving the block disposes its `using` declarations.
    return current === null ? null : current.filter((held) => held.scope !== scope);
  }

  #statement(node: ts.Statement, state: State): State {
    if (state === null) return null;
    switch (node.kind) {
      case ts.SyntaxKind.Block:
        return this.#statements((node as ts.Block).statements, state, node);
      case ts.SyntaxKind.ExpressionStatement:
        return this.#expression((node as ts.ExpressionStatement).expression, state, false);
      case ts.SyntaxKind.VariableStatement:
        return this.#variableList((node as ts.VariableStatement).declarationList, state);
      case ts.SyntaxKind.IfStatement:
        return this.#if(node as ts.IfStatement, state);
      case ts.SyntaxKind.ReturnStatement: {
        const expression = (node as ts.ReturnStatement).expression;
        // `return promise`: the value goes to the caller, whose await (if any) waits for it; a helper
        // written `return withLock(this.#mutex, fn)` is as async as what it returns.
        const after = expression === undefined ? state : this.#expression(expression, state, true);
        this.#exitFunction(after);
        return null;
      }
      case ts.SyntaxKind.ThrowStatement:
        this.#expression((node as ts.ThrowStatement).expression, state, false);
        return null;
      case ts.SyntaxKind.TryStatement:
        return this.#try(node as ts.TryStatement, state);
      case ts.SyntaxKind.ForStatement:
      case ts.SyntaxKind.ForOfStatement:
      case ts.SyntaxKind.ForInStatement:
      case ts.SyntaxKind.WhileStatement:
      case ts.SyntaxKind.DoStatement:
        return this.#loop(node as ts.IterationStatement, state, undefined);
      case ts.SyntaxKind.LabeledStatement: {
        const labeled = node as ts.LabeledStatement;
        if (ts.isIterationStatement(labeled.statement, false)) return this.#loop(labeled.statement, state, labeled.label.text);
        const target = this.#pushJump(labeled, labeled.label.text, false);
        const after = this.#statement(labeled.statement, state);
        this.#frame.jumps.pop();
        return mergeAll([after, ...target.breaks]);
      }
      case ts.SyntaxKind.SwitchStatement:
        return this.#switch(node as ts.SwitchStatement, state);
      case ts.SyntaxKind.BreakStatement:
      case ts.SyntaxKind.ContinueStatement:
        this.#jump(node as ts.BreakOrContinueStatement, state);
        return null;
      case ts.SyntaxKind.FunctionDeclaration:
      case ts.SyntaxKind.ClassDeclaration:
      case ts.SyntaxKind.InterfaceDeclaration:
      case ts.SyntaxKind.TypeAliasDeclaration:
      case ts.SyntaxKind.EnumDeclaration:
      case ts.SyntaxKind.ImportDeclaration:
      case ts.SyntaxKind.ImportEqualsDeclaration:
      case ts.SyntaxKind.ModuleDeclaration:
        // Declarations run nothing here; their bodies have summaries of their own.
        return state;
      case ts.SyntaxKind.ExportAssignment:
        return this.#expression((node as ts.ExportAssignment).expression, state, false);
      default: {
        let current: State = state;
        ts.forEachChild(node, (child) => {
          if (current !== null && ts.isExpression(child)) current = this.#expression(child, current, false);
          else if (current !== null && ts.isStatement(child)) current = this.#statement(child, current);
        });
        return current;
      }
    }
  }

  #variableList(list: ts.VariableDeclarationList, state: State): State {
    let current = state;
    const isUsing = (list.flags & ts.NodeFlags.Using) !== 0; // `await using` sets it too
    for (const declaration of list.declarations) {
      if (current === null || declaration.initializer === undefined) continue;
      const before = current;
      const after = this.#expression(declaration.initializer, current, false);
      if (after === null) return null;
      current = after;
      const added = after.filter((held) => !before.includes(held));
      if (added.length === 0) continue;
      const releaser = releaserSymbol(declaration, this.#context);
      const scope = isUsing ? list.parent.parent : undefined;
      if (releaser === undefined && scope === undefined) continue;
      // The lock just taken belongs to this declaration: released with its block, or by calling it.
      current = after.map((held) =>
        added.includes(held) ? { ...held, ...(releaser === undefined ? {} : { releaser }), ...(scope === undefined ? {} : { scope }) } : held,
      );
    }
    return current;
  }

  #if(node: ts.IfStatement, state: State): State {
    const afterCondition = this.#expression(node.expression, state, false);
    if (afterCondition === null) return null;
    // `if (lock.tryAcquire())`: held only where it succeeded.
    const tried = afterCondition.filter((held) => !state?.includes(held) && held.tried === true);
    const negated = isNegation(node.expression);
    const whenTrue = negated ? afterCondition.filter((held) => !tried.includes(held)) : afterCondition;
    const whenFalse = negated ? afterCondition : afterCondition.filter((held) => !tried.includes(held));
    const thenEnd = this.#statement(node.thenStatement, whenTrue);
    const elseEnd = node.elseStatement === undefined ? whenFalse : this.#statement(node.elseStatement, whenFalse);
    return releasedOnOnePath(afterCondition, thenEnd, elseEnd);
  }

  #loop(node: ts.IterationStatement, state: State, label: string | undefined): State {
    let current = state;
    if (ts.isForStatement(node) && node.initializer !== undefined) {
      current = ts.isVariableDeclarationList(node.initializer)
        ? this.#variableList(node.initializer, current)
        : this.#expression(node.initializer, current, false);
    }
    if ((ts.isForOfStatement(node) || ts.isForInStatement(node)) && current !== null) {
      current = this.#expression(node.expression, current, node.kind === ts.SyntaxKind.ForOfStatement && node.awaitModifier !== undefined);
    }
    const condition = ts.isForStatement(node) ? node.condition : ts.isWhileStatement(node) || ts.isDoStatement(node) ? node.expression : undefined;
    if (condition !== undefined && !ts.isDoStatement(node) && current !== null) current = this.#expression(condition, current, false);
    const target = this.#pushJump(node, label, true);
    const bodyEnd = this.#statement(node.statement, current);
    this.#frame.jumps.pop();
    let next = mergeAll([bodyEnd, ...target.continues]);
    if (ts.isForStatement(node) && node.incrementor !== undefined && next !== null) next = this.#expression(node.incrementor, next, false);
    if (ts.isDoStatement(node) && next !== null) next = this.#expression(node.expression, next, false);
    // Locks taken in one iteration and still held reach the next one: walk the body once more so
    // `for (…) { a.acquire(); b.acquire(); }` without releases shows b → a too. Only for a lock
    // class not held on entry already: with one of it held then, the first walk took every lock of
    // the body after it, so another walk finds the same orders (graph edges are between classes); and in loops nested in loops, each
    // walking its body twice, the innermost was walked 2^depth times (ten nested loops re-taking
    // one mutex took minutes).
    if (next !== null && current !== null && next.some((held) => !current?.some((entry) => entry.ref.info.id === held.ref.info.id))) {
      const target2 = this.#pushJump(node, label, true);
      const secondEnd = this.#statement(node.statement, merge(current, next));
      this.#frame.jumps.pop();
      next = mergeAll([next, secondEnd, ...target2.continues]);
      target.breaks.push(...target2.breaks);
    }
    const infinite = condition === undefined ? !ts.isForOfStatement(node) && !ts.isForInStatement(node) : condition.kind === ts.SyntaxKind.TrueKeyword;
    return mergeAll([infinite ? null : merge(current, next), ...target.breaks]);
  }

  #switch(node: ts.SwitchStatement, state: State): State {
    const afterDiscriminant = this.#expression(node.expression, state, false);
    const target = this.#pushJump(node, undefined, false);
    let fallthrough: State = null;
    let hasDefault = false;
    for (const clause of node.caseBlock.clauses) {
      if (ts.isDefaultClause(clause)) hasDefault = true;
      let entry = merge(afterDiscriminant, fallthrough);
      if (ts.isCaseClause(clause) && entry !== null) entry = this.#expression(clause.expression, entry, false);
      fallthrough = this.#statements(clause.statements, entry, node.caseBlock);
    }
    this.#frame.jumps.pop();
    return mergeAll([fallthrough, ...target.breaks, hasDefault ? null : afterDiscriminant]);
  }

  #try(node: ts.TryStatement, state: State): State {
    const finallyContext: FinallyContext | undefined = node.finallyBlock === undefined ? undefined : { block: node.finallyBlock, returns: [] };
    if (finallyContext !== undefined) this.#frame.finallies.push(finallyContext);
    const tryEnd = this.#statement(node.tryBlock, state);
    let catchEnd: State = null;
    if (node.catchClause !== undefined) {
      // An exception may come from anywhere in the try block: the catch starts from what was held at
      // its start or its end.
      catchEnd = this.#statement(node.catchClause.block, merge(state, tryEnd));
    }
    if (finallyContext === undefined) return merge(tryEnd, catchEnd);
    this.#frame.finallies.pop();
    const normal = merge(tryEnd, catchEnd);
    // The finally block also runs when the try block throws: walk it from the union so its releases and
    // calls are seen, and from the return paths without recording them twice.
    const finallyEnd = this.#statement(node.finallyBlock!, mergeAll([normal, state]));
    const returning = mergeAll(finallyContext.returns);
    if (returning !== null) {
      const recording = this.#recording;
      this.#recording = false;
      const afterFinally = this.#statement(node.finallyBlock!, returning);
      this.#recording = recording;
      if (afterFinally !== null) this.#exitFunction(afterFinally);
    }
    return normal === null ? null : finallyEnd;
  }

  #pushJump(node: ts.Node, label: string | undefined, isLoop: boolean): JumpTarget {
    const target: JumpTarget = { node, label, isLoop, breaks: [], continues: [] };
    this.#frame.jumps.push(target);
    return target;
  }

  #jump(node: ts.BreakOrContinueStatement, state: State): void {
    const isBreak = node.kind === ts.SyntaxKind.BreakStatement;
    const label = node.label?.text;
    const jumps = this.#frame.jumps;
    for (let index = jumps.length - 1; index >= 0; index--) {
      const target = jumps[index]!;
      const matches = label === undefined ? (isBreak ? true : target.isLoop) : target.label === label;
      if (!matches) continue;
      // Leaving blocks inside the target disposes their `using` declarations.
      const left = state === null ? null : state.filter((held) => held.scope === undefined || !contains(target.node, held.scope));
      (isBreak ? target.breaks : target.continues).push(left);
      return;
    }
  }

  #exitFunction(state: State): void {
    if (state === null) return;
    const finallyContext = this.#frame.finallies[this.#frame.finallies.length - 1];
    if (finallyContext !== undefined) {
      finallyContext.returns.push(state);
      return;
    }
    this.#frame.returns.push(state.filter((held) => held.scope === undefined));
  }

  // ---- expressions ------------------------------------------------------------------------------

  /** Walks an expression; `awaited` is true when its value is awaited, so async calls in it complete first. */
  #expression(node: ts.Expression, state: State, awaited: boolean): State {
    if (state === null) return null;
    if (state.length > 0 && NOTED_KINDS.has(node.kind)) this.#context.noteHeld(node, state);
    switch (node.kind) {
      case ts.SyntaxKind.CallExpression:
        return this.#call(node as ts.CallExpression, state, awaited);
      case ts.SyntaxKind.NewExpression:
        return this.#new(node as ts.NewExpression, state);
      case ts.SyntaxKind.AwaitExpression:
        return this.#expression((node as ts.AwaitExpression).expression, state, true);
      case ts.SyntaxKind.ArrowFunction:
      case ts.SyntaxKind.FunctionExpression:
      case ts.SyntaxKind.ClassExpression:
        // Defined here, run elsewhere: summarised on its own (or inlined by the call it is passed to).
        return state;
      case ts.SyntaxKind.ParenthesizedExpression:
      case ts.SyntaxKind.NonNullExpression:
      case ts.SyntaxKind.AsExpression:
      case ts.SyntaxKind.SatisfiesExpression:
        return this.#expression((node as ts.ParenthesizedExpression).expression, state, awaited);
      default: {
        let current: State = state;
        ts.forEachChild(node, (child) => {
          if (current !== null && ts.isExpression(child)) current = this.#expression(child, current, awaited);
        });
        return current;
      }
    }
  }

  #call(call: ts.CallExpression, state: readonly HeldLock[], awaited: boolean): State {
    const callee = skipOuterExpressions(call.expression);
    let current: State = state;
    // The receiver and the arguments are evaluated before the call.
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) current = this.#expression(callee.expression, current, false);
    // `await Promise.all([a(), b()])` waits for every promise in it.
    const combinesPromises = awaited && isPromiseCombinator(callee);
    for (const argument of call.arguments) {
      if (current !== null && !isInlineFunction(argument)) current = this.#expression(argument, current, combinesPromises);
    }
    if (current === null) return null;

    const operation = this.#context.recognizer.operationOf(call, this.#within);
    if (operation !== undefined) {
      this.#context.noteOperation(call);
      return this.#lockOperation(operation, current, awaited);
    }

    const released = this.#releaseByReleaser(callee, current);
    if (released !== undefined) return released;

    if (ts.isPropertyAccessExpression(callee) && CONDITION_METHODS.has(callee.name.text)) this.#context.noteConditionUse(call, this.#node, current);

    // `fn()`, `fn.call(…)` on a parameter: the function runs its caller's callback under what it holds.
    const invoked = this.#invokedParameter(callee);
    if (invoked !== undefined) {
      this.#recordCallback(invoked, current);
      return current;
    }

    const targets = this.#context.resolveCallees(call);
    const deferring = DEFERRING_CALLS.has(calleeName(callee) ?? '');
    // A lock helper (`withLock(mutex, fn)`) runs the callbacks it is given with its locks held.
    const underHelper = this.#helperCallbackLocks(targets, call, current, awaited);
    call.arguments.forEach((argument, index) => {
      const held = underHelper.get(index);
      if (held !== undefined) this.#runCallback(argument, held, call);
      // Callbacks given to ordinary calls (`forEach`, `map`, `new Promise`) run during the call.
      else if (!deferring && isInlineFunction(argument)) this.#inline(argument, current);
    });
    return this.#callToEach(targets, call, current, awaited);
  }

  /**
   * For each argument position of `call` that some target runs as a callback while holding locks,
   * what the callback runs with: those locks (bound at this call) after the caller's own, when the
   * caller waits for the helper.
   */
  #helperCallbackLocks(
    targets: readonly ts.SignatureDeclaration[],
    expression: ts.CallExpression,
    state: readonly HeldLock[],
    awaited: boolean,
  ): ReadonlyMap<number, readonly HeldLock[]> {
    const result = new Map<number, HeldLock[]>();
    for (const target of targets) {
      const invocations = this.#context.exitOf(target).callbacks;
      if (invocations.length === 0) continue;
      // An async helper nobody waits for runs its callback after the caller moved on.
      const base = awaited || !isAsyncFunction(target) ? state : [];
      const call = this.#localCall(target, expression, state);
      for (const invocation of invocations) {
        let list = result.get(invocation.parameter);
        if (list === undefined) result.set(invocation.parameter, (list = [...base]));
        for (const held of invocation.held) {
          const bound = this.#boundAt(held, call);
          if (!list.some((other) => other.site === bound.site && instanceKey(other.ref) === instanceKey(bound.ref))) list.push(bound);
        }
      }
    }
    return result;
  }

  /**
   * A function value that runs with `held` (a scoped lock's or a lock helper's callback): an inline
   * function is walked here, a parameter of ours becomes our own callback invocation, and a function
   * or method reference (`this.flush`, `this.flush.bind(this)`, `doWork`) is a call made with `held`.
   * `via` is the call the value is passed to.
   */
  #runCallback(argument: ts.Expression, held: readonly HeldLock[], via: ts.CallExpression): void {
    if (isInlineFunction(argument)) {
      this.#context.noteLockedCallback(argument, held);
      this.#inline(argument, held);
      return;
    }
    const parameter = this.#parameterIndexOf(unbind(argument));
    if (parameter !== undefined) {
      this.#recordCallback(parameter, held);
      return;
    }
    const reference = this.#functionReference(argument);
    if (reference === undefined) return;
    this.#context.noteLockedCallback(reference.target, held);
    const call: LocalCall = {
      callee: reference.target,
      expression: via,
      step: { location: locationOf(argument, this.#context.root), caller: this.#name, callee: functionName(reference.target) },
      held,
      sameThis: reference.sameThis,
      within: this.#within,
      releasedBefore: [...this.#releasedFromCaller],
      unbound: true,
    };
    if (this.#recording) this.#context.noteCall(reference.target, this.#node, held);
    this.#recordCall(call);
  }

  /** `doWork`, `this.flush`, `this.flush.bind(this)`: the function it denotes and whether it runs on our `this`. */
  #functionReference(expression: ts.Expression): { target: ts.SignatureDeclaration; sameThis: boolean } | undefined {
    let node = skipOuterExpressions(expression);
    if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'bind') {
      node = skipOuterExpressions(node.expression.expression);
    }
    if (!ts.isIdentifier(node) && !ts.isPropertyAccessExpression(node)) return undefined;
    const target = this.#context.functionOfValue(node);
    if (target === undefined) return undefined;
    return { target, sameThis: ts.isPropertyAccessExpression(node) && node.expression.kind === ts.SyntaxKind.ThisKeyword };
  }

  /** The index of the walked function's parameter that `expression` names, if it names one. */
  #parameterIndexOf(expression: ts.Expression): number | undefined {
    const within = this.#within;
    const node = skipOuterExpressions(expression);
    if (within === undefined || !ts.isIdentifier(node)) return undefined;
    // Cheap first: most identifiers are not a parameter's name.
    if (!within.parameters.some((parameter) => ts.isIdentifier(parameter.name) && parameter.name.text === node.text)) return undefined;
    const declaration = this.#context.symbolOf(node)?.valueDeclaration;
    if (declaration === undefined || !ts.isParameter(declaration) || declaration.parent !== within) return undefined;
    return within.parameters.indexOf(declaration);
  }

  /** `fn` in `fn()`, `fn?.()`, `fn.call(…)`, `fn.apply(…)`: the parameter called, if any. */
  #invokedParameter(callee: ts.Expression): number | undefined {
    if (ts.isIdentifier(callee)) return this.#parameterIndexOf(callee);
    if (ts.isPropertyAccessExpression(callee) && (callee.name.text === 'call' || callee.name.text === 'apply')) return this.#parameterIndexOf(callee.expression);
    return undefined;
  }

  #recordCallback(parameter: number, held: readonly HeldLock[]): void {
    if (!this.#recording || held.length === 0) return;
    const key = `cb:${parameter}:${heldKey(held)}`;
    if (this.#recorded.has(key)) return;
    this.#recorded.add(key);
    this.#callbacks.push({ parameter, held });
  }

  /** A call that may reach any of `targets` (one per implementation): what may be held after it is the union. */
  #callToEach(targets: readonly ts.SignatureDeclaration[], expression: ts.CallExpression | ts.NewExpression, state: readonly HeldLock[], awaited: boolean): State {
    if (targets.length === 0) return state;
    return mergeAll(targets.map((target) => this.#callTo(target, expression, state, awaited || !isAsyncFunction(target))));
  }

  #new(node: ts.NewExpression, state: readonly HeldLock[]): State {
    let current: State = state;
    for (const argument of node.arguments ?? []) {
      if (current !== null && !isInlineFunction(argument)) current = this.#expression(argument, current, false);
    }
    if (current === null) return null;
    const executor = isPromiseConstructor(node.expression) ? node.arguments?.[0] : undefined;
    for (const argument of node.arguments ?? []) {
      if (!isInlineFunction(argument)) continue;
      const exit = this.#inline(argument, current);
      // `new Promise(executor)` runs the executor now, and a lock it releases on every path (`finally {
      // unlock(); }`, livekit's connect()) is the executor's to release: the promise settles when
      // the executor is done with it, so whoever waits for that promise no longer holds the lock.
      if (argument === executor) current = current.filter((held) => exit.some((other) => other === held));
    }
    return this.#callToEach(this.#context.resolveCallees(node), node, current, true);
  }

  /** Records a call and applies what the callee leaves held or releases (when the caller waits for it). */
  #callTo(target: ts.SignatureDeclaration, expression: ts.CallExpression | ts.NewExpression, state: readonly HeldLock[], completes: boolean): State {
    const call = this.#localCall(target, expression, state);
    // Even an async call nobody awaits runs its first steps with what the caller holds.
    if (this.#recording) this.#context.noteCall(target, this.#node, state);
    // An async call not awaited runs its locking after the caller has moved on: it orders nothing.
    if (!completes) return state;
    this.#recordCall(call);
    const exit = this.#context.exitOf(target);
    if (exit.leftHeld.length === 0 && exit.releasedFromCaller.length === 0) return state;
    let current: readonly HeldLock[] = state;
    // What the callee gives back of ours, or (when we do not hold it) of our caller's.
    for (const released of exit.releasedFromCaller) current = this.#release(this.#context.substitute(released, call), current, true);
    return [...current, ...exit.leftHeld.map((held) => this.#boundAt(held, call))];
  }

  /** A lock the callee holds (left held, or held while it runs our callback), as the caller sees it through `call`. */
  #boundAt(held: HeldLock, call: LocalCall): HeldLock {
    return {
      ref: this.#context.substitute(held.ref, call),
      site: held.site,
      chain: [call.step, ...held.chain],
      ...(held.partial === true ? { partial: true } : {}),
    };
  }

  /** The call of `target` by `expression`, as the summary records it. */
  #localCall(target: ts.SignatureDeclaration, expression: ts.CallExpression | ts.NewExpression, state: readonly HeldLock[]): LocalCall {
    const callee = skipOuterExpressions(expression.expression);
    const step: CallStep = {
      location: locationOf(expression, this.#context.root),
      caller: this.#name,
      callee: functionName(target),
    };
    const sameThis =
      ts.isPropertyAccessExpression(callee) &&
      (callee.expression.kind === ts.SyntaxKind.ThisKeyword || callee.expression.kind === ts.SyntaxKind.SuperKeyword);
    const call: LocalCall = { callee: target, expression, step, held: state, sameThis, within: this.#within, releasedBefore: [...this.#releasedFromCaller] };
    const parameter = ts.isPropertyAccessExpression(callee) ? this.#parameterIndexOf(callee.expression) : undefined;
    const implementation = parameter === undefined ? undefined : classOf(target);
    return parameter === undefined || implementation === undefined ? call : { ...call, dispatch: { parameter, implementation } };
  }

  #lockOperation(operation: LockOperation, state: readonly HeldLock[], awaited: boolean): State {
    const lock = operation.lock;
    if (lock.guessed) this.#guessed = true;
    const site: AcquisitionSite = {
      node: operation.call,
      location: locationOf(operation.call, this.#context.root),
      function: this.#name,
      form: operation.form,
    };
    // `const pending = lock.acquireAsync()` waits in the background: this context goes on without it.
    const pending = !awaited && operation.returnsPromise;
    switch (operation.role) {
      case 'acquire':
      case 'hold': {
        if (pending) return state;
        // A timed acquisition gives up rather than deadlock: held if it succeeded, never waited on forever.
        if (operation.bounded) return [...state, { ref: lock, site, chain: [], tried: true }];
        // The owner re-entering a reentrant lock never waits: no order from the other locks it holds.
        if (!isReentryOf(lock, state)) this.#recordAcquisition({ ref: lock, site, held: state, releasedBefore: [...this.#releasedFromCaller] });
        return [...state, { ref: lock, site, chain: [] }];
      }
      case 'tryAcquire':
        return [...state, { ref: lock, site, chain: [], tried: true }];
      case 'release':
        return this.#release(lock, state, true);
      case 'scoped': {
        // The callback runs once the lock is granted; if nobody waits for that, not with today's locks.
        // async-lock's `acquire([k1, k2], fn)` takes each key's lock in turn.
        let inside: readonly HeldLock[] = pending ? [] : state;
        for (const ref of operation.locks ?? [lock]) {
          if (operation.tryOnly !== true && !operation.bounded && !pending && !isReentryOf(ref, inside)) {
            this.#recordAcquisition({ ref, site, held: inside, releasedBefore: [...this.#releasedFromCaller] });
          }
          inside = [...inside, { ref, site, chain: [] }];
        }
        if (operation.callback !== undefined) this.#runCallback(operation.callback, inside, operation.call);
        return state;
      }
    }
  }

  /** Gives back the most recent hold of `lock` (this instance if known, else this lock class). */
  #release(lock: LockRef, state: readonly HeldLock[], recordExternal: boolean): readonly HeldLock[] {
    let index = findLastIndex(state, (held) => instanceKey(held.ref) === instanceKey(lock) || sameInstance(held.ref, lock));
    if (index < 0) index = findLastIndex(state, (held) => held.ref.info.id === lock.info.id);
    if (index < 0) {
      if (recordExternal && this.#recording && !this.#releasedFromCaller.some((ref) => instanceKey(ref) === instanceKey(lock))) {
        this.#releasedFromCaller.push(lock);
      }
      return state;
    }
    return [...state.slice(0, index), ...state.slice(index + 1)];
  }

  /**
   * Calls that give back a lock through what its acquisition returned: async-mutex's `release()`
   * function, or a guard's `release()` / `[Symbol.dispose]()`.
   */
  #releaseByReleaser(callee: ts.Expression, state: readonly HeldLock[]): State | undefined {
    if (!state.some((held) => held.releaser !== undefined)) return undefined;
    let holder: ts.Expression | undefined;
    if (ts.isIdentifier(callee)) holder = callee;
    else if ((ts.isPropertyAccessExpression(callee) && callee.name.text === 'release') || ts.isElementAccessExpression(callee)) {
      holder = skipOuterExpressions(callee.expression);
    }
    if (holder === undefined || !ts.isIdentifier(holder)) return undefined;
    const symbol = this.#context.symbolOf(holder);
    if (symbol === undefined) return undefined;
    const index = findLastIndex(state, (held) => held.releaser === symbol);
    if (index < 0) return undefined;
    return [...state.slice(0, index), ...state.slice(index + 1)];
  }

  /**
   * Walks a callback where it is called: its locking happens with the caller's locks held. Returns
   * what may still be held when it returns (the union over its exits; empty when it never returns).
   */
  #inline(fn: ts.ArrowFunction | ts.FunctionExpression, state: readonly HeldLock[]): readonly HeldLock[] {
    this.#context.noteInlined(fn);
    const outer = this.#frame;
    const frame = newFrame(isAsyncFunction(fn));
    this.#frame = frame;
    try {
      const end = this.#functionBody(fn, state);
      return mergeAll([end, ...frame.returns]) ?? [];
    } finally {
      this.#frame = outer;
    }
  }

  #recordAcquisition(acquisition: LocalAcquisition): void {
    if (!this.#recording) return;
    const key = `a:${acquisition.site.node.pos}:${acquisition.ref.info.id}:${heldKey(acquisition.held)}`;
    if (this.#recorded.has(key)) return;
    this.#recorded.add(key);
    const guards = thisFieldGuards(acquisition.site.node, this.#node);
    const parameterGuardsOfSite = parameterGuards(acquisition.site.node, this.#node);
    this.#acquisitions.push(
      guards.length === 0 && parameterGuardsOfSite.length === 0
        ? acquisition
        : { ...acquisition, ...(guards.length > 0 ? { guards } : {}), ...(parameterGuardsOfSite.length > 0 ? { parameterGuards: parameterGuardsOfSite } : {}) },
    );
  }

  #recordCall(call: LocalCall): void {
    if (!this.#recording) return;
    // One call may reach several implementations, and one helper call may run several callbacks.
    const key = `c:${call.step.location.line}:${call.step.location.column}:${call.callee.getSourceFile().fileName}:${call.callee.pos}:${heldKey(call.held)}`;
    if (this.#recorded.has(key)) return;
    this.#recorded.add(key);
    const guards = thisFieldGuards(call.expression, this.#node);
    const cleared = call.sameThis ? clearedThisFields(call.expression, this.#node) : [];
    this.#calls.push(guards.length === 0 && cleared.length === 0 ? call : { ...call, ...(guards.length > 0 ? { guards } : {}), ...(cleared.length > 0 ? { cleared } : {}) });
  }
}

/** The class a method (or a function-valued field) belongs to. */
function classOf(target: ts.SignatureDeclaration): ts.ClassLikeDeclaration | undefined {
  if (ts.isClassLike(target.parent)) return target.parent;
  if (ts.isPropertyDeclaration(target.parent) && ts.isClassLike(target.parent.parent)) return target.parent.parent;
  return undefined;
}

/** `fn.bind(thisArg, …)` runs `fn`: Amplify DataStore's `mutex.runExclusive(fn.bind(this, this.storage))`. */
function unbind(expression: ts.Expression): ts.Expression {
  const node = skipOuterExpressions(expression);
  if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && node.expression.name.text === 'bind') return node.expression.expression;
  return expression;
}

/** A reentrant lock its holder already holds: taking it again never blocks. */
export function isReentryOf(lock: LockRef, held: readonly HeldLock[]): boolean {
  return lock.info.flavor === 'reentrant' && held.some((entry) => sameInstance(entry.ref, lock));
}

function newFrame(isAsync: boolean): Frame {
  return { returns: [], jumps: [], finallies: [], isAsync };
}

function merge(a: State, b: State): State {
  if (a === null) return b;
  if (b === null || a === b) return a;
  const result = [...a];
  for (const held of b) {
    if (result.includes(held)) continue;
    // The same hold, made partial on one side (releasedOnOnePath): one entry, partial.
    const index = result.findIndex((other) => other.site === held.site && other.ref === held.ref);
    if (index < 0) result.push(held);
    else if (held.partial === true) result[index] = held;
  }
  return result;
}

/**
 * The state after an `if`: as `merge`, except that a lock held before it and released on one branch
 * only is held on some paths — `partial`, so that taking it again later is no provable self-deadlock
 * (`if (releaseLockOnCallback) lock.release(); … if (releaseLockOnCallback) await lock.acquire();`,
 * @ethereumjs/blockchain's iterator, which gives the lock back around a callback under a flag).
 */
function releasedOnOnePath(before: readonly HeldLock[], a: State, b: State): State {
  const merged = merge(a, b);
  if (a === null || b === null || merged === null) return merged;
  return merged.map((held) => (held.partial !== true && before.includes(held) && (!a.includes(held) || !b.includes(held)) ? { ...held, partial: true } : held));
}

function mergeAll(states: readonly State[]): State {
  let result: State = null;
  for (const state of states) result = merge(result, state);
  return result;
}

function heldKey(held: readonly HeldLock[]): string {
  return held.map((entry) => `${entry.ref.info.id}@${entry.site.node.pos}`).join(',');
}

function findLastIndex<T>(items: readonly T[], predicate: (item: T) => boolean): number {
  for (let index = items.length - 1; index >= 0; index--) if (predicate(items[index]!)) return index;
  return -1;
}

function contains(outer: ts.Node, inner: ts.Node): boolean {
  return inner.getSourceFile() === outer.getSourceFile() && inner.pos >= outer.pos && inner.end <= outer.end;
}

/** `Promise` in `new Promise(…)` (the global, by name: a local class called Promise is rare). */
function isPromiseConstructor(node: ts.Expression): boolean {
  return ts.isIdentifier(node) && node.text === 'Promise';
}

function isInlineFunction(node: ts.Expression): node is ts.ArrowFunction | ts.FunctionExpression {
  return ts.isArrowFunction(node) || ts.isFunctionExpression(node);
}

/**
 * An `async` function, or one declared to return a promise (`f(): Promise<T> { return g(); }`): its
 * callers wait for its locking only when they await it.
 */
export function isAsyncFunction(node: ts.SignatureDeclaration): boolean {
  if (!isFunctionWithBody(node)) return false;
  if ((ts.getCombinedModifierFlags(node) & ts.ModifierFlags.Async) !== 0) return true;
  const type = node.type;
  return type !== undefined && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && (type.typeName.text === 'Promise' || type.typeName.text === 'PromiseLike');
}

function isNegation(expression: ts.Expression): boolean {
  const node = skipOuterExpressions(expression);
  return ts.isPrefixUnaryExpression(node) && node.operator === ts.SyntaxKind.ExclamationToken;
}

function isPromiseCombinator(callee: ts.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(callee) &&
    ts.isIdentifier(callee.expression) &&
    callee.expression.text === 'Promise' &&
    ['all', 'allSettled', 'race', 'any'].includes(callee.name.text)
  );
}

function calleeName(callee: ts.Expression): string | undefined {
  if (ts.isIdentifier(callee)) return callee.text;
  if (ts.isPropertyAccessExpression(callee)) return callee.name.text;
  return undefined;
}

/**
 * The variable that receives async-mutex's release function: `const release = await m.acquire()`, or
 * the second element of `const [value, release] = await semaphore.acquire()`.
 */
function releaserSymbol(declaration: ts.VariableDeclaration, context: WalkerContext): ts.Symbol | undefined {
  const initializer = declaration.initializer;
  if (initializer === undefined) return undefined;
  const value = skipOuterExpressions(ts.isAwaitExpression(initializer) ? initializer.expression : initializer);
  if (!ts.isCallExpression(value)) return undefined;
  if (ts.isIdentifier(declaration.name)) return context.symbolOf(declaration.name);
  if (ts.isArrayBindingPattern(declaration.name)) {
    const second = declaration.name.elements[1];
    if (second !== undefined && ts.isBindingElement(second) && ts.isIdentifier(second.name)) return context.symbolOf(second.name);
  }
  return undefined;
}

