/**
 * Which lock guards which state, and the writes made without it: RacerD's and Clang's question for
 * JavaScript. A guard is declared (`@guardedBy`, guard-annotations.ts) or inferred from how the
 * program already treats the state:
 *
 * - shared memory (a typed array over a SharedArrayBuffer, held in a field or module variable) written
 *   under lock L somewhere — another thread may run the same code at any instant, so a lock around a
 *   write says the memory is L's;
 * - a class field or module variable that a function reads, suspends across (`await`, `yield`) and
 *   writes back, all under L — the one-thread race: L is held so that no other task changes the
 *   state while this one is suspended, and a write made elsewhere without L is erased by the
 *   write-back (`deposit()` holding the mutex across `await save(next)`, then `this.balance = next`,
 *   erases an unguarded `reset()`).
 *
 * An inferred guard is only trusted when the state's writes under L are at least as many as those
 * certainly without it (initialisation excluded): a lock taken around one write of a state that is
 * written freely everywhere else is no guard. Writes whose callers disagree (some hold L, some do not)
 * count on neither side and are not reported. Declared guards beat inferred ones and need no evidence.
 */
import ts from 'typescript';
import { locationOf, type SourceLocation } from '../model/source-location.js';
import { enclosingFunction, EntryLocks, type EntryLockInputs } from './entry-locks.js';
import type { GuardAnnotation } from './guard-annotations.js';
import { isInitialisation, stateWriteOf, writtenName, type SharedViewTest, type StateKey, type StateWrite } from './state-writes.js';

export type GuardFindingKind =
  /** Written without the lock that guards it (inferred). */
  | 'unguarded'
  /** Written under other locks than the one that guards it (inferred or declared). */
  | 'wrong-lock'
  /** Written without the lock its `@guardedBy` names. */
  | 'declared-unguarded'
  /** A function declared `@requiresLock` called without that lock. */
  | 'missing-required-lock'
  /** A `@guardedBy`/`@requiresLock` naming no lock the analysis can find. */
  | 'unknown-lock';

/** Why the lock is taken to guard the state. */
export interface GuardEvidence {
  readonly how: 'declared' | 'written-under' | 'write-back-under';
  readonly location: SourceLocation;
}

export interface GuardFinding {
  readonly kind: GuardFindingKind;
  /** The write, the call, or the tag's declaration. */
  readonly node: ts.Node;
  /** The state written (`Account.balance`), or for a call the function called. */
  readonly subject: string;
  /** The guarding lock as a person reads it (for `unknown-lock`, as written in the tag). */
  readonly lock: string;
  readonly lockId?: string;
  /** For `wrong-lock`: the locks held instead. */
  readonly heldInstead?: readonly string[];
  readonly evidence?: GuardEvidence;
  /** The write reads what it writes (`++`, `+=`): a lost update, not only an overwrite. */
  readonly update?: boolean;
}

export interface GuardedStateFacts {
  /** Findings whose node is in the file (absolute file name as the program has it). */
  findingsIn(fileName: string): readonly GuardFinding[];
  /** Every finding, in file and source order. */
  readonly findings: readonly GuardFinding[];
}

export interface GuardedStateInputs extends Omit<EntryLockInputs, 'requiredLocks'> {
  readonly root: string;
  /** Every expression noted as evaluated with locks held, with their ids (summarize-program.ts). */
  readonly heldAt: ReadonlyMap<ts.Node, ReadonlySet<string>>;
  readonly annotations: readonly GuardAnnotation[];
  readonly isSharedView: SharedViewTest;
  /** A lock's name as a person reads it, by id. */
  lockName(id: string): string;
}

interface Guard {
  readonly lockId: string;
  readonly lockName: string;
  readonly evidence: GuardEvidence;
  readonly declared: boolean;
}

export function findGuardedState(inputs: GuardedStateInputs): GuardedStateFacts {
  const { checker } = inputs;
  const findings: GuardFinding[] = [];
  const required = new Map<ts.Node, Set<string>>();
  const declared = new Map<ts.Symbol, Guard>();
  for (const annotation of inputs.annotations) {
    if (annotation.lock === undefined) {
      findings.push({ kind: 'unknown-lock', node: annotation.declaration, subject: declaredName(annotation.declaration), lock: annotation.written });
      continue;
    }
    if (annotation.tag === 'requiresLock') {
      const ids = required.get(annotation.declaration) ?? new Set<string>();
      ids.add(annotation.lock.id);
      required.set(annotation.declaration, ids);
      continue;
    }
    const symbol = symbolOfDeclaration(annotation.declaration, checker);
    if (symbol !== undefined) declared.set(symbol, { lockId: annotation.lock.id, lockName: annotation.lock.name, evidence: { how: 'declared', location: annotation.location }, declared: true });
  }
  const none: ReadonlySet<string> = new Set();
  const entry = new EntryLocks({ ...inputs, requiredLocks: (fn) => required.get(fn) ?? none });

  // Evidence: writes noted under locks.
  const evidence = new Map<ts.Symbol, { state: StateKey; byLock: Map<string, GuardEvidence> }>();
  for (const [node, held] of inputs.heldAt) {
    if (writtenName(node) === undefined) continue;
    const write = stateWriteOf(node, checker, inputs.isSharedView);
    if (write === undefined || isInitialisation(write)) continue;
    for (const lock of held) {
      const how = write.state.kind === 'shared-memory' ? 'written-under' : writtenBackUnder(write, lock, inputs.heldAt) ? 'write-back-under' : undefined;
      if (how === undefined) continue;
      let entryOf = evidence.get(write.state.symbol);
      if (entryOf === undefined) evidence.set(write.state.symbol, (entryOf = { state: write.state, byLock: new Map() }));
      const previous = entryOf.byLock.get(lock);
      const location = locationOf(write.node, inputs.root);
      if (previous === undefined || before(location, previous.location)) entryOf.byLock.set(lock, { how, location });
    }
  }

  const candidates = new Set<ts.Symbol>([...declared.keys(), ...evidence.keys()]);
  if (candidates.size > 0) {
    const writes = collectWrites(candidates, inputs);
    for (const symbol of candidates) {
      const stateWrites = (writes.get(symbol) ?? []).filter((write) => !isInitialisation(write));
      const guard = declared.get(symbol) ?? inferredGuard(stateWrites, evidence.get(symbol)?.byLock, entry, inputs);
      if (guard === undefined) continue;
      // Constants the lock's own holders store (`this.queue = []` after draining it, `this.db = null` on
      // close): an unguarded write of the same constant puts the state where a critical section puts
      // it too (a sync close beside an async one, a reset in a catch), so it erases nothing the guarded
      // code could not have erased itself. Inferred guards only: a declared one means every write.
      const guardedConstants = guard.declared ? new Set<string>() : constantsStoredUnder(stateWrites, guard.lockId, entry);
      for (const write of stateWrites) {
        if (entry.statusAt(write.node, guard.lockId) !== 'none') continue;
        const constant = storedConstant(write);
        if (constant !== undefined && guardedConstants.has(constant)) continue;
        const others = [...inputs.heldLocksAt(write.node)].filter((id) => id !== guard.lockId);
        const kind = others.length > 0 ? 'wrong-lock' : guard.declared ? 'declared-unguarded' : 'unguarded';
        findings.push({
          kind,
          node: write.node,
          subject: write.state.name,
          lock: guard.lockName,
          lockId: guard.lockId,
          ...(others.length > 0 ? { heldInstead: others.map((id) => inputs.lockName(id)) } : {}),
          evidence: guard.evidence,
          update: write.update,
        });
      }
    }
  }

  for (const [fn, locks] of required) {
    for (const site of entry.callSitesOf(fn)) {
      for (const lock of locks) {
        // The function's own recursive calls run with what it was called with.
        if (enclosingFunction(site) === fn || entry.statusAt(site, lock) !== 'none') continue;
        const annotation = inputs.annotations.find((candidate) => candidate.declaration === fn && candidate.lock?.id === lock);
        findings.push({
          kind: 'missing-required-lock',
          node: site,
          subject: declaredName(fn),
          lock: inputs.lockName(lock) === lock ? (annotation?.lock?.name ?? lock) : inputs.lockName(lock),
          lockId: lock,
          ...(annotation === undefined ? {} : { evidence: { how: 'declared', location: annotation.location } }),
        });
      }
    }
  }

  findings.sort((a, b) => a.node.getSourceFile().fileName.localeCompare(b.node.getSourceFile().fileName) || a.node.getStart() - b.node.getStart());
  const byFile = new Map<string, GuardFinding[]>();
  for (const finding of findings) {
    const fileName = finding.node.getSourceFile().fileName;
    byFile.set(fileName, [...(byFile.get(fileName) ?? []), finding]);
  }
  return { findings, findingsIn: (fileName) => byFile.get(fileName) ?? [] };
}

/** The constants (as written) that writes certainly holding `lock` store. */
function constantsStoredUnder(writes: readonly StateWrite[], lock: string, entry: EntryLocks): Set<string> {
  const constants = new Set<string>();
  for (const write of writes) {
    const constant = storedConstant(write);
    if (constant !== undefined && entry.statusAt(write.node, lock) === 'all') constants.add(constant);
  }
  return constants;
}

/** What a plain `=` stores when it is a constant: a literal, `undefined`, an empty array or object. */
function storedConstant(write: StateWrite): string | undefined {
  const node = write.node;
  if (!ts.isBinaryExpression(node) || node.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return undefined;
  let value: ts.Expression = node.right;
  while (ts.isParenthesizedExpression(value) || ts.isAsExpression(value) || ts.isNonNullExpression(value) || ts.isSatisfiesExpression(value)) value = value.expression;
  if (ts.isLiteralExpression(value) || value.kind === ts.SyntaxKind.NullKeyword || value.kind === ts.SyntaxKind.TrueKeyword || value.kind === ts.SyntaxKind.FalseKeyword) return value.getText();
  if (ts.isIdentifier(value) && value.text === 'undefined') return 'undefined';
  if (ts.isPrefixUnaryExpression(value) && ts.isNumericLiteral(value.operand)) return value.getText();
  if (ts.isArrayLiteralExpression(value) && value.elements.length === 0) return '[]';
  if (ts.isObjectLiteralExpression(value) && value.properties.length === 0) return '{}';
  // An enum member or a constant's property (`SignalConnectionState.DISCONNECTED`): the same name, the same value.
  if (ts.isPropertyAccessExpression(value) && ts.isIdentifier(value.expression) && /^[A-Z]/.test(value.expression.text)) return value.getText();
  return undefined;
}

/**
 * The lock that guards a state by inference: among the locks with evidence, the one the most writes
 * certainly hold, if those are at least as many as the writes certainly without it.
 */
function inferredGuard(writes: readonly StateWrite[], byLock: ReadonlyMap<string, GuardEvidence> | undefined, entry: EntryLocks, inputs: GuardedStateInputs): Guard | undefined {
  if (byLock === undefined) return undefined;
  let best: { lock: string; guarded: number; unguarded: number } | undefined;
  for (const lock of byLock.keys()) {
    let guarded = 0;
    let unguarded = 0;
    for (const write of writes) {
      const status = entry.statusAt(write.node, lock);
      if (status === 'all') guarded++;
      else if (status === 'none') unguarded++;
    }
    if (best === undefined || guarded > best.guarded || (guarded === best.guarded && lock < best.lock)) best = { lock, guarded, unguarded };
  }
  if (best === undefined || best.guarded === 0 || best.guarded < best.unguarded) return undefined;
  return { lockId: best.lock, lockName: inputs.lockName(best.lock), evidence: byLock.get(best.lock)!, declared: false };
}

/**
 * Whether `write` stores back a value read before a suspension, with `lock` held at the read, the
 * suspension and the write: the shape that says the lock protects the state across the `await`.
 */
function writtenBackUnder(write: StateWrite, lock: string, heldAt: ReadonlyMap<ts.Node, ReadonlySet<string>>): boolean {
  const fn = enclosingFunction(write.node);
  if (fn === undefined || !(isAsync(fn) || fn.asteriskToken !== undefined) || fn.body === undefined) return false;
  const end = write.node.getEnd();
  const name = writtenName(write.node);
  const suspensions: ts.Node[] = [];
  const reads: ts.Node[] = [];
  const visit = (node: ts.Node): void => {
    if (node.pos >= end) return;
    // A nested function runs at another time: its reads and awaits are not this function's.
    if (ts.isFunctionLike(node)) return;
    if ((ts.isAwaitExpression(node) || ts.isYieldExpression(node)) && heldAt.get(node)?.has(lock) === true) suspensions.push(node);
    else if ((ts.isPropertyAccessExpression(node) || ts.isIdentifier(node)) && !isStoredInto(node) && heldAt.get(node)?.has(lock) === true && textName(node) === name && sameState(node, write)) reads.push(node);
    ts.forEachChild(node, visit);
  };
  visit(fn.body);
  // A compound assignment reads its target first: `this.total += await part()`.
  const readStarts = reads.map((read) => read.getStart());
  return suspensions.some((suspension) => suspension.getEnd() <= end && readStarts.some((start) => start < suspension.getStart()));
}

/** The target of a plain `=`: stored into, not read (`this.state = CLOSING` reads nothing back). */
function isStoredInto(node: ts.Node): boolean {
  let child = node;
  while (ts.isParenthesizedExpression(child.parent) || ts.isNonNullExpression(child.parent) || ts.isAsExpression(child.parent)) child = child.parent;
  const parent = child.parent;
  return ts.isBinaryExpression(parent) && parent.left === child && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken;
}

function textName(node: ts.PropertyAccessExpression | ts.Identifier): string {
  return ts.isIdentifier(node) ? node.text : node.name.text;
}

/** Whether a read names the state the write writes (the same field of `this`, the same variable). */
function sameState(read: ts.PropertyAccessExpression | ts.Identifier, write: StateWrite): boolean {
  const target = write.target;
  if (ts.isIdentifier(read)) return ts.isIdentifier(target) && read.text === target.text && !ts.isPropertyAccessExpression(read.parent);
  return ts.isPropertyAccessExpression(target) && read.getText() === target.getText();
}

/** Every write of the candidate states, found by name in the files that mention it. */
function collectWrites(candidates: ReadonlySet<ts.Symbol>, inputs: GuardedStateInputs): Map<ts.Symbol, StateWrite[]> {
  const names = new Set([...candidates].map((symbol) => symbol.getName()));
  const result = new Map<ts.Symbol, StateWrite[]>();
  for (const file of inputs.files) {
    if (![...names].some((name) => file.text.includes(name))) continue;
    const visit = (node: ts.Node): void => {
      const name = writtenName(node);
      if (name !== undefined && names.has(name)) {
        const write = stateWriteOf(node, inputs.checker, inputs.isSharedView);
        if (write !== undefined && candidates.has(write.state.symbol)) result.set(write.state.symbol, [...(result.get(write.state.symbol) ?? []), write]);
      }
      ts.forEachChild(node, visit);
    };
    visit(file);
  }
  return result;
}

function symbolOfDeclaration(declaration: ts.Node, checker: ts.TypeChecker): ts.Symbol | undefined {
  const name = (declaration as ts.NamedDeclaration).name;
  return name === undefined ? undefined : checker.getSymbolAtLocation(name);
}

function declaredName(declaration: ts.Node): string {
  const name = (declaration as ts.NamedDeclaration).name;
  const own = name === undefined ? '<anonymous>' : name.getText();
  const owner = declaration.parent;
  if (ts.isClassLike(owner)) return `${owner.name?.text ?? '<anonymous class>'}.${own}`;
  if (ts.isConstructorDeclaration(owner) && ts.isClassLike(owner.parent)) return `${owner.parent.name?.text ?? '<anonymous class>'}.${own}`;
  return own;
}

function isAsync(fn: ts.FunctionLikeDeclaration): boolean {
  return (ts.getCombinedModifierFlags(fn) & ts.ModifierFlags.Async) !== 0;
}

function before(a: SourceLocation, b: SourceLocation): boolean {
  return a.file < b.file || (a.file === b.file && (a.line < b.line || (a.line === b.line && a.column < b.column)));
}
