/**
 * The syntax shared-views.ts looks things up in: calls and assignments by the name they end in, import
 * renames, `'message'` handlers registered by name, and the first argument of each `Atomics` call.
 * Nothing is resolved here. A file is walked once, the first time a looked-up name occurs in its text,
 * so a lint run that asks about one field never walks the files that do not mention it.
 */
import ts from 'typescript';
import { skipOuterExpressions } from '../model/lock-identity.js';
import { assignedMessageHandler, messageHandlerArgument } from './worker-sources.js';

/** A call or `new` that may pass arguments to a function of the program. */
export type Invocation = ts.CallExpression | ts.NewExpression;

/** A plain `=` assignment. */
export type Assignment = ts.AssignmentExpression<ts.EqualsToken>;

/** What one file contains, by name. */
interface FileIndex {
  readonly calls: Map<string, Invocation[]>;
  readonly assignments: Map<string, Assignment[]>;
  /** Export name → local names it is imported or re-exported under (`default` for default imports). */
  readonly imports: Map<string, string[]>;
  readonly handlerReferences: ts.Expression[];
  readonly atomicsTargets: ts.Expression[];
}

const NO_NODES: readonly never[] = [];

export class SharedViewIndex {
  readonly #files: readonly ts.SourceFile[];
  readonly #byFile = new Map<ts.SourceFile, FileIndex>();
  readonly #calls = new Map<string, readonly Invocation[]>();
  readonly #assignments = new Map<string, readonly Assignment[]>();
  readonly #imports = new Map<string, readonly string[]>();
  #handlerReferences: readonly ts.Expression[] | undefined;
  #atomicsTargets: readonly ts.Expression[] | undefined;

  constructor(files: readonly ts.SourceFile[]) {
    this.#files = files;
  }

  /** Calls and `new` expressions whose callee ends in `name` (`f(…)`, `x.f(…)`, `new f(…)`; `super(…)` as `super`). */
  callsTo(name: string): readonly Invocation[] {
    return this.#lookUp(this.#calls, name, (file) => file.calls.get(name));
  }

  /** `=` assignments whose target ends in `name` (`name = …`, `x.name = …`, `x['name'] = …`). */
  assignmentsTo(name: string): readonly Assignment[] {
    return this.#lookUp(this.#assignments, name, (file) => file.assignments.get(name));
  }

  /** The same within one file: what a module's variable or a private field can only be assigned in. */
  assignmentsIn(file: ts.SourceFile, name: string): readonly Assignment[] {
    return this.#indexOf(file).assignments.get(name) ?? NO_NODES;
  }

  /** The other local names the export `name` is imported or re-exported under (`import { f as g }` → `g`). */
  namesOf(name: string): readonly string[] {
    return this.#lookUp(this.#imports, name, (file) => file.imports.get(name));
  }

  /** Handlers registered for `'message'` by a name (`port.on('message', onMessage)`, `self.onmessage = handle`). */
  handlerReferences(): readonly ts.Expression[] {
    return (this.#handlerReferences ??= this.#collect('message', (file) => file.handlerReferences));
  }

  /** The typed arrays handed to `Atomics` (`view` of `Atomics.add(view, i, 1)`). */
  atomicsTargets(): readonly ts.Expression[] {
    return (this.#atomicsTargets ??= this.#collect('Atomics', (file) => file.atomicsTargets));
  }

  #lookUp<T>(cache: Map<string, readonly T[]>, name: string, pick: (file: FileIndex) => readonly T[] | undefined): readonly T[] {
    let found = cache.get(name);
    if (found === undefined) cache.set(name, (found = this.#collect(name, pick)));
    return found;
  }

  /** What `pick` finds in the files whose text mentions `word` at all. */
  #collect<T>(word: string, pick: (file: FileIndex) => readonly T[] | undefined): readonly T[] {
    const found: T[] = [];
    for (const file of this.#files) {
      if (!file.text.includes(word)) continue;
      const items = pick(this.#indexOf(file));
      if (items !== undefined) found.push(...items);
    }
    return found.length === 0 ? NO_NODES : found;
  }

  #indexOf(file: ts.SourceFile): FileIndex {
    let index = this.#byFile.get(file);
    if (index === undefined) this.#byFile.set(file, (index = indexFile(file)));
    return index;
  }
}

function indexFile(file: ts.SourceFile): FileIndex {
  const index: FileIndex = { calls: new Map(), assignments: new Map(), imports: new Map(), handlerReferences: [], atomicsTargets: [] };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) noteCall(index, node);
    else if (ts.isNewExpression(node)) add(index.calls, endName(node.expression), node);
    else if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
      add(index.assignments, endName(node.left), node as Assignment);
      const handler = assignedMessageHandler(node);
      if (handler !== undefined && !isInlineFunction(handler)) index.handlerReferences.push(handler);
    } else if ((ts.isImportSpecifier(node) || ts.isExportSpecifier(node)) && node.propertyName !== undefined) {
      add(index.imports, node.propertyName.text, node.name.text);
    } else if (ts.isImportClause(node) && node.name !== undefined) {
      add(index.imports, 'default', node.name.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return index;
}

function noteCall(index: FileIndex, call: ts.CallExpression): void {
  const callee = skipOuterExpressions(call.expression);
  add(index.calls, callee.kind === ts.SyntaxKind.SuperKeyword ? 'super' : endName(callee), call);
  if (ts.isPropertyAccessExpression(callee) && ts.isIdentifier(callee.expression) && callee.expression.text === 'Atomics') {
    const target = call.arguments[0];
    if (target !== undefined && !ts.isSpreadElement(target)) index.atomicsTargets.push(target);
  }
  const handler = messageHandlerArgument(call);
  if (handler !== undefined && !isInlineFunction(handler)) index.handlerReferences.push(handler);
}

/** The name a callee or an assignment target ends in. */
function endName(expression: ts.Expression): string | undefined {
  const node = skipOuterExpressions(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  if (ts.isElementAccessExpression(node) && ts.isStringLiteralLike(node.argumentExpression)) return node.argumentExpression.text;
  return undefined;
}

function isInlineFunction(node: ts.Expression): boolean {
  const inner = skipOuterExpressions(node);
  return ts.isArrowFunction(inner) || ts.isFunctionExpression(inner);
}

function add<T>(map: Map<string, T[]>, name: string | undefined, item: T): void {
  if (name === undefined) return;
  const list = map.get(name);
  if (list === undefined) map.set(name, [item]);
  else list.push(item);
}
