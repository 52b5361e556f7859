/**
 * lockdep's held-lock stack, for JavaScript: which locks a context holds. A context is a thread's
 * synchronous code, or an async context: the code that awaited an async acquisition, with what it
 * awaits and starts while it holds the lock (async-context.ts carries contexts along promises).
 *
 * Contexts are shared by everything that inherited them, so they are never changed in place once
 * shared: taking a lock makes a new context (the old one's held entries plus the new one), and a
 * release marks its entry released, which every sharer then sees. A context nobody inherited yet
 * (`shared` false) is changed in place, so a loop of blocking acquisitions allocates one entry each.
 * One shared context is changed in place too, provisionally: an async context that re-takes the lock
 * it has just released, when nothing but its awaiter runs in it (async-context.ts's `rearm`).
 */
import type { LockRecord } from './lock-records.js';
import type { CapturedStack } from './stack-frames.js';

/** An async acquisition not settled yet. */
export const PENDING = 0;
export const HELD = 1;
export const RELEASED = 2;
/** An acquisition that timed out, was aborted or threw: nothing is held. */
export const FAILED = 3;
export type EntryState = typeof PENDING | typeof HELD | typeof RELEASED | typeof FAILED;

/**
 * One acquisition of one lock by one context. (Fields are `declare`d and assigned in the constructor: emitted
 * class fields are defined by an initializer function V8 runs apart, one call more per acquisition.)
 */
export class HeldEntry {
  /**
   * Where a later acquisition of the same lock made for this entry's context after it released it
   * is found: what `Condition.waitAsync` does (it releases the lock, then awaits re-taking it inside
   * a helper whose context the caller does not share). The caller's release then releases the
   * re-taken entry. Shared by every entry of such a run of re-takes (see {@link Successor}).
   */
  declare successor: Successor | undefined;
  /** Whether a context other than the one that took it lists it (then it is never reused). */
  declare copied: boolean;
  /** The watchdog's tick when it was taken (hold-watchdog.ts). */
  declare epoch: number;
  /** Reported as held too long already. */
  declare overdue: boolean;
  declare readonly record: LockRecord;
  declare state: EntryState;
  /** Semaphore permits (1 for a lock). */
  declare permits: number;
  /** An `RLock` taken again by its owner. */
  declare reentry: boolean;
  /** The async context number of the context that took it (0: the thread's synchronous code). */
  declare asyncContext: number;
  /** Its stack, when recorded (see `LockRecord`'s class `sitesRecorded`). */
  declare site: CapturedStack | undefined;

  constructor(record: LockRecord, state: EntryState, permits: number, reentry: boolean, asyncContext: number, site: CapturedStack | undefined) {
    this.successor = undefined;
    this.copied = false;
    this.epoch = 0;
    this.overdue = false;
    this.record = record;
    this.state = state;
    this.permits = permits;
    this.reentry = reentry;
    this.asyncContext = asyncContext;
    this.site = site;
  }
}

/**
 * The newest of a run of entries, each a re-take of the lock for the context of the one before it
 * released it (see `HeldEntry.successor`). One object for up to {@link RUN_LINKS} entries, not a
 * link from each entry to the next: a long async flow re-taking a lock in a loop, whose first
 * context a promise keeps alive, would otherwise keep every entry it ever made (about 100 bytes per
 * acquisition); a run keeps one. A run is not shared for ever, because it would then live long
 * enough to be promoted to the old generation, and storing each new (young) entry into it would
 * cost every acquisition a write barrier (about 15 ns of the loop's 160): a full run ends with its
 * newest entry, which starts the next run.
 */
export class Successor {
  links = 1;
  constructor(public newest: HeldEntry) {}
}

const RUN_LINKS = 64;

/** Makes `entry` the newest re-take of `released`'s run. */
export function succeed(released: HeldEntry, entry: HeldEntry): void {
  const run = released.successor;
  if (run !== undefined && run.links < RUN_LINKS) {
    run.newest = entry;
    run.links += 1;
    entry.successor = run;
    return;
  }
  // The first re-take, or a run that is full: `released` (its run's newest) leads on to a new one.
  const fresh = new Successor(entry);
  released.successor = fresh;
  entry.successor = fresh;
}

/** The entry `entry` stands for now: itself, or, released, the newest re-take of it (following full runs). */
export function newestOf(entry: HeldEntry): HeldEntry {
  let current = entry;
  for (let hops = 0; current.state === RELEASED && hops < MAX_HOPS; hops++) {
    const next = current.successor?.newest;
    if (next === undefined || next === current) break;
    current = next;
  }
  return current;
}

/** A bound on the walk, against a cycle of runs that nothing should make. */
const MAX_HOPS = 1 << 16;

let currentRun = 0;

/** Starts a validator run: contexts of earlier runs, still on old promises, no longer count. */
export function startContextRun(): void {
  currentRun += 1;
}

/** Whether `context` belongs to the running validator. */
export function isOfThisRun(context: HeldContext): boolean {
  return context.run === currentRun;
}

/** The locks one context holds, in the order taken. */
export class HeldContext {
  /** Whether a promise or a carried acquisition refers to it (then it is never changed in place). */
  declare shared: boolean;
  /** The validator run it belongs to. */
  declare readonly run: number;
  /** How many promises were tagged with it (its code runs in their reactions; since its last re-arm). */
  declare tags: number;
  /** How many promises carried it to their awaiters (since its last re-arm). */
  declare carriers: number;
  /** How many times it was re-armed (async-context.ts's `rearm`). */
  declare arms: number;
  declare readonly held: HeldEntry[];
  declare readonly asyncContext: number;

  constructor(held: HeldEntry[], asyncContext: number) {
    this.shared = false;
    this.run = currentRun;
    this.tags = 0;
    this.carriers = 0;
    this.arms = 0;
    this.held = held;
    this.asyncContext = asyncContext;
  }
}

/** A new context: `from`'s entries still held (or pending), then `entry`. */
export function deriveContext(from: HeldContext | undefined, entry: HeldEntry, asyncContext: number): HeldContext {
  // The usual case, a context holding nothing else: a one-element literal, not a grown array (its
  // backing store would have room for 16; contexts are made per async acquisition).
  if (from === undefined || !holdsLive(from.held)) return new HeldContext([entry], asyncContext);
  const held: HeldEntry[] = [];
  for (const each of from.held) {
    if (!isLive(each)) continue;
    each.copied = true;
    held.push(each);
  }
  held.push(entry);
  return new HeldContext(held, asyncContext);
}

function isLive(entry: HeldEntry): boolean {
  return entry.state === HELD || entry.state === PENDING;
}

function holdsLive(held: readonly HeldEntry[]): boolean {
  for (let index = 0; index < held.length; index++) if (isLive(held[index]!)) return true;
  return false;
}

/** Whether `context` holds a lock now (its entries may all be released: a shared context keeps them). */
export function holdsAny(context: HeldContext | undefined): boolean {
  if (context === undefined) return false;
  const held = context.held;
  for (let index = 0; index < held.length; index++) if (held[index]!.state === HELD) return true;
  return false;
}

/** The newest entry of `record` that `context` holds. */
export function heldIn(context: HeldContext | undefined, record: LockRecord): HeldEntry | undefined {
  if (context === undefined) return undefined;
  const held = context.held;
  for (let index = held.length - 1; index >= 0; index--) {
    const entry = held[index]!;
    if (entry.record === record && entry.state === HELD) return entry;
  }
  return undefined;
}

/** The newest entry of `record` in `context` that it released: a re-acquisition for it links to it. */
export function releasedIn(context: HeldContext | undefined, record: LockRecord): HeldEntry | undefined {
  if (context === undefined) return undefined;
  const held = context.held;
  for (let index = held.length - 1; index >= 0; index--) {
    const entry = held[index]!;
    if (entry.record === record && entry.state === RELEASED) return entry;
  }
  return undefined;
}

/** Drops the released entries at the end of a context nobody shares, so a loop does not grow it. */
export function trimReleased(context: HeldContext): void {
  if (context.shared) return;
  const held = context.held;
  while (held.length > 0 && held[held.length - 1]!.state === RELEASED) held.pop();
}
