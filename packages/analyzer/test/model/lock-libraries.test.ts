/**
 * The lock catalog beyond @lockstep/primitives, on real programs whose imports resolve from the
 * repository's node_modules: await-semaphore, async-lock (keyed locks), Web Locks from
 * `worker_threads` and `navigator`, async-mutex's `tryAcquire`/`withTimeout` decorators, and receivers
 * without a type (`any`, `unknown`) recognised by name.
 */
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { lockTypesWith } from '../../src/config/configured-lock-types.js';
import { LockIdentityResolver } from '../../src/model/lock-identity.js';
import { LockRecognizer, type LockOperation } from '../../src/model/lock-recognizer.js';
import { analyseSources, virtualProgram, VIRTUAL_ROOT } from '../support/virtual-program.js';

/** Every lock operation the recogniser finds in `main.ts`, in source order, with the method as written. */
function operationsIn(files: Record<string, string>): LockOperation[] {
  const { program, sources } = virtualProgram(files);
  const checker = program.getTypeChecker();
  const recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, VIRTUAL_ROOT), { lockTypes: lockTypesWith([]), nameFallback: true });
  const main = sources.find((source) => /main\.[cm]?[jt]s$/.test(source.fileName))!;
  const operations: LockOperation[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node)) {
      const operation = recognizer.operationOf(node, enclosingSignature(node));
      if (operation !== undefined) operations.push(operation);
    }
    ts.forEachChild(node, visit);
  };
  visit(main);
  return operations;
}

function enclosingSignature(node: ts.Node): ts.SignatureDeclaration | undefined {
  for (let current = node.parent; current !== undefined; current = current.parent) if (ts.isFunctionLike(current)) return current;
  return undefined;
}

/** The ambient Web Locks declarations of lib.dom, trimmed: Node 20's types have no `navigator.locks`. */
const WEB_LOCKS_D_TS = `interface LockManager {
  request<T>(name: string, callback: (lock: unknown) => T): Promise<Awaited<T>>;
  request<T>(name: string, options: { ifAvailable?: boolean; mode?: 'exclusive' | 'shared' }, callback: (lock: unknown) => T): Promise<Awaited<T>>;
}
declare const navigator: { readonly locks: LockManager };
`;

describe('await-semaphore', () => {
  it('finds an inversion between a Mutex taken by acquire() and one held by use(fn)', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex } from 'await-semaphore';
        export const accounts = new Mutex();
        export const audit = new Mutex();
        export async function transfer() {
          const release = await accounts.acquire();
          try { await audit.use(async () => 1); } finally { release(); }
        }
        export async function close() {
          await audit.use(async () => { await accounts.use(async () => 2); });
        }
        export async function afterRelease() {
          const release = await accounts.acquire();
          release();
          await audit.use(async () => 3);
        }`,
    });
    expect(result.edgeNames).toEqual(['accounts -> audit', 'audit -> accounts']);
    expect(result.findingNames).toEqual(['lock-order-cycle: accounts, audit']);
    expect(result.findings[0]!.guessed).toBe(false);
    expect(result.locks.get('main.ts#accounts')).toMatchObject({ flavor: 'mutex', source: 'await-semaphore' });
  });

  it('finds a Mutex taken again inside its own use(fn)', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex } from 'await-semaphore';
        const cache = new Mutex();
        async function refresh() { await cache.use(async () => 1); }
        export async function read() { await cache.use(async () => { await refresh(); }); }`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: cache']);
  });

  it("reads a Semaphore's count from new Semaphore(n) and reports a semaphore cycle", () => {
    const result = analyseSources({
      'main.ts': `import { Semaphore } from 'await-semaphore';
        const downloads = new Semaphore(3);
        const disk = new Semaphore(2);
        export async function fetchAll() { await downloads.use(async () => { const release = await disk.acquire(); release(); }); }
        export async function flush() { await disk.use(async () => { await downloads.use(async () => 1); }); }`,
    });
    expect(result.locks.get('main.ts#downloads')).toMatchObject({ flavor: 'semaphore', source: 'await-semaphore', count: 3 });
    expect(result.locks.get('main.ts#disk')).toMatchObject({ count: 2 });
    expect(result.findingNames).toEqual(['semaphore-cycle: disk, downloads']);
  });

  it('says acquire() resolves to the release function and use(fn) runs its first argument', () => {
    const [acquire, use] = operationsIn({
      'main.ts': `import { Mutex } from 'await-semaphore';
        const m = new Mutex();
        export async function f() { const release = await m.acquire(); release(); await m.use(async () => 1); }`,
    });
    expect(acquire).toMatchObject({ role: 'acquire', releaser: 'function', returnsPromise: true, bounded: false });
    expect(use).toMatchObject({ role: 'scoped', form: 'use', returnsPromise: true });
    expect(use!.callback).toBe(use!.call.arguments[0]);
  });
});

describe('async-lock', () => {
  const CACHE = `import AsyncLock from 'async-lock';
    export const locks = new AsyncLock();
    export const USERS = 'users';
  `;

  it('finds an inversion between two keys of one AsyncLock, and shows each key as a lock of its own', () => {
    const result = analyseSources({
      'cache.ts': CACHE,
      'main.ts': `import { locks, USERS } from './cache.js';
        export async function addUser() { await locks.acquire(USERS, async () => { await locks.acquire('orders', async () => 1); }); }
        export async function addOrder() { await locks.acquire('orders', async () => { await locks.acquire('users', async () => 2); }); }`,
    });
    expect(result.edgeNames).toEqual(['locks "orders" -> locks "users"', 'locks "users" -> locks "orders"']);
    expect(result.findingNames).toEqual(['lock-order-cycle: locks "orders", locks "users"']);
    expect(result.locks.get('cache.ts#locks["users"]')).toMatchObject({ name: 'locks "users"', flavor: 'mutex', source: 'async-lock' });
    expect(result.locks.get('cache.ts#locks["orders"]')).toMatchObject({ name: 'locks "orders"' });
  });

  it('keeps two keys apart and joins the same key named through a const', () => {
    const [first, second, third] = operationsIn({
      'cache.ts': CACHE,
      'main.ts': `import { locks, USERS } from './cache.js';
        const ALSO_USERS = 'users';
        export async function f() {
          await locks.acquire(USERS, () => 1);
          await locks.acquire(ALSO_USERS, () => 2);
          await locks.acquire('orders', () => 3);
        }`,
    });
    expect(first!.lock.info.id).toBe('cache.ts#locks["users"]');
    expect(second!.lock.info.id).toBe('cache.ts#locks["users"]');
    expect(third!.lock.info.id).toBe('cache.ts#locks["orders"]');
    expect(first!.lock.instance).toBe('singleton');
  });

  it('gives a key that is not constant an identity of its own at each site, never merged', () => {
    const result = analyseSources({
      'cache.ts': CACHE,
      'main.ts': `import { locks } from './cache.js';
        export async function f(a: string, b: string) { await locks.acquire(a, async () => { await locks.acquire(b, async () => 1); }); }
        export async function g(a: string, b: string) { await locks.acquire(b, async () => { await locks.acquire(a, async () => 1); }); }
        export async function h(a: string) { await locks.acquire(a, async () => { await locks.acquire(a, async () => 1); }); }`,
    });
    expect(result.findings).toEqual([]);
    const unresolved = [...result.locks.values()].filter((lock) => lock.id.startsWith('unknown:'));
    expect(unresolved).toHaveLength(6);
    expect(unresolved[0]!.name).toBe('locks[a] (unresolved)');
  });

  it('points the callback at the second argument and takes an array of keys in order', () => {
    const [single, several, tuple] = operationsIn({
      'cache.ts': CACHE,
      'main.ts': `import { locks } from './cache.js';
        const BOTH: ['users', 'orders'] = ['users', 'orders'];
        export async function f(done: () => void) {
          await locks.acquire('users', async () => 1, { maxPending: 10 });
          await locks.acquire(['users', 'orders'], async () => 2);
          locks.acquire(BOTH, (release) => release(), done);
        }`,
    });
    expect(single).toMatchObject({ role: 'scoped', form: 'acquire', bounded: false, returnsPromise: true });
    expect(single!.callback).toBe(single!.call.arguments[1]);
    expect(single!.locks).toBeUndefined();
    expect(several!.callback).toBe(several!.call.arguments[1]);
    expect(several!.lock.info.id).toBe('cache.ts#locks["users"]');
    expect(several!.locks?.map((lock) => lock.info.id)).toEqual(['cache.ts#locks["users"]', 'cache.ts#locks["orders"]']);
    expect(tuple!.locks?.map((lock) => lock.info.name)).toEqual(['locks "users"', 'locks "orders"']);
    // With a completion callback async-lock returns nothing: the lock is taken without an await.
    expect(tuple!.returnsPromise).toBe(false);
  });

  it("orders an array of keys: ['a', 'b'] against ['b', 'a'] is a cycle", () => {
    const result = analyseSources({
      'cache.ts': CACHE,
      'main.ts': `import { locks } from './cache.js';
        export async function f() { await locks.acquire(['a', 'b'], async () => 1); }
        export async function g() { await locks.acquire(['b', 'a'], async () => 2); }`,
    });
    expect(result.edgeNames).toEqual(['locks "a" -> locks "b"', 'locks "b" -> locks "a"']);
    expect(result.findingNames).toEqual(['lock-order-cycle: locks "a", locks "b"']);
  });

  it('finds a key taken again inside itself, unless the lock is domain-reentrant', () => {
    const result = analyseSources({
      'main.ts': `import AsyncLock from 'async-lock';
        const plain = new AsyncLock();
        const reentrant = new AsyncLock({ domainReentrant: true });
        export async function f() {
          await plain.acquire('job', async () => { await plain.acquire('job', async () => 1); });
          await reentrant.acquire('job', async () => { await reentrant.acquire('job', async () => 1); });
        }`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: plain "job"']);
    expect(result.locks.get('main.ts#reentrant["job"]')).toMatchObject({ flavor: 'reentrant' });
  });

  it('keys a class field per class, and orders nothing through a timeout', () => {
    const result = analyseSources({
      'main.ts': `import AsyncLock from 'async-lock';
        export class Cache {
          readonly locks = new AsyncLock();
          readonly patient = new AsyncLock({ timeout: 500 });
          async a() { await this.locks.acquire('x', async () => { await this.locks.acquire('y', async () => 1, { timeout: 100 }); }); }
          async b() { await this.locks.acquire('y', async () => { await this.patient.acquire('x', async () => 1); }); }
          async c() { await this.patient.acquire('x', async () => { await this.locks.acquire('x', async () => 1); }); }
        }`,
    });
    expect(result.edgeNames).toEqual(['Cache.patient "x" -> Cache.locks "x"']);
    expect(result.findings).toEqual([]);
  });
});

describe('async-sema', () => {
  it("takes a Sema for a semaphore whatever its field is called, its count from new Sema(n), and finds a cycle through it", () => {
    const result = analyseSources({
      'main.ts': `import { Sema } from 'async-sema';
        import { Mutex } from 'async-mutex';
        export class FileSystem {
          readonly fileIOQueue = new Sema(1);
          readonly cacheMutex = new Mutex();
          async read(): Promise<void> {
            await this.fileIOQueue.acquire();
            try { await this.cacheMutex.runExclusive(async () => 1); } finally { this.fileIOQueue.release(); }
          }
          async evict(): Promise<void> {
            await this.cacheMutex.runExclusive(async () => {
              await this.fileIOQueue.acquire();
              this.fileIOQueue.release();
            });
          }
        }`,
    });
    expect(result.locks.get('main.ts#FileSystem.fileIOQueue')).toMatchObject({ source: 'async-sema', flavor: 'semaphore', count: 1 });
    // One permit: a mutex in all but name, so the cycle is a plain lock-order cycle.
    expect(result.findings.map((finding) => [finding.kind, finding.guessed])).toEqual([['lock-order-cycle', false]]);
  });
});

describe('lock-shaped types no catalog entry knows', () => {
  const ETHEREUMJS_LOCK = `export class Lock {
  private permits = 1;
  async acquire(): Promise<boolean> { this.permits -= 1; return true; }
  release(): void { this.permits += 1; }
}
`;

  it('takes a class named Lock with acquire() and release() for a guessed lock', () => {
    const result = analyseSources({
      'lock.ts': ETHEREUMJS_LOCK,
      'main.ts': `import { Lock } from './lock.js';
        export class Chain {
          readonly _lock = new Lock();
          readonly storeLock = new Lock();
          async put(): Promise<void> {
            await this._lock.acquire();
            try { await this.storeLock.acquire(); this.storeLock.release(); } finally { this._lock.release(); }
          }
          async prune(): Promise<void> {
            await this.storeLock.acquire();
            try { await this._lock.acquire(); this._lock.release(); } finally { this.storeLock.release(); }
          }
        }`,
    });
    expect(result.findingNames).toEqual(['lock-order-cycle: Chain._lock, Chain.storeLock']);
    expect(result.findings[0]!.guessed).toBe(true);
    expect(result.locks.get('main.ts#Chain._lock')).toMatchObject({ source: 'name-fallback', flavor: 'mutex' });
  });

  it("takes a type alias Mutex = { lock(); unlock() } too (sqlocal's own mutex), and re-taking it is a self-deadlock", () => {
    const result = analyseSources({
      'main.ts': `export type Mutex = { lock(): Promise<void>; unlock(): Promise<void> };
        declare function createMutex(): Mutex;
        export class Processor {
          readonly transactionMutex: Mutex = createMutex();
          async exec(): Promise<void> {
            await this.transactionMutex.lock();
            try { await this.step(); } finally { await this.transactionMutex.unlock(); }
          }
          async step(): Promise<void> {
            await this.transactionMutex.lock();
            await this.transactionMutex.unlock();
          }
        }`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: Processor.transactionMutex']);
  });

  it('leaves alone a type named like a lock without the pair of methods, and a lock-shaped method pair on a type not named like one', () => {
    const operations = operationsIn({
      'main.ts': `interface LockFile { acquire(): Promise<void>; path: string }
        interface Pool { acquire(): Promise<void>; release(): void }
        interface Clock { lock(): void; unlock(): void }
        export async function f(file: LockFile, pool: Pool, clock: Clock) {
          await file.acquire();
          await pool.acquire(); pool.release();
          clock.lock(); clock.unlock();
        }`,
    });
    expect(operations).toEqual([]);
  });
});

describe('Web Locks', () => {
  it("takes worker_threads' locks and navigator.locks with the same name for one lock", () => {
    const result = analyseSources({
      'web-locks.d.ts': WEB_LOCKS_D_TS,
      'worker.ts': `import { locks } from 'node:worker_threads';
        export async function settle() { await locks.request('ledger', async () => { await locks.request('orders', async () => 1); }); }`,
      'main.ts': `export async function order() { await navigator.locks.request('orders', async () => { await navigator.locks.request('ledger', async () => 1); }); }`,
    });
    expect(result.edgeNames).toEqual(['navigator.locks "ledger" -> navigator.locks "orders"', 'navigator.locks "orders" -> navigator.locks "ledger"']);
    expect(result.findingNames).toEqual(['lock-order-cycle: navigator.locks "ledger", navigator.locks "orders"']);
    expect(result.findings[0]!.guessed).toBe(false);
  });

  it('recognises worker_threads locks renamed, through the namespace and from require, and a LockManager of any name', () => {
    const operations = operationsIn({
      'web-locks.d.ts': WEB_LOCKS_D_TS,
      'main.ts': `import { locks as webLocks } from 'node:worker_threads';
        import * as threads from 'worker_threads';
        const { locks: required } = require('node:worker_threads');
        export async function f(manager: LockManager, other: { locks: { request(name: string, cb: () => void): void } }) {
          await webLocks.request('a', async () => 1);
          await threads.locks.request('b', async () => 1);
          await required.request('c', async () => 1);
          await manager.request('d', async () => 1);
          other.locks.request('e', () => undefined);
        }`,
    });
    expect(operations.map((operation) => [operation.lock.info.id, operation.lock.guessed])).toEqual([
      ['web-lock:a', false],
      ['web-lock:b', false],
      ['web-lock:c', false],
      ['web-lock:d', false],
    ]);
  });
});

describe("async-mutex's tryAcquire and withTimeout", () => {
  it('orders nothing before a try-only or bounded acquisition, and keeps the lock identity of what it wraps', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex, Semaphore, tryAcquire, withTimeout, E_ALREADY_LOCKED } from 'async-mutex';
        export const a = new Mutex();
        export const b = new Mutex();
        export const pool = new Semaphore(2);
        const quickA = tryAcquire(a);
        export class Jobs {
          readonly gate = tryAcquire(new Mutex());
          readonly slow = withTimeout(new Semaphore(4), 100);
          async run() {
            await b.runExclusive(async () => {
              await tryAcquire(a).runExclusive(async () => 1);
              const [, release] = await tryAcquire(pool).acquire();
              release();
              await withTimeout(a, 50).runExclusive(async () => 1);
              await quickA.runExclusive(async () => 1);
              await this.gate.runExclusive(async () => 1);
              await this.slow.runExclusive(async () => 1);
            });
            try { await this.gate.runExclusive(async () => { await b.runExclusive(async () => 1); }); } catch (error) { if (error !== E_ALREADY_LOCKED) throw error; }
          }
        }
        export async function other() { await a.runExclusive(async () => { await b.runExclusive(async () => 1); }); }`,
    });
    // b → a would close a cycle with other(): every acquisition of a under b is try-only or bounded.
    expect(result.edgeNames).toEqual(['Jobs.gate -> b', 'a -> b']);
    expect(result.findings).toEqual([]);
    expect(result.locks.get('main.ts#Jobs.slow')).toMatchObject({ flavor: 'semaphore', count: 4 });
  });

  it('marks the operations try-only or bounded', () => {
    const operations = operationsIn({
      'main.ts': `import { Mutex, Semaphore, tryAcquire, withTimeout } from 'async-mutex';
        const m = new Mutex();
        const s = new Semaphore(2);
        const timed = withTimeout(new Mutex(), 100);
        export async function f() {
          await tryAcquire(m).runExclusive(() => 1);
          const release = await tryAcquire(m).acquire();
          release();
          await tryAcquire(s).acquire();
          await timed.acquire();
          await withTimeout(m, 10).runExclusive(() => 1);
        }`,
    });
    expect(operations.map((operation) => [operation.role, operation.lock.info.id, operation.tryOnly === true, operation.bounded])).toEqual([
      ['scoped', 'main.ts#m', true, false],
      ['tryAcquire', 'main.ts#m', false, false],
      ['tryAcquire', 'main.ts#s', false, false],
      ['acquire', 'main.ts#timed', false, true],
      ['scoped', 'main.ts#m', false, true],
    ]);
    expect(operations[1]).toMatchObject({ releaser: 'function', returnsPromise: true });
    expect(operations[2]).toMatchObject({ releaser: 'tuple' });
  });
});

describe('receivers without a type', () => {
  it('guesses a lock on a receiver typed any exactly as in plain JavaScript', () => {
    const typedAny = analyseSources({
      'main.ts': `const Mutex = require('await-semaphore').Mutex;
        export class Ledger {
          mutex = new Mutex();
          journalMutex = new Mutex();
          async post() { const release = await this.mutex.acquire(); try { await this.journalMutex.use(async () => 1); } finally { release(); } }
          async close() { await this.journalMutex.use(async () => { await this.mutex.use(async () => 1); }); }
        }`,
    });
    const plain = analyseSources({
      // A package that does not resolve: JavaScript with no types at all.
      'main.js': `const Mutex = require('vendored-semaphore').Mutex;
        export class Ledger {
          mutex = new Mutex();
          journalMutex = new Mutex();
          async post() { const release = await this.mutex.acquire(); try { await this.journalMutex.use(async () => 1); } finally { release(); } }
          async close() { await this.journalMutex.use(async () => { await this.mutex.use(async () => 1); }); }
        }`,
    });
    for (const result of [typedAny, plain]) {
      expect(result.findingNames).toEqual(['lock-order-cycle: Ledger.journalMutex, Ledger.mutex']);
      expect(result.findings[0]!.guessed).toBe(true);
      expect(result.locks.get(result === plain ? 'main.js#Ledger.mutex' : 'main.ts#Ledger.mutex')).toMatchObject({ source: 'name-fallback' });
    }
  });

  it('reports an awaited guessed acquisition as returning a promise that resolves to its release function', () => {
    const [acquire, use, keyed, unknownTyped] = operationsIn({
      'main.ts': `export async function f(cacheLock: any, jobsMutex: unknown) {
          const release = await cacheLock.acquire();
          release();
          await cacheLock.use(async () => 1);
          await cacheLock.acquire('users', async () => 2);
          await (jobsMutex as any).runExclusive(async () => 3);
        }`,
    });
    expect(acquire).toMatchObject({ role: 'acquire', releaser: 'function', returnsPromise: true });
    expect(acquire!.lock.guessed).toBe(true);
    expect(use).toMatchObject({ role: 'scoped', form: 'use' });
    expect(keyed).toMatchObject({ role: 'scoped', form: 'acquire' });
    expect(keyed!.callback).toBe(keyed!.call.arguments[1]);
    expect(keyed!.lock.info.name).toBe('f(cacheLock) "users"');
    expect(unknownTyped!.lock.guessed).toBe(true);
  });

  it('never guesses a wake lock (Android PowerManager.WakeLock, the Screen Wake Lock API) to be a lock', () => {
    const operations = operationsIn({
      'main.js': `export class RunnerService {
          initializeExecutionWindow(powerManager, timeout) {
            this.wakeLock = powerManager.newWakeLock(1, 'RunnerService');
            this.wakeLock.acquire(timeout);
          }
          gracefullyStop() { if (this.wakeLock.isHeld()) this.wakeLock.release(); }
        }
        export async function keepScreenOn(navigator, wake_lock) {
          const wakeLockSentinel = await navigator.wakeLock.request('screen');
          await wakeLockSentinel.release();
          wake_lock.acquire();
          wake_lock.release();
          const jobsLock = navigator.jobsLock;
          await jobsLock.acquire();
          jobsLock.release();
        }`,
    });
    expect(operations.map((operation) => [operation.role, operation.lock.info.name])).toEqual([
      ['acquire', 'jobsLock (local to keepScreenOn)'],
      ['release', 'jobsLock (local to keepScreenOn)'],
    ]);
  });

  it('guesses keyed async-lock acquisitions in plain JavaScript', () => {
    const result = analyseSources({
      'locks.js': `export function createLock() { return { acquire(key, fn) { return Promise.resolve(fn()); } }; }`,
      'main.js': `import { createLock } from './locks.js';
        const resourceLock = createLock();
        export function f() { return resourceLock.acquire('a', () => resourceLock.acquire('b', () => 1)); }
        export function g() { return resourceLock.acquire('b', () => resourceLock.acquire('a', () => 1)); }`,
    });
    expect(result.findingNames).toEqual(['lock-order-cycle: resourceLock "a", resourceLock "b"']);
    expect(result.findings[0]!.guessed).toBe(true);
  });

  it('counts the new libraries and worker_threads as lock libraries for the pre-pass', () => {
    const { program } = virtualProgram({ 'main.ts': 'export {};' });
    const checker = program.getTypeChecker();
    const recognizer = new LockRecognizer(checker, new LockIdentityResolver(checker, VIRTUAL_ROOT), { lockTypes: lockTypesWith([]), nameFallback: true });
    expect([...recognizer.lockModules!]).toEqual(expect.arrayContaining(['await-semaphore', 'async-lock', 'async-mutex', 'worker_threads', 'node:worker_threads']));
    expect(recognizer.methodNames.has('use')).toBe(true);
  });
});
