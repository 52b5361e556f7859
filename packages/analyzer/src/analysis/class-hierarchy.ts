/**
 * Which methods a call through an interface, an abstract method or a union may reach: class-hierarchy
 * analysis restricted to the functions that have summaries (no other callee can change a lock order).
 *
 * - An interface (or type literal) member: every non-static class method, and every object-literal
 *   method, with the called name whose class instance type (object literal type) is assignable to the
 *   receiver's type. TypeScript is structural: no `implements` clause is needed.
 * - An abstract member: the overriding methods of the subclasses (transitively) of the receiver's class.
 * - A union receiver: each member's method, each resolved as above when it has no body itself.
 *
 * The index of candidates by name is built on first use, from the summarised functions only, and the
 * checker is asked only about candidates with the called name, once per receiver type.
 */
import ts from 'typescript';
import { isFunctionWithBody } from '../model/function-names.js';
import { skipOuterExpressions } from '../model/lock-identity.js';

/** A function that may implement a member: where it is written and the type that owns it. */
interface Candidate {
  readonly fn: ts.SignatureDeclaration;
  /** The class, class expression or object literal it is a member of. */
  readonly owner: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression;
}

export class ClassHierarchy {
  readonly #checker: ts.TypeChecker;
  readonly #summarised: ReadonlySet<ts.Node>;
  #byName: Map<string, Candidate[]> | undefined;
  readonly #ownerTypes = new Map<ts.Node, ts.Type | null>();
  /** Per member name, per receiver type: the implementations found. */
  readonly #implementations = new Map<string, Map<ts.Type, readonly ts.SignatureDeclaration[]>>();
  /** Per class declaration, per base class symbol: whether the class derives from it. */
  readonly #derives = new Map<ts.Node, Map<ts.Symbol, boolean>>();

  constructor(checker: ts.TypeChecker, summarised: ReadonlySet<ts.Node>) {
    this.#checker = checker;
    this.#summarised = summarised;
  }

  /**
   * The summarised functions a call `receiver.name(…)` may reach, whose callee symbol is `symbol`.
   * `undefined` when the call does not dispatch (an ordinary method with a body on a non-union
   * receiver): the caller resolves it directly.
   */
  implementationsOf(receiver: ts.Expression, name: string, symbol: ts.Symbol): readonly ts.SignatureDeclaration[] | undefined {
    // Only a member without a body, or a union's member (declared by several types), needs the
    // receiver's type: an ordinary method call costs nothing more.
    const dispatched = isDispatchedMember(symbol);
    if (!dispatched && !declaredBySeveralTypes(symbol)) return undefined;
    const type = this.#receiverType(skipOuterExpressions(receiver));
    if (type === undefined) return undefined;
    if (type.isUnion()) {
      const found = new Set<ts.SignatureDeclaration>();
      for (const member of type.types) {
        const apparent = constraintOf(this.#checker, member);
        if (apparent.isUnion()) continue;
        for (const fn of this.#implementationsIn(apparent, name)) found.add(fn);
      }
      return [...found];
    }
    return dispatched ? this.#implementationsIn(type, name) : undefined;
  }

  /** The implementations of member `name` of the (non-union) type `type`, cached per type. */
  #implementationsIn(type: ts.Type, name: string): readonly ts.SignatureDeclaration[] {
    let perType = this.#implementations.get(name);
    if (perType === undefined) this.#implementations.set(name, (perType = new Map<ts.Type, readonly ts.SignatureDeclaration[]>()));
    let found = perType.get(type);
    if (found === undefined) {
      found = this.#compute(type, name);
      perType.set(type, found);
    }
    return found;
  }

  #compute(type: ts.Type, name: string): readonly ts.SignatureDeclaration[] {
    const property = type.getProperty(name);
    if (property === undefined) return [];
    const own = bodyOf(property);
    if (own !== undefined) return this.#summarised.has(own) ? [own] : [];
    const declarations = property.declarations ?? [];
    if (!declarations.some(isMemberWithoutBody)) return [];
    const candidates = this.#candidates().get(name) ?? [];
    if (candidates.length === 0) return [];

    // An abstract member: the subclasses of the receiver's class (or of the declaring class).
    const abstractIn = declarations.find((declaration) => isAbstractMember(declaration))?.parent;
    if (abstractIn !== undefined && ts.isClassLike(abstractIn)) {
      const base = classSymbolOf(type) ?? this.#classSymbol(abstractIn);
      if (base === undefined) return [];
      return candidates
        .filter((candidate) => ts.isClassLike(candidate.owner) && candidate.owner !== abstractIn && this.#derivesFrom(candidate.owner, base))
        .map((candidate) => candidate.fn);
    }

    // An interface or type-literal member: every owner whose type is assignable to the receiver's.
    const generic = genericTargetOf(type);
    const required = this.#checker
      .getPropertiesOfType(type)
      .filter((member) => (member.flags & ts.SymbolFlags.Optional) === 0)
      .map((member) => member.escapedName);
    return candidates
      .filter((candidate) => {
        const ownerType = this.#ownerType(candidate.owner);
        // Names first: comparing member types makes the checker resolve them, far dearer.
        const hasNames = ownerType !== undefined && required.every((member) => this.#checker.getPropertyOfType(ownerType, ts.unescapeLeadingUnderscores(member)) !== undefined);
        if (hasNames && this.#checker.isTypeAssignableTo(ownerType, type)) return true;
        // `Store<T>` and `class Repo<T> implements Store<T>` are not assignable while their type
        // parameters are open: a generic owner declared as that interface implements it.
        return generic !== undefined && this.#declaredAs(candidate.owner, generic);
      })
      .map((candidate) => candidate.fn);
  }

  /**
   * Whether an owner is declared as some instantiation of the generic type `target`: a class whose
   * `implements`/`extends` clauses (its ancestors' included) name it, or an object literal written
   * where that type is expected (`return { save() {…} }` from a function returning `Store<T>`).
   */
  #declaredAs(owner: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression, target: ts.Symbol): boolean {
    if (ts.isObjectLiteralExpression(owner)) {
      const contextual = this.#checker.getContextualType(owner);
      if (contextual === undefined) return false;
      return (contextual.isUnion() ? contextual.types : [contextual]).some((type) => genericTargetOf(type) === target);
    }
    const seen = new Set<ts.Node>();
    const visit = (declaration: ts.ClassLikeDeclaration | ts.InterfaceDeclaration): boolean => {
      if (seen.has(declaration)) return false;
      seen.add(declaration);
      for (const clause of declaration.heritageClauses ?? []) {
        for (const heritage of clause.types) {
          const type = this.#checker.getTypeAtLocation(heritage);
          const symbol = genericTargetOf(type) ?? type.getSymbol();
          if (symbol === target) return true;
          for (const next of symbol?.declarations ?? []) {
            if ((ts.isClassLike(next) || ts.isInterfaceDeclaration(next)) && visit(next)) return true;
          }
        }
      }
      return false;
    };
    return visit(owner);
  }

  /** Name → summarised methods (and arrow-function properties) of classes and object literals. */
  #candidates(): Map<string, Candidate[]> {
    if (this.#byName !== undefined) return this.#byName;
    const byName = new Map<string, Candidate[]>();
    for (const node of this.#summarised) {
      const member = memberOf(node);
      if (member === undefined) continue;
      const list = byName.get(member.name);
      if (list === undefined) byName.set(member.name, [member.candidate]);
      else list.push(member.candidate);
    }
    this.#byName = byName;
    return byName;
  }

  #receiverType(receiver: ts.Expression): ts.Type | undefined {
    const type = this.#checker.getTypeAtLocation(receiver);
    if ((type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) !== 0) return undefined;
    return constraintOf(this.#checker, type);
  }

  /** A class's instance type, or an object literal's type. */
  #ownerType(owner: ts.ClassLikeDeclaration | ts.ObjectLiteralExpression): ts.Type | undefined {
    let type = this.#ownerTypes.get(owner);
    if (type === undefined) {
      if (ts.isObjectLiteralExpression(owner)) {
        // The widened type: a fresh literal's type would fail an excess-property check.
        type = this.#checker.getWidenedType(this.#checker.getTypeAtLocation(owner));
      } else {
        const symbol = this.#classSymbol(owner);
        type = symbol === undefined ? null : this.#checker.getDeclaredTypeOfSymbol(symbol);
      }
      this.#ownerTypes.set(owner, type);
    }
    return type ?? undefined;
  }

  #classSymbol(declaration: ts.ClassLikeDeclaration): ts.Symbol | undefined {
    const symbol = declaration.name === undefined ? undefined : this.#checker.getSymbolAtLocation(declaration.name);
    if (symbol !== undefined) return symbol;
    // An anonymous class expression: its type's symbol.
    return this.#checker.getTypeAtLocation(declaration).getSymbol();
  }

  /** Whether `declaration` extends `base`, directly or through its ancestors. */
  #derivesFrom(declaration: ts.ClassLikeDeclaration, base: ts.Symbol): boolean {
    let perBase = this.#derives.get(declaration);
    if (perBase === undefined) this.#derives.set(declaration, (perBase = new Map<ts.Symbol, boolean>()));
    let result = perBase.get(base);
    if (result === undefined) {
      perBase.set(base, false); // a cyclic `extends` (an error) ends here
      const own = this.#classSymbol(declaration);
      result = own !== undefined && this.#typeDerivesFrom(this.#checker.getDeclaredTypeOfSymbol(own), base, new Set());
      perBase.set(base, result);
    }
    return result;
  }

  #typeDerivesFrom(type: ts.Type, base: ts.Symbol, seen: Set<ts.Type>): boolean {
    if (seen.has(type)) return false;
    seen.add(type);
    if (!type.isClassOrInterface()) return false;
    for (const parent of this.#checker.getBaseTypes(type)) {
      const target = (parent as ts.TypeReference).target ?? parent;
      if (target.getSymbol() === base || parent.getSymbol() === base) return true;
      if (target.isClassOrInterface() && this.#typeDerivesFrom(target, base, seen)) return true;
    }
    return false;
  }
}

/** A symbol the call cannot be resolved to directly: an interface, type-literal or abstract member. */
function isDispatchedMember(symbol: ts.Symbol): boolean {
  const declarations = symbol.declarations ?? [];
  return declarations.length > 0 && bodyOf(symbol) === undefined && declarations.some(isMemberWithoutBody);
}

/** A union's property: the checker merges the members' declarations, each from its own type. */
function declaredBySeveralTypes(symbol: ts.Symbol): boolean {
  const declarations = symbol.declarations ?? [];
  return declarations.length > 1 && declarations.some((declaration) => declaration.parent !== declarations[0]!.parent);
}

function isMemberWithoutBody(declaration: ts.Declaration): boolean {
  if (ts.isMethodSignature(declaration) || ts.isPropertySignature(declaration)) return true;
  return isAbstractMember(declaration);
}

function isAbstractMember(declaration: ts.Declaration): boolean {
  return (
    (ts.isMethodDeclaration(declaration) || ts.isPropertyDeclaration(declaration)) &&
    (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Abstract) !== 0
  );
}

/** The body a member symbol declares itself: a method, or a property initialised with a function. */
function bodyOf(symbol: ts.Symbol): ts.SignatureDeclaration | undefined {
  for (const declaration of symbol.declarations ?? []) {
    if (isFunctionWithBody(declaration)) return declaration;
    if (ts.isPropertyDeclaration(declaration) || ts.isPropertyAssignment(declaration)) {
      const fn = functionInitializer(declaration.initializer);
      if (fn !== undefined) return fn;
    }
  }
  return undefined;
}

function functionInitializer(initializer: ts.Expression | undefined): ts.ArrowFunction | ts.FunctionExpression | undefined {
  const value = initializer === undefined ? undefined : skipOuterExpressions(initializer);
  return value !== undefined && (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) ? value : undefined;
}

/** A summarised function as a member an interface call can reach: `m() {}`, `m = () => {}`, `{ m: () => {} }`. */
function memberOf(node: ts.Node): { name: string; candidate: Candidate } | undefined {
  let declaration: ts.MethodDeclaration | ts.PropertyDeclaration | ts.PropertyAssignment;
  let fn: ts.SignatureDeclaration;
  if (ts.isMethodDeclaration(node) && node.body !== undefined) {
    declaration = fn = node;
  } else if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
    let holder = node.parent;
    while (ts.isParenthesizedExpression(holder) || ts.isAsExpression(holder) || ts.isSatisfiesExpression(holder)) holder = holder.parent;
    if (!(ts.isPropertyDeclaration(holder) || ts.isPropertyAssignment(holder)) || functionInitializer(holder.initializer) !== node) return undefined;
    declaration = holder;
    fn = node;
  } else {
    return undefined;
  }
  const owner = declaration.parent;
  if (!ts.isClassLike(owner) && !ts.isObjectLiteralExpression(owner)) return undefined;
  // A static method is the constructor's, not an instance's.
  if (ts.isClassLike(owner) && (ts.getCombinedModifierFlags(declaration) & ts.ModifierFlags.Static) !== 0) return undefined;
  const name = declaration.name;
  if (!(ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name))) return undefined;
  return { name: name.text, candidate: { fn, owner } };
}

/** A type parameter (`this` included) stands for its constraint. */
function constraintOf(checker: ts.TypeChecker, type: ts.Type): ts.Type {
  if ((type.flags & ts.TypeFlags.TypeParameter) === 0) return type;
  return checker.getBaseConstraintOfType(type) ?? type;
}

/** The generic declaration a type instantiates (`Store` for `Store<Order>`), if any. */
function genericTargetOf(type: ts.Type): ts.Symbol | undefined {
  if ((type.flags & ts.TypeFlags.Object) === 0 || ((type as ts.ObjectType).objectFlags & ts.ObjectFlags.Reference) === 0) return undefined;
  const reference = type as ts.TypeReference;
  const target = reference.target;
  if (target === undefined || (target.typeParameters ?? []).length === 0) return undefined;
  return target.getSymbol();
}

function classSymbolOf(type: ts.Type): ts.Symbol | undefined {
  const target = (type as ts.TypeReference).target ?? type;
  const symbol = target.getSymbol();
  return symbol !== undefined && (symbol.flags & ts.SymbolFlags.Class) !== 0 ? symbol : undefined;
}
