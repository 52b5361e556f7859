/**
 * A lock helper that takes its lock only when its caller asks (`if (!options.bypass) …request… else fn()`,
 * sqlocal's `mutationLock`): each call's argument settles the test. A constant that skips the lock
 * means the call takes nothing; a constant that takes it is an acquisition like any other; a value
 * computed at run time makes it conditional — it still orders other locks, but taking a lock the
 * caller already holds is not claimed.
 */
import { describe, expect, it } from 'vitest';
import { analyseSources } from '../support/virtual-program.js';

const HELPER = `import { Mutex } from 'async-mutex';
export const db = new Mutex();
export const journal = new Mutex();
export interface LockOptions { bypass: boolean }
export async function withDb<T>(options: LockOptions, fn: () => Promise<T>): Promise<T> {
  if (!options.bypass) {
    return db.runExclusive(fn);
  }
  return fn();
}
`;

const EARLY_RETURN_HELPER = `import { Mutex } from 'async-mutex';
export const db = new Mutex();
export async function withDb<T>(fn: () => Promise<T>, nested?: boolean): Promise<T> {
  if (nested) return fn();
  return db.runExclusive(fn);
}
`;

describe('a helper that takes its lock only when the caller does not bypass it', () => {
  it('a nested call passing bypass: true takes nothing', () => {
    const result = analyseSources({
      'helper.ts': HELPER,
      'main.ts': `import { withDb } from './helper.js';
export async function importFile(): Promise<void> {
  await withDb({ bypass: false }, async () => {
    await withDb({ bypass: true }, async () => {});
  });
}`,
    });
    expect(result.findingNames).toEqual([]);
  });

  it('a nested call passing bypass: false re-takes the lock (a self-deadlock), also through a const options object', () => {
    const result = analyseSources({
      'helper.ts': HELPER,
      'main.ts': `import { withDb } from './helper.js';
export async function importFile(): Promise<void> {
  const outer = { bypass: false };
  const inner = { bypass: false };
  await withDb(outer, async () => {
    await withDb(inner, async () => {});
  });
}`,
    });
    expect(result.findingNames).toEqual(['self-deadlock: db']);
  });

  it('a bypass computed at run time is no claimed self-deadlock, but the lock still orders the others', () => {
    const result = analyseSources({
      'helper.ts': HELPER,
      'main.ts': `import { journal, withDb } from './helper.js';
export class Client {
  bypassing = false;
  async query(kind: string): Promise<void> {
    await withDb({ bypass: this.bypassing || kind === 'import' }, async () => {});
  }
  async importFile(): Promise<void> {
    await withDb({ bypass: false }, async () => {
      await this.query('import');
    });
  }
  async audit(): Promise<void> {
    await journal.runExclusive(async () => {
      await this.query('read');
    });
  }
  async compact(): Promise<void> {
    await withDb({ bypass: false }, async () => {
      await journal.runExclusive(async () => {});
    });
  }
}`,
    });
    expect(result.findingNames).toEqual(['lock-order-cycle: db, journal']);
  });

  it('an early return on the bypass flag guards what follows it', () => {
    const nested = analyseSources({
      'helper.ts': EARLY_RETURN_HELPER,
      'main.ts': `import { withDb } from './helper.js';
export async function migrate(): Promise<void> {
  await withDb(async () => {
    await withDb(async () => {}, true);
  });
}`,
    });
    expect(nested.findingNames).toEqual([]);
    const forgotten = analyseSources({
      'helper.ts': EARLY_RETURN_HELPER,
      'main.ts': `import { withDb } from './helper.js';
export async function migrate(): Promise<void> {
  await withDb(async () => {
    await withDb(async () => {});
  });
}`,
    });
    expect(forgotten.findingNames).toEqual(['self-deadlock: db']);
  });

  it('an options object written after it is made is not read as a constant', () => {
    const result = analyseSources({
      'helper.ts': HELPER,
      'main.ts': `import { withDb } from './helper.js';
export async function importFile(fast: boolean): Promise<void> {
  const inner = { bypass: true };
  if (!fast) inner.bypass = false;
  await withDb({ bypass: false }, async () => {
    await withDb(inner, async () => {});
  });
}`,
    });
    // Conditional: not claimed either way.
    expect(result.findingNames).toEqual([]);
  });
});
