/**
 * Where values from another thread enter a program: Node's `workerData`, the value a `'message'`
 * handler receives (`parentPort.on('message', (msg) => …)`, `self.onmessage = (e) => …`), and
 * `receiveMessageOnPort(port)?.message`. They are typed `any`, so no type says whether they carry a
 * SharedArrayBuffer; shared-views.ts follows them instead. Only the syntax is checked here, and the
 * checker where a name could be anybody's (`workerData` must be the platform's, a listener's receiver
 * a port or a worker).
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';

/** Methods that register an event listener, on Node's emitters and on DOM event targets alike. */
const LISTENER_METHODS: ReadonlySet<string> = new Set(['on', 'once', 'addListener', 'prependListener', 'prependOnceListener', 'addEventListener']);

/**
 * Receivers whose `'message'` event carries what another thread posted: Node's `Worker`,
 * `MessagePort` (`parentPort`), `BroadcastChannel`, and the DOM's workers and global scopes. Another
 * emitter's `'message'` (a WebSocket's, a child process') brings bytes or JSON, never shared memory.
 */
const MESSAGE_TARGET_NAMES = /^(?:Worker|MessagePort|BroadcastChannel|SharedWorker|ServiceWorker|\w*WorkerGlobalScope|Window|globalThis)$/;

/** The handler a call registers for `'message'`: `port.on('message', h)`, `addEventListener('message', h)`. */
export function messageHandlerArgument(call: ts.CallExpression): ts.Expression | undefined {
  const [event, handler] = call.arguments;
  if (event === undefined || handler === undefined || !ts.isStringLiteralLike(event) || event.text !== 'message') return undefined;
  const callee = skipOuterExpressions(call.expression);
  const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : ts.isIdentifier(callee) ? callee.text : undefined;
  return method !== undefined && LISTENER_METHODS.has(method) ? handler : undefined;
}

/** The handler an assignment installs: `self.onmessage = h`, `port.onmessage = h`, `onmessage = h`. */
export function assignedMessageHandler(assignment: ts.BinaryExpression): ts.Expression | undefined {
  if (assignment.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  const target = skipOuterExpressions(assignment.left);
  const name = ts.isPropertyAccessExpression(target) ? target.name.text : ts.isIdentifier(target) ? target.text : undefined;
  return name === 'onmessage' ? assignment.right : undefined;
}

/** Recognises the three sources for one program. */
export class WorkerSources {
  readonly #checker: ts.TypeChecker;
  readonly #handlerReferences: () => readonly ts.Expression[];
  /** Functions registered by reference (`port.on('message', onMessage)`), resolved on first need. */
  #namedHandlers: ReadonlySet<ts.Node> | undefined;

  /** @param handlerReferences every handler registered by a name rather than written in place */
  constructor(checker: ts.TypeChecker, handlerReferences: () => readonly ts.Expression[]) {
    this.#checker = checker;
    this.#handlerReferences = handlerReferences;
  }

  /** `workerData` or `threads.workerData` of Node's `worker_threads` (or any ambient `workerData`). */
  isWorkerData(node: ts.Identifier | ts.PropertyAccessExpression): boolean {
    const name = ts.isIdentifier(node) ? node : node.name;
    return name.text === 'workerData' && this.#isAmbient(name);
  }

  /** `receiveMessageOnPort(port)?.message`, directly or through a constant holding the call's result. */
  isReceivedMessage(access: ts.PropertyAccessExpression): boolean {
    if (access.name.text !== 'message') return false;
    let receiver = skipOuterExpressions(access.expression);
    if (ts.isIdentifier(receiver)) {
      const declaration = this.#symbolOf(receiver)?.valueDeclaration;
      if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.initializer === undefined) return false;
      receiver = skipOuterExpressions(declaration.initializer);
    }
    if (!ts.isCallExpression(receiver)) return false;
    const callee = skipOuterExpressions(receiver.expression);
    const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
    return name?.text === 'receiveMessageOnPort' && this.#isAmbient(name);
  }

  /**
   * The registration that makes `parameter` the value of a `'message'` event: the first parameter of a
   * handler written in place or registered by name. Undefined for any other parameter.
   */
  registrationOf(parameter: ts.ParameterDeclaration): ts.Node | undefined {
    const fn = parameter.parent;
    if (!ts.isFunctionLike(fn) || fn.parameters[0] !== parameter) return undefined;
    let node: ts.Node = fn;
    while (ts.isParenthesizedExpression(node.parent)) node = node.parent;
    const holder = node.parent;
    if (ts.isCallExpression(holder) && messageHandlerArgument(holder) === node && this.#isMessageTarget(holder)) return holder;
    if (ts.isBinaryExpression(holder) && holder.right === node && assignedMessageHandler(holder) !== undefined) return holder;
    if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && (ts.isVariableDeclaration(holder) || ts.isPropertyDeclaration(holder)))) {
      return this.#namedHandlerSet().has(fn) ? fn : undefined;
    }
    return undefined;
  }

  #namedHandlerSet(): ReadonlySet<ts.Node> {
    if (this.#namedHandlers !== undefined) return this.#namedHandlers;
    const found = new Set<ts.Node>();
    for (const reference of this.#handlerReferences()) {
      const holder = reference.parent;
      if (ts.isCallExpression(holder) && !this.#isMessageTarget(holder)) continue;
      const node = skipOuterExpressions(reference);
      const name = ts.isIdentifier(node) ? node : ts.isPropertyAccessExpression(node) ? node.name : undefined;
      const declaration = name === undefined ? undefined : this.#symbolOf(name)?.valueDeclaration;
      if (declaration === undefined) continue;
      if (ts.isFunctionDeclaration(declaration) || ts.isMethodDeclaration(declaration)) found.add(declaration);
      else if ((ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) && declaration.initializer !== undefined) {
        const initializer = skipOuterExpressions(declaration.initializer);
        if (ts.isArrowFunction(initializer) || ts.isFunctionExpression(initializer)) found.add(initializer);
      }
    }
    return (this.#namedHandlers = found);
  }

  /** Whether the receiver of `x.on('message', …)` may be a port or a worker (untyped receivers may). */
  #isMessageTarget(call: ts.CallExpression): boolean {
    const callee = skipOuterExpressions(call.expression);
    if (!ts.isPropertyAccessExpression(callee)) return true; // the global `addEventListener` of a worker
    const type = this.#checker.getNonNullableType(this.#checker.getTypeAtLocation(callee.expression));
    return isMessageTargetType(type);
  }

  /** Declared by the platform's types or an ambient `declare`, not by the program's own code. */
  #isAmbient(name: ts.MemberName): boolean {
    const symbol = this.#symbolOf(name);
    return (symbol?.declarations ?? []).some(
      (declaration) => declaration.getSourceFile().isDeclarationFile || (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Ambient) !== 0,
    );
  }

  #symbolOf(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.#checker.getSymbolAtLocation(node);
    return symbol !== undefined && symbol.flags & ts.SymbolFlags.Alias ? this.#checker.getAliasedSymbol(symbol) : symbol;
  }
}

function isMessageTargetType(type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  if (type.isUnionOrIntersection()) return type.types.some(isMessageTargetType);
  const name = type.getSymbol()?.getName();
  return name !== undefined && MESSAGE_TARGET_NAMES.test(name);
}
