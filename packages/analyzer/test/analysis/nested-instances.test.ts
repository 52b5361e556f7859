/**
 * Two instances of one lock class nested (lockdep's "possible recursive locking"): reported unless the
 * nesting is annotated as ordered; re-entry of one RLock instance stays quiet; a self-deadlock through
 * a call is placed at the call made while holding the lock.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const ACCOUNT = `import { Lock, RLock } from '@lockstep/primitives';
export class Account {
  readonly lock = new Lock();
  readonly rlock = new RLock();
  balance = 0;
  constructor(readonly id: number) {}
}
`;

describe('nested instances of one lock class', () => {
  it('reports two instances taken one inside the other, with both sites', () => {
    const result = analyseSources({
      'account.ts': ACCOUNT,
      'transfer.ts': `import type { Account } from './account.js';
export function transfer(from: Account, to: Account, amount: number): void {
  using _from = from.lock.hold();
  using _to = to.lock.hold();
  from.balance -= amount;
  to.balance += amount;
}`,
    });
    expect(result.findingNames).toEqual(['recursive-locking: Account.lock']);
    const { held, acquired } = result.findings[0]!.steps[0]!.witness;
    expect(held.location.snippet).toBe('using _from = from.lock.hold();');
    expect(acquired.location.snippet).toBe('using _to = to.lock.hold();');
  });

  it('stays quiet where the nesting is annotated as ordered, on either acquisition', () => {
    const result = analyseSources({
      'account.ts': ACCOUNT,
      'transfer.ts': `import type { Account } from './account.js';
export function inner(a: Account, b: Account): void {
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  using _first = first.lock.hold();
  // lockstep-ordered: by account id
  using _second = second.lock.hold();
}
export function outer(a: Account, b: Account): void {
  const [first, second] = a.id < b.id ? [a, b] : [b, a];
  using _first = first.lock.hold(); // lockstep-ordered: by account id
  using _second = second.lock.hold();
}`,
    });
    expect(result.findingNames).toEqual([]);
  });

  it('reports each lock of a loop that locks every element, and a tree locked parent then child', () => {
    const result = analyseSources({
      'account.ts': ACCOUNT,
      'all.ts': `import type { Account } from './account.js';
import { Lock } from '@lockstep/primitives';
export function lockAll(accounts: readonly Account[]): void {
  for (const account of accounts) account.lock.acquire();
}
export class TreeNode {
  readonly lock = new Lock();
  readonly children: TreeNode[] = [];
  visit(): void {
    using _held = this.lock.hold();
    for (const child of this.children) child.visit();
  }
}`,
    });
    expect(result.findingNames.sort()).toEqual(['recursive-locking: Account.lock', 'recursive-locking: TreeNode.lock']);
  });

  it('lets an RLock re-enter its own instance, but reports two RLock instances nested', () => {
    const result = analyseSources({
      'account.ts': ACCOUNT,
      'r.ts': `import type { Account } from './account.js';
export function reenter(a: Account): void {
  using _outer = a.rlock.hold();
  using _inner = a.rlock.hold();
}
export function both(a: Account, b: Account): void {
  using _a = a.rlock.hold();
  using _b = b.rlock.hold();
}`,
    });
    expect(result.findingNames).toEqual(['recursive-locking: Account.rlock']);
    expect(result.findings[0]!.steps[0]!.witness.held.function).toBe('both');
  });

  it('does not report counting semaphores of one class taken together', () => {
    const result = analyseSources({
      'pool.ts': `import { Semaphore } from '@lockstep/primitives';
export class Pool { readonly slots = new Semaphore(4); }
export function copy(from: Pool, to: Pool): void {
  using _a = from.slots.hold();
  using _b = to.slots.hold();
}`,
    });
    expect(result.findingNames).toEqual([]);
  });
});

describe('where a self-deadlock through a call is reported', () => {
  it('at the call made while holding the lock, one finding per such call', () => {
    const result = analyseSources({
      'store.ts': `import { Lock } from '@lockstep/primitives';
export class Store {
  readonly lock = new Lock();
  touch(): void {
    using _held = this.lock.hold();
  }
  renew(): void {
    using _held = this.lock.hold();
    this.touch();
  }
  expire(): void {
    using _held = this.lock.hold();
    this.touch();
    this.touch();
  }
}`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: Store.lock', 'self-deadlock: Store.lock', 'self-deadlock: Store.lock']);
    const places = result.findings.map((finding) => finding.steps[0]!.witness.acquired.callChain[0]!.location.line).sort((x, y) => x - y);
    expect(places).toEqual([9, 13, 14]);
    for (const finding of result.findings) expect(finding.message).toMatch(/acquired again through the call at store\.ts:(9|13|14):5/);
  });

  it('names a class expression after its variable, as bundlers emit classes', () => {
    const result = analyseSources({
      'queryable.ts': `import { Mutex } from 'async-mutex';
export const Queryable = class {
  readonly mutex = new Mutex();
  async query(): Promise<void> {
    await this.mutex.runExclusive(async () => {
      await this.run();
    });
  }
  async run(): Promise<void> {
    await this.mutex.runExclusive(async () => {});
  }
};`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: Queryable.mutex']);
  });
});
