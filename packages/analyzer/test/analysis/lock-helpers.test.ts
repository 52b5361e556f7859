/**
 * Lock helpers of the application's own: a function that calls one of its parameters while holding a
 * lock (`withLock(mutex, fn)`, `#withControllerLock(fn)`, `runExclusive(fn)` with `fn` a parameter).
 * The callback passed at each call runs with those locks held: its acquisitions order after them,
 * re-taking one is a self-deadlock, and chains of helpers, references and other files all work.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const WITH_LOCK = `import type { Mutex } from 'async-mutex';
export async function withLock<T>(mutex: Mutex, fn: () => Promise<T>): Promise<T> {
  const release = await mutex.acquire();
  try {
    return await fn();
  } finally {
    release();
  }
}
`;

describe('a helper that runs its callback under a lock', () => {
  it('orders the locks taken in the callback after the helper’s lock, at every call', () => {
    const result = analyseSources({
      'with-lock.ts': WITH_LOCK,
      'main.ts': `import { Mutex } from 'async-mutex';
import { withLock } from './with-lock.js';
export const accounts = new Mutex();
export const ledger = new Mutex();
export async function post(): Promise<void> {
  await withLock(accounts, async () => {
    await withLock(ledger, async () => {});
  });
}
export async function audit(): Promise<void> {
  await withLock(ledger, async () => {
    await withLock(accounts, async () => {});
  });
}`,
    });
    expect(result.edgeNames).toEqual(['accounts -> ledger', 'ledger -> accounts']);
    expect(result.findingNames).toEqual(['lock-order-cycle: accounts, ledger']);
    // The witness shows the helper's acquisition, reached through the call that passed the callback.
    const step = result.findings[0]!.steps[0]!;
    expect(step.witness.held.function).toBe('withLock');
    expect(step.witness.held.callChain.map((call) => `${call.caller} → ${call.callee}`)).toEqual(['post → withLock']);
  });

  it('finds a class re-taking its own mutex through a private helper that calls a shared helper', () => {
    const result = analyseSources({
      'with-lock.ts': WITH_LOCK,
      'controller.ts': `import { Mutex } from 'async-mutex';
import { withLock } from './with-lock.js';
export class TokenController {
  readonly #mutex = new Mutex();
  #withControllerLock<T>(fn: () => Promise<T>): Promise<T> {
    return withLock(this.#mutex, fn);
  }
  async addToken(address: string): Promise<void> {
    await this.#withControllerLock(async () => {
      await this.refresh(address);
    });
  }
  async refresh(address: string): Promise<void> {
    await this.#withControllerLock(async () => {
      void address;
    });
  }
}`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: TokenController.#mutex']);
    const acquired = result.findings[0]!.steps[0]!.witness.acquired;
    // The first call of the chain is the one made while holding the lock, in the holding method.
    expect(acquired.callChain[0]!.caller).toBe('TokenController.addToken');
    expect(acquired.callChain[0]!.callee).toBe('TokenController.refresh');
    expect(acquired.callChain[0]!.location.snippet).toBe('await this.refresh(address);');
    expect(acquired.function).toBe('withLock');
  });

  it('does not confuse the same helper used by two instances of one class', () => {
    const result = analyseSources({
      'with-lock.ts': WITH_LOCK,
      'store.ts': `import { Mutex } from 'async-mutex';
import { withLock } from './with-lock.js';
export class Store {
  readonly mutex = new Mutex();
  async copyTo(other: Store): Promise<void> {
    await withLock(this.mutex, async () => {
      await other.put();
    });
  }
  async put(): Promise<void> {
    await withLock(this.mutex, async () => {});
  }
}`,
    });
    expect(result.findingNames.filter((name) => name.startsWith('self-deadlock'))).toEqual([]);
  });

  it('follows runExclusive(fn) and navigator.locks.request(name, fn) with fn a parameter', () => {
    const result = analyseSources({
      'queue.ts': `import { Mutex } from 'async-mutex';
export class JobQueue {
  readonly mutex = new Mutex();
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(fn);
  }
  async drain(): Promise<void> {
    await this.exclusive(async () => {
      await this.exclusive(async () => {});
    });
  }
}
export function underWebLock<T>(fn: () => Promise<T>): Promise<T> {
  return navigator.locks.request('jobs', fn);
}
export async function both(queue: JobQueue): Promise<void> {
  await underWebLock(async () => {
    await queue.exclusive(async () => {});
  });
}
export async function reverse(queue: JobQueue): Promise<void> {
  await queue.exclusive(async () => {
    await underWebLock(async () => {});
  });
}`,
    });
    expect(result.findingNames.sort()).toEqual(['lock-order-cycle: JobQueue.mutex, navigator.locks "jobs"', 'self-deadlock: JobQueue.mutex']);
  });

  it('follows a synchronous helper over a Lock, fn.call and fn.apply, and function and method references', () => {
    const result = analyseSources({
      'cache.ts': `import { Lock } from '@lockstep/primitives';
export const cacheLock = new Lock();
export const statsLock = new Lock();
export const diskLock = new Lock();
export function underCache<T>(fn: () => T): T {
  using _held = cacheLock.hold();
  return fn();
}
export function underStats<T>(fn: (this: unknown) => T): T {
  using _held = statsLock.hold();
  return fn.call(undefined);
}
function flushToDisk(): void {
  using _disk = diskLock.hold();
}
export class Cache {
  readonly lock = new Lock();
  evict(): void {
    using _own = this.lock.hold();
  }
  run(): void {
    underCache(flushToDisk);
    underStats(this.evict.bind(this));
  }
}
export function reverse(cache: Cache): void {
  using _disk = diskLock.hold();
  underCache(() => 0);
  using _own = cache.lock.hold();
  underStats(() => 0);
}`,
    });
    expect(result.edgeNames).toEqual([
      'Cache.lock -> statsLock',
      'cacheLock -> diskLock',
      'diskLock -> Cache.lock',
      'diskLock -> cacheLock',
      'diskLock -> statsLock',
      'statsLock -> Cache.lock',
    ]);
    expect(result.findingNames.sort()).toEqual(['lock-order-cycle: Cache.lock, statsLock', 'lock-order-cycle: cacheLock, diskLock']);
  });

  it('binds lock parameters through chains of helpers across files', () => {
    const result = analyseSources({
      'with-lock.ts': WITH_LOCK,
      'both.ts': `import type { Mutex } from 'async-mutex';
import { withLock } from './with-lock.js';
export function withBoth<T>(first: Mutex, second: Mutex, fn: () => Promise<T>): Promise<T> {
  return withLock(first, () => withLock(second, fn));
}`,
      'main.ts': `import { Mutex } from 'async-mutex';
import { withBoth } from './both.js';
import { withLock } from './with-lock.js';
export const orders = new Mutex();
export const stock = new Mutex();
export const audit = new Mutex();
export async function ship(): Promise<void> {
  await withBoth(orders, stock, async () => {
    await withLock(audit, async () => {});
  });
}
export async function report(): Promise<void> {
  await withLock(audit, async () => {
    await withLock(orders, async () => {});
  });
}`,
    });
    expect(result.edgeNames).toEqual(['audit -> orders', 'orders -> audit', 'orders -> stock', 'stock -> audit']);
    // The second cycle shows `stock` too: ship holds it with orders when it takes audit.
    expect(result.findingNames).toEqual(['lock-order-cycle: audit, orders', 'lock-order-cycle: audit, orders, stock']);
  });

  it('terminates on recursive helpers', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex } from 'async-mutex';
export const lock = new Mutex();
export const inner = new Mutex();
export async function retrying<T>(times: number, fn: () => Promise<T>): Promise<T> {
  if (times > 0) return retrying(times - 1, fn);
  return lock.runExclusive(fn);
}
export async function go(): Promise<void> {
  await retrying(3, async () => {
    await inner.runExclusive(async () => {});
  });
}`,
    });
    expect(result.edgeNames).toEqual(['lock -> inner']);
  });

  it('holds nothing in a callback the helper runs after releasing, or later', () => {
    const result = analyseSources({
      'main.ts': `import { Mutex } from 'async-mutex';
export const lock = new Mutex();
export const other = new Mutex();
export async function afterwards(fn: () => Promise<void>): Promise<void> {
  const release = await lock.acquire();
  release();
  await fn();
}
export async function later(fn: () => void): Promise<void> {
  await lock.runExclusive(async () => {
    setTimeout(fn, 10);
  });
}
export async function go(): Promise<void> {
  await afterwards(async () => { await other.runExclusive(async () => {}); });
  await later(() => { void other.runExclusive(async () => {}); });
}`,
    });
    expect(result.edgeNames).toEqual([]);
  });

  it('runs the callback of an async helper nobody awaits with the helper’s lock only', () => {
    const result = analyseSources({
      'with-lock.ts': WITH_LOCK,
      'main.ts': `import { Mutex } from 'async-mutex';
import { withLock } from './with-lock.js';
export const outer = new Mutex();
export const lock = new Mutex();
export const inner = new Mutex();
export async function go(): Promise<void> {
  await withLock(outer, async () => {
    void withLock(lock, async () => {
      await withLock(inner, async () => {});
    });
  });
}`,
    });
    expect(result.edgeNames).toEqual(['lock -> inner']);
  });
});

describe('a helper that hands its callback to runExclusive bound to an argument', () => {
  it('runs the callback under the lock: re-entering the helper from it is a self-deadlock (Amplify DataStore Storage.runExclusive)', () => {
    const result = analyseSources({
      'storage.ts': `import { Mutex } from 'async-mutex';
export interface Adapter { write(id: string): Promise<void> }
export class Storage {
  private readonly mutex = new Mutex();
  constructor(private readonly adapter: Adapter) {}
  runExclusive<T>(fn: (adapter: Adapter) => Promise<T>): Promise<T> {
    return this.mutex.runExclusive(fn.bind(this, this.adapter));
  }
  async save(id: string): Promise<void> {
    await this.runExclusive(async (adapter) => {
      await adapter.write(id);
      await this.runExclusive(async (again) => again.write(id + '-copy'));
    });
  }
  async clear(): Promise<void> {
    await this.runExclusive(async (adapter) => adapter.write('cleared'));
  }
}`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: Storage.mutex']);
  });
});

describe('a helper that names its Web Lock after its arguments', () => {
  const NAMED = `export function withNamedLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
  return navigator.locks.request(name, fn);
}
`;

  it('takes the lock each call names: two names are two locks, in whichever order the calls nest them', () => {
    const result = analyseSources({
      'named.ts': NAMED,
      'main.ts': `import { withNamedLock } from './named.js';
export async function post(): Promise<void> {
  await withNamedLock('accounts', async () => {
    await withNamedLock('ledger', async () => {});
  });
}
export async function audit(): Promise<void> {
  await withNamedLock('ledger', async () => {
    await withNamedLock('accounts', async () => {});
  });
}
export async function twice(): Promise<void> {
  await withNamedLock('accounts', async () => {
    await withNamedLock('accounts', async () => {});
  });
}`,
    });
    expect(result.edgeNames).toEqual([
      'navigator.locks "accounts" -> navigator.locks "accounts"',
      'navigator.locks "accounts" -> navigator.locks "ledger"',
      'navigator.locks "ledger" -> navigator.locks "accounts"',
    ]);
    expect(result.findingNames.sort()).toEqual(['lock-order-cycle: navigator.locks "accounts", navigator.locks "ledger"', 'self-deadlock: navigator.locks "accounts"']);
  });

  it('fills a template name from an options object, and tells two values apart (sqlocal mutationLock)', () => {
    const result = analyseSources({
      'mutation-lock.ts': `export type MutationLockOptions = { mode: LockMode; key: string; bypass: boolean };
export async function mutationLock<T>(options: MutationLockOptions, mutation: () => Promise<T>): Promise<T> {
  if (!options.bypass && 'locks' in navigator) {
    return navigator.locks.request(\`_mutation_(\${options.key})\`, { mode: options.mode }, mutation);
  }
  return mutation();
}
`,
      'client.ts': `import { mutationLock, type MutationLockOptions } from './mutation-lock.js';
declare function databaseKey(path: string): string;
export class Client {
  readonly clientKey = crypto.randomUUID();
  constructor(readonly path: string) {}
  async transaction(): Promise<void> {
    const dbLockOptions: MutationLockOptions = { mode: 'shared', bypass: false, key: databaseKey(this.path) };
    const connectionLockOptions: MutationLockOptions = { mode: 'exclusive', bypass: false, key: this.clientKey };
    await mutationLock(dbLockOptions, async () => {
      await mutationLock(connectionLockOptions, async () => {});
    });
  }
  async reentered(): Promise<void> {
    await mutationLock({ mode: 'exclusive', bypass: false, key: this.clientKey }, async () => {
      await mutationLock({ mode: 'exclusive', bypass: false, key: this.clientKey }, async () => {});
    });
  }
}`,
    });
    // The database lock's key is a call: a lock of that site's own, never the connection's.
    expect(result.edgeNames).toEqual([
      'navigator.locks `_mutation_(${this.clientKey})` -> navigator.locks `_mutation_(${this.clientKey})`',
      'navigator.locks `_mutation_(${databaseKey(this.path)})` -> navigator.locks `_mutation_(${this.clientKey})`',
    ]);
    // The same field of the same object names the same lock: taking it inside itself waits forever.
    expect(result.findingNames).toEqual(['self-deadlock: navigator.locks `_mutation_(${this.clientKey})`']);
  });

  it('follows a name passed on through another helper’s parameter, and concatenation', () => {
    const result = analyseSources({
      'named.ts': NAMED,
      'users.ts': `import { withNamedLock } from './named.js';
function withUserLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
  return withNamedLock('user:' + id, fn);
}
export async function transfer(): Promise<void> {
  await withUserLock('alice', async () => {
    await withUserLock('bob', async () => {});
  });
}
export async function refund(): Promise<void> {
  await withUserLock('bob', async () => {
    await withUserLock('alice', async () => {});
  });
}`,
    });
    expect(result.findingNames).toEqual(['lock-order-cycle: navigator.locks "user:alice", navigator.locks "user:bob"']);
  });

  it('keeps one lock of its own for a name that is not built from parameters', () => {
    const result = analyseSources({
      'random.ts': `export async function run(): Promise<void> {
  await navigator.locks.request(crypto.randomUUID(), async () => {
    await navigator.locks.request(crypto.randomUUID(), async () => {});
  });
}`,
    });
    expect(result.findingNames).toEqual([]);
  });
});
