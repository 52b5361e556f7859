/**
 * A lock as the analysis tracks it through a function: which abstract lock (its identity, shared with
 * the report's LockInfo) and which instance of it, as far as the code lets us tell.
 */
import type ts from 'typescript';
import type { LockInfo } from './lock-info.js';

/**
 * Which instance of a lock class an expression denotes, used only to tell a real self-deadlock (the
 * same lock taken twice) from two instances of one class (`a.lock` then `b.lock`):
 * - `singleton`: there is one (module variable, static field, Web Lock name);
 * - `this`: the field of the object the method runs on;
 * - `symbol:N`: the lock a given local variable or parameter holds;
 * - `unknown`: anything else — never equal to another instance.
 */
export type LockInstance = 'singleton' | 'this' | `symbol:${number}` | 'unknown';

export interface LockRef {
  readonly info: LockInfo;
  readonly instance: LockInstance;
  /**
   * Set when the lock is a parameter of the function being analysed: callers substitute the lock they
   * pass (so `withBoth(a, b)` and `withBoth(b, a)` make a cycle between `a` and `b`).
   */
  readonly parameter?: {
    readonly owner: ts.SignatureDeclaration;
    readonly index: number;
    /**
     * A Web Lock whose name the function builds from its parameters (`` `mutation_(${options.key})` ``):
     * each caller's arguments name the lock it takes. `index` is then the first parameter the name reads.
     */
    readonly webLockName?: WebLockNameTemplate;
  };
  /** Recognised by the name-based fallback. */
  readonly guessed: boolean;
  /**
   * Taken as a shared hold: a `ReadWriteLock` read hold (`acquireRead`, `holdRead`, `runRead`…).
   * Absent for exclusive holds and every other lock. Read and write holds of one lock are one lock
   * (one identity); only a shared hold taken again on the same instance while a shared hold of it is
   * held is no self-deadlock (the runtime lets a holder's nested read in even past a waiting writer).
   */
  readonly shared?: true;
}

/** The parts of a Web Lock name built by a template or `+`: literal text, and reads of the function's parameters. */
export type WebLockNameTemplate = readonly WebLockNamePart[];

export type WebLockNamePart =
  | { readonly text: string }
  | { readonly parameter: number; readonly path: readonly string[]; /** As written, for the report. */ readonly shown: string }
  /** A value an outer helper resolved (`this.prefix`) before passing the rest on: its identity, shown text and instance. */
  | { readonly value: string; readonly shown: string; readonly instance: LockInstance };

/** Key of the abstract lock plus its instance, for matching a release with its acquisition. */
export function instanceKey(ref: LockRef): string {
  return `${ref.info.id}@${ref.instance}`;
}

/** Whether two refs certainly denote one lock object (not just one lock class). */
export function sameInstance(a: LockRef, b: LockRef): boolean {
  return a.info.id === b.info.id && a.instance !== 'unknown' && a.instance === b.instance;
}
