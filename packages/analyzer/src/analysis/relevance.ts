/**
 * A syntactic pass that decides which functions can matter before any type is asked for: a function
 * matters if it calls a lock-like method, or calls (by name) a function that matters. Only calls whose
 * callee name is in that set are resolved through the checker, and only functions that matter are
 * walked — what keeps the analysis near the cost of parsing on code that has few locks.
 *
 * A lock-like method name alone (`release`, `request`, `lock`) is common in code without locks, so it
 * is a candidate only in a file that can see a lock library (it imports one, or imports a file that
 * can, transitively) or on a receiver whose own name reads as a lock (`accountsLock.acquire()`); a
 * candidate then counts only once the recogniser confirms it with types (effect's `semaphore.release`
 * is not a lock).
 */
import path from 'node:path';
import ts from 'typescript';
import { isFunctionWithBody, type FunctionLike } from '../model/function-names.js';
import { looksLikeLockName } from '../model/lock-catalog.js';

export interface Relevance {
  /** Functions (and files' top-level code) to summarise. */
  readonly functions: readonly FunctionLike[];
  /** Callee names worth resolving. */
  readonly calleeNames: ReadonlySet<string>;
}

interface Facts {
  readonly node: FunctionLike;
  readonly file: ts.SourceFile;
  readonly names: readonly string[];
  readonly called: Set<string>;
  /** Calls that look like lock operations; one confirmed by types makes the function matter. */
  readonly candidates: ts.CallExpression[];
}

/** A call with a lock-like method name: a candidate anywhere when its receiver reads as a lock, else only in a lock-aware file. */
function isNamedCandidate(call: ts.CallExpression): boolean {
  return ts.isPropertyAccessExpression(call.expression) && receiverReadsAsLock(call.expression.expression);
}

/** Where locks can come from: the lock libraries' package names; `undefined` when anything can be a lock. */
export type LockModules = ReadonlySet<string> | undefined;

export function findRelevantFunctions(
  files: readonly ts.SourceFile[],
  lockMethodNames: ReadonlySet<string>,
  lockModules: LockModules,
  isLockOperation: (call: ts.CallExpression) => boolean,
): Relevance {
  const aware = lockAwareFiles(files, new Map(files.map((file) => [file, importsOf(file)])), lockModules);
  const seesLockLibrary = (fact: Facts): boolean => aware === undefined || aware.has(fact.file);

  // Files are walked only once their text shows they can matter: first those that call a lock-like
  // method, then those that mention the name of a function found to matter. A text search is far
  // cheaper than a walk, and most files of a large project never match. (A name spelled with unicode
  // escapes, `\u0061cquire`, is not found by text: vanishingly rare, and accepted.)
  const factsByFile = new Map<ts.SourceFile, Facts[]>();
  const callersOf = new Map<string, Facts[]>();
  const calleeNames = new Set<string>();
  const relevant = new Set<Facts>();
  const work: Facts[] = [];
  const walkFile = (file: ts.SourceFile): void => {
    const facts: Facts[] = [];
    collectFacts(file, lockMethodNames, facts);
    factsByFile.set(file, facts);
    for (const fact of facts) {
      for (const name of fact.called) {
        const list = callersOf.get(name);
        if (list === undefined) callersOf.set(name, [fact]);
        else list.push(fact);
        if (calleeNames.has(name)) work.push(fact);
      }
      // One type query per candidate call, and only until one is confirmed: few calls in real code.
      if (fact.candidates.some((call) => (seesLockLibrary(fact) || isNamedCandidate(call)) && isLockOperation(call))) work.push(fact);
    }
  };

  const lockCall = lockMethodNames.size === 0 ? undefined : new RegExp(`\\.\\s*(?:${[...lockMethodNames].map(escapeRegExp).join('|')})(?![\\w$])`);
  if (lockCall !== undefined) for (const file of files) if (lockCall.test(file.text)) walkFile(file);
  for (;;) {
    const newNames: string[] = [];
    while (work.length > 0) {
      const fact = work.pop()!;
      if (relevant.has(fact)) continue;
      relevant.add(fact);
      for (const name of fact.names) {
        if (calleeNames.has(name)) continue;
        calleeNames.add(name);
        newNames.push(name);
        for (const caller of callersOf.get(name) ?? []) if (!relevant.has(caller)) work.push(caller);
      }
    }
    if (newNames.length === 0) break;
    const mention = new RegExp(`(?<![\\w$])(?:${newNames.map(escapeRegExp).join('|')})(?![\\w$])`);
    for (const file of files) if (!factsByFile.has(file) && mention.test(file.text)) walkFile(file);
  }
  const functions = files.flatMap((file) => (factsByFile.get(file) ?? []).filter((fact) => relevant.has(fact)).map((fact) => fact.node));
  return { functions, calleeNames };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Appends the facts of the file's functions (and of its top-level code) to `out`. */
function collectFacts(file: ts.SourceFile, lockMethodNames: ReadonlySet<string>, out: Facts[]): void {
  const moduleFacts: Facts = { node: file, file, names: [], called: new Set(), candidates: [] };
  out.push(moduleFacts);
  const stack: Facts[] = [moduleFacts];

  const visit = (node: ts.Node): void => {
    // Types hold no calls.
    if (isTypeOnly(node)) return;
    if (isFunctionWithBody(node)) {
      const fact: Facts = { node, file, names: namesOf(node), called: new Set(), candidates: [] };
      out.push(fact);
      stack.push(fact);
      ts.forEachChild(node, visit);
      stack.pop();
      // What a nested function does may happen in its parent (an inlined callback): let it count there.
      const parent = stack[stack.length - 1]!;
      for (const name of fact.called) parent.called.add(name);
      parent.candidates.push(...fact.candidates);
      return;
    }
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const current = stack[stack.length - 1]!;
      const name = calledName(node.expression);
      if (name !== undefined) {
        current.called.add(name);
        if (ts.isCallExpression(node) && ts.isPropertyAccessExpression(node.expression) && lockMethodNames.has(name)) current.candidates.push(node);
      }
      // `runExclusive(doWork)`, `setTimeout(tick)`: a function passed by name is called too.
      for (const argument of node.arguments ?? []) {
        const passed = calledName(argument);
        if (passed !== undefined && (ts.isIdentifier(argument) || ts.isPropertyAccessExpression(argument))) current.called.add(passed);
      }
    }
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
}

/**
 * The modules a file names: its top-level imports and re-exports, and — only when its text has
 * `import(` or `require(` — dynamic imports, `require` calls and `import('x')` types anywhere.
 */
function importsOf(file: ts.SourceFile): string[] {
  const specifiers: string[] = [];
  const add = (node: ts.Node): void => {
    const specifier = moduleSpecifierOf(node);
    if (specifier !== undefined) specifiers.push(specifier);
  };
  if (file.text.includes('import(') || file.text.includes('require(')) {
    const visit = (node: ts.Node): void => {
      add(node);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(file, visit);
  } else {
    for (const statement of file.statements) add(statement);
  }
  return specifiers;
}

/** A type annotation, interface or type alias: nothing in it runs. */
function isTypeOnly(node: ts.Node): boolean {
  const kind = node.kind;
  return (kind >= FIRST_TYPE_NODE && kind <= LAST_TYPE_NODE) || kind === INTERFACE_DECLARATION || kind === TYPE_ALIAS_DECLARATION;
}

// Read once: `ts.SyntaxKind.X` is a getter on TypeScript's module object, and isTypeOnly sees every node.
const FIRST_TYPE_NODE = ts.SyntaxKind.FirstTypeNode;
const LAST_TYPE_NODE = ts.SyntaxKind.LastTypeNode;
const INTERFACE_DECLARATION = ts.SyntaxKind.InterfaceDeclaration;
const TYPE_ALIAS_DECLARATION = ts.SyntaxKind.TypeAliasDeclaration;

function calledName(expression: ts.Expression): string | undefined {
  let node = expression;
  while (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node)) node = node.expression;
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
}

/** The names a function is called by: its own, its variable's or property's, its class's for a constructor. */
function namesOf(node: ts.FunctionLikeDeclaration): string[] {
  if (ts.isConstructorDeclaration(node)) return node.parent.name === undefined ? [] : [node.parent.name.text];
  if (node.name !== undefined) return ts.isIdentifier(node.name) || ts.isPrivateIdentifier(node.name) || ts.isStringLiteral(node.name) ? [node.name.text] : [];
  const parent = node.parent;
  if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && ts.isIdentifier(parent.name)) {
    return [parent.name.text];
  }
  return [];
}

function receiverReadsAsLock(receiver: ts.Expression): boolean {
  let node = receiver;
  while (ts.isParenthesizedExpression(node) || ts.isNonNullExpression(node) || ts.isAsExpression(node)) node = node.expression;
  const name = ts.isIdentifier(node) ? node.text : ts.isPropertyAccessExpression(node) ? node.name.text : undefined;
  // `navigator.locks.request(…)`: the Web Locks API needs no import.
  return name !== undefined && (name === 'locks' || looksLikeLockName(name));
}

/**
 * The files that import a lock library, and those that import them, to a fixed point (relative
 * imports resolved among the analysed files by path). `undefined`: every file (a configured lock type
 * may come from anywhere).
 */
function lockAwareFiles(files: readonly ts.SourceFile[], imports: ReadonlyMap<ts.SourceFile, readonly string[]>, lockModules: LockModules): Set<ts.SourceFile> | undefined {
  if (lockModules === undefined) return undefined;
  const byStem = new Map<string, ts.SourceFile>();
  for (const file of files) byStem.set(stem(file.fileName), file);
  const importers = new Map<ts.SourceFile, ts.SourceFile[]>();
  const aware = new Set<ts.SourceFile>();
  const modules = [...lockModules];
  for (const file of files) {
    const dir = path.dirname(file.fileName);
    for (const specifier of imports.get(file) ?? []) {
      if (modules.some((module) => specifier === module || specifier.startsWith(`${module}/`))) aware.add(file);
      if (!specifier.startsWith('.')) continue;
      const resolved = path.resolve(dir, specifier);
      const target = byStem.get(stem(resolved)) ?? byStem.get(path.join(resolved, 'index'));
      if (target === undefined) continue;
      const list = importers.get(target);
      if (list === undefined) importers.set(target, [file]);
      else list.push(file);
    }
  }
  const work = [...aware];
  while (work.length > 0) {
    const file = work.pop()!;
    for (const importer of importers.get(file) ?? []) {
      if (aware.has(importer)) continue;
      aware.add(importer);
      work.push(importer);
    }
  }
  return aware;
}

/** The module a node names: `import … from 'x'`, `export … from 'x'`, `import('x')`, `require('x')`, `import('x').T`. */
function moduleSpecifierOf(node: ts.Node): string | undefined {
  if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
    return node.moduleSpecifier.text;
  }
  if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
    return node.moduleReference.expression.text;
  }
  if (ts.isCallExpression(node) && node.arguments.length === 1 && ts.isStringLiteral(node.arguments[0]!)) {
    const callee = node.expression;
    if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === 'require')) return node.arguments[0].text;
  }
  if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) return node.argument.literal.text;
  return undefined;
}

/** A path without its extension: `./a.js` in an import names `a.ts`. */
function stem(fileName: string): string {
  return (path.isAbsolute(fileName) ? path.normalize(fileName) : path.resolve(fileName)).replace(/\.(d\.)?[cm]?[jt]sx?$/, '');
}
