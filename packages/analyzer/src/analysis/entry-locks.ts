/**
 * Whether a lock is held where a node runs, from its own function's walk and from every call of that
 * function in the program. The lock-order walk only visits functions that take locks or call ones
 * that do; a private helper that writes state and is only ever called under the lock (`#apply()`
 * called from `deposit()`'s critical section) takes none, so its callers decide. Call sites are found
 * by name in the files that mention it, and confirmed through the checker, so a program pays only for
 * the functions a question is asked about.
 */
import ts from 'typescript';
import { isFunctionWithBody } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';

/**
 * `all`: held on every path the analysis knows; `none`: held on none of them (or no caller is known,
 * as for a public method); `some`: held at some calls only, or the answer was cut short (recursion,
 * depth): neither guarded nor certainly unguarded.
 */
export type HoldStatus = 'all' | 'some' | 'none';

export interface EntryLockInputs {
  readonly checker: ts.TypeChecker;
  readonly files: readonly ts.SourceFile[];
  /** Ids of locks the enclosing function's own walk may hold at the node. */
  heldLocksAt(node: ts.Node): ReadonlySet<string>;
  /** Callbacks a lock helper or a scoped lock runs, with the ids of the locks held. */
  readonly lockedCallbacks: ReadonlyMap<ts.Node, ReadonlySet<string>>;
  /** Callbacks the walk followed where they are passed (`forEach`, `new Promise`): they run during that call. */
  isInlined(fn: ts.Node): boolean;
  /** Locks a function declares it is called with (`@requiresLock`). */
  requiredLocks(fn: ts.Node): ReadonlySet<string>;
}

/** How far up the callers to look before the answer is "some". */
const MAX_DEPTH = 4;

export class EntryLocks {
  readonly #inputs: EntryLockInputs;
  readonly #entry = new Map<ts.Node, Map<string, HoldStatus>>();
  readonly #callsByName = new Map<string, readonly (ts.CallExpression | ts.NewExpression)[]>();
  readonly #sites = new Map<ts.Node, readonly (ts.CallExpression | ts.NewExpression)[]>();

  constructor(inputs: EntryLockInputs) {
    this.#inputs = inputs;
  }

  /** Whether `lock` is held where `node` runs. */
  statusAt(node: ts.Node, lock: string): HoldStatus {
    return this.#statusAt(node, lock, 0, new Set());
  }

  /** The calls of `fn` in the program (its name called, resolving to it). */
  callSitesOf(fn: ts.Node): readonly (ts.CallExpression | ts.NewExpression)[] {
    let sites = this.#sites.get(fn);
    if (sites !== undefined) return sites;
    const name = ownName(fn);
    const declaration = declarationOf(fn);
    sites =
      name === undefined || declaration === undefined
        ? []
        : this.#callsNamed(name).filter((call) => {
            const callee = calleeNameNode(call);
            if (callee === undefined) return false;
            let symbol = this.#inputs.checker.getSymbolAtLocation(callee);
            if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = this.#inputs.checker.getAliasedSymbol(symbol);
            return symbol?.declarations?.includes(declaration) === true;
          });
    this.#sites.set(fn, sites);
    return sites;
  }

  #statusAt(node: ts.Node, lock: string, depth: number, visiting: Set<ts.Node>): HoldStatus {
    if (this.#inputs.heldLocksAt(node).has(lock)) return 'all';
    const fn = enclosingFunction(node);
    return fn === undefined ? 'none' : this.#entryStatus(fn, lock, depth, visiting);
  }

  #entryStatus(fn: ts.Node, lock: string, depth: number, visiting: Set<ts.Node>): HoldStatus {
    const cached = this.#entry.get(fn)?.get(lock);
    if (cached !== undefined) return cached;
    if (this.#inputs.requiredLocks(fn).has(lock) || this.#inputs.lockedCallbacks.get(fn)?.has(lock) === true) return this.#remember(fn, lock, 'all');
    if (depth > MAX_DEPTH || visiting.has(fn)) return 'some';
    visiting.add(fn);
    try {
      // A callback run where it is passed (`items.forEach(…)`) runs with what the call runs with.
      if (this.#inputs.isInlined(fn) && (ts.isCallExpression(fn.parent) || ts.isNewExpression(fn.parent))) {
        return this.#remember(fn, lock, this.#statusAt(fn.parent, lock, depth + 1, visiting));
      }
      const sites = this.callSitesOf(fn);
      if (sites.length === 0) return this.#remember(fn, lock, 'none');
      let all = true;
      let none = true;
      for (const site of sites) {
        const status = this.#statusAt(site, lock, depth + 1, visiting);
        if (status !== 'all') all = false;
        if (status !== 'none') none = false;
        if (!all && !none) break;
      }
      return this.#remember(fn, lock, all ? 'all' : none ? 'none' : 'some');
    } finally {
      visiting.delete(fn);
    }
  }

  #remember(fn: ts.Node, lock: string, status: HoldStatus): HoldStatus {
    let byLock = this.#entry.get(fn);
    if (byLock === undefined) this.#entry.set(fn, (byLock = new Map<string, HoldStatus>()));
    byLock.set(lock, status);
    return status;
  }

  #callsNamed(name: string): readonly (ts.CallExpression | ts.NewExpression)[] {
    let calls = this.#callsByName.get(name);
    if (calls !== undefined) return calls;
    const found: (ts.CallExpression | ts.NewExpression)[] = [];
    for (const file of this.#inputs.files) {
      if (!file.text.includes(name)) continue;
      const visit = (node: ts.Node): void => {
        if ((ts.isCallExpression(node) || ts.isNewExpression(node)) && calleeNameNode(node)?.text === name) found.push(node);
        ts.forEachChild(node, visit);
      };
      visit(file);
    }
    this.#callsByName.set(name, (calls = found));
    return calls;
  }
}

/** The nearest function around `node` whose body it is in (a class field initializer has none). */
export function enclosingFunction(node: ts.Node): ts.FunctionLikeDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) {
    if (isFunctionWithBody(current)) return current;
    if (ts.isPropertyDeclaration(current) || ts.isClassStaticBlockDeclaration(current) || ts.isSourceFile(current)) return undefined;
  }
  return undefined;
}

function calleeNameNode(call: ts.CallExpression | ts.NewExpression): ts.Identifier | ts.PrivateIdentifier | undefined {
  const callee = skipOuterExpressions(call.expression);
  if (ts.isIdentifier(callee)) return callee;
  if (ts.isPropertyAccessExpression(callee)) return callee.name;
  return undefined;
}

/** The name calls use for `fn`: its own, or that of the variable or field it initialises. */
function ownName(fn: ts.Node): string | undefined {
  if (ts.isConstructorDeclaration(fn)) return undefined;
  const declaration = declarationOf(fn);
  const name = declaration === undefined ? undefined : (declaration as ts.NamedDeclaration).name;
  return name !== undefined && (ts.isIdentifier(name) || ts.isPrivateIdentifier(name)) ? name.text : undefined;
}

/** The declaration a call's symbol points at for `fn`. */
function declarationOf(fn: ts.Node): ts.Declaration | undefined {
  if (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isGetAccessorDeclaration(fn) || ts.isSetAccessorDeclaration(fn)) return fn;
  const parent = fn.parent;
  if ((ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) && parent !== undefined) {
    if ((ts.isVariableDeclaration(parent) || ts.isPropertyDeclaration(parent) || ts.isPropertyAssignment(parent)) && parent.initializer === fn) return parent;
  }
  return undefined;
}
