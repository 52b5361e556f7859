/**
 * Which state a write changes, in the terms guarded-by inference counts: a class field (every
 * instance's, as a lock class is every instance's lock), a module variable, or the memory a shared
 * typed array shows (the whole view, whichever cells: a lock that protects a shared buffer protects
 * its layout, not one index). Elements of ordinary arrays and maps, locals and parameters are not
 * state here: no-nonatomic-update covers what is local to one function.
 */
import ts from 'typescript';
import { isModuleScope, skipOuterExpressions } from '../model/lock-identity.js';

export type StateKind = 'field' | 'variable' | 'shared-memory';

/** One piece of state, named by the symbol that declares it. */
export interface StateKey {
  readonly kind: StateKind;
  /** The field or variable (for shared memory, the field or variable holding the view). */
  readonly symbol: ts.Symbol;
  /** As a person reads it: `Account.balance`, `counter`, `Pool.state` (a view). */
  readonly name: string;
}

/** A write of state: an assignment, an update, or a method of a shared view that stores into it. */
export interface StateWrite {
  /** The assignment, `++`/`--`, or call expression. */
  readonly node: ts.Expression;
  /** What is written, as written (`this.balance`, `view[i]`, `counter`). */
  readonly target: ts.Expression;
  readonly state: StateKey;
  /** Reads what it writes (`++`, `+=`, `x = x + 1`): a read-modify-write. */
  readonly update: boolean;
}

/** Whether an expression may be a typed array over a SharedArrayBuffer. */
export type SharedViewTest = (expression: ts.Expression) => boolean;

/** Typed-array methods that store into the array. */
const STORING_METHODS: ReadonlySet<string> = new Set(['fill', 'set', 'copyWithin', 'sort', 'reverse']);

const COMPOUND_ASSIGNMENTS: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.PlusEqualsToken,
  ts.SyntaxKind.MinusEqualsToken,
  ts.SyntaxKind.AsteriskEqualsToken,
  ts.SyntaxKind.AsteriskAsteriskEqualsToken,
  ts.SyntaxKind.SlashEqualsToken,
  ts.SyntaxKind.PercentEqualsToken,
  ts.SyntaxKind.LessThanLessThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.GreaterThanGreaterThanGreaterThanEqualsToken,
  ts.SyntaxKind.AmpersandEqualsToken,
  ts.SyntaxKind.BarEqualsToken,
  ts.SyntaxKind.CaretEqualsToken,
  ts.SyntaxKind.AmpersandAmpersandEqualsToken,
  ts.SyntaxKind.BarBarEqualsToken,
  ts.SyntaxKind.QuestionQuestionEqualsToken,
]);

/** Names a write's target may end in, for a cheap test before any symbol lookup. */
export function writtenName(node: ts.Node): string | undefined {
  const target = writeTarget(node);
  if (target === undefined) return undefined;
  const written = skipOuterExpressions(ts.isElementAccessExpression(target) ? target.expression : target);
  if (ts.isIdentifier(written)) return written.text;
  if (ts.isPropertyAccessExpression(written)) return written.name.text;
  return undefined;
}

/** The state `node` writes, when it is a write of a field, a module variable or shared memory. */
export function stateWriteOf(node: ts.Node, checker: ts.TypeChecker, isSharedView: SharedViewTest): StateWrite | undefined {
  const target = writeTarget(node);
  if (target === undefined || !ts.isExpression(node)) return undefined;
  const viewCall = ts.isCallExpression(node);
  const element = ts.isElementAccessExpression(target);
  const view = viewCall ? target : element ? skipOuterExpressions(target.expression) : undefined;
  if (view !== undefined) {
    if (!isSharedView(view)) return undefined;
    const holder = holderSymbol(view, checker);
    if (holder === undefined) return undefined;
    return { node, target, state: { kind: 'shared-memory', symbol: holder.symbol, name: holder.name }, update: viewCall ? false : isUpdate(node, target) };
  }
  const holder = holderSymbol(target, checker);
  if (holder === undefined) return undefined;
  return { node, target, state: { kind: holder.kind, symbol: holder.symbol, name: holder.name }, update: isUpdate(node, target) };
}

/** The expression a write stores into: `x` of `x = …`, `x++`, `x += …`, or the view of `view.fill(…)`. */
function writeTarget(node: ts.Node): ts.Expression | undefined {
  if (ts.isBinaryExpression(node)) {
    const operator = node.operatorToken.kind;
    return operator === ts.SyntaxKind.EqualsToken || COMPOUND_ASSIGNMENTS.has(operator) ? skipOuterExpressions(node.left) : undefined;
  }
  if (ts.isPrefixUnaryExpression(node) || ts.isPostfixUnaryExpression(node)) {
    const operator = node.operator;
    return operator === ts.SyntaxKind.PlusPlusToken || operator === ts.SyntaxKind.MinusMinusToken ? skipOuterExpressions(node.operand) : undefined;
  }
  if (ts.isCallExpression(node)) {
    const callee = skipOuterExpressions(node.expression);
    return ts.isPropertyAccessExpression(callee) && STORING_METHODS.has(callee.name.text) ? skipOuterExpressions(callee.expression) : undefined;
  }
  return undefined;
}

function isUpdate(node: ts.Expression, target: ts.Expression): boolean {
  if (!ts.isBinaryExpression(node)) return true; // `++` and `--`
  if (node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return true;
  const written = target.getText();
  let reads = false;
  const visit = (child: ts.Node): void => {
    if (reads || ts.isFunctionLike(child)) return;
    if (ts.isExpression(child) && child.getText() === written) reads = true;
    else ts.forEachChild(child, visit);
  };
  visit(node.right);
  return reads;
}

/** The field or module variable an expression names, with its display name. */
function holderSymbol(expression: ts.Expression, checker: ts.TypeChecker): { kind: 'field' | 'variable'; symbol: ts.Symbol; name: string } | undefined {
  const node = skipOuterExpressions(expression);
  const nameNode = ts.isIdentifier(node) ? node : ts.isPropertyAccessExpression(node) ? node.name : undefined;
  if (nameNode === undefined) return undefined;
  let symbol = checker.getSymbolAtLocation(nameNode);
  if (symbol !== undefined && (symbol.flags & ts.SymbolFlags.Alias) !== 0) symbol = checker.getAliasedSymbol(symbol);
  const declaration = symbol?.valueDeclaration;
  if (symbol === undefined || declaration === undefined) return undefined;
  if (ts.isVariableDeclaration(declaration)) {
    return isModuleScope(declaration) && ts.isIdentifier(declaration.name) ? { kind: 'variable', symbol, name: declaration.name.text } : undefined;
  }
  if ((symbol.flags & ts.SymbolFlags.Property) === 0) return undefined;
  const owner = owningClass(declaration);
  if (owner === undefined) return undefined;
  return { kind: 'field', symbol, name: `${owner.name?.text ?? '<anonymous class>'}.${symbol.getName()}` };
}

/** The class declaring a field: `x = 0;`, `constructor(private x)`, or plain JavaScript's `this.x = 0`. */
export function owningClass(declaration: ts.Node): ts.ClassLikeDeclaration | undefined {
  if (ts.isPropertyDeclaration(declaration) || ts.isGetAccessorDeclaration(declaration) || ts.isSetAccessorDeclaration(declaration)) {
    return ts.isClassLike(declaration.parent) ? declaration.parent : undefined;
  }
  if (ts.isParameter(declaration) && ts.isConstructorDeclaration(declaration.parent)) return declaration.parent.parent;
  if (ts.isPropertyAccessExpression(declaration) || ts.isBinaryExpression(declaration)) {
    for (let node: ts.Node | undefined = declaration.parent; node !== undefined; node = node.parent) if (ts.isClassLike(node)) return node;
  }
  return undefined;
}

/**
 * Whether a write runs while the state is being set up, before anything else can see it: in the
 * owning class's constructor, a field initializer or static block (a field), or in a file's top-level
 * code (a module variable). Such writes need no lock, as Clang's analysis exempts constructors.
 */
export function isInitialisation(write: StateWrite): boolean {
  const owner = owningClassOfState(write.state);
  for (let node: ts.Node | undefined = write.node.parent; node !== undefined; node = node.parent) {
    // A module's top-level code runs once, when the module loads.
    if (ts.isSourceFile(node)) return write.state.kind !== 'field';
    if (ts.isConstructorDeclaration(node) || ts.isClassStaticBlockDeclaration(node) || ts.isPropertyDeclaration(node)) return owner !== undefined && node.parent === owner;
    if (ts.isFunctionLike(node)) return false;
  }
  return false;
}

/** The class of a field, or of the field holding a view; a module variable has none. */
function owningClassOfState(state: StateKey): ts.ClassLikeDeclaration | undefined {
  const declaration = state.symbol.valueDeclaration;
  return declaration === undefined || ts.isVariableDeclaration(declaration) ? undefined : owningClass(declaration);
}
