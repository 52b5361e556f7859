import { afterAll, beforeEach, describe, expect, test } from 'vitest';
import { Condition, Lock, RLock, Semaphore } from '@lockstep/primitives';
import {
  clearLockValidationReports,
  disableLockValidation,
  enableLockValidation,
  lockValidationReports,
  nameLock,
} from '@lockstep/primitives/validate';

const FILE = 'packages/primitives/test/validate-naming.test.ts';

// The import above switched validation on before any of these was created.
const moduleLock = new Lock();
const spread =
  new Lock();
const locks = { orders: new Lock(), 'audit': new Semaphore(2) };
const ready = new Condition();
const firstOfTwo = new Lock(), secondOfTwo = new Lock();

class Pool {
  readonly lock = new Lock();
  #guard = new RLock();
  static shared = new Semaphore(3);
  readonly late: Lock;

  constructor() {
    this.late = new Lock();
  }

  get guard(): RLock {
    return this.#guard;
  }
}

function makeLocal(): Lock {
  const local = new Lock();
  return local;
}

let probes = 0;

/** The class id the validator gives `lock`: read off the cycle it makes with a probe lock. */
function idOf(lock: Lock | RLock | Semaphore): string | undefined {
  clearLockValidationReports();
  const probe = new Lock();
  nameLock(probe, `probe#${probes++}`);
  for (const [outer, inner] of [[lock, probe], [probe, lock]] as const) {
    using _outer = outer.hold();
    using _inner = inner.hold();
  }
  return lockValidationReports()[0]?.locks.find((id) => !id.startsWith('probe#'));
}

beforeEach(() => {
  enableLockValidation({ onReport: 'record' });
});

afterAll(() => {
  disableLockValidation();
});

describe('lock classes are named as lockstep names the declaration', () => {
  test('module variables, object literal properties and a Condition of its own', () => {
    expect(idOf(moduleLock)).toBe(`${FILE}#moduleLock`);
    expect(idOf(spread)).toBe(`${FILE}#spread`);
    expect(idOf(locks.orders)).toBe(`${FILE}#locks.orders`);
    expect(idOf(locks.audit)).toBe(`${FILE}#locks.audit`);
    expect(idOf(ready.lock)).toBe(`${FILE}#ready`);
    // Both declarators of one declaration, as lockstep names them (the second was `file:line:column`).
    expect(idOf(firstOfTwo)).toBe(`${FILE}#firstOfTwo`);
    expect(idOf(secondOfTwo)).toBe(`${FILE}#secondOfTwo`);
  });

  test('class fields, private and static, and fields assigned in the constructor: one class for every instance', () => {
    const pool = new Pool();
    expect(idOf(pool.lock)).toBe(`${FILE}#Pool.lock`);
    expect(idOf(pool.guard)).toBe(`${FILE}#Pool.#guard`);
    expect(idOf(Pool.shared)).toBe(`${FILE}#Pool.shared`);
    expect(idOf(pool.late)).toBe(`${FILE}#Pool.late`);
    expect(idOf(new Pool().lock)).toBe(`${FILE}#Pool.lock`);
  });

  test('a local of a named function, and a lock rebuilt from a handle: the class its handle carries, else where it was rebuilt', () => {
    expect(idOf(makeLocal())).toBe(`${FILE}#makeLocal.local`);
    // With the validator on, a handle carries its lock's class: the rebuilt lock is the same class.
    const rebuilt = Lock.from(moduleLock.handle);
    expect(idOf(rebuilt)).toBe(`${FILE}#moduleLock`);
    // A handle made while it was off carries none.
    disableLockValidation();
    const plainHandle = moduleLock.handle;
    enableLockValidation({ onReport: 'record' });
    const elsewhere = Lock.from(plainHandle);
    expect(idOf(elsewhere)).toBe(`${FILE}#elsewhere`);
  });

  test('instances of one class nested are recursive locking', () => {
    clearLockValidationReports();
    const [a, b] = [new Pool(), new Pool()];
    {
      using _a = a.lock.hold();
      using _b = b.lock.hold();
    }
    const [report] = lockValidationReports();
    expect(report?.kind).toBe('recursive-locking');
    expect(report?.locks).toEqual([`${FILE}#Pool.lock`]);
  });

  test('a lock created before validation was on is named where it is first taken, or as nameLock says', () => {
    disableLockValidation();
    const early = new Lock();
    const named = new Lock();
    enableLockValidation({ onReport: 'record', names: [[named, 'src/db.ts#Pool.lock']] });
    expect(idOf(early)).toMatch(new RegExp(`^${FILE}:\\d+:\\d+$`));
    expect(idOf(named)).toBe('src/db.ts#Pool.lock');
  });

  test('root: ids are relative to it', () => {
    enableLockValidation({ onReport: 'record', root: `${process.cwd()}/packages/primitives` });
    const relative = new Lock();
    expect(idOf(relative)).toBe('test/validate-naming.test.ts#relative');
  });
});
