/**
 * What one function does with locks, as seen from inside it: the locks it takes (with what it already
 * held), the calls it makes while holding locks, and what it leaves held or releases for its caller.
 * Calls are kept unresolved in meaning (only the callee's node) so the interprocedural pass can
 * substitute lock parameters per call site.
 */
import type ts from 'typescript';
import type { LockRef } from '../model/lock-ref.js';
import type { FunctionLike } from '../model/function-names.js';
import type { CallStep } from './lock-order-witness.js';
import type { SourceLocation } from '../model/source-location.js';
import type { ParameterGuard } from './parameter-guards.js';

/** Where a lock was taken. */
export interface AcquisitionSite {
  readonly node: ts.Node;
  readonly location: SourceLocation;
  /** The function the acquisition is written in. */
  readonly function: string;
  readonly form: string;
}

/** A lock held at some point of a function. */
export interface HeldLock {
  readonly ref: LockRef;
  readonly site: AcquisitionSite;
  /** Calls through which the lock came to be held here (a callee that returned holding it), outermost first. */
  readonly chain: readonly CallStep[];
  /** The variable holding async-mutex's release function, so calling it releases this lock. */
  readonly releaser?: ts.Symbol;
  /** Taken by a try-lock: in `if (lock.tryAcquire())` only the succeeding branch holds it. */
  readonly tried?: boolean;
  /** A `using` declaration's block: the lock is released when it ends. */
  readonly scope?: ts.Node;
  /**
   * Held after a call whose callee returns holding it on some of its exits only (a lock leaked on an
   * early return, or handed over only when a try succeeded). It orders the locks taken after it, but a
   * re-acquisition of it is no provable self-deadlock: on the paths that matter it may not be held.
   */
  readonly partial?: boolean;
}

export interface LocalAcquisition {
  readonly ref: LockRef;
  readonly site: AcquisitionSite;
  /** Locks held just before, in the order taken. */
  readonly held: readonly HeldLock[];
  /**
   * Locks of the caller this function gave back earlier in its walk (`Condition.wait` releasing the
   * caller's lock before taking it again): the caller no longer holds them here.
   */
  readonly releasedBefore: readonly LockRef[];
  /** Fields of `this` an enclosing `if` tests truthy: without them the acquisition does not run (guard-fields.ts). */
  readonly guards?: readonly string[];
  /** Tests of the function's own parameters it runs under (`if (!options.bypass)`): each caller's arguments settle them (parameter-guards.ts). */
  readonly parameterGuards?: readonly ParameterGuard[];
}

/**
 * A call made through a parameter (`storage.queryOne()` with `storage` a parameter typed by an
 * interface) reaches this implementation only when the argument bound to that parameter is an
 * instance of its class: each caller's argument decides (summarize-program.ts `bindDispatch`).
 */
export interface DispatchCondition {
  readonly parameter: number;
  readonly implementation: ts.ClassLikeDeclaration;
}

export interface LocalCall {
  readonly callee: ts.SignatureDeclaration;
  readonly expression: ts.CallExpression | ts.NewExpression;
  readonly step: CallStep;
  readonly held: readonly HeldLock[];
  /** `this.m()`, `super.m()` or a call to a function in scope: the callee's `this` is the caller's. */
  readonly sameThis: boolean;
  /** The function the call is written in (its own parameters are substitutable). */
  readonly within: ts.SignatureDeclaration | undefined;
  /** As for {@link LocalAcquisition.releasedBefore}. */
  readonly releasedBefore: readonly LockRef[];
  /**
   * A function passed as a value (`runExclusive(this.flush)`, a callback given to a lock helper): it
   * runs with `held`, but the call's arguments are not its arguments, so its parameters stay unbound.
   */
  readonly unbound?: boolean;
  /** As for {@link LocalAcquisition.guards}. */
  readonly guards?: readonly string[];
  /** Fields of `this` set to `undefined`, `null` or `false` before the call (for `sameThis` calls only). */
  readonly cleared?: readonly string[];
  /** For a method called on one of the function's parameters: which class the argument must be. */
  readonly dispatch?: DispatchCondition;
}

/**
 * One of the function's own parameters called while it holds locks: `fn()`, `await fn()`,
 * `fn.call(…)`, or `fn` passed on to `runExclusive`, `navigator.locks.request` or another such helper.
 * At each call of the function, the callback passed for that parameter runs with these locks held.
 */
export interface CallbackInvocation {
  /** The parameter's index. */
  readonly parameter: number;
  /** What the function holds when the callback runs (lock parameters are bound by each caller). */
  readonly held: readonly HeldLock[];
}

/** A lock a function leaves held, or gives back without having taken it, at its normal exit. */
export interface ExitEffect {
  readonly leftHeld: readonly HeldLock[];
  readonly releasedFromCaller: readonly LockRef[];
  /** Callbacks it runs while holding locks: what its callers' callbacks run under. */
  readonly callbacks: readonly CallbackInvocation[];
}

export interface FunctionSummary {
  readonly node: FunctionLike;
  readonly name: string;
  readonly acquisitions: readonly LocalAcquisition[];
  readonly calls: readonly LocalCall[];
  readonly exit: ExitEffect;
  /** True when any lock in it was recognised by name only. */
  readonly guessed: boolean;
}

export const NO_EXIT_EFFECT: ExitEffect = { leftHeld: [], releasedFromCaller: [], callbacks: [] };
