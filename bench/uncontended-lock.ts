/**
 * Uncontended acquire + release, one thread, nobody else ever touching the lock: the cost of the lock
 * itself. Blocking forms against a raw `Atomics.compareExchange` lock pair (the floor of any lock over
 * shared memory) and the `multithreading` package's Mutex; async forms against await-lock, async-mutex
 * and `multithreading`'s `lock()`. RLock, Semaphore and ReadWriteLock (read and write holds, beside
 * `multithreading`'s RwLock) are shown for information, and so is a fair Lock (`{ fair: true }`, a
 * ticket lock), beside the default one.
 *
 * Runs on the main thread: the uncontended path never waits, so no thread would do better. Each row is
 * its own loop function, so each gets its own optimized code.
 */
import { Lock, ReadWriteLock, RLock, Semaphore } from '@lockstep/primitives';
import { loadAsyncMutex, loadAwaitLock, loadMultithreading, multithreadingNote, unavailable } from './lib/peers.js';
import { median, meets, nowMs, printHeading, printTable, QUICK, rate, ratio, RUNS, type Cell, type TargetCheck } from './lib/report.js';

type Body = (n: number) => void | Promise<void>;

interface Row {
  readonly name: string;
  readonly body: Body | string; // a string: why this peer is unavailable
  readonly samples: number[];
  n: number;
}

const MEASURE_MS = QUICK ? 30 : 150;

// ---- blocking loops --------------------------------------------------------------------------------

function rawCasStore(cells: Int32Array): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      while (Atomics.compareExchange(cells, 0, 0, 1) !== 0);
      Atomics.store(cells, 0, 0);
    }
  };
}

function rawCasExchange(cells: Int32Array): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      while (Atomics.compareExchange(cells, 0, 0, 1) !== 0);
      if (Atomics.exchange(cells, 0, 0) !== 1) throw new Error('unreachable');
    }
  };
}

function lockBlocking(lock: Lock): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  };
}

/** The same loop as {@link lockBlocking}, its own function so that it gets its own optimized code. */
function fairLockBlocking(lock: Lock): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  };
}

function lockTry(lock: Lock): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      if (!lock.tryAcquire()) throw new Error('contended?');
      lock.release();
    }
  };
}

function lockHold(lock: Lock): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      using _held = lock.hold();
    }
  };
}

function rlockBlocking(lock: RLock): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  };
}

function semaphoreBlocking(semaphore: Semaphore): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      semaphore.acquire();
      semaphore.release();
    }
  };
}

function readWriteBlocking(rw: ReadWriteLock, mode: 'read' | 'write'): Body {
  return mode === 'read'
    ? (n) => {
        for (let i = 0; i < n; i++) {
          rw.acquireRead();
          rw.releaseRead();
        }
      }
    : (n) => {
        for (let i = 0; i < n; i++) {
          rw.acquireWrite();
          rw.releaseWrite();
        }
      };
}

function multithreadingRwBlocking(rw: import('multithreading').RwLock, mode: 'read' | 'write'): Body {
  return mode === 'read'
    ? (n) => {
        for (let i = 0; i < n; i++) rw.blockingRead().dispose();
      }
    : (n) => {
        for (let i = 0; i < n; i++) rw.blockingWrite().dispose();
      };
}

function multithreadingBlocking(mutex: import('multithreading').Mutex): Body {
  return (n) => {
    for (let i = 0; i < n; i++) {
      const guard = mutex.blockingLock();
      guard.dispose();
    }
  };
}

// ---- async loops -----------------------------------------------------------------------------------

function awaitResolved(): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) await Promise.resolve();
  };
}

function lockAsync(lock: Lock): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquireAsync();
      lock.release();
    }
  };
}

function fairLockAsync(lock: Lock): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquireAsync();
      lock.release();
    }
  };
}

function rlockAsync(lock: RLock): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquireAsync();
      lock.release();
    }
  };
}

function semaphoreAsync(semaphore: Semaphore): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await semaphore.acquireAsync();
      semaphore.release();
    }
  };
}

function awaitLockAsync(lock: import('await-lock').default): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquireAsync();
      lock.release();
    }
  };
}

function asyncMutexAsync(mutex: import('async-mutex').Mutex): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      const release = await mutex.acquire();
      release();
    }
  };
}

function readWriteAsync(rw: ReadWriteLock, mode: 'read' | 'write'): Body {
  return mode === 'read'
    ? async (n) => {
        for (let i = 0; i < n; i++) {
          await rw.acquireReadAsync();
          rw.releaseRead();
        }
      }
    : async (n) => {
        for (let i = 0; i < n; i++) {
          await rw.acquireWriteAsync();
          rw.releaseWrite();
        }
      };
}

function multithreadingRwAsync(rw: import('multithreading').RwLock, mode: 'read' | 'write'): Body {
  return mode === 'read'
    ? async (n) => {
        for (let i = 0; i < n; i++) (await rw.read()).dispose();
      }
    : async (n) => {
        for (let i = 0; i < n; i++) (await rw.write()).dispose();
      };
}

function multithreadingAsync(mutex: import('multithreading').Mutex): Body {
  return async (n) => {
    for (let i = 0; i < n; i++) {
      const guard = await mutex.lock();
      guard.dispose();
    }
  };
}

// ---- measurement -----------------------------------------------------------------------------------

async function timed(body: Body, n: number): Promise<number> {
  const start = nowMs();
  await body(n);
  return nowMs() - start;
}

/** Finds an iteration count that takes about MEASURE_MS (this also warms the loop up). */
async function calibrate(body: Body): Promise<number> {
  let n = 1000;
  for (;;) {
    const elapsed = await timed(body, n);
    if (elapsed >= MEASURE_MS / 4 || n >= 2 ** 30) return Math.max(1000, Math.round((n * MEASURE_MS) / Math.max(elapsed, 0.001)));
    n *= 4;
  }
}

function row(name: string, body: Body | string): Row {
  return { name, body, samples: [], n: 0 };
}

async function measureAll(rows: readonly Row[]): Promise<void> {
  for (const r of rows) if (typeof r.body !== 'string') r.n = await calibrate(r.body);
  for (let run = 0; run < RUNS; run++) {
    // Rotate the order each run so no row always goes first (or right after a GC-heavy one).
    for (let k = 0; k < rows.length; k++) {
      const r = rows[(k + run) % rows.length]!;
      if (typeof r.body === 'string') continue;
      const elapsed = await timed(r.body, r.n);
      r.samples.push((r.n / elapsed) * 1000);
    }
  }
}

const perSecond = (r: Row): number => (typeof r.body === 'string' ? NaN : median(r.samples));
const shown = (r: Row): Cell => (typeof r.body === 'string' ? r.body : rate(perSecond(r)));

async function main(): Promise<void> {
  printHeading('Uncontended acquire + release', 'One thread takes and releases a lock nobody else uses: the cost of the lock itself.');
  const [asyncMutex, awaitLock, multithreading] = await Promise.all([loadAsyncMutex(), loadAwaitLock(), loadMultithreading()]);

  const raw = new Int32Array(new SharedArrayBuffer(8));
  const lock = new Lock();
  const fairLock = new Lock({ fair: true });
  const rlock = new RLock();
  const semaphore = new Semaphore(1);
  const mtMutex = multithreading.ok ? new multithreading.module.Mutex() : undefined;
  const rw = new ReadWriteLock();
  const mtRw = multithreading.ok ? new multithreading.module.RwLock() : undefined;
  const mtMissing = (): string => unavailable(multithreading as { ok: false; reason: string });

  const casStore = row('raw Atomics CAS + store (floor)', rawCasStore(raw));
  const casExchange = row('raw Atomics CAS + exchange', rawCasExchange(raw));
  const ourBlocking = row('Lock.acquire() + release()  [ours]', lockBlocking(lock));
  // Measured after every other row: until a second kind of lock reaches Lock.acquire its call of the
  // mutex stays monomorphic, so the rows above show the default lock as a program using only it runs.
  const fairBlocking = row('Lock({ fair: true }).acquire() + release()  [ours]', fairLockBlocking(fairLock));
  const rlockRow = row('RLock.acquire() + release()  [ours]', rlockBlocking(rlock));
  const blockingRows: Row[] = [
    casStore,
    casExchange,
    ourBlocking,
    row('Lock.tryAcquire() + release()  [ours]', lockTry(lock)),
    row('using _ = lock.hold()  [ours]', lockHold(lock)),
    rlockRow,
    row('Semaphore(1).acquire() + release()  [ours]', semaphoreBlocking(semaphore)),
    row('multithreading Mutex.blockingLock() + dispose()', mtMutex ? multithreadingBlocking(mtMutex) : unavailable(multithreading as { ok: false; reason: string })),
    row('ReadWriteLock.acquireRead() + releaseRead()  [ours]', readWriteBlocking(rw, 'read')),
    row('ReadWriteLock.acquireWrite() + releaseWrite()  [ours]', readWriteBlocking(rw, 'write')),
    row('multithreading RwLock.blockingRead() + dispose()', mtRw ? multithreadingRwBlocking(mtRw, 'read') : mtMissing()),
    row('multithreading RwLock.blockingWrite() + dispose()', mtRw ? multithreadingRwBlocking(mtRw, 'write') : mtMissing()),
  ];

  const ourAsync = row('Lock.acquireAsync() + release()  [ours]', lockAsync(lock));
  const fairAsync = row('Lock({ fair: true }).acquireAsync() + release()  [ours]', fairLockAsync(fairLock));
  const awaitLockRow = row('await-lock AwaitLock acquireAsync() + release()', awaitLock.ok ? awaitLockAsync(new awaitLock.module.default()) : unavailable(awaitLock));
  const asyncMutexRow = row('async-mutex Mutex acquire() + release()', asyncMutex.ok ? asyncMutexAsync(new asyncMutex.module.Mutex()) : unavailable(asyncMutex));
  const mtAsyncRow = row('multithreading Mutex.lock() + dispose()', mtMutex ? multithreadingAsync(mtMutex) : unavailable(multithreading as { ok: false; reason: string }));
  const asyncRows: Row[] = [
    row('await Promise.resolve() (floor of any async acquire)', awaitResolved()),
    ourAsync,
    awaitLockRow,
    asyncMutexRow,
    mtAsyncRow,
    row('RLock.acquireAsync() + release()  [ours]', rlockAsync(rlock)),
    row('Semaphore(1).acquireAsync() + release()  [ours]', semaphoreAsync(semaphore)),
    row('ReadWriteLock.acquireReadAsync() + releaseRead()  [ours]', readWriteAsync(rw, 'read')),
    row('ReadWriteLock.acquireWriteAsync() + releaseWrite()  [ours]', readWriteAsync(rw, 'write')),
    row('multithreading RwLock.read() + dispose()', mtRw ? multithreadingRwAsync(mtRw, 'read') : mtMissing()),
    row('multithreading RwLock.write() + dispose()', mtRw ? multithreadingRwAsync(mtRw, 'write') : mtMissing()),
  ];

  await measureAll(blockingRows);
  await measureAll(asyncRows);
  await measureAll([fairBlocking, fairAsync]);
  // Shown right under the default Lock's rows.
  blockingRows.splice(blockingRows.indexOf(ourBlocking) + 1, 0, fairBlocking);
  asyncRows.splice(asyncRows.indexOf(ourAsync) + 1, 0, fairAsync);

  const ours = perSecond(ourBlocking);
  printTable(
    'Blocking form (pairs per second; ratio = ours Lock.acquire+release ÷ the row)',
    ['implementation', 'acquire+release pairs/s', 'Lock.acquire ÷ row'],
    blockingRows.map((r) => [r.name, shown(r), ratio(ours, perSecond(r))]),
    {
      targets: [
        {
          what: 'Lock.acquire+release vs raw CAS + store',
          reached: ratio(ours, perSecond(casStore)),
          target: '≥ 0.5×',
          met: meets(ours / perSecond(casStore), { atLeast: 0.5 }),
        },
        {
          what: 'Lock.acquire+release vs raw CAS + exchange (DESIGN.md wording)',
          reached: ratio(ours, perSecond(casExchange)),
          target: '≥ 0.5×',
          met: meets(ours / perSecond(casExchange), { atLeast: 0.5 }),
        },
        {
          what: 'RLock.acquire+release vs Lock.acquire+release (issue 13: within 1.5×)',
          reached: ratio(ours, perSecond(rlockRow)),
          target: '≤ 1.5×',
          met: meets(ours / perSecond(rlockRow), { atMost: 1.5 }),
        },
      ],
    },
  );

  const oursAsync = perSecond(ourAsync);
  // An async acquire of a lock in shared memory pays at least an await and an atomic lock pair.
  const asyncFloor = 1 / (1 / perSecond(asyncRows[0]!) + 1 / perSecond(casStore));
  const targets: TargetCheck[] = [
    {
      what: 'Lock.acquireAsync+release vs await-lock',
      reached: ratio(oursAsync, perSecond(awaitLockRow)),
      target: '≥ 1×',
      met: meets(oursAsync / perSecond(awaitLockRow), { atLeast: 1 }),
    },
  ];
  const note = multithreadingNote();
  printTable(
    'Async form (pairs per second; ratio = ours Lock.acquireAsync+release ÷ the row)',
    ['implementation', 'acquire+release pairs/s', 'Lock.acquireAsync ÷ row'],
    asyncRows.map((r) => [r.name, shown(r), ratio(oursAsync, perSecond(r))]),
    {
      targets,
      notes: [
        'await-lock and async-mutex serialize async code inside one thread only; ours and multithreading work across threads too',
        `an await plus a raw CAS + store pair, the least any async acquire+release of a lock in shared memory costs: ${rate(asyncFloor)} here, ${ratio(asyncFloor, perSecond(awaitLockRow))} await-lock (which does no atomic operation); ours reaches ${ratio(oursAsync, asyncFloor)} of that`,
        'the fair Lock rows are measured after all the others (see the source): same run, same machine',
        ...(note === undefined ? [] : [note]),
      ],
    },
  );
}

await main();
