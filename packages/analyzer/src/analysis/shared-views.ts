/**
 * Which typed arrays may view a SharedArrayBuffer, decided over the whole program. A type settles it
 * when it names the buffer (`Int32Array<SharedArrayBuffer>`); the default `Int32Array`
 * (`ArrayBufferLike`) and `any` do not, and real worker pools are written with exactly those. There
 * the value is followed back to where it came from: a creation over a shared buffer, the assignments
 * of a variable or a field, the arguments of every call of a parameter's function, a function's
 * returns, or another thread (`workerData`, a `'message'` handler). Any one shared source makes the
 * value shared: a view that may be shared must be updated atomically.
 *
 * Cheap by construction, because a lint run asks only when it meets an element update of an
 * undecided view: syntax is indexed by name on first need, a symbol is resolved only where a name
 * matches, and each declaration's answer is remembered.
 */
import ts from 'typescript';
import { functionName } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { locationOf, type SourceLocation } from '../model/source-location.js';
import { AtomicsUses } from './atomics-uses.js';
import { CallSites, implementationOf, propertyNameText } from './call-sites.js';
import { memoryVerdict, TYPED_ARRAY_NAMES } from './memory-types.js';
import { declarationAt, declarationOfSymbol, symbolAt } from './resolved-symbol.js';
import { SharedViewIndex } from './shared-view-index.js';
import { WorkerSources } from './worker-sources.js';

/** The kind of evidence that a value may view shared memory. */
export type SharedReason = 'type' | 'created' | 'field' | 'variable' | 'parameter' | 'return' | 'worker-data' | 'message';

/** Why a value may view shared memory. */
export interface SharedOrigin {
  readonly reason: SharedReason;
  /** Where the evidence is: the creation, the assignment, the call that passes a shared argument… */
  readonly location: SourceLocation;
  /**
   * Human words for messages, e.g. "assigned from a SharedArrayBuffer view at src/pool.ts:12", "a
   * parameter that receives a SharedArrayBuffer view at src/main.ts:40", "taken from workerData at
   * src/worker.ts:3", "typed Int32Array<SharedArrayBuffer>".
   */
  readonly description: string;
}

/** The program's answers about shared memory. */
export interface SharedViewFacts {
  /**
   * Whether the typed-array (or SharedArrayBuffer) valued expression may view shared memory, and why; undefined when nothing says it does.
   * An expression of type `any` from another thread (`workerData.flags`) counts only once something
   * shows it is a typed array: it is wrapped in one, declared as one, or handed to `Atomics` in the program.
   */
  originOf(expression: ts.Expression): SharedOrigin | undefined;
}

/**
 * The shared-memory facts of `program`. Nothing is computed until the first question.
 *
 * @param files the project's own source files (not declaration files, not `node_modules`): where
 *   assignments and calls are looked for
 * @param root the directory locations and descriptions are relative to
 */
export function findSharedViews(program: ts.Program, files: readonly ts.SourceFile[], root: string): SharedViewFacts {
  return new SharedViews(program.getTypeChecker(), files, root);
}

/** What a file that makes or receives shared memory mentions (see `SharedViews.#mayShare`). */
const MAY_SHARE = /SharedArrayBuffer|Atomics\.|workerData|receiveMessageOnPort|onmessage\b|(?:\.on|\.once|addEventListener)\(\s*['"]message['"]/;

/** An `any` argument of `new Int32Array(…)` named like this is a length, not a buffer. */
const LENGTH_NAME = /(?:^n|length|size|count|capacity|len)$/i;

/** Evidence for one value, with what the search needs beside the public origin. */
interface Found {
  readonly origin: SharedOrigin;
  /** The node the evidence is at. */
  readonly node: ts.Node;
  /** The value is a buffer, not a view over one (for the wording of what it flows into). */
  readonly buffer: boolean;
  /**
   * Comes from another thread as `any`, and nothing has shown yet that it is a typed array: a
   * message, or a part of one (`workerData.views.counts`, `event.data`), so its parts are too.
   */
  readonly untyped: boolean;
}

/** Reasons that describe a variable better than "assigned from…" when found in its own initializer. */
const IMMEDIATE: ReadonlySet<SharedReason> = new Set(['created', 'worker-data', 'message']);

class SharedViews implements SharedViewFacts {
  readonly #checker: ts.TypeChecker;
  readonly #files: readonly ts.SourceFile[];
  #sharing: boolean | undefined;
  readonly #root: string;
  readonly #index: SharedViewIndex;
  readonly #sources: WorkerSources;
  readonly #calls: CallSites;
  readonly #atomics: AtomicsUses;
  /** Declarations (variables, parameters, fields, functions for their returns) and their answer; null for none. */
  readonly #memo = new Map<ts.Node, Found | null>();
  /** Declarations being answered now: met again, they add nothing new (a cycle). */
  readonly #active = new Set<ts.Node>();
  /** Declarations that found nothing in this question: final only if the whole question finds nothing. */
  #tentative: ts.Node[] = [];
  #foundAny = false;

  constructor(checker: ts.TypeChecker, files: readonly ts.SourceFile[], root: string) {
    this.#checker = checker;
    this.#files = files;
    this.#root = root;
    this.#index = new SharedViewIndex(files);
    this.#sources = new WorkerSources(checker, () => this.#index.handlerReferences());
    this.#calls = new CallSites(checker, this.#index);
    this.#atomics = new AtomicsUses(checker, () => this.#index.atomicsTargets());
  }

  /**
   * Whether any file of the program can make or receive shared memory: one names SharedArrayBuffer,
   * Atomics, workerData or receiveMessageOnPort, or listens for 'message' events. Where none does, only a type can say a view is shared,
   * and following every `any` array through its calls (effect's generic code) cost seconds a lint.
   */
  #mayShare(): boolean {
    this.#sharing ??= this.#files.some((file) => MAY_SHARE.test(file.text));
    return this.#sharing;
  }

  originOf(expression: ts.Expression): SharedOrigin | undefined {
    this.#tentative = [];
    this.#foundAny = false;
    const found = this.#value(expression);
    // A search that found nothing anywhere explored every source of every declaration it met, so
    // none of them has one. A search that found something may have cut a cycle short: keep nothing.
    if (found === undefined && !this.#foundAny) for (const declaration of this.#tentative) this.#memo.set(declaration, null);
    this.#tentative = [];
    if (found === undefined) return undefined;
    // `workerData.items[i]++` may update a plain array (copied into the worker, not shared): an `any`
    // from another thread counts once the program also hands the same value to `Atomics`.
    if (found.untyped && !this.#atomics.has(expression)) return undefined;
    return found.origin;
  }

  // ---- values -----------------------------------------------------------------------------------

  /** The evidence that `expression` may be shared memory, with its type as the first witness. */
  #value(expression: ts.Expression): Found | undefined {
    const type = this.#checker.getTypeAtLocation(expression);
    const verdict = memoryVerdict(this.#checker, type);
    if (verdict === 'shared-view' || verdict === 'shared-buffer') {
      const node = skipOuterExpressions(expression);
      const created = ts.isNewExpression(node) ? this.#created(node) : this.#inferredFrom(node);
      if (created !== undefined) return created;
      const text = this.#checker.typeToString(this.#checker.getNonNullableType(type));
      return this.#found('type', expression, `typed ${text}`, verdict === 'shared-buffer', false);
    }
    if (verdict === 'unshared' || verdict === 'other' || !this.#mayShare()) return undefined;
    const found = this.#structural(skipOuterExpressions(expression));
    // Typed as a view (or a buffer), a value from another thread is one.
    return found !== undefined && found.untyped && verdict !== 'untyped' ? { ...found, untyped: false } : found;
  }

  /**
   * A type the checker inferred from an initializer (`const view = new Int32Array(new
   * SharedArrayBuffer(n))`) says no more than the initializer: its creation is the better evidence.
   */
  #inferredFrom(node: ts.Expression): Found | undefined {
    if (!ts.isIdentifier(node)) return undefined;
    const declaration = declarationAt(this.#checker, node);
    if (declaration === undefined || !ts.isVariableDeclaration(declaration) || declaration.type !== undefined || declaration.initializer === undefined) return undefined;
    const inner = this.#value(declaration.initializer);
    return inner?.origin.reason === 'type' ? undefined : inner;
  }

  #structural(node: ts.Expression): Found | undefined {
    if (ts.isNewExpression(node)) return this.#created(node);
    if (ts.isIdentifier(node)) {
      if (this.#sources.isWorkerData(node)) return this.#fromThread('worker-data', node);
      const symbol = symbolAt(this.#checker, node);
      return symbol === undefined ? undefined : this.#symbolOrigin(symbol);
    }
    if (ts.isPropertyAccessExpression(node)) return this.#member(node, node.name.text, node.name);
    if (ts.isElementAccessExpression(node)) {
      const key = node.argumentExpression;
      return this.#member(node, ts.isStringLiteralLike(key) ? key.text : undefined, key);
    }
    if (ts.isCallExpression(node)) return this.#called(node);
    if (ts.isConditionalExpression(node)) return this.#value(node.whenTrue) ?? this.#value(node.whenFalse);
    if (ts.isAwaitExpression(node)) return this.#value(node.expression);
    if (ts.isBinaryExpression(node)) {
      switch (node.operatorToken.kind) {
        case ts.SyntaxKind.QuestionQuestionToken:
        case ts.SyntaxKind.BarBarToken:
        case ts.SyntaxKind.AmpersandAmpersandToken:
          return this.#value(node.left) ?? this.#value(node.right);
        case ts.SyntaxKind.EqualsToken:
        case ts.SyntaxKind.CommaToken:
          return this.#value(node.right);
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /** `new SharedArrayBuffer(n)`, or a typed array over a buffer that may be one (`new Int32Array(sab, 0, 4)`). */
  #created(node: ts.NewExpression): Found | undefined {
    const callee = skipOuterExpressions(node.expression);
    if (!ts.isIdentifier(callee)) return undefined;
    if (callee.text === 'SharedArrayBuffer') return this.#found('created', node, (at) => `created as a SharedArrayBuffer at ${at}`, true, false);
    const argument = node.arguments?.[0];
    if (!TYPED_ARRAY_NAMES.has(callee.text) || argument === undefined || ts.isSpreadElement(argument)) return undefined;
    const verdict = memoryVerdict(this.#checker, this.#checker.getTypeAtLocation(argument));
    if (verdict === 'shared-buffer') return this.#viewCreated(node);
    // A length, an array or a view is copied into a buffer of the new array's own.
    if (verdict !== 'buffer' && verdict !== 'untyped') return undefined;
    if (verdict === 'untyped' && LENGTH_NAME.test(lastName(argument))) return undefined;
    const buffer = this.#structural(skipOuterExpressions(argument));
    if (buffer === undefined) return undefined;
    // Wrapped in a typed array, a value from another thread is used as one.
    return buffer.origin.reason === 'created' ? this.#viewCreated(node) : { ...buffer, buffer: false, untyped: false };
  }

  #viewCreated(node: ts.NewExpression): Found {
    return this.#found('created', node, (at) => `created over a SharedArrayBuffer at ${at}`, false, false);
  }

  /** `x.buffer` of a shared view, a part of a message, or a field. */
  #member(node: ts.PropertyAccessExpression | ts.ElementAccessExpression, name: string | undefined, nameNode: ts.Node): Found | undefined {
    if (name === 'buffer') {
      const view = this.#value(node.expression);
      if (view !== undefined) return { ...view, buffer: true };
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (this.#sources.isReceivedMessage(node)) return this.#fromThread('message', node);
      if (this.#sources.isWorkerData(node)) return this.#fromThread('worker-data', node);
    }
    // Whatever a message holds came with it: `workerData.views.counts`, `event.data.view`.
    const receiver = skipOuterExpressions(node.expression);
    if (receiver.kind !== ts.SyntaxKind.ThisKeyword) {
      const carrier = this.#structural(receiver);
      if (carrier?.untyped === true) return carrier;
    }
    if (name === undefined) return undefined;
    const symbol = symbolAt(this.#checker, nameNode);
    return symbol === undefined ? undefined : this.#symbolOrigin(symbol);
  }

  /** A function's result (`makeCounters()`), or `view.subarray(…)`, which views the same memory. */
  #called(call: ts.CallExpression): Found | undefined {
    const callee = skipOuterExpressions(call.expression);
    if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'subarray') return this.#value(callee.expression);
    const declaration = this.#checker.getResolvedSignature(call)?.declaration;
    const fn = declaration === undefined || ts.isJSDocSignature(declaration) ? undefined : implementationOf(declaration);
    // Keyed by the body: the function's own node is the key of its name as a value.
    return fn?.body === undefined ? undefined : this.#remember(fn.body, () => this.#returned(fn));
  }

  // ---- declarations -----------------------------------------------------------------------------

  #symbolOrigin(symbol: ts.Symbol): Found | undefined {
    const declaration = declarationOfSymbol(symbol);
    if (declaration === undefined) return undefined;
    return this.#remember(declaration, () => {
      const found = this.#declared(symbol, declaration);
      if (found?.untyped !== true) return found;
      // Declared as a view or a buffer, what came from another thread is one; declared as an object
      // (`(message: { view: Int32Array }) => …`), it is still the message that carries one.
      const declared = memoryVerdict(this.#checker, this.#checker.getTypeOfSymbol(symbol));
      return declared === 'untyped' || declared === 'other' ? found : { ...found, untyped: false };
    });
  }

  #declared(symbol: ts.Symbol, declaration: ts.Declaration): Found | undefined {
    if (ts.isVariableDeclaration(declaration)) return this.#variable(declaration);
    if (ts.isBindingElement(declaration)) return this.#destructured(declaration);
    if (ts.isParameter(declaration)) {
      const found = this.#parameter(declaration);
      // `constructor(readonly slots: Int32Array)` is a field too, which methods may assign.
      return found ?? (ts.isParameterPropertyDeclaration(declaration, declaration.parent) ? this.#assignedField(declaration) : undefined);
    }
    if (ts.isPropertyDeclaration(declaration) || ts.isPropertySignature(declaration)) return this.#field(declaration);
    const getter = symbol.declarations?.find(ts.isGetAccessorDeclaration);
    return getter === undefined ? undefined : this.#returned(getter);
  }

  /** A variable: its initializer, or any assignment to it (in its own file: imports are read-only). */
  #variable(declaration: ts.VariableDeclaration): Found | undefined {
    if (!ts.isIdentifier(declaration.name)) return undefined;
    if (declaration.initializer !== undefined) {
      const found = this.#value(declaration.initializer);
      if (found !== undefined) return this.#through(declaration, declaration.initializer, found, true);
    }
    if (declaration.parent.flags & ts.NodeFlags.Const) return undefined;
    const file = declaration.getSourceFile();
    const name = declaration.name.text;
    const assignments = ts.isExternalModule(file) ? this.#index.assignmentsIn(file, name) : this.#index.assignmentsTo(name);
    for (const assignment of assignments) {
      const target = skipOuterExpressions(assignment.left);
      if (!ts.isIdentifier(target) || declarationAt(this.#checker, target) !== declaration) continue;
      const found = this.#value(assignment.right);
      if (found !== undefined) return this.#through(assignment, assignment.right, found, false);
    }
    return undefined;
  }

  /** `const { view } = workerData`, `const { a: { b } } = this.#state`, `function f({ view }: Options)`. */
  #destructured(element: ts.BindingElement): Found | undefined {
    const path: string[] = [];
    let current = element;
    for (;;) {
      const key = current.propertyName ?? current.name;
      if (!ts.isObjectBindingPattern(current.parent) || !(ts.isIdentifier(key) || ts.isStringLiteral(key))) break;
      path.unshift(key.text);
      const holder = current.parent.parent;
      if (ts.isBindingElement(holder)) {
        current = holder;
        continue;
      }
      if (ts.isVariableDeclaration(holder) && holder.initializer !== undefined) {
        const source = holder.initializer;
        const found = this.#path(source, path);
        if (found !== undefined) return this.#through(element, source, found, true);
      } else if (ts.isParameter(holder)) {
        const found = this.#parameterPath(holder, path);
        if (found !== undefined) return found;
      }
      break;
    }
    if (element.initializer === undefined) return undefined;
    const fallback = this.#value(element.initializer);
    return fallback === undefined ? undefined : this.#wrap('variable', element.initializer, fallback, (at) => `assigned ${assignedWords(fallback)} at ${at}`);
  }

  /** The value at `path` inside `source`: a part of a message, a property of an object literal, or a field. */
  #path(source: ts.Expression, path: readonly string[]): Found | undefined {
    const node = skipOuterExpressions(source);
    const carrier = this.#structural(node);
    if (carrier?.untyped === true) return carrier;
    const [key, ...rest] = path;
    if (key === undefined) return undefined;
    if (ts.isObjectLiteralExpression(node)) {
      for (const property of node.properties) {
        if (property.name === undefined || propertyNameText(property.name) !== key) continue;
        if (ts.isPropertyAssignment(property)) return rest.length === 0 ? this.#value(property.initializer) : this.#path(property.initializer, rest);
        if (ts.isShorthandPropertyAssignment(property) && rest.length === 0) {
          const symbol = this.#checker.getShorthandAssignmentValueSymbol(property);
          return symbol === undefined ? undefined : this.#symbolOrigin(symbol);
        }
      }
      return undefined;
    }
    let type = this.#checker.getTypeAtLocation(node);
    let symbol: ts.Symbol | undefined;
    for (const name of path) {
      symbol = this.#checker.getNonNullableType(type).getProperty(name);
      if (symbol === undefined) return undefined;
      type = this.#checker.getTypeOfSymbol(symbol);
    }
    return symbol === undefined || memoryVerdict(this.#checker, type) === 'other' ? undefined : this.#symbolOrigin(symbol);
  }

  /** A parameter: the value of a `'message'` event, its default, or the argument of any call. */
  #parameter(parameter: ts.ParameterDeclaration): Found | undefined {
    if (this.#sources.registrationOf(parameter) !== undefined) return this.#fromThread('message', parameter);
    if (parameter.initializer !== undefined) {
      const found = this.#value(parameter.initializer);
      if (found !== undefined) return this.#wrap('parameter', parameter.initializer, found, (at) => `a parameter that receives ${valueWords(found)} at ${at}`);
    }
    for (const argument of this.#calls.argumentsFor(parameter)) {
      const found = this.#value(argument);
      if (found !== undefined) return this.#wrap('parameter', argument, found, (at) => `a parameter that receives ${valueWords(found)} at ${at}`);
    }
    return undefined;
  }

  #parameterPath(parameter: ts.ParameterDeclaration, path: readonly string[]): Found | undefined {
    if (this.#sources.registrationOf(parameter) !== undefined) return this.#fromThread('message', parameter);
    for (const argument of this.#calls.argumentsFor(parameter)) {
      const found = this.#path(argument, path);
      if (found !== undefined) return this.#wrap('parameter', argument, found, (at) => `a parameter that receives ${valueWords(found)} at ${at}`);
    }
    return undefined;
  }

  /** A field: its initializer, or any assignment to it (`this.view = …` in a constructor or a method). */
  #field(declaration: ts.PropertyDeclaration | ts.PropertySignature): Found | undefined {
    if (ts.isPropertyDeclaration(declaration) && declaration.initializer !== undefined) {
      const found = this.#value(declaration.initializer);
      if (found !== undefined) return this.#wrap('field', declaration, found, (at) => `a field assigned ${assignedWords(found)} at ${at}`);
    }
    return this.#assignedField(declaration);
  }

  #assignedField(declaration: ts.PropertyDeclaration | ts.PropertySignature | ts.ParameterDeclaration): Found | undefined {
    const name = ts.isIdentifier(declaration.name) || ts.isPrivateIdentifier(declaration.name) || ts.isStringLiteral(declaration.name) ? declaration.name.text : undefined;
    if (name === undefined) return undefined;
    // A private field is assigned only in its class, so in its file.
    const onlyHere = ts.isPrivateIdentifier(declaration.name) || (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Private) !== 0;
    const assignments = onlyHere ? this.#index.assignmentsIn(declaration.getSourceFile(), name) : this.#index.assignmentsTo(name);
    for (const assignment of assignments) {
      const target = skipOuterExpressions(assignment.left);
      const key = ts.isPropertyAccessExpression(target) ? target.name : ts.isElementAccessExpression(target) ? target.argumentExpression : undefined;
      if (key === undefined || declarationAt(this.#checker, key) !== declaration) continue;
      const found = this.#value(assignment.right);
      if (found !== undefined) return this.#wrap('field', assignment, found, (at) => `a field assigned ${assignedWords(found)} at ${at}`);
    }
    return undefined;
  }

  /** What a function returns: any of its `return`s (nested functions aside), or an arrow's expression. */
  #returned(fn: ts.FunctionLikeDeclaration): Found | undefined {
    const body = fn.body;
    if (body === undefined) return undefined;
    const returned = ts.isBlock(body) ? returnedExpressions(body) : [body];
    for (const expression of returned) {
      const found = this.#value(expression);
      if (found !== undefined) return this.#wrap('return', expression, found, (at) => `returned by '${functionName(fn)}', which returns ${valueWords(found)} at ${at}`);
    }
    return undefined;
  }

  // ---- bookkeeping ------------------------------------------------------------------------------

  #remember(key: ts.Node, compute: () => Found | undefined): Found | undefined {
    const known = this.#memo.get(key);
    if (known !== undefined) return known ?? undefined;
    if (this.#active.has(key)) return undefined;
    this.#active.add(key);
    let found: Found | undefined;
    try {
      found = compute();
    } finally {
      this.#active.delete(key);
    }
    if (found === undefined) this.#tentative.push(key);
    else {
      this.#memo.set(key, found);
      this.#foundAny = true;
    }
    return found;
  }

  /**
   * `inner` as the evidence of a variable `at`, in its own words where they say more than "assigned
   * from": always for the initializer (`= this.counts`, `= makeCounters(n)`, `= new Int32Array(this.buffer)`
   * tell the field's, the function's, the buffer's story), except a mere type, which is the
   * initializer's and not the variable's; for a later assignment, when the evidence lies in the value
   * assigned (`view = new Int32Array(new SharedArrayBuffer(n))`, `view = workerData.view`).
   */
  #through(at: ts.Node, value: ts.Expression, inner: Found, initializer: boolean): Found {
    const node = inner.node;
    const within = node.getSourceFile() === value.getSourceFile() && value.pos <= node.pos && node.end <= value.end;
    if ((initializer && inner.origin.reason !== 'type') || (IMMEDIATE.has(inner.origin.reason) && within)) return inner;
    return this.#wrap('variable', at, inner, (where) => `assigned ${assignedWords(inner)} at ${where}`);
  }

  #wrap(reason: SharedReason, at: ts.Node, inner: Found, describe: (at: string) => string): Found {
    return this.#found(reason, at, describe, inner.buffer, inner.untyped);
  }

  #fromThread(reason: 'worker-data' | 'message', node: ts.Node): Found {
    return this.#found(reason, node, (at) => (reason === 'message' ? `received in a message at ${at}` : `taken from workerData at ${at}`), false, true);
  }

  #found(reason: SharedReason, node: ts.Node, describe: string | ((at: string) => string), buffer: boolean, untyped: boolean): Found {
    const location = locationOf(node, this.#root);
    const description = typeof describe === 'string' ? describe : describe(`${location.file}:${location.line}`);
    return { origin: { reason, location, description }, node, buffer, untyped };
  }
}

/** The expressions a block returns, not counting nested functions and classes. */
function returnedExpressions(body: ts.Block): ts.Expression[] {
  const found: ts.Expression[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
    if (ts.isReturnStatement(node) && node.expression !== undefined) found.push(node.expression);
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(body, visit);
  return found;
}

function lastName(expression: ts.Expression): string {
  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return '';
}

function assignedWords(found: Found): string {
  return found.buffer ? 'a SharedArrayBuffer' : 'from a SharedArrayBuffer view';
}

function valueWords(found: Found): string {
  return found.buffer ? 'a SharedArrayBuffer' : 'a SharedArrayBuffer view';
}
