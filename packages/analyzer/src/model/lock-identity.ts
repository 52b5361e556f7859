/**
 * Which lock an expression denotes. The identity is the declaration the expression resolves to, so it
 * is the same in every file that reaches it: a module variable (`path#name`), a class field
 * (`path#Class.field`, one lock class for all instances, as lockdep does), an object-literal property
 * (`path#locks.orders`), a constant array element (`path#forks[0]`), a parameter (`path#fn(param)`,
 * which callers substitute), a Web Lock name, or one constant key of an async-lock `AsyncLock`
 * (`path#locks["users"]`). async-mutex's `tryAcquire(x)` and `withTimeout(x, ms)` are the lock `x`.
 * What cannot be resolved gets an identity of its own, never merged with another.
 */
import ts from 'typescript';
import { isDeclaredByPackage } from './declaring-package.js';
import { LOCK_WRAPPERS, type LockWrapper } from './lock-catalog.js';
import type { LockFlavor, LockInfo, LockSource } from './lock-info.js';
import { className as classNameOf, functionName, enclosingFunction } from './function-names.js';
import type { LockInstance, LockRef, WebLockNamePart } from './lock-ref.js';
import { valueAtPath } from './parameter-paths.js';
import { isRead, joinText, webLockNameTemplate, type NameTemplateQueries } from './web-lock-names.js';
import { locationOf, relativePath } from './source-location.js';
import { isUntyped } from './untyped.js';

/** What the recogniser knows about the lock's type when asking for its identity. */
export interface LockTypeFacts {
  readonly flavor: LockFlavor;
  readonly source: LockSource;
  readonly guessed: boolean;
}

/**
 * How a lock expression will be acquired, as far as what it is built from says: through async-mutex's
 * `tryAcquire(…)` (never waits) or `withTimeout(…)` (gives up), written at the call or where the lock
 * was created (`readonly mutex = tryAcquire(new Mutex())`).
 */
export interface AcquisitionMode {
  readonly tryOnly: boolean;
  readonly bounded: boolean;
  /** The `new …(…)` the lock comes from, when the expression leads to one (its options, its count). */
  readonly creation?: ts.NewExpression;
}

interface Resolved {
  readonly id: string;
  readonly name: string;
  readonly instance: LockInstance;
  readonly declaration?: ts.Node;
  readonly parameter?: LockRef['parameter'];
  /** The declaration's initializer, to read a semaphore's count or a condition's lock. */
  readonly initializer?: ts.Expression;
}

const MAX_ALIAS_DEPTH = 8;

export class LockIdentityResolver {
  readonly #checker: ts.TypeChecker;
  readonly #root: string;
  readonly #infos = new Map<string, LockInfo>();

  constructor(checker: ts.TypeChecker, root: string) {
    this.#checker = checker;
    this.#root = root;
  }

  /** Every lock identity handed out so far, by id. */
  get infos(): ReadonlyMap<string, LockInfo> {
    return this.#infos;
  }

  /**
   * The lock `expression` denotes, inside `within` (the function being analysed, so its own parameters
   * become substitutable). `facts` come from the lock's type.
   */
  resolve(expression: ts.Expression, within: ts.SignatureDeclaration | undefined, facts: LockTypeFacts): LockRef {
    const resolved = this.#resolve(expression, within, 0) ?? this.#unknown(expression);
    // `new Condition(lock)`: the condition is held through its lock, so it is that lock.
    const wrapped = resolved.initializer === undefined ? undefined : conditionLockArgument(resolved.initializer);
    if (wrapped !== undefined) {
      const inner = this.#resolve(wrapped, enclosingFunction(wrapped), 0);
      if (inner !== undefined) return this.#ref(inner, { ...facts, flavor: this.#flavorOfLockExpression(wrapped, facts.flavor) });
    }
    return this.#ref(resolved, facts);
  }

  /**
   * The locks an async-lock `acquire(key, fn)` takes, in the order it takes them: one per key (an array
   * of keys takes each in turn). A constant key is a lock of its own, the receiver's identity plus the
   * key (`src/cache.ts#locks["users"]`, shown `locks "users"`), shared by every site naming that key on
   * that object; a key that is not constant, or a receiver that cannot be resolved, gets an identity of
   * its own per site, never merged.
   */
  keyed(receiver: ts.Expression, keyArgument: ts.Expression, within: ts.SignatureDeclaration | undefined, facts: LockTypeFacts): LockRef[] {
    const base = this.#resolve(receiver, within, 0);
    const receiverName = base?.name ?? shortText(receiver);
    const key = skipOuterExpressions(keyArgument);
    const keys: { readonly constant: string | undefined; readonly site: ts.Node }[] = [];
    if (ts.isArrayLiteralExpression(key)) {
      for (const element of key.elements) {
        keys.push({ constant: ts.isSpreadElement(element) ? undefined : this.#constantString(element), site: element });
      }
    } else {
      const tuple = this.#constantTuple(key);
      if (tuple !== undefined) for (const constant of tuple) keys.push({ constant, site: key });
      else keys.push({ constant: this.#constantString(key), site: key });
    }
    return keys.map(({ constant, site }, index) => {
      if (base === undefined || constant === undefined) {
        const location = locationOf(site, this.#root);
        // Several unresolved keys of one array literal each have a site; a non-literal tuple shares one.
        const suffix = ts.isArrayLiteralExpression(key) || keys.length === 1 ? '' : `#${index}`;
        const shown = constant === undefined ? `[${shortText(site)}]` : ` ${JSON.stringify(constant)}`;
        return this.#ref(
          { id: `unknown:${location.file}:${location.line}:${location.column}${suffix}`, name: `${receiverName}${shown} (unresolved)`, instance: 'unknown' },
          facts,
        );
      }
      // A keyed lock is not the parameter it may come through: callers bind the AsyncLock, not its key.
      const resolved: Resolved = {
        id: `${base.id}[${JSON.stringify(constant)}]`,
        name: `${base.name} ${JSON.stringify(constant)}`,
        instance: base.instance,
        ...(base.declaration === undefined ? {} : { declaration: base.declaration }),
      };
      return this.#ref(resolved, facts);
    });
  }

  /**
   * Whether the lock `expression` denotes is acquired through a decorator, and what created it: follows
   * `tryAcquire(x)` / `withTimeout(x, ms)` to `x`, and a variable or field to its initializer.
   */
  acquisitionModeOf(expression: ts.Expression): AcquisitionMode {
    let tryOnly = false;
    let bounded = false;
    let node: ts.Expression | undefined = expression;
    for (let depth = 0; node !== undefined && depth <= MAX_ALIAS_DEPTH; depth++) {
      node = skipOuterExpressions(node);
      if (ts.isNewExpression(node)) return { tryOnly, bounded, creation: node };
      if (ts.isCallExpression(node)) {
        const wrapper = lockWrapperOf(node, this.#checker);
        if (wrapper === undefined) break;
        if (wrapper.effect === 'tryOnly') tryOnly = true;
        else bounded = true;
        node = node.arguments[0];
        continue;
      }
      node = this.#initializerOfReference(node);
    }
    return { tryOnly, bounded };
  }

  /**
   * The identity a lock declared by `symbol` (a field, a module variable, a constructor's parameter
   * property) has wherever it is taken, without a use to start from: what a `@guardedBy` or
   * `@requiresLock` tag names.
   */
  identityOfDeclaration(symbol: ts.Symbol): { readonly id: string; readonly name: string } | undefined {
    const declaration = symbol.valueDeclaration ?? symbol.declarations?.[0];
    if (declaration === undefined) return undefined;
    const resolved = this.#resolveSymbol(symbol, declaration, undefined, 'unknown', 0);
    return resolved === undefined ? undefined : { id: resolved.id, name: resolved.name };
  }

  /**
   * A Web Lock, identified by its constant name. A name built from parameters of `within`
   * (`` `mutation_(${options.key})` ``) is a template each caller fills in ({@link webLockAt}); any
   * other name that is not constant is a lock of the request site's own.
   */
  webLock(nameArgument: ts.Expression | undefined, site: ts.Node, guessed: boolean, within?: ts.SignatureDeclaration): LockRef {
    const facts: LockTypeFacts = { flavor: 'mutex', source: 'web-locks', guessed };
    const constant = nameArgument === undefined ? undefined : this.#constantString(nameArgument);
    if (constant !== undefined) return this.#ref({ id: `web-lock:${constant}`, name: `navigator.locks ${JSON.stringify(constant)}`, instance: 'singleton' }, facts);
    const unknown = this.#unknown(nameArgument ?? site);
    const template = nameArgument === undefined || within === undefined ? undefined : webLockNameTemplate(nameArgument, within, this.#nameQueries);
    const first = template?.find(isRead);
    if (template === undefined || first === undefined || within === undefined) return this.#ref(unknown, facts);
    return this.#ref({ ...unknown, parameter: { owner: within, index: first.parameter, webLockName: template } }, facts);
  }

  /**
   * The Web Lock that `ref` (named by a template over its function's parameters) is when `call`, written
   * in `within`, calls that function: each read is filled from the arguments, through object literals
   * and `const`s (`{ key: this.clientKey }`). A constant becomes text; a value the caller reads from its
   * own parameters stays a read for the caller's callers; any other value is named by what it resolves
   * to (`SQLocal.clientKey`), or by its own site when it resolves to nothing, so two different values
   * are two locks. Undefined when an argument cannot be followed.
   */
  webLockAt(ref: LockRef, call: ts.CallExpression | ts.NewExpression, within: ts.SignatureDeclaration | undefined): LockRef | undefined {
    const template = ref.parameter?.webLockName;
    if (template === undefined) return undefined;
    // Each part as text, as a read of the caller's own parameters, or as a value resolved here.
    const segments: WebLockNamePart[] = [];
    for (const part of template) {
      if ('text' in part) {
        segments.push(part);
        continue;
      }
      // Resolved by a helper further in: its `this` or local is not the caller's.
      if ('value' in part) {
        segments.push({ ...part, instance: 'unknown' });
        continue;
      }
      const argument = call.arguments?.[part.parameter];
      const value = argument === undefined || ts.isSpreadElement(argument) ? undefined : valueAtPath(argument, part.path);
      if (value === undefined) return undefined;
      const constant = this.#constantString(value);
      const passedOn = constant !== undefined || within === undefined ? undefined : webLockNameTemplate(value, within, this.#nameQueries);
      if (constant !== undefined) segments.push({ text: constant });
      else if (passedOn !== undefined) segments.push(...passedOn);
      else {
        const resolved = this.#resolve(value, within, 0) ?? this.#unknown(value);
        segments.push({ value: resolved.id, shown: shortText(value), instance: resolved.instance });
      }
    }
    const facts: LockTypeFacts = { flavor: ref.info.flavor, source: 'web-locks', guessed: ref.guessed };
    const shared = ref.shared === true ? { shared: true as const } : {};
    if (segments.every((segment) => 'text' in segment)) {
      const name = segments.map((segment) => ('text' in segment ? segment.text : '')).join('');
      return { ...this.#ref({ id: `web-lock:${name}`, name: `navigator.locks ${JSON.stringify(name)}`, instance: 'singleton' }, facts), ...shared };
    }
    const callerName = within === undefined ? '' : `${relativePath(this.#root, within.getSourceFile().fileName)}#${functionName(within)}`;
    const id = segments.map((segment) => ('text' in segment ? segment.text : 'value' in segment ? `\${${segment.value}}` : `\${${callerName}(${segment.shown})}`)).join('');
    const shown = segments.map((segment) => ('text' in segment ? segment.text : `\${${segment.shown}}`)).join('');
    // Values of one object (`this.key`, `this.prefix`) name one lock per object; anything else may differ per call.
    const instances = new Set(segments.map((segment) => ('value' in segment ? segment.instance : 'parameter' in segment ? 'unknown' : undefined)).filter((instance) => instance !== undefined));
    const [only, ...others] = instances;
    const first = segments.find(isRead);
    const resolved: Resolved = {
      id: `web-lock:${id}`,
      name: `navigator.locks \`${shown}\``,
      instance: only !== undefined && others.length === 0 ? only : 'unknown',
      // Reads of the caller's parameters are filled in by its callers in turn; the resolved values are fixed here.
      ...(first === undefined || within === undefined ? {} : { parameter: { owner: within, index: first.parameter, webLockName: joinText(segments) } }),
    };
    return { ...this.#ref(resolved, facts), ...shared };
  }

  readonly #nameQueries: NameTemplateQueries = {
    constantString: (expression) => this.#constantString(expression),
    isParameter: (identifier, parameter) => this.#checker.getSymbolAtLocation(identifier)?.valueDeclaration === parameter,
    isString: (expression) => (this.#checker.getTypeAtLocation(expression).flags & ts.TypeFlags.StringLike) !== 0,
  };

  #ref(resolved: Resolved, facts: LockTypeFacts): LockRef {
    let info = this.#infos.get(resolved.id);
    if (info === undefined) {
      const creation = facts.flavor === 'semaphore' && resolved.initializer !== undefined ? this.acquisitionModeOf(resolved.initializer).creation : undefined;
      const count = creation === undefined ? undefined : semaphoreCount(creation);
      info = {
        id: resolved.id,
        name: resolved.name,
        flavor: facts.flavor,
        source: facts.guessed ? 'name-fallback' : facts.source,
        ...(resolved.declaration === undefined ? {} : { declaredAt: locationOf(resolved.declaration, this.#root) }),
        ...(count === undefined ? {} : { count }),
      };
      this.#infos.set(resolved.id, info);
    }
    return {
      info,
      instance: resolved.instance,
      guessed: facts.guessed,
      ...(resolved.parameter === undefined ? {} : { parameter: resolved.parameter }),
    };
  }

  #resolve(expression: ts.Expression, within: ts.SignatureDeclaration | undefined, depth: number): Resolved | undefined {
    if (depth > MAX_ALIAS_DEPTH) return undefined;
    const node = skipOuterExpressions(expression);
    if (ts.isIdentifier(node)) return this.#resolveSymbol(this.#symbolAt(node), node, within, 'singleton', depth);
    if (ts.isPropertyAccessExpression(node)) {
      const receiver = skipOuterExpressions(node.expression);
      return this.#resolveSymbol(this.#symbolAt(node.name), node, within, this.#instanceOfReceiver(receiver), depth);
    }
    if (ts.isElementAccessExpression(node)) return this.#resolveElement(node, within, depth);
    // `tryAcquire(mutex)`, `withTimeout(mutex, ms)`: the same lock, taken another way.
    if (ts.isCallExpression(node) && lockWrapperOf(node, this.#checker) !== undefined) return this.#resolve(node.arguments[0]!, within, depth + 1);
    return undefined;
  }

  #resolveElement(node: ts.ElementAccessExpression, within: ts.SignatureDeclaration | undefined, depth: number): Resolved | undefined {
    const container = this.#resolve(node.expression, within, depth + 1);
    if (container === undefined) return undefined;
    const index = skipOuterExpressions(node.argumentExpression);
    const constant = ts.isNumericLiteral(index) || ts.isStringLiteralLike(index) ? index.text : this.#constantString(index);
    // Elements at unknown indexes are one lock class, like the fields of a class.
    const suffix = constant === undefined ? '[]' : `[${constant}]`;
    return {
      id: `${container.id}${suffix}`,
      name: `${container.name}${suffix}`,
      instance: constant === undefined ? 'unknown' : container.instance,
      ...(container.declaration === undefined ? {} : { declaration: container.declaration }),
    };
  }

  #resolveSymbol(
    symbol: ts.Symbol | undefined,
    site: ts.Node,
    within: ts.SignatureDeclaration | undefined,
    receiverInstance: LockInstance,
    depth: number,
  ): Resolved | undefined {
    const declaration = symbol?.valueDeclaration ?? symbol?.declarations?.[0];
    if (symbol === undefined || declaration === undefined) return undefined;
    const file = relativePath(this.#root, declaration.getSourceFile().fileName);

    if (ts.isParameter(declaration)) return this.#resolveParameter(declaration, symbol, file, within);

    if (ts.isVariableDeclaration(declaration) && ts.isIdentifier(declaration.name)) {
      const name = declaration.name.text;
      if (isModuleScope(declaration)) {
        return { id: `${file}#${name}`, name, instance: 'singleton', declaration: declaration.name, ...initializerOf(declaration) };
      }
      // `const lock = this.lock`, `const quick = tryAcquire(this.lock)`: an alias, not a lock of its own.
      const initializer = declaration.initializer === undefined ? undefined : this.#unwrapped(declaration.initializer);
      if (initializer !== undefined && isConst(declaration) && !isCreation(initializer)) {
        const aliased = this.#resolve(initializer, within, depth + 1);
        if (aliased !== undefined) return aliased;
      }
      const owner = enclosingFunction(declaration);
      const ownerName = owner === undefined ? '<module>' : functionName(owner);
      return {
        id: `${file}#${ownerName}.${name}`,
        name: `${name} (local to ${ownerName})`,
        instance: `symbol:${symbolId(symbol)}`,
        declaration: declaration.name,
        ...initializerOf(declaration),
      };
    }

    if (ts.isBindingElement(declaration)) return this.#resolveBindingElement(declaration, within, depth);

    if (
      ts.isPropertyDeclaration(declaration) ||
      ts.isPropertySignature(declaration) ||
      ts.isGetAccessorDeclaration(declaration) ||
      ts.isPropertyAssignment(declaration) ||
      ts.isShorthandPropertyAssignment(declaration)
    ) {
      const owner = ownerOfMember(declaration);
      if (owner === undefined) return undefined;
      const member = declaration.name.getText();
      const isStatic = ts.canHaveModifiers(declaration) && (ts.getModifiers(declaration) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      const instance: LockInstance = isStatic || owner.singleton ? 'singleton' : receiverInstance;
      const initializer = ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration) ? declaration.initializer : undefined;
      return {
        id: `${file}#${owner.name}.${member}`,
        name: `${owner.name}.${member}`,
        instance,
        declaration: declaration.name,
        ...(initializer === undefined ? {} : { initializer }),
      };
    }
    void site;
    return undefined;
  }

  #resolveParameter(
    declaration: ts.ParameterDeclaration,
    symbol: ts.Symbol,
    file: string,
    within: ts.SignatureDeclaration | undefined,
  ): Resolved | undefined {
    const owner = declaration.parent;
    const name = declaration.name.getText();
    // `constructor(private readonly lock: Lock)` declares a field.
    if (ts.isConstructorDeclaration(owner) && ts.isParameterPropertyDeclaration(declaration, owner)) {
      const className = classNameOf(owner.parent);
      return { id: `${file}#${className}.${name}`, name: `${className}.${name}`, instance: 'this', declaration: declaration.name };
    }
    const ownerName = functionName(owner);
    return {
      id: `${file}#${ownerName}(${name})`,
      name: `${ownerName}(${name})`,
      instance: `symbol:${symbolId(symbol)}`,
      declaration: declaration.name,
      // Only the function being analysed has callers that bind it; a closure's outer parameter stays as is.
      ...(owner === within ? { parameter: { owner, index: owner.parameters.indexOf(declaration) } } : {}),
    };
  }

  #resolveBindingElement(declaration: ts.BindingElement, within: ts.SignatureDeclaration | undefined, depth: number): Resolved | undefined {
    // `const { lock } = this` or `const { orders } = locks`: the property of what is destructured.
    const pattern = declaration.parent;
    const holder = pattern.parent;
    if (!ts.isObjectBindingPattern(pattern) || !ts.isVariableDeclaration(holder) || holder.initializer === undefined) return undefined;
    const property = declaration.propertyName ?? declaration.name;
    if (!ts.isIdentifier(property)) return undefined;
    const type = this.#checker.getTypeAtLocation(holder.initializer);
    const member = type.getProperty(property.text);
    const receiver = skipOuterExpressions(holder.initializer);
    const fakeSite = holder.initializer;
    return this.#resolveSymbol(member, fakeSite, within, this.#instanceOfReceiver(receiver), depth + 1);
  }

  #instanceOfReceiver(receiver: ts.Expression): LockInstance {
    if (receiver.kind === ts.SyntaxKind.ThisKeyword) return 'this';
    if (ts.isIdentifier(receiver)) {
      const symbol = this.#symbolAt(receiver);
      const declaration = symbol?.valueDeclaration;
      if (symbol === undefined || declaration === undefined) return 'unknown';
      if (ts.isVariableDeclaration(declaration) && isModuleScope(declaration)) return 'singleton';
      if (ts.isClassDeclaration(declaration) || ts.isModuleDeclaration(declaration)) return 'singleton';
      return `symbol:${symbolId(symbol)}`;
    }
    return 'unknown';
  }

  #symbolAt(node: ts.Node): ts.Symbol | undefined {
    const symbol = this.#checker.getSymbolAtLocation(node);
    if (symbol === undefined) return undefined;
    if ((symbol.flags & ts.SymbolFlags.Alias) !== 0) {
      const target = this.#checker.getAliasedSymbol(symbol);
      // An import the checker cannot follow keeps its local symbol: still one declaration per file.
      return (target.flags & ts.SymbolFlags.Alias) !== 0 || target.declarations === undefined ? symbol : target;
    }
    // `{ lock }` in an object literal names the variable, not the property.
    if (ts.isShorthandPropertyAssignment(node.parent) && node.parent.name === node) {
      return this.#checker.getShorthandAssignmentValueSymbol(node.parent) ?? symbol;
    }
    return symbol;
  }

  /** The lock inside `tryAcquire(…)` / `withTimeout(…)` decorators, or the expression itself. */
  #unwrapped(expression: ts.Expression): ts.Expression {
    let node = skipOuterExpressions(expression);
    for (let depth = 0; depth <= MAX_ALIAS_DEPTH && ts.isCallExpression(node) && lockWrapperOf(node, this.#checker) !== undefined; depth++) {
      node = skipOuterExpressions(node.arguments[0]!);
    }
    return node;
  }

  /** What a variable or field was initialised with (`x = …` in a plain JavaScript constructor too). */
  #initializerOfReference(node: ts.Expression): ts.Expression | undefined {
    const name = ts.isIdentifier(node) ? node : ts.isPropertyAccessExpression(node) ? node.name : undefined;
    if (name === undefined) return undefined;
    const symbol = this.#symbolAt(name);
    for (const declaration of symbol?.declarations ?? []) {
      if ((ts.isVariableDeclaration(declaration) || ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) && declaration.initializer !== undefined) {
        return declaration.initializer;
      }
      const assignment = declaration.parent;
      if (
        ts.isPropertyAccessExpression(declaration) &&
        ts.isBinaryExpression(assignment) &&
        assignment.left === declaration &&
        assignment.operatorToken.kind === ts.SyntaxKind.EqualsToken
      ) {
        return assignment.right;
      }
    }
    return undefined;
  }

  /** `const KEYS = ['a', 'b'] as const`: a tuple whose every element is a string or number literal. */
  #constantTuple(expression: ts.Expression): string[] | undefined {
    const type = this.#checker.getTypeAtLocation(expression);
    if (!this.#checker.isTupleType(type)) return undefined;
    const constants: string[] = [];
    for (const element of this.#checker.getTypeArguments(type as ts.TypeReference)) {
      if (element.isStringLiteral()) constants.push(element.value);
      else if (element.isNumberLiteral()) constants.push(String(element.value));
      else return undefined;
    }
    return constants;
  }

  #constantString(expression: ts.Expression): string | undefined {
    const node = skipOuterExpressions(expression);
    if (ts.isStringLiteralLike(node)) return node.text;
    const type = this.#checker.getTypeAtLocation(node);
    if (type.isStringLiteral()) return type.value;
    if (type.isNumberLiteral()) return String(type.value);
    return undefined;
  }

  #flavorOfLockExpression(expression: ts.Expression, fallback: LockFlavor): LockFlavor {
    const type = this.#checker.getTypeAtLocation(expression);
    const name = type.getSymbol()?.getName();
    if (name === 'Lock') return 'mutex';
    if (name === 'RLock') return 'reentrant';
    return fallback;
  }

  #unknown(expression: ts.Node): Resolved {
    const location = locationOf(expression, this.#root);
    const shown = shortText(expression);
    return { id: `unknown:${location.file}:${location.line}:${location.column}`, name: `${shown} (unresolved)`, instance: 'unknown' };
  }
}

/** Parentheses, `!`, `as`, `satisfies` and `<T>` casts do not change which lock it is. */
export function skipOuterExpressions(expression: ts.Expression): ts.Expression {
  let node = expression;
  while (
    ts.isParenthesizedExpression(node) ||
    ts.isNonNullExpression(node) ||
    ts.isAsExpression(node) ||
    ts.isSatisfiesExpression(node) ||
    ts.isTypeAssertionExpression(node)
  ) {
    node = node.expression;
  }
  return node;
}

/** A variable declared at a file's (or namespace's) top level. */
export function isModuleScope(declaration: ts.VariableDeclaration): boolean {
  const statement = declaration.parent.parent;
  if (!ts.isVariableStatement(statement)) return false;
  const container = statement.parent;
  return ts.isSourceFile(container) || ts.isModuleBlock(container);
}

function isConst(declaration: ts.VariableDeclaration): boolean {
  return (ts.getCombinedNodeFlags(declaration) & ts.NodeFlags.Const) !== 0;
}

function isCreation(expression: ts.Expression): boolean {
  const node = skipOuterExpressions(ts.isAwaitExpression(expression) ? expression.expression : expression);
  return ts.isNewExpression(node) || ts.isCallExpression(node);
}

function initializerOf(declaration: ts.VariableDeclaration): { initializer?: ts.Expression } {
  return declaration.initializer === undefined ? {} : { initializer: declaration.initializer };
}

function ownerOfMember(declaration: ts.Node): { name: string; singleton: boolean } | undefined {
  const parent = declaration.parent;
  if (ts.isClassLike(parent)) return { name: classNameOf(parent), singleton: false };
  if (ts.isInterfaceDeclaration(parent)) return { name: parent.name.text, singleton: false };
  if (ts.isTypeLiteralNode(parent)) {
    const alias = parent.parent;
    return ts.isTypeAliasDeclaration(alias) ? { name: alias.name.text, singleton: false } : undefined;
  }
  if (ts.isObjectLiteralExpression(parent)) {
    const holder = parent.parent;
    if (ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) return { name: holder.name.text, singleton: isModuleScope(holder) };
    if (ts.isPropertyAssignment(holder)) {
      const outer = ownerOfMember(holder);
      return outer === undefined ? undefined : { name: `${outer.name}.${holder.name.getText()}`, singleton: outer.singleton };
    }
  }
  return undefined;
}

function conditionLockArgument(initializer: ts.Expression): ts.Expression | undefined {
  const node = skipOuterExpressions(initializer);
  if (!ts.isNewExpression(node)) return undefined;
  const callee = skipOuterExpressions(node.expression);
  const name = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : undefined;
  return name === 'Condition' ? node.arguments?.[0] : undefined;
}

/**
 * The async-mutex decorator `call` is (`tryAcquire(lock)`, `withTimeout(lock, ms)`): a function of that
 * name declared by its package, or an untyped one of that name (plain JavaScript, an unresolved import).
 */
export function lockWrapperOf(call: ts.CallExpression, checker: ts.TypeChecker): LockWrapper | undefined {
  if (call.arguments.length === 0) return undefined;
  const callee = skipOuterExpressions(call.expression);
  const name = ts.isIdentifier(callee) ? callee : ts.isPropertyAccessExpression(callee) ? callee.name : undefined;
  if (name === undefined) return undefined;
  const wrapper = LOCK_WRAPPERS.find((candidate) => candidate.name === name.text);
  if (wrapper === undefined) return undefined;
  let symbol = checker.getSymbolAtLocation(name);
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  const type = checker.getTypeAtLocation(callee);
  const declarations = [...(symbol?.declarations ?? []), ...(type.getSymbol()?.declarations ?? [])];
  if (declarations.some((declaration) => isDeclaredByPackage(declaration.getSourceFile().fileName, wrapper.module))) return wrapper;
  return isUntyped(type) ? wrapper : undefined;
}

function shortText(node: ts.Node): string {
  const text = node.getText();
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

function semaphoreCount(creation: ts.NewExpression): number | undefined {
  const node = creation;
  const first = node.arguments?.[0];
  if (first === undefined) return 1; // Python's and ours default to 1
  const value = skipOuterExpressions(first);
  return ts.isNumericLiteral(value) ? Number(value.text) : undefined;
}

let nextSymbolId = 1;
const symbolIds = new WeakMap<ts.Symbol, number>();
function symbolId(symbol: ts.Symbol): number {
  let id = symbolIds.get(symbol);
  if (id === undefined) {
    id = nextSymbolId++;
    symbolIds.set(symbol, id);
  }
  return id;
}
