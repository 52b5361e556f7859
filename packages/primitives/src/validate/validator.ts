/**
 * The validator proper: the hook the primitives call while it is on. Each acquisition is checked
 * against what the running context holds (a lock it holds already: a self-deadlock; a lock class
 * taken before another for the first time: a new edge of the order graph, which may close a cycle),
 * then recorded as held once taken; each release is matched with the context's entry.
 *
 * Steady state, for an order seen before: a property read for the lock's record, one hash lookup per
 * lock held, and an entry pushed and popped. Stacks are captured only for something new: a lock's
 * creation, a new edge, a finding, and the first acquisitions of each class (where held locks were
 * taken, for the reports).
 */
import { LockValidationError, OwnerDiedError } from '../errors.js';
import { RESOLVED_TRUE } from '../internal/resolved.js';
import { givenName, type LockHook, type ValidatedKind } from '../internal/validation-hook.js';
import { Lock } from '../lock.js';
import { RLock } from '../rlock.js';
import type { Semaphore } from '../semaphore.js';
import { describeCurrentThread } from '../internal/thread-context.js';
import { carry, currentContext, enterContext, enteredContext, inPromiseReaction, rearm, resolvedCarrying } from './async-context.js';
import { cycleReport, deadlockReport, heldTooLongReport, singleLockReport, type SeenOrder } from './findings.js';
import { formatLockValidationText, reportTitle } from './format-text.js';
import { deriveContext, FAILED, HELD, HeldContext, HeldEntry, heldIn, holdsAny, newestOf, PENDING, RELEASED, releasedIn, succeed, trimReleased } from './held-contexts.js';
import { watchLibraryAcquisition, watchOwnAcquisition, withSignal, type HandOffWatch, type SuspectedSelfDeadlock } from './hand-off-watch.js';
import { HoldWatchdog, holdEpoch } from './hold-watchdog.js';
import { nameFromCreation, nameFromSite, nameFromUse, type ClassName } from './lock-class.js';
import { attachRecord, kindOf, LockClass, LockRecord, recordOf } from './lock-records.js';
import type { Settings } from './options.js';
import { OrderGraph } from './order-graph.js';
import type { LockValidationReport, ValidatedLock } from './report.js';
import { SharedOrderGraph } from './shared-order-graph.js';
import { contextOf, functionIdOf, siteOf, unrecordedSite } from './sites.js';
import { captureStack, parseStack, trimOwnFrames, userFrames, type CapturedStack } from './stack-frames.js';

/**
 * Acquisitions of each class whose stack is recorded (unless `everySite`), besides the first one in
 * each async context that takes it: enough for the orders a test run meets first.
 */
const SITES_PER_CLASS = 8;
/**
 * At most this many stacks per class in all: code that takes a lock in a new async context every time
 * (a `runExclusive` per request) would otherwise pay a stack (microseconds, more than the acquisition)
 * on every acquisition. The acquisition that makes a new order always records its own.
 */
const SITE_BUDGET_PER_CLASS = 128;

let lastGeneration = 0;

export class Validator implements LockHook {
  readonly #settings: Settings;
  /** Records bound to an earlier run (switched off and on again) start afresh. */
  readonly #generation = ++lastGeneration;
  readonly #classes = new Map<string, LockClass>();
  /** This thread's graph: the chain cache, and the whole graph where threads cannot share one. */
  readonly #graph = new OrderGraph<SeenOrder>();
  /** The graph of every thread that joined it (see shared-order-graph.ts). */
  readonly #shared: SharedOrderGraph | undefined;
  readonly #watchdog: HoldWatchdog | undefined;
  readonly #reports: LockValidationReport[] = [];
  readonly #reported = new Set<string>();
  #nextAsyncContext = 1;
  /** Async acquisitions waiting now, for the wait-for check among this thread's contexts. */
  readonly #pending = new Set<HeldEntry>();
  /** The context an async acquisition made for its awaiter, for `carry` to hand on. */
  #pendingCarry: HeldContext | undefined;
  /** Set by `#check` for the acquisition it checks: a self-deadlock to watch for (hand-off-watch.ts). */
  #suspect: SuspectedSelfDeadlock | undefined;
  /** The watches under way, stopped when validation is switched off. */
  readonly #watches = new Set<HandOffWatch>();

  readonly #everySite: boolean;
  /** The stack the entry the last re-arm took again had before (see `#rearm`). */
  #rearmedSite: CapturedStack | undefined;

  constructor(settings: Settings) {
    this.#settings = settings;
    this.#everySite = settings.everySite;
    this.#shared = SharedOrderGraph.join((info) => this.#classFromInfo(info));
    this.#watchdog = settings.holdLimitMs > 0 ? new HoldWatchdog(settings.holdLimitMs, (entry) => this.#heldTooLong(entry)) : undefined;
  }

  /**
   * Switched off: threads started from now on do not join this run's graph; the watchdog stops, and
   * so do the watches of possible self-deadlocks (their acquisitions go on as they would unwatched).
   */
  close(): void {
    this.#shared?.leave();
    this.#watchdog?.stop();
    for (const watch of this.#watches) watch.cancel();
    this.#watches.clear();
  }

  /** The watchdog found `entry` held past the limit. */
  #heldTooLong(entry: HeldEntry): void {
    const lockClass = this.#classOf(entry.record);
    const context = contextOf(entry.asyncContext);
    const taken = entry.site === undefined ? unrecordedSite(lockClass.id, '<not recorded>', context) : siteOf(entry.site, lockClass.id, 'acquire', context, this.#settings.root);
    this.#emitUnrefused(heldTooLongReport(lockClass, taken, this.#settings.holdLimitMs));
  }

  /** A finding no acquisition can be refused for (it is under way, or none is): in 'throw' mode it is printed instead. */
  #emitUnrefused(report: LockValidationReport): void {
    const before = this.#reports.length;
    this.#emit(report, false);
    if (this.#settings.onReport === 'throw' && this.#reports.length > before) console.warn(formatLockValidationText(this.#reports.slice(before)));
  }

  get reports(): readonly LockValidationReport[] {
    return this.#reports;
  }

  clearReports(): void {
    this.#reports.length = 0;
    this.#reported.clear();
  }

  created(lock: object, kind: ValidatedKind, adopted: boolean): void {
    const count = !adopted && (kind === 'Semaphore' || kind === 'BoundedSemaphore') ? (lock as Semaphore).value : undefined;
    attachRecord(new LockRecord(lock, kind, captureStack(), count));
  }

  acquire<L extends object, O>(lock: L, given: unknown, options: O, attempt: (lock: L, options: O) => boolean, reentry: boolean, permits: number): boolean {
    const record = this.#record(lock, given);
    // A blocking attempt runs no other JavaScript: the context is the same after it.
    const context = currentContext();
    // Nothing held here and this lock held nowhere in the thread: no order to check, no self-deadlock.
    if (!reentry && (record.held.length > 0 || holdsAny(context))) {
      const refusal = this.#check(record, context, 'acquire', options, true);
      if (refusal !== undefined) throw refusal;
    }
    // Held by someone else now, with other threads about: this thread may block, so it says so in the
    // wait-for table, which may show the threads already blocked waiting for it.
    const shared = this.#shared;
    const blocking = !reentry && record.exclusive && shared !== undefined && shared.multiThreaded && isLocked(record);
    if (blocking) {
      const refusal = this.#beforeBlocking(shared, record, context);
      if (refusal !== undefined) {
        shared.doneWaiting();
        throw refusal;
      }
    }
    let taken: boolean;
    try {
      taken = attempt(lock, options);
    } catch (error) {
      // It throws holding the lock: the caller repairs and releases it.
      if (error instanceof OwnerDiedError) this.#holdNow(record, context, permits, reentry);
      throw error;
    } finally {
      if (blocking) shared.doneWaiting();
    }
    if (taken) this.#holdNow(record, context, permits, reentry);
    return taken;
  }

  /**
   * A blocking acquisition of a lock held elsewhere: publishes the wait and reports a wait-for cycle
   * among blocked threads (a deadlock happening now); in `'throw'` mode the error that refuses it.
   */
  #beforeBlocking(shared: SharedOrderGraph, record: LockRecord, context: HeldContext | undefined): LockValidationError | undefined {
    const waiting = this.#classOf(record);
    const held = (context?.held ?? []).filter((entry) => entry.state === HELD && entry.record.lockClass !== undefined);
    const cycle = shared.waitFor(waiting, held.map((entry) => entry.record.lockClass!));
    if (cycle === undefined) return undefined;
    const root = this.#settings.root;
    const here = siteOf(captureStack(), waiting.id, 'acquire', contextOf(context?.asyncContext ?? 0), root);
    const heldHere = held.find((entry) => entry.record.lockClass === cycle.at(-1)?.waitsFor);
    const heldSite = heldHere?.site === undefined ? undefined : siteOf(heldHere.site, heldHere.record.lockClass!.id, 'acquire', contextOf(heldHere.asyncContext), root);
    return this.#emit(deadlockReport(cycle, here, heldSite, this.#settings.onReport === 'throw'), false);
  }

  acquireAsync<L extends object, O>(lock: L, given: unknown, options: O, attempt: (lock: L, options: O) => Promise<boolean>, reentry: boolean, permits: number): Promise<boolean> {
    const record = this.#record(lock, given);
    const context = currentContext();
    // The running reaction re-takes the only lock its context held, released, and nothing else runs
    // in that context: taken at once, the context is re-armed in place instead of replaced (nothing
    // is held of this lock in the thread, nothing else in the context: no check to make). This
    // function is only that, kept small so that what it calls is inlined; the rest is #acquireAsync.
    if (!reentry && context !== undefined && record.held.length === 0 && context === enteredContext() && record.foreignLocked === undefined && this.#watches.size === 0) {
      const reusable = reusableEntry(context, record);
      if (reusable !== undefined) {
        const early = attempt(lock, options);
        if (early === RESOLVED_TRUE) return this.#rearm(context, reusable, record, permits);
        return this.#acquireAsync(lock, record, context, options, attempt, reentry, permits, early);
      }
    }
    return this.#acquireAsync(lock, record, context, options, attempt, reentry, permits, undefined);
  }

  /** An async acquisition, the ordinary way: `early`, the attempt already made, if one was. */
  #acquireAsync<L extends object, O>(
    lock: L,
    record: LockRecord,
    context: HeldContext | undefined,
    options: O,
    attempt: (lock: L, options: O) => Promise<boolean>,
    reentry: boolean,
    permits: number,
    early: Promise<boolean> | undefined,
  ): Promise<boolean> {
    let suspect: SuspectedSelfDeadlock | undefined;
    if (!reentry && (record.held.length > 0 || holdsAny(context))) {
      const refusal = this.#check(record, context, 'acquireAsync', options, false);
      suspect = this.#suspect;
      this.#suspect = undefined;
      if (refusal !== undefined) return Promise.reject(refusal);
    }
    // Whoever awaits this acquisition is an async context: the one already running, or a new one.
    const asyncContext = context === undefined || context.asyncContext === 0 ? this.#nextAsyncContext++ : context.asyncContext;
    const entry = new HeldEntry(record, PENDING, permits, reentry, asyncContext, this.#siteFor(record, asyncContext));
    const released = releasedIn(context, record);
    if (released !== undefined) succeed(released, entry);
    const carried = deriveContext(context, entry, asyncContext);
    // One of our primitives, watched: it waits with a signal of the validator's too, whose abort is its refusal.
    let refusal: AbortController | undefined;
    let attemptOptions = options;
    if (suspect !== undefined && record.foreignLocked === undefined) {
      const controller = new AbortController();
      const signalled = withSignal(options, controller.signal);
      if (signalled !== undefined) {
        refusal = controller;
        attemptOptions = signalled as O;
      }
    }
    let acquisition: Promise<boolean>;
    if (early !== undefined) acquisition = early;
    else {
      try {
        acquisition = attempt(lock, attemptOptions);
      } catch (error) {
        entry.state = FAILED;
        throw error;
      }
    }
    if (acquisition === RESOLVED_TRUE) {
      // Taken at once: held now, and a promise of its own carries the context (not the shared one).
      settle(entry);
      const taken = resolvedCarrying(carried);
      this.#pendingCarry = carried;
      return taken;
    }
    if (suspect !== undefined) acquisition = this.#watchHandOff(suspect, record, options, acquisition, refusal);
    // It waits: with other contexts of this thread waiting already, that may close a wait-for cycle.
    const pending = this.#pending;
    pending.add(entry);
    if (record.held.length > 0) this.#asyncWaitCycle(entry);
    const settled = acquisition.then(
      (taken) => {
        pending.delete(entry);
        if (taken) {
          settle(entry);
          // Let go of by the watchdog while it waited (it held nothing then): looked at again.
          if (!record.watched) this.#watchdog?.track(record);
        } else entry.state = FAILED;
        return taken;
      },
      (error: unknown) => {
        pending.delete(entry);
        if (error instanceof OwnerDiedError) settle(entry);
        else entry.state = FAILED;
        throw error;
      },
    );
    carry(settled, carried);
    this.#pendingCarry = carried;
    return settled;
  }

  /**
   * `entry`, released, is taken again for `context` (its only entry) in place, and handed on as a new
   * entry in a new context would be (async-context.ts's `rearm`).
   */
  #rearm(context: HeldContext, entry: HeldEntry, record: LockRecord, permits: number): Promise<boolean> {
    this.#rearmedSite = entry.site;
    entry.site = this.#siteFor(record, entry.asyncContext);
    entry.state = HELD;
    entry.permits = permits;
    entry.overdue = false;
    entry.epoch = holdEpoch;
    record.held.push(entry);
    this.#pendingCarry = context;
    return rearm(context, this.#releasedCopy);
  }

  /**
   * A context holding a copy of `context`'s re-taken entry, released and linked on to it: what the
   * ordinary path leaves the context of an acquisition whose lock was re-taken. For the code that
   * re-armed `context` when it goes on using it (`forking`: the copy keeps the entry's stack from
   * before), and for a promise that carried `context` before the re-arm.
   */
  readonly #releasedCopy = (context: HeldContext, forking: boolean): HeldContext => {
    const entry = context.held[0]!;
    const released = new HeldEntry(entry.record, RELEASED, 0, false, entry.asyncContext, forking ? this.#rearmedSite : undefined);
    if (forking) this.#rearmedSite = undefined;
    succeed(released, entry);
    return new HeldContext([released], context.asyncContext);
  };

  /**
   * `start` has just begun to wait: a cycle of async contexts of this thread, each waiting for a lock
   * the next one holds, back to `start`'s, is a deadlock happening now. It is reported, not refused
   * (the wait is under way); in `'throw'` mode it is printed, as the watchdog's reports are.
   */
  #asyncWaitCycle(start: HeldEntry): void {
    const path: HeldEntry[] = [start];
    const seen = new Set<number>([start.asyncContext]);
    const search = (waiting: HeldEntry): boolean => {
      for (const holder of waiting.record.held) {
        if (holder.state !== HELD) continue;
        if (holder.asyncContext === start.asyncContext) {
          if (path.length > 1) return true;
          continue;
        }
        if (holder.asyncContext === 0 || seen.has(holder.asyncContext)) continue;
        seen.add(holder.asyncContext);
        for (const next of this.#pending) {
          if (next.asyncContext !== holder.asyncContext || next.state !== PENDING) continue;
          path.push(next);
          if (search(next)) return true;
          path.pop();
        }
      }
      return false;
    };
    if (!search(start)) return;
    const root = this.#settings.root;
    const thread = describeCurrentThread();
    const parties = path.map((entry, index) => {
      const waitsFor = this.#classOf(entry.record);
      const site = index === 0 ? captureStack() : entry.site;
      return { thread, asyncContext: entry.asyncContext, waitsFor, ...(site === undefined ? {} : { site: siteOf(site, waitsFor.id, 'acquireAsync', contextOf(entry.asyncContext), root) }) };
    });
    this.#emitUnrefused(deadlockReport(parties, parties[0]!.site!, undefined, false));
  }

  classIdOf(lock: object): string {
    return this.#classOf(this.#record(lock, recordOf(lock))).id;
  }

  tryAcquired(lock: object, given: unknown, reentry: boolean, permits: number): void {
    // A try never waits, so it cannot deadlock: recorded as held, not checked (as lockdep's trylock).
    this.#holdNow(this.#record(lock, given), currentContext(), permits, reentry);
  }

  released(_lock: object, given: unknown, permits: number): void {
    const record = given as LockRecord | undefined;
    // Never seen by a validator: taken before it was on, nothing to match.
    if (record === undefined) return;
    if (record.generation !== this.#generation) {
      const fresh = record.generation < 0;
      this.#bind(record);
      if (!fresh) return;
    }
    const context = currentContext();
    if (context !== undefined && permits === 1) {
      // The usual release: of the last lock this context took (what releaseIn would find first).
      const held = context.held;
      const last = held.length === 0 ? undefined : held[held.length - 1];
      if (last !== undefined && last.record === record && last.state === HELD && last.permits === 1) {
        last.permits = 0;
        last.state = RELEASED;
        const holds = record.held;
        if (holds.length > 0 && holds[holds.length - 1] === last) holds.pop();
        else drop(last, 0);
        // A shared context is never changed in place (its sharers see the entry released); an unshared
        // one drops it, and then, listed nowhere else and linked to nothing, the entry is reusable.
        if (context.shared) return;
        held.pop();
        if (!last.copied && last.successor === undefined) record.spare = last;
        return;
      }
    }
    const left = releaseIn(context, record, permits);
    if (context !== undefined) trimReleased(context);
    if (left === 0) return;
    const others = record.held;
    const other = others.length === 0 ? undefined : record.kind === 'Semaphore' || record.kind === 'BoundedSemaphore' ? others[0] : others[others.length - 1];
    if (other !== undefined) drop(other, left);
    // An RLock checks its owner itself, and semaphores are handed between contexts by design; so are
    // async-mutex's releasers (`withTimeout(mutex)` resolves its own promise with one, in another context).
    if (record.kind !== 'Lock' || record.foreignLocked !== undefined) return;
    const lockClass = this.#classOf(record);
    const acquired = siteOf(captureStack(), lockClass.id, 'release', contextOf(context?.asyncContext ?? 0), this.#settings.root);
    const held = other?.site === undefined ? undefined : siteOf(other.site, lockClass.id, 'acquire', contextOf(other.asyncContext), this.#settings.root);
    const thrown = this.#settings.onReport === 'throw';
    const error = this.#emit(singleLockReport('release-not-held', lockClass, held, acquired, functionIdOf(acquired), thrown), false);
    if (error !== undefined) throw error;
  }

  carry<T>(start: () => Promise<T>): Promise<T> {
    const outer = this.#pendingCarry;
    this.#pendingCarry = undefined;
    try {
      const promise = start();
      const carried = this.#pendingCarry;
      if (carried !== undefined) carry(promise, carried);
      return promise;
    } finally {
      this.#pendingCarry = outer;
    }
  }

  /**
   * Checks an acquisition before it is made: the error to refuse it with, if any. A self-deadlock
   * without a timeout is always refused (it would never return); other findings only with `'throw'`.
   */
  #check(record: LockRecord, context: HeldContext | undefined, form: string, options: unknown, blocking: boolean): LockValidationError | undefined {
    const lockClass = this.#classOf(record);
    if (record.exclusive) {
      // Blocking, the thread sleeps: whichever of its contexts holds the lock can never release it.
      const held = record.held;
      // (`held[-1]` would be a slow named-property lookup, hence the length test.)
      const holder = heldIn(context, record) ?? (blocking && held.length > 0 ? held[held.length - 1] : undefined);
      // Not locked: released behind the validator's back (by another thread), so nobody waits.
      if (holder !== undefined && isLocked(record)) {
        // Asynchronous, someone else may release it (a library's releaser handed on, a task the holder
        // started, another callback): watched, not refused (hand-off-watch.ts). A Web Lock is
        // released only by its own callback's end: refused at once.
        const webLock = record.foreignLocked !== undefined && record.releaseAbandoned === undefined;
        if (blocking || webLock || this.#settings.selfDeadlockAfterMs === 0) {
          return this.#selfDeadlock(lockClass, holder, form, isBounded(options), captureStack(), context?.asyncContext ?? 0);
        }
        this.#suspect = { holder, form, bounded: isBounded(options), stack: captureStack(), asyncContext: context?.asyncContext ?? 0 };
      }
    }
    if (context === undefined) return undefined;
    let refusal: LockValidationError | undefined;
    const held = context.held;
    for (let index = 0; index < held.length; index++) {
      const entry = held[index]!;
      if (entry.state !== HELD) continue;
      const from = entry.record.lockClass;
      if (from === undefined || entry.record === record || from.lastFollower === lockClass) continue;
      if (this.#graph.has(from, lockClass)) {
        from.lastFollower = lockClass;
        continue;
      }
      refusal ??= this.#newOrder(entry, from, lockClass, form, context);
    }
    return refusal;
  }

  /** The first time `to` is taken while `from` is held: a new edge, maybe closing a cycle. */
  #newOrder(entry: HeldEntry, from: LockClass, to: LockClass, form: string, context: HeldContext): LockValidationError | undefined {
    const root = this.#settings.root;
    const acquired = siteOf(captureStack(), to.id, form, contextOf(context.asyncContext), root);
    const held = entry.site === undefined ? undefined : siteOf(entry.site, from.id, 'acquire', contextOf(entry.asyncContext), root);
    const seen = { held, acquired };
    const cycle = this.#graph.add({ from, to, seen });
    const thrown = this.#settings.onReport === 'throw';
    if (from === to) return this.#emit(singleLockReport('recursive-locking', to, held, acquired, functionIdOf(held ?? acquired), thrown), false);
    // Published even when this thread closed a cycle by itself: other threads' cycles may go through it.
    const across = this.#shared?.add(from, to, seen);
    const found = cycle ?? across;
    return found === undefined ? undefined : this.#emit(cycleReport(found, thrown), false);
  }

  /**
   * An acquisition that waits for a lock its own context holds, unless someone else releases it
   * (hand-off-watch.ts): another library's, through a promise of the watch's; one of ours, aborted
   * through `refusal` if it comes to that.
   */
  #watchHandOff(suspect: SuspectedSelfDeadlock, record: LockRecord, options: unknown, acquisition: Promise<boolean>, refusal: AbortController | undefined): Promise<boolean> {
    const confirm = (): LockValidationError | undefined => {
      if (suspect.holder.state !== HELD || !isLocked(record)) return undefined;
      const error = this.#selfDeadlock(this.#classOf(record), suspect.holder, suspect.form, suspect.bounded, suspect.stack, suspect.asyncContext);
      // Thrown where the acquisition was made, not in the timer that found it still waiting.
      if (error !== undefined) error.stack = trimOwnFrames(`${error.name}: ${error.message}\n${framesOf(suspect.stack)}`);
      return error;
    };
    const graceMs = this.#settings.selfDeadlockAfterMs;
    let watch: HandOffWatch | undefined;
    const watching = (current: HandOffWatch | undefined): void => {
      if (watch !== undefined) this.#watches.delete(watch);
      watch = current;
      if (current !== undefined) this.#watches.add(current);
    };
    if (record.releaseAbandoned !== undefined) return watchLibraryAcquisition(acquisition, graceMs, confirm, () => record.releaseAbandoned?.(options), watching);
    // Ours, given the refusal's signal; one that had no room for it (options the primitive refuses) is not watched.
    if (refusal !== undefined) watchOwnAcquisition(acquisition, graceMs, confirm, refusal, watching);
    return acquisition;
  }

  /** Another thread's lock class, as this thread's (the same id is the same class). */
  #classFromInfo(info: ValidatedLock): LockClass {
    return this.#classFor(info, info.kind, info.count);
  }

  #selfDeadlock(lockClass: LockClass, holder: HeldEntry, form: string, bounded: boolean, stack: CapturedStack, asyncContext: number): LockValidationError | undefined {
    const root = this.#settings.root;
    const acquired = siteOf(stack, lockClass.id, form, contextOf(asyncContext), root);
    const held = holder.site === undefined ? undefined : siteOf(holder.site, lockClass.id, 'acquire', contextOf(holder.asyncContext), root);
    // The fix goes where the lock was first taken (the holder calling on into the second acquisition).
    const refuse = !bounded || this.#settings.onReport === 'throw';
    return this.#emit(singleLockReport('self-deadlock', lockClass, held, acquired, functionIdOf(held ?? acquired), refuse), !bounded);
  }

  /** Records (and prints) a finding once; the error to throw when it must be refused. */
  #emit(report: LockValidationReport, refuse: boolean): LockValidationError | undefined {
    const key = `${report.kind}:${report.fingerprint}`;
    if (!this.#reported.has(key)) {
      this.#reported.add(key);
      this.#reports.push(report);
      if (this.#settings.onReport === 'warn') console.warn(formatLockValidationText([report]));
    }
    if (!refuse && this.#settings.onReport !== 'throw') return undefined;
    // Deep enough to get past the validator's and the primitives' frames to the user's call.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = Math.max(limit, 40);
    const error = new LockValidationError(`lock validation: ${reportTitle(report)} (the finding is error.report)`, report);
    Error.stackTraceLimit = limit;
    if (error.stack !== undefined) error.stack = trimOwnFrames(error.stack);
    return error;
  }

  /** `lock`'s record (`given`, what the caller read of it), made at its first acquisition if need be. */
  #record(lock: object, given: unknown): LockRecord {
    const record = (given as LockRecord | undefined) ?? attachRecord(new LockRecord(lock, kindOf(lock), undefined, undefined));
    if (record.generation !== this.#generation) this.#bind(record);
    else if (!record.watched) this.#watchdog?.track(record);
    return record;
  }

  #bind(record: LockRecord): void {
    if (this.#watchdog === undefined) record.watched = true;
    else this.#watchdog.track(record);
    record.generation = this.#generation;
    record.held.length = 0;
    record.spare = undefined;
    record.lockClass = undefined;
  }

  #classOf(record: LockRecord): LockClass {
    return (record.lockClass ??= this.#classFor(this.#nameOf(record), record.kind, record.count));
  }

  #nameOf(record: LockRecord): ClassName {
    const root = this.#settings.root;
    // nameLock() over a `name` option (or the name a handle brought), over the creation site.
    const id = record.explicitId ?? givenName(record.lock);
    if (id !== undefined) return { id, name: record.explicitName ?? (id.includes('#') ? id.slice(id.indexOf('#') + 1) : id) };
    // Created before the validator was on: the class of where it is first taken, for want of better.
    const frames = userFrames(parseStack(record.creation ?? captureStack()));
    if (record.creation !== undefined) return nameFromCreation(frames, root) ?? nameFromSite(frames[0], root);
    return (record.foreignLocked === undefined ? undefined : nameFromUse(frames, root)) ?? nameFromSite(frames[0], root);
  }

  /** The class `name.id` of this thread, made on first sight with the kind and count of its first lock. */
  #classFor(name: ClassName, kind: ValidatedKind, count: number | undefined): LockClass {
    let lockClass = this.#classes.get(name.id);
    if (lockClass === undefined) {
      lockClass = new LockClass(this.#classes.size, name.id, name.name, kind, count, name.declaredAt);
      this.#classes.set(name.id, lockClass);
    }
    return lockClass;
  }

  #siteFor(record: LockRecord, asyncContext: number): CapturedStack | undefined {
    const lockClass = this.#classOf(record);
    if (!this.#everySite && sitesSettled(lockClass, asyncContext)) return undefined;
    lockClass.sitesRecorded++;
    lockClass.lastSiteContext = asyncContext;
    return captureStack();
  }

  /** A synchronous acquisition (blocking or try): the running code holds it from now on. */
  #holdNow(record: LockRecord, context: HeldContext | undefined, permits: number, reentry: boolean): void {
    const asyncContext = context?.asyncContext ?? (inPromiseReaction() ? this.#nextAsyncContext++ : 0);
    const site = this.#siteFor(record, asyncContext);
    let entry = record.spare;
    if (entry === undefined) entry = new HeldEntry(record, HELD, permits, reentry, asyncContext, site);
    else {
      record.spare = undefined;
      entry.overdue = false;
      entry.state = HELD;
      entry.permits = permits;
      entry.reentry = reentry;
      entry.asyncContext = asyncContext;
      entry.site = site;
    }
    entry.epoch = holdEpoch;
    record.held.push(entry);
    // (No `successor`: a synchronous re-take is in the releasing context itself.)
    if (context !== undefined && !context.shared) context.held.push(entry);
    else enterContext(deriveContext(context, entry, asyncContext));
  }
}

/**
 * The entry of `context` a re-arm may take again for `record`: its only one, released, of this lock,
 * listed nowhere else and the newest of any run of re-takes (see `HeldEntry.successor`).
 */
function reusableEntry(context: HeldContext, record: LockRecord): HeldEntry | undefined {
  if (context.tags !== 1 || context.carriers > 1 || context.asyncContext === 0 || context.held.length !== 1) return undefined;
  const entry = context.held[0]!;
  if (entry.record !== record || entry.state !== RELEASED || entry.copied || entry.reentry || entry.asyncContext !== context.asyncContext) return undefined;
  const run = entry.successor;
  return run === undefined || run.newest === entry ? entry : undefined;
}

/**
 * Whether `lockClass` records no more acquisition sites for `asyncContext`: it has its first few, and
 * this context recorded the last one (a loop re-taking the lock adds nothing) or its budget is spent.
 */
function sitesSettled(lockClass: LockClass, asyncContext: number): boolean {
  return lockClass.sitesRecorded >= SITES_PER_CLASS && (lockClass.lastSiteContext === asyncContext || lockClass.sitesRecorded >= SITE_BUDGET_PER_CLASS);
}

function settle(entry: HeldEntry): void {
  entry.state = HELD;
  entry.epoch = holdEpoch;
  entry.record.held.push(entry);
}

/** Marks `permits` of `entry` released (all of a lock's one). */
function drop(entry: HeldEntry, permits: number): void {
  entry.permits -= permits;
  if (entry.permits > 0) return;
  entry.state = RELEASED;
  const held = entry.record.held;
  // Usually the newest: a pop, not a splice.
  if (held.length > 0 && held[held.length - 1] === entry) held.pop();
  else {
    const index = held.lastIndexOf(entry);
    if (index >= 0) held.splice(index, 1);
  }
}

/**
 * Releases `permits` from the entries `context` holds of `record`, newest first (an entry released
 * and re-taken for it, see `HeldEntry.successor`, counts as held); returns how many were not held.
 */
function releaseIn(context: HeldContext | undefined, record: LockRecord, permits: number): number {
  if (context === undefined) return permits;
  let left = permits;
  const held = context.held;
  for (let index = held.length - 1; index >= 0 && left > 0; index--) {
    const listed = held[index];
    if (listed === undefined || listed.record !== record) continue;
    const entry = newestOf(listed);
    if (entry.state !== HELD) continue;
    const taken = Math.min(left, entry.permits);
    drop(entry, taken);
    left -= taken;
  }
  return left;
}

/** The frame lines of a captured stack, without its first line (the message). */
function framesOf(stack: CapturedStack): string {
  const text = stack.stack ?? '';
  const newline = text.indexOf('\n');
  return newline === -1 ? '' : text.slice(newline + 1);
}

function isBounded(options: unknown): boolean {
  if (typeof options !== 'object' || options === null) return false;
  const { timeout, signal } = options as { readonly timeout?: unknown; readonly signal?: unknown };
  return (timeout !== undefined && timeout !== Infinity) || signal !== undefined;
}

function isLocked(record: LockRecord): boolean {
  const lock = record.lock;
  if (record.foreignLocked !== undefined) return record.foreignLocked();
  return lock instanceof Lock || lock instanceof RLock ? lock.locked : false;
}
