/**
 * The lock types the analysis knows: what each library's classes are called, which package declares
 * them, and which of their methods take, try, give back or scope the lock. Users extend it through the
 * config file's `lockTypes` (config/configured-lock-types.ts); the ESLint plugin reads the same catalog.
 */
import type { LockFlavor, LockSource } from './lock-info.js';

/** What a method call does to the lock it is called on. */
export type LockMethodRole =
  /** Blocks (or awaits) until held. */
  | 'acquire'
  /** Takes the lock only if free; never waits, so it cannot close a cycle. */
  | 'tryAcquire'
  | 'release'
  /** Holds the lock while its callback argument runs. */
  | 'scoped'
  /** Returns a disposable holding the lock, for `using`. */
  | 'hold';

/** One lock type: a class or interface, where it comes from and its methods' roles. */
export interface LockType {
  /** Declared name of the class or interface. */
  readonly name: string;
  /**
   * Where it must be declared: a package name (matched against the `name` of the package.json that
   * owns the declaring file, or of its DefinitelyTyped package: `@types/async-lock` declares
   * `async-lock`'s types) or an absolute file path. Absent: any declaration with that name.
   */
  readonly module?: string;
  readonly flavor: LockFlavor;
  readonly source: LockSource;
  readonly methods: ReadonlyMap<string, LockMethodRole>;
  /** async-mutex: `acquire()` resolves to the function that releases (a semaphore's to `[value, release]`). */
  readonly acquireReturnsReleaser?: 'function' | 'tuple';
  /** `new Condition(lock)`: the condition is held through the lock given to its constructor. */
  readonly wrapsConstructorLock?: boolean;
  /**
   * Methods that take a shared hold (a reader–writer lock's read side): the lock they hold is marked
   * `shared` (lock-ref.ts). The other acquiring methods take it exclusively.
   */
  readonly sharedMethods?: ReadonlySet<string>;
  /**
   * One object, many locks (async-lock): its scoped method takes a key first and the callback second,
   * `acquire(key, fn[, options])`. Each constant key is a lock of its own; an array of keys takes each
   * key's lock in turn while `fn` runs.
   */
  readonly keyed?: boolean;
  /**
   * Options of the constructor's first argument (an object literal) that change how the lock is held:
   * `reentrant` names one that, set to `true`, makes it reentrant (async-lock's `domainReentrant`);
   * `timeout` names one that, set to a number other than 0, bounds every wait (async-lock's `timeout`).
   */
  readonly constructorOptions?: { readonly reentrant?: string; readonly timeout?: string };
}

/**
 * A function that takes a lock and returns the same lock acquired differently (async-mutex's
 * decorators): `tryAcquire(mutex)` fails at once instead of waiting (`E_ALREADY_LOCKED`), so it orders
 * nothing; `withTimeout(mutex, ms)` gives up after `ms`, so it cannot wait forever.
 */
export interface LockWrapper {
  readonly name: string;
  /** The package that must declare it; an untyped callee of that name counts too (plain JavaScript). */
  readonly module: string;
  readonly effect: 'tryOnly' | 'bounded';
}

/** The lock-decorating functions the model sees through: the lock is their first argument. */
export const LOCK_WRAPPERS: readonly LockWrapper[] = [
  { name: 'tryAcquire', module: 'async-mutex', effect: 'tryOnly' },
  { name: 'withTimeout', module: 'async-mutex', effect: 'bounded' },
];

/**
 * Where the Web Locks API is imported from outside the browser: Node's `worker_threads.locks` (Node 24;
 * `import { locks } from 'node:worker_threads'`). A file that imports them can request Web Locks.
 */
export const WEB_LOCK_MODULES: readonly string[] = ['worker_threads', 'node:worker_threads'];

/** A method-name → role map from role → names lists. */
export function methodRoles(roles: Partial<Record<LockMethodRole, readonly string[]>>): ReadonlyMap<string, LockMethodRole> {
  const map = new Map<string, LockMethodRole>();
  for (const [role, names] of Object.entries(roles) as [LockMethodRole, readonly string[]][]) {
    for (const name of names) map.set(name, role);
  }
  return map;
}

const LOCKSTEP_METHODS = methodRoles({
  acquire: ['acquire', 'acquireAsync'],
  tryAcquire: ['tryAcquire'],
  release: ['release'],
  scoped: ['runExclusive'],
  hold: ['hold', 'holdAsync'],
});

/**
 * `@lockstep/primitives`' `ReadWriteLock`: the read side (shared) and the write side (exclusive) of one
 * lock. `downgrade()` keeps the lock held (as a read hold), so it is no operation here.
 */
const LOCKSTEP_READ_WRITE_METHODS = methodRoles({
  acquire: ['acquireRead', 'acquireReadAsync', 'acquireWrite', 'acquireWriteAsync'],
  tryAcquire: ['tryAcquireRead', 'tryAcquireWrite'],
  release: ['releaseRead', 'releaseWrite'],
  scoped: ['runRead', 'runWrite'],
  hold: ['holdRead', 'holdReadAsync', 'holdWrite', 'holdWriteAsync'],
});
const LOCKSTEP_READ_METHODS: ReadonlySet<string> = new Set(['acquireRead', 'acquireReadAsync', 'tryAcquireRead', 'runRead', 'holdRead', 'holdReadAsync']);

const ASYNC_MUTEX_METHODS = methodRoles({ acquire: ['acquire'], release: ['release'], scoped: ['runExclusive'] });

/** async-lock's `new AsyncLock({ domainReentrant: true, timeout: ms })`; the keyed name fallback reads them too. */
export const ASYNC_LOCK_OPTIONS = { reentrant: 'domainReentrant', timeout: 'timeout' } as const;

// await-semaphore: `acquire()` resolves to the function that releases; `use(fn)` holds it while `fn` runs.
const AWAIT_SEMAPHORE_METHODS = methodRoles({ acquire: ['acquire'], scoped: ['use'] });

// @livekit/mutex: `lock()` resolves to the function that releases (`const unlock = await m.lock()`);
// no other method takes or gives back the lock (`isLocked()` only asks).
const LIVEKIT_MUTEX_METHODS = methodRoles({ acquire: ['lock'] });

/** Locks recognised without any configuration. */
export const BUILT_IN_LOCK_TYPES: readonly LockType[] = [
  { name: 'Lock', module: '@lockstep/primitives', flavor: 'mutex', source: 'lockstep', methods: LOCKSTEP_METHODS },
  { name: 'RLock', module: '@lockstep/primitives', flavor: 'reentrant', source: 'lockstep', methods: LOCKSTEP_METHODS },
  { name: 'Semaphore', module: '@lockstep/primitives', flavor: 'semaphore', source: 'lockstep', methods: LOCKSTEP_METHODS },
  {
    name: 'BoundedSemaphore',
    module: '@lockstep/primitives',
    flavor: 'semaphore',
    source: 'lockstep',
    methods: LOCKSTEP_METHODS,
  },
  // Many readers or one writer: as a mutex, except that two read holds of one instance do not conflict.
  {
    name: 'ReadWriteLock',
    module: '@lockstep/primitives',
    flavor: 'mutex',
    source: 'lockstep',
    methods: LOCKSTEP_READ_WRITE_METHODS,
    sharedMethods: LOCKSTEP_READ_METHODS,
  },
  // A Condition is held through its lock; without one it owns an RLock.
  {
    name: 'Condition',
    module: '@lockstep/primitives',
    flavor: 'reentrant',
    source: 'lockstep',
    methods: LOCKSTEP_METHODS,
    wrapsConstructorLock: true,
  },
  // Subclasses of the shared base behave as plain locks unless their own type says otherwise.
  { name: 'Acquirable', module: '@lockstep/primitives', flavor: 'mutex', source: 'lockstep', methods: LOCKSTEP_METHODS },
  {
    name: 'Mutex',
    module: 'async-mutex',
    flavor: 'mutex',
    source: 'async-mutex',
    methods: ASYNC_MUTEX_METHODS,
    acquireReturnsReleaser: 'function',
  },
  {
    name: 'MutexInterface',
    module: 'async-mutex',
    flavor: 'mutex',
    source: 'async-mutex',
    methods: ASYNC_MUTEX_METHODS,
    acquireReturnsReleaser: 'function',
  },
  {
    name: 'Semaphore',
    module: 'async-mutex',
    flavor: 'semaphore',
    source: 'async-mutex',
    methods: ASYNC_MUTEX_METHODS,
    acquireReturnsReleaser: 'tuple',
  },
  {
    name: 'SemaphoreInterface',
    module: 'async-mutex',
    flavor: 'semaphore',
    source: 'async-mutex',
    methods: ASYNC_MUTEX_METHODS,
    acquireReturnsReleaser: 'tuple',
  },
  {
    name: 'AwaitLock',
    module: 'await-lock',
    flavor: 'mutex',
    source: 'await-lock',
    methods: methodRoles({ acquire: ['acquireAsync'], tryAcquire: ['tryAcquire'], release: ['release'] }),
  },
  // await-semaphore's `Mutex` extends its `Semaphore`: matched by its own name first.
  {
    name: 'Mutex',
    module: 'await-semaphore',
    flavor: 'mutex',
    source: 'await-semaphore',
    methods: AWAIT_SEMAPHORE_METHODS,
    acquireReturnsReleaser: 'function',
  },
  {
    name: 'Semaphore',
    module: 'await-semaphore',
    flavor: 'semaphore',
    source: 'await-semaphore',
    methods: AWAIT_SEMAPHORE_METHODS,
    acquireReturnsReleaser: 'function',
  },
  // @livekit/mutex (LiveKit's client SDKs): `Mutex`, and `MultiMutex(limit)`, which lets `limit` holders
  // in at once (a semaphore, its count from `new MultiMutex(n)`). Both are acquired by `lock()`, which
  // resolves to the function that releases.
  {
    name: 'Mutex',
    module: '@livekit/mutex',
    flavor: 'mutex',
    source: '@livekit/mutex',
    methods: LIVEKIT_MUTEX_METHODS,
    acquireReturnsReleaser: 'function',
  },
  {
    name: 'MultiMutex',
    module: '@livekit/mutex',
    flavor: 'semaphore',
    source: '@livekit/mutex',
    methods: LIVEKIT_MUTEX_METHODS,
    acquireReturnsReleaser: 'function',
  },
  // @aws-amplify/core's `Mutex` (exported from `@aws-amplify/core/internals/utils`, used by Amplify
  // DataStore): a port of async-mutex's, `acquire()` resolving to the releaser and `runExclusive(fn)`.
  {
    name: 'Mutex',
    module: '@aws-amplify/core',
    flavor: 'mutex',
    source: '@aws-amplify/core',
    methods: ASYNC_MUTEX_METHODS,
    acquireReturnsReleaser: 'function',
  },
  // async-sema (Vercel's; @vercel/nft bounds its file I/O with one): `acquire()` resolves once a
  // permit is free, `tryAcquire()` takes one only if free, `release()` gives one back; the count comes
  // from `new Sema(n)`.
  {
    name: 'Sema',
    module: 'async-sema',
    flavor: 'semaphore',
    source: 'async-sema',
    methods: methodRoles({ acquire: ['acquire'], tryAcquire: ['tryAcquire'], release: ['release'] }),
  },
  // async-lock: its types come from @types/async-lock, which counts as declaring the package's own.
  {
    name: 'AsyncLock',
    module: 'async-lock',
    flavor: 'mutex',
    source: 'async-lock',
    methods: methodRoles({ scoped: ['acquire'] }),
    keyed: true,
    constructorOptions: ASYNC_LOCK_OPTIONS,
  },
];

/**
 * Method names the name-based fallback treats as lock operations on a lock-named receiver. One more
 * form is told by its arguments: `acquire(key, fn)` with a function second is async-lock's keyed
 * scoped form (see `keyed` above).
 */
export const FALLBACK_METHODS = methodRoles({
  acquire: ['acquire', 'acquireAsync', 'lock', 'lockAsync'],
  tryAcquire: ['tryAcquire', 'tryLock'],
  release: ['release', 'unlock'],
  scoped: ['runExclusive', 'withLock', 'use'],
  hold: ['hold', 'holdAsync'],
});

/**
 * What makes a type no catalog entry knows lock-shaped, beside a lock-like name: one method that takes
 * it and one that gives it back (the recogniser's lock-shaped types; no-unreleased-lock's lock classes).
 */
export const LOCK_SHAPE_METHODS = {
  acquire: ['acquire', 'acquireAsync', 'lock', 'lockAsync'],
  release: ['release', 'unlock'],
} as const satisfies Record<string, readonly string[]>;

const LOCK_WORDS = new Set(['lock', 'rlock', 'mutex', 'sem', 'sema', 'semaphore']);

/**
 * Words that make a lock-like name something other than mutual exclusion: a name with one of them is
 * never guessed to be a lock, whatever else it says.
 *
 * - `wake`: a wake lock keeps a device awake and excludes nobody — Android's `PowerManager.WakeLock`
 *   (`this.wakeLock = powerManager.newWakeLock(…)`; `wakeLock.acquire(timeout)` is held for a time
 *   window on purpose and expires by itself) and the Screen Wake Lock API (`navigator.wakeLock.request()`,
 *   a `WakeLockSentinel` released when the page hides). `wakeLock`, `wake_lock`, `WakeLockSentinel`.
 */
export const NOT_LOCK_WORDS: ReadonlySet<string> = new Set(['wake']);

/**
 * Whether an identifier reads as a lock: one of its words (camelCase, snake_case or kebab) is `lock`,
 * `rlock`, `mutex`, `sem` or `semaphore` — `accountsLock`, `LEDGER_MUTEX`, `dbSem`, but not `clock`
 * or `blockSize` — and none is in {@link NOT_LOCK_WORDS} (`wakeLock` is not a mutex).
 */
export function looksLikeLockName(name: string): boolean {
  const words = identifierWords(name);
  return words.some((word) => LOCK_WORDS.has(word)) && !words.some((word) => NOT_LOCK_WORDS.has(word));
}

const CONDITION_WORDS = new Set(['cond', 'conds', 'condition', 'conditions', 'condvar', 'cv']);

/**
 * Whether an identifier reads as a condition variable: one of its words is `cond`, `condition`,
 * `condvar` or `cv` — `notEmptyCond`, `QUEUE_CV`, `condition` — but not `second`.
 */
export function looksLikeConditionName(name: string): boolean {
  return identifierWords(name).some((word) => CONDITION_WORDS.has(word));
}

/** A flavor guessed from a lock-like name. */
export function flavorFromName(name: string): LockFlavor {
  const words = identifierWords(name);
  if (words.some((word) => word === 'sem' || word === 'sema' || word === 'semaphore')) return 'semaphore';
  if (words.some((word) => word === 'rlock' || word === 'reentrant')) return 'reentrant';
  return 'mutex';
}

/** camelCase, snake_case and kebab-case words of an identifier, lower-cased; `tableRLock` gives table, rlock. */
export function identifierWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word.length > 0)
    .map((word) => word.toLowerCase())
    // `tableRLock` splits as table, r, lock: the r belongs to the lock.
    .reduce<string[]>((words, word) => {
      if (word === 'lock' && words[words.length - 1] === 'r') words[words.length - 1] = 'rlock';
      else words.push(word);
      return words;
    }, []);
}

/** Every method name any lock type gives a role to: the cheap syntactic filter before asking for types. */
export function lockMethodNames(types: readonly LockType[], nameFallback: boolean): ReadonlySet<string> {
  const names = new Set<string>();
  for (const type of types) for (const name of type.methods.keys()) names.add(name);
  if (nameFallback) for (const name of FALLBACK_METHODS.keys()) names.add(name);
  names.add('request'); // navigator.locks.request
  return names;
}
