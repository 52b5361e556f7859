/**
 * What the validator keeps per lock object and per lock class. A record hangs off the lock object
 * (a non-enumerable symbol property: a property read, where a `WeakMap` lookup would cost more than
 * the acquisition itself); a class is what the order graph is made of.
 */
import { VALIDATION_RECORD, type Validated, type ValidatedKind } from '../internal/validation-hook.js';
import { ReadWriteLock } from '../read-write-lock.js';
import { RLock } from '../rlock.js';
import { BoundedSemaphore, Semaphore } from '../semaphore.js';
import type { HeldEntry } from './held-contexts.js';
import type { ValidationLocation } from './report.js';
import type { CapturedStack } from './stack-frames.js';

/** A lock class of this thread: every lock created by one line of source (or given one name). */
export class LockClass {
  /** Acquisitions of the class whose stack was recorded so far. */
  sitesRecorded = 0;
  /** The async context of the last one recorded: the first acquisition in another one is recorded too. */
  lastSiteContext = -1;
  /**
   * The last class seen taken while this one was held, its order already in the graph: a one-entry
   * cache before the graph's hash lookup, for the loop that takes the same inner lock under the same
   * outer one. Reset with the graph (each validator run makes its classes afresh).
   */
  lastFollower: LockClass | undefined = undefined;

  constructor(
    /** Its number in this thread's order graph. */
    readonly index: number,
    readonly id: string,
    readonly name: string,
    readonly kind: ValidatedKind,
    /** A semaphore's initial permits, when known. */
    readonly count: number | undefined,
    readonly declaredAt: ValidationLocation | undefined,
  ) {}
}

/** One lock object of this thread, as the validator knows it. */
export class LockRecord {
  /** Its class in the validator run `generation` (resolved at its first acquisition). */
  lockClass: LockClass | undefined;
  generation = -1;
  /** The entries of this lock held now by any context of this thread, oldest first. */
  readonly held: HeldEntry[] = [];
  /**
   * An entry of this lock that nothing refers to any more, kept for its next synchronous acquisition:
   * a loop of acquisitions then allocates nothing.
   */
  spare: HeldEntry | undefined;
  /** A name given with `nameLock` or `enableLockValidation({ names })`. */
  explicitId: string | undefined;
  /** What reports call it, when not the part of `explicitId` after its `#` (a Web Lock's `navigator.locks "name"`). */
  explicitName: string | undefined;
  /** A `Lock` or an `RLock`: taking it again where it is held waits (unless an `RLock` re-enters). */
  readonly exclusive: boolean;
  /**
   * Another library's lock (async-mutex): whether it is locked now, asked before a self-deadlock is
   * claimed; its class is named from where it is used, since its creation is not seen.
   */
  foreignLocked: (() => boolean) | undefined = undefined;
  /**
   * Another library's lock whose releasers are functions that travel (async-mutex, await-semaphore):
   * gives back, with the library's own release, a hold granted to an acquisition the validator
   * refused while it waited (see hand-off-watch.ts). Its presence is what makes taking such a lock
   * again where it is held watched rather than refused at once.
   */
  releaseAbandoned: ((options: unknown) => void) | undefined = undefined;
  /** Looked at by this thread's hold watchdog (hold-watchdog.ts); true as well where there is none. */
  watched = false;

  constructor(
    readonly lock: object,
    readonly kind: ValidatedKind,
    /** Where it was created, when the validator was on then. */
    readonly creation: CapturedStack | undefined,
    readonly count: number | undefined,
  ) {
    this.exclusive = kind === 'Lock' || kind === 'RLock';
  }
}

/**
 * The record of a lock object, if the validator has made one. Not for the acquisitions' path: there
 * the primitive hands over what it read (see `VALIDATION_RECORD`), since one read here for every kind
 * of lock is megamorphic.
 */
export function recordOf(lock: object): LockRecord | undefined {
  return (lock as Validated)[VALIDATION_RECORD] as LockRecord | undefined;
}

/** Hangs `record` off its lock object, invisibly to `Object.keys`, JSON and `util.inspect`. */
export function attachRecord(record: LockRecord): LockRecord {
  Object.defineProperty(record.lock, VALIDATION_RECORD, { value: record, writable: true, configurable: true, enumerable: false });
  return record;
}

/**
 * The record of another library's lock (async-mutex, await-semaphore, a Web Lock), made at its first
 * use since its creation is not seen: a mutex (exclusive: taking it again where it is held is a
 * self-deadlock) or a semaphore of `count` permits; `isLocked` says whether it is locked now, asked
 * before a self-deadlock is claimed; `releaseAbandoned`, for a library whose releasers travel, gives
 * back a hold granted after the validator refused its acquisition.
 */
export function attachForeignRecord(
  lock: object,
  mutex: boolean,
  count: number | undefined,
  isLocked: (record: LockRecord) => boolean,
  releaseAbandoned?: (options: unknown) => void,
): LockRecord {
  const record = attachRecord(new LockRecord(lock, mutex ? 'Lock' : 'Semaphore', undefined, mutex ? undefined : count));
  record.foreignLocked = () => isLocked(record);
  record.releaseAbandoned = releaseAbandoned;
  return record;
}

/** The kind of a primitive the validator meets without having seen it created. */
export function kindOf(lock: object): ValidatedKind {
  if (lock instanceof BoundedSemaphore) return 'BoundedSemaphore';
  if (lock instanceof Semaphore) return 'Semaphore';
  if (lock instanceof ReadWriteLock) return 'ReadWriteLock';
  return lock instanceof RLock ? 'RLock' : 'Lock';
}

/** Gives `lock` the class `id` from its next acquisition on, whether the validator is on yet or not. */
export function nameRecord(lock: object, id: string, name?: string): void {
  const record = recordOf(lock) ?? attachRecord(new LockRecord(lock, kindOf(lock), undefined, undefined));
  record.explicitId = id;
  record.explicitName = name;
  record.lockClass = undefined;
}
