/**
 * The analysis end to end on small real programs (TypeScript checker included): how locks are held,
 * how calls carry them, which cycles are findings and which are not.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const LOCKS = `import { Lock, RLock, Semaphore, Condition } from '@lockstep/primitives';
export const a = new Lock();
export const b = new Lock();
export const c = new Lock();
export const gate = new Lock();
export const r = new RLock();
export const pool = new Semaphore(2);
export const slots = new Semaphore(2);
export const single = new Semaphore(1);
export const cond = new Condition(a);
`;

function analyse(main: string, extra: Record<string, string> = {}) {
  return analyseSources({ 'locks.ts': LOCKS, 'main.ts': `import { a, b, c, gate, r, pool, slots, single, cond } from './locks.js';\n${main}`, ...extra });
}

describe('holding locks inside one function', () => {
  it('orders a lock taken while another is held', () => {
    const result = analyse(`export function f() { a.acquire(); b.acquire(); b.release(); a.release(); }`);
    expect(result.edgeNames).toEqual(['a -> b']);
    expect(result.findings).toEqual([]);
  });

  it('does not order locks taken one after the other', () => {
    expect(analyse(`export function f() { a.acquire(); a.release(); b.acquire(); b.release(); }`).edgeNames).toEqual([]);
  });

  it('keeps a lock held on the paths that did not release it', () => {
    const result = analyse(`export function f(x: boolean) {
      a.acquire();
      if (x) { a.release(); return; }
      b.acquire(); b.release(); a.release();
    }
    export function g(x: boolean) {
      a.acquire();
      if (x) { a.release(); } else { c.acquire(); c.release(); }
      b.acquire(); b.release();
    }`);
    expect(result.edgeNames).toEqual(['a -> b', 'a -> c']);
  });

  it('releases in finally on every way out of the try block', () => {
    const result = analyse(`export function withA(x: boolean): number {
      a.acquire();
      try { if (x) return 1; b.acquire(); b.release(); return 2; } finally { a.release(); }
    }
    export function caller() { c.acquire(); withA(true); c.release(); gate.acquire(); withA(false); b.acquire(); }`);
    // No `c -> b`: `withA(true)` returns before taking b (`if (x) return 1` guards what follows, settled by the argument).
    expect(result.edgeNames).toEqual(['a -> b', 'c -> a', 'gate -> a', 'gate -> b']);
  });

  it('a lock given back on one branch and taken again under the same flag is no self-deadlock (@ethereumjs/blockchain iterator)', () => {
    const result = analyse(`export async function iterate(items: number[], releaseOnCallback: boolean, onItem: (n: number) => Promise<void>) {
      a.acquire();
      try {
        for (const item of items) {
          if (releaseOnCallback) a.release();
          try { await onItem(item); } finally { if (releaseOnCallback) a.acquire(); }
          b.acquire(); b.release();
        }
      } finally { a.release(); }
    }`);
    expect(result.findingNames).toEqual([]);
    // Still held on the other path: it orders what comes after it.
    expect(result.edgeNames).toEqual(['a -> b']);
    // Released on neither branch: taking it again is the self-deadlock it always was.
    const again = analyse(`export function f(flag: boolean) { a.acquire(); if (flag) { b.acquire(); b.release(); } a.acquire(); }`);
    expect(again.findingNames).toEqual(['self-deadlock: a']);
  });

  it('holds a using declaration until its block ends', () => {
    const result = analyse(`export function f() {
      { using _held = a.hold(); b.acquire(); b.release(); }
      c.acquire(); c.release();
    }
    export async function g() {
      await using _held = await b.holdAsync();
      await c.acquireAsync(); c.release();
    }`);
    expect(result.edgeNames).toEqual(['a -> b', 'b -> c']);
  });

  it('holds a lock while its runExclusive callback runs, inline or passed by name', () => {
    const result = analyse(`function takeC() { c.acquire(); c.release(); }
    export async function f() {
      await a.runExclusive(async () => { await b.acquireAsync(); b.release(); });
      await b.runExclusive(takeC);
    }`);
    expect(result.edgeNames).toEqual(['a -> b', 'b -> c']);
  });

  it('does not order a try-lock after what is held, but orders what is taken while it is held', () => {
    const result = analyse(`export function f() {
      b.acquire();
      if (a.tryAcquire()) { c.acquire(); c.release(); a.release(); }
      b.release();
      if (!c.tryAcquire()) return;
      gate.acquire();
    }`);
    expect(result.edgeNames).toEqual(['a -> c', 'b -> c', 'c -> gate']);
  });

  it('does not count a timed acquisition as a wait that can deadlock', () => {
    const result = analyse(`export function f() { a.acquire(); if (a.acquire({ timeout: 50 })) a.release(); b.acquire({ timeout: 10 }); c.acquire(); }`);
    expect(result.findings).toEqual([]);
    expect(result.edgeNames).toEqual(['a -> c', 'b -> c']);
  });

  it('does not hold an async acquisition nobody awaits', () => {
    const result = analyse(`export async function f() {
      const pending = a.acquireAsync();
      b.acquire(); b.release();
      void a.runExclusive(async () => { await c.acquireAsync(); c.release(); });
      await pending;
    }`);
    expect(result.edgeNames).toEqual(['a -> c']);
  });

  it('releases through a guard kept in a variable', () => {
    const result = analyse(`export function f() {
      const guard = a.hold();
      guard[Symbol.dispose]();
      const other = b.hold();
      other.release();
      c.acquire(); c.release();
    }`);
    expect(result.edgeNames).toEqual([]);
  });

  it('sees locks still held in the next iteration of a loop', () => {
    // Never released: the second iteration orders b before a, and waits for the locks it holds.
    expect(analyse(`export function f(n: number) { for (let i = 0; i < n; i++) { a.acquire(); b.acquire(); } }`).findingNames.sort()).toEqual([
      'lock-order-cycle: a, b',
      'self-deadlock: a',
      'self-deadlock: b',
    ]);
  });

  it('walks nested loops once more each only for a lock not already held: twelve levels re-taking a, then b, as the shallow case', () => {
    // Each loop walked its body twice whatever it held, so twelve nested loops walked the innermost
    // 4 096 times (ten took minutes); a second walk finds nothing new for a class already held.
    const depth = 12;
    const body = `${'while (more()) { a.acquire();\n'.repeat(depth)}b.acquire();\n${'}'.repeat(depth)}`;
    const result = analyse(`declare function more(): boolean;\nexport function f() {\n${body}\n}`);
    const names = result.findingNames;
    // One self-deadlock of a for each of its acquisitions (each waits for the ones above it, or for itself in the next iteration), and b's
    // next iteration waiting for itself and ordering b before a.
    expect(names.filter((name) => name === 'self-deadlock: a')).toHaveLength(depth);
    expect(names.filter((name) => name !== 'self-deadlock: a').sort()).toEqual(['lock-order-cycle: a, b', 'self-deadlock: b']);
    expect(result.edgeNames.sort()).toEqual(['a -> a', 'a -> b', 'b -> a', 'b -> b']);
  });

  it('treats a Condition as the lock it was built on', () => {
    const result = analyse(`export function f() { cond.acquire(); b.acquire(); b.release(); cond.release(); }
      export function g() { b.acquire(); a.acquire(); a.release(); b.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
  });
});

describe('through calls', () => {
  it('carries the held lock into callees across files, with the call chain', () => {
    const result = analyse(`import { takeB } from './other.js';
      export function f() { a.acquire(); try { middle(); } finally { a.release(); } }
      function middle() { takeB(); }`, { 'other.ts': `import { b } from './locks.js';\nexport function takeB() { b.acquire(); b.release(); }` });
    expect(result.edgeNames).toEqual(['a -> b']);
    const witness = result.graph.edges()[0]!.witnesses[0]!;
    expect(witness.held).toMatchObject({ function: 'f', location: { file: 'main.ts', line: 3 } });
    expect(witness.acquired).toMatchObject({ function: 'takeB', location: { file: 'other.ts', line: 2 } });
    expect(witness.acquired.callChain.map((step) => `${step.caller} → ${step.callee}`)).toEqual(['f → middle', 'middle → takeB']);
  });

  it('understands helpers that return holding a lock, and helpers that release it', () => {
    const result = analyse(`function lockA() { a.acquire(); }
      function unlockA() { a.release(); }
      export function f() { lockA(); b.acquire(); b.release(); unlockA(); c.acquire(); c.release(); }`);
    expect(result.edgeNames).toEqual(['a -> b']);
  });

  it('knows a callee that gives back its caller\'s lock and takes it again, as Condition.wait does', () => {
    const result = analyse(`class Monitor {
        readonly lock = new Lock();
        private pause() { this.lock.release(); b.acquire(); b.release(); this.lock.acquire(); }
        waitUntil(ready: () => boolean) { while (!ready()) this.pause(); }
        run(ready: () => boolean) { this.lock.acquire(); try { this.waitUntil(ready); } finally { this.lock.release(); } }
      }
      export function use(m: Monitor) { m.run(() => true); }`);
    expect(result.findings).toEqual([]);
    expect(result.edgeNames).toEqual([]);
  });

  it('follows methods on typed receivers and this-calls', () => {
    const result = analyse(`class Store {
        readonly lock = new Lock();
        save() { this.lock.acquire(); try { this.index(); } finally { this.lock.release(); } }
        index() { c.acquire(); c.release(); }
        flush() { using _held = this.lock.hold(); }
      }
      export function f(store: Store) { c.acquire(); store.flush(); c.release(); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: c, Store.lock']);
  });

  it('binds lock parameters to the locks each caller passes', () => {
    const result = analyse(`function both(first: typeof a, second: typeof a) { first.acquire(); second.acquire(); second.release(); first.release(); }
      export function f() { both(a, b); }
      export function g() { both(b, a); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b']);
    expect(result.graph.nodes().filter((id) => id.includes('both('))).toEqual([]);
  });

  it('ignores async calls nobody waits for, and follows awaited ones', () => {
    const result = analyse(`async function takeB() { await b.acquireAsync(); b.release(); }
      async function takeC() { await c.acquireAsync(); c.release(); }
      export async function f() { await a.acquireAsync(); void takeB(); await takeC(); a.release(); }
      export async function g() { await gate.acquireAsync(); await Promise.all([takeB(), takeC()]); gate.release(); }`);
    expect(result.edgeNames).toEqual(['a -> c', 'gate -> b', 'gate -> c']);
  });

  it('terminates on recursion and still finds what it reaches', () => {
    const result = analyse(`export function even(n: number): boolean { if (n === 0) { b.acquire(); b.release(); return true; } return odd(n - 1); }
      function odd(n: number): boolean { return n === 0 ? false : even(n - 1); }
      export function f() { a.acquire(); even(10); a.release(); }`);
    expect(result.edgeNames).toEqual(['a -> b']);
  });
});

describe('what is and is not a deadlock', () => {
  it('reports a non-reentrant lock taken again by its holder, directly or through a call', () => {
    const result = analyse(`function inner() { a.acquire(); a.release(); }
      export function f() { a.acquire(); inner(); a.release(); }
      export function g() { b.acquire(); b.acquire(); }`);
    expect(result.findingNames.sort()).toEqual(['self-deadlock: a', 'self-deadlock: b']);
  });

  it('takes a helper that returns holding a lock on every exit as holding it, and one that leaks it on some exits only as no proof', () => {
    const result = analyse(`function lockA(): void { a.acquire(); }
      function maybeLockB(x: boolean): boolean { b.acquire(); if (x) return false; b.release(); return true; }
      export function f() { lockA(); a.acquire(); }
      export function g() { maybeLockB(true); b.acquire(); c.acquire(); }`);
    // The leak on maybeLockB's early return is no-unreleased-lock's finding; a re-acquisition after it
    // deadlocks only on that path, so it is not reported as a second bug. It still orders what follows.
    expect(result.findingNames.sort()).toEqual(['self-deadlock: a']);
    expect(result.edgeNames).toContain('b -> c');
  });

  it('orders nothing into an RLock its owner already holds', () => {
    const result = analyse(`function inner() { r.acquire(); r.release(); }
      export function f() { r.acquire(); a.acquire(); r.acquire(); r.release(); inner(); a.release(); r.release(); }`);
    expect(result.edgeNames).toEqual(['r -> a']);
    expect(result.findings).toEqual([]);
  });

  it('lets an RLock owner re-enter, and tells two instances of one lock class from one taken twice', () => {
    const result = analyse(`class Account { readonly lock = new Lock(); }
      function inner() { r.acquire(); r.release(); }
      export function f() { r.acquire(); inner(); r.acquire(); r.release(); r.release(); }
      export function transfer(from: Account, to: Account) { from.lock.acquire(); to.lock.acquire(); to.lock.release(); from.lock.release(); }`);
    // Two instances nested: no self-deadlock, but lockdep's recursive locking (see nested-instances.test.ts).
    expect(result.findingNames).toEqual(['recursive-locking: Account.lock']);
  });

  it('drops a cycle whose every edge is taken under one gate lock, and keeps it when one edge is not', () => {
    const gated = analyse(`export function f() { gate.acquire(); a.acquire(); b.acquire(); b.release(); a.release(); gate.release(); }
      export function g() { gate.acquire(); b.acquire(); a.acquire(); a.release(); b.release(); gate.release(); }`);
    expect(gated.findings).toEqual([]);
    expect(gated.gatedCycles.map((cycle) => cycle.gates.map((id) => gated.locks.get(id)?.name))).toEqual([['gate']]);

    const open = analyse(`export function f() { gate.acquire(); a.acquire(); b.acquire(); b.release(); a.release(); gate.release(); }
      export function g() { b.acquire(); a.acquire(); a.release(); b.release(); }`);
    expect(open.findingNames).toEqual(['lock-order-cycle: a, b']);
  });

  it('reports cycles through counting semaphores as their own kind', () => {
    const result = analyse(`export function f() { pool.acquire(); slots.acquire(); }
      export function g() { slots.acquire(); pool.acquire(); }
      export function h() { single.acquire(); c.acquire(); }
      export function k() { c.acquire(); single.acquire(); }`);
    expect(result.findingNames.sort()).toEqual(['lock-order-cycle: c, single', 'semaphore-cycle: pool, slots']);
  });

  it('reports a three-lock cycle built through lock parameters as one finding', () => {
    const result = analyse(`export function p(l: typeof a, r: typeof a) { l.acquire(); r.acquire(); r.release(); l.release(); }
      export function dinner() { p(a, b); p(b, c); p(c, a); }`);
    expect(result.findingNames).toEqual(['lock-order-cycle: a, b, c']);
    expect(result.findings[0]!.steps.map((step) => step.witness.held.callChain[0]?.callee)).toEqual(['p', 'p', 'p']);
  });
});

describe('other lock libraries and plain JavaScript', () => {
  it('recognises async-mutex, its release function, and await-lock', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex, withTimeout } from 'async-mutex';
        import AwaitLock from 'await-lock';
        const m = new Mutex();
        const n = withTimeout(new Mutex(), 100);
        const w = new AwaitLock();
        export async function f() { const release = await m.acquire(); release(); await n.runExclusive(async () => { await w.acquireAsync(); w.release(); }); }
        export async function g() { await w.acquireAsync(); try { await m.runExclusive(() => 1); } finally { w.release(); } }
        export async function h() { const release = await m.acquire(); try { await n.acquire(); n.release(); } finally { release(); } }`,
    });
    // n is a withTimeout mutex: its acquisitions give up instead of waiting, so nothing orders before it.
    expect(result.edgeNames).toEqual(['n -> w', 'w -> m']);
    expect(result.findingNames).toEqual([]);
  });

  it('identifies Web Locks by constant name and never merges a computed one', () => {
    const result = analyseSources({
      'web-locks.d.ts': `interface LockManager { request<T>(name: string, callback: () => Promise<T>): Promise<T>; request<T>(name: string, options: { ifAvailable?: boolean }, callback: () => Promise<T>): Promise<T>; }
        declare const navigator: { locks: LockManager };`,
      'main.ts': `const ORDERS = 'orders';
        export async function f(name: string) {
          await navigator.locks.request(ORDERS, async () => { await navigator.locks.request('stock', async () => 1); });
          await navigator.locks.request('stock', async () => { await navigator.locks.request(name, async () => 1); });
          await navigator.locks.request('stock', { ifAvailable: true }, async () => { await navigator.locks.request('orders', async () => 1); });
        }`,
    });
    expect(result.edgeNames).toEqual(['navigator.locks "orders" -> navigator.locks "stock"', 'navigator.locks "stock" -> name (unresolved)', 'navigator.locks "stock" -> navigator.locks "orders"']);
    expect(result.findingNames).toEqual(['lock-order-cycle: navigator.locks "orders", navigator.locks "stock"']);
  });

  it('guesses locks by name where JavaScript has no types, and says so', () => {
    const result = analyseSources({
      'locks.js': `export function createMutex() { return { acquire() {}, release() {} }; }
        export const ledgerLock = createMutex();
        export const accountsMutex = createMutex();
        export const clock = createMutex();`,
      'main.js': `import { ledgerLock, accountsMutex, clock } from './locks.js';
        export function f() { ledgerLock.acquire(); accountsMutex.acquire(); accountsMutex.release(); ledgerLock.release(); }
        export function g() { accountsMutex.acquire(); ledgerLock.acquire(); clock.acquire(); }`,
    });
    expect(result.findingNames).toEqual(['lock-order-cycle: accountsMutex, ledgerLock']);
    expect(result.findings[0]!.guessed).toBe(true);
  });

  it('does not guess on written types that are not locks', () => {
    const result = analyseSources({
      'main.ts': `class Clock { acquire() {} release() {} }
        const clockLock = new Clock();
        const otherLock = new Clock();
        export function f() { clockLock.acquire(); otherLock.acquire(); }
        export function g() { otherLock.acquire(); clockLock.acquire(); }`,
    });
    expect(result.edgeNames).toEqual([]);
  });

  it('recognises the lock types a config adds', () => {
    const result = analyseSources(
      {
        'main.ts': `export class JobLock { lock(): void {} unlock(): void {} }
          const jobs = new JobLock();
          const disk = new JobLock();
          export function f() { jobs.lock(); disk.lock(); disk.unlock(); jobs.unlock(); }
          export function g() { disk.lock(); jobs.lock(); }`,
      },
      [{ name: 'JobLock', flavor: 'mutex', acquire: ['lock'], tryAcquire: [], release: ['unlock'], scoped: [], hold: [] }],
    );
    expect(result.findingNames).toEqual(['lock-order-cycle: disk, jobs']);
  });
});

describe('cost on code without locks', () => {
  it('does not walk functions whose lock-like calls cannot reach a lock', () => {
    const result = analyseSources({
      'scope.ts': `export interface Scope { release(): void; request(name: string, f: () => void): void }
        export function close(scope: Scope) { scope.release(); scope.request('x', () => undefined); }
        export function closeAll(scopes: Scope[]) { for (const scope of scopes) close(scope); }`,
    });
    expect(result.functions).toBe(0);
  });

  it('walks files that see a lock library, directly or through their imports', () => {
    const result = analyseSources({
      'locks.ts': `import { Lock } from '@lockstep/primitives';\nexport const shared = new Lock();\nexport function make() { return shared; }`,
      'user.ts': `import { make } from './locks.js';\nexport function f() { const it = make(); it.acquire(); it.release(); }`,
    });
    expect(result.functions).toBeGreaterThan(0);
  });
});
