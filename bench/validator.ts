/**
 * What the run-time lock validator (`@lockstep/primitives/validate`) costs: uncontended acquire +
 * release of our primitives with the validator off and on, in the same run, one thread. Off, the
 * primitives test one module variable per call; on, each acquisition looks up its lock's record and
 * checks each lock held against the order graph (a hash lookup per edge seen before), then records
 * the entry, and each release removes it. The nested rows hold an outer lock, so every inner
 * acquisition also checks one known edge: the validator's steady state in real code.
 *
 * async-mutex's rows instrument it (`instrument: [asyncMutex]`) and add a third mode, `raw`: a second
 * instance of its ESM build (imported under another URL, so its own classes) that is never patched:
 * off, the instrumented copy has its own methods back, so off ÷ raw should be noise.
 *
 * Rows are measured in turns (off, on, off, on…, rotating which goes first), so a busy moment falls on
 * both modes alike. DESIGN.md §6: on ≤ 3× off for our locks, ≤ 1.5× for async-mutex.
 *
 * A last table states contended throughput (no target): two workers incrementing one shared counter
 * under one `Lock`, blocking and async, with the validator off and on in both workers (on, they share
 * the process's order graph and publish their blocking waits in its wait-for table).
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { Lock, RLock, Semaphore } from '@lockstep/primitives';
// Importing the validator switches it on; every row sets the mode it measures.
import { disableLockValidation, enableLockValidation, lockValidationReports } from '@lockstep/primitives/validate';
import { median, meets, nowMs, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import { newStartLine, runRound } from './lib/start-line.js';
import { BenchWorker } from './lib/threads.js';
import type { ContendedCommand, ContendedForm } from './workers/validator-protocol.js';

disableLockValidation();

type AsyncMutexModule = typeof import('async-mutex');
const asyncMutexEntry = pathToFileURL(createRequire(import.meta.url).resolve('async-mutex').replace(/lib[\\/]index\.js$/, 'index.mjs')).href;
const asyncMutex = (await import(asyncMutexEntry)) as AsyncMutexModule;
// The same file under another URL is another module instance, with classes the validator never patches.
const asyncMutexRaw = (await import(`${asyncMutexEntry}?unpatched`)) as AsyncMutexModule;
if (asyncMutex.Mutex === asyncMutexRaw.Mutex) throw new Error('expected two instances of async-mutex');

type Body = (n: number) => void | Promise<void>;

interface Row {
  readonly name: string;
  readonly on: boolean;
  readonly body: Body;
  readonly samples: number[];
  n: number;
}

const MEASURE_MS = QUICK ? 30 : 150;

function setMode(on: boolean): void {
  if (on) enableLockValidation({ onReport: 'throw', instrument: [asyncMutex] });
  else disableLockValidation();
}

// Each loop is its own function (one per mode too), so each gets its own optimized code.
const loops = {
  lockBlocking: (lock: Lock): Body => (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  },
  lockAsync: (lock: Lock): Body => async (n) => {
    for (let i = 0; i < n; i++) {
      await lock.acquireAsync();
      lock.release();
    }
  },
  nested: (outer: Lock, inner: Lock): Body => (n) => {
    using _outer = outer.hold();
    for (let i = 0; i < n; i++) {
      inner.acquire();
      inner.release();
    }
  },
  nestedAsync: (outer: Lock, inner: Lock): Body => async (n) => {
    await using _outer = await outer.holdAsync();
    for (let i = 0; i < n; i++) {
      await inner.acquireAsync();
      inner.release();
    }
  },
  rlock: (lock: RLock): Body => (n) => {
    for (let i = 0; i < n; i++) {
      lock.acquire();
      lock.release();
    }
  },
  semaphore: (semaphore: Semaphore): Body => (n) => {
    for (let i = 0; i < n; i++) {
      semaphore.acquire();
      semaphore.release();
    }
  },
  asyncMutexRunExclusive: (mutex: InstanceType<AsyncMutexModule['Mutex']>): Body => async (n) => {
    const nothing = (): void => undefined;
    for (let i = 0; i < n; i++) await mutex.runExclusive(nothing);
  },
  asyncMutexAcquire: (mutex: InstanceType<AsyncMutexModule['Mutex']>): Body => async (n) => {
    for (let i = 0; i < n; i++) {
      const release = await mutex.acquire();
      release();
    }
  },
  asyncMutexSemaphore: (semaphore: InstanceType<AsyncMutexModule['Semaphore']>): Body => async (n) => {
    for (let i = 0; i < n; i++) {
      await semaphore.acquire();
      semaphore.release();
    }
  },
};

/**
 * Both modes of one measurement, each with loops and locks of its own (built from `make` twice): a
 * lock the validator has seen carries its record, which an off loop of a validator-free program never
 * meets.
 */
function pair(name: string, make: () => Body): [Row, Row] {
  return [
    { name: `${name}  [off]`, on: false, body: make(), samples: [], n: 0 },
    { name: `${name}  [on]`, on: true, body: make(), samples: [], n: 0 },
  ];
}

/** async-mutex's three modes: never patched, patched with the validator off, and on. */
function trio(name: string, make: (module: AsyncMutexModule) => Body): [Row, Row, Row] {
  return [
    { name: `${name}  [raw]`, on: false, body: make(asyncMutexRaw), samples: [], n: 0 },
    { name: `${name}  [off]`, on: false, body: make(asyncMutex), samples: [], n: 0 },
    { name: `${name}  [on]`, on: true, body: make(asyncMutex), samples: [], n: 0 },
  ];
}

async function timed(row: Row, n: number): Promise<number> {
  setMode(row.on);
  const start = nowMs();
  await row.body(n);
  const elapsed = nowMs() - start;
  disableLockValidation();

  return elapsed;
}

async function calibrate(row: Row): Promise<number> {
  let n = 1000;
  for (;;) {
    const elapsed = await timed(row, n);
    if (elapsed >= MEASURE_MS / 4 || n >= 2 ** 28) return Math.max(1000, Math.round((n * MEASURE_MS) / Math.max(elapsed, 0.001)));
    n *= 4;
  }
}

async function measure(rows: readonly Row[]): Promise<void> {
  for (const row of rows) row.n = await calibrate(row);
  for (let run = 0; run < RUNS; run++) {
    for (let k = 0; k < rows.length; k++) {
      const row = rows[(k + run) % rows.length]!;
      row.samples.push((row.n / (await timed(row, row.n))) * 1000);
    }
  }
}

const CONTENDED_WORKERS = 2;
const ROUND_MS = QUICK ? 100 : 300;

/** Workers taking one shared lock in turns of fixed length; counts their increments. */
class Crew {
  readonly #workers: BenchWorker[];
  readonly #control = newStartLine();
  readonly #counter = new Int32Array(new SharedArrayBuffer(4));

  constructor(size: number) {
    const data = { control: this.#control, counter: this.#counter, lock: new Lock().handle };
    // Started while validation is on here, so that, switched on, they join this process's order graph.
    setMode(true);
    this.#workers = Array.from({ length: size }, () => new BenchWorker('validator-worker.js', data));
    disableLockValidation();
  }

  /** One round; increments per second over all workers (checked against the counter). */
  async round(form: ContendedForm, on: boolean): Promise<number> {
    this.#counter[0] = 0;
    const { elapsedMs: elapsed, results } = await runRound<number>(this.#control, this.#workers, (generation): ContendedCommand => ({ form, on, generation }), ROUND_MS);
    const total = results.reduce((sum, ops) => sum + ops, 0);
    if (Atomics.load(this.#counter, 0) !== total) throw new Error(`lost updates under the lock: counter ${Atomics.load(this.#counter, 0)}, increments ${total}`);
    return (total / elapsed) * 1000;
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((worker) => worker.terminate()));
  }
}

/** Contended rows: per form, the samples off and on, measured in turns. */
async function measureContended(): Promise<{ readonly form: ContendedForm; readonly off: number[]; readonly on: number[] }[]> {
  const crew = new Crew(CONTENDED_WORKERS);
  const rows = (['blocking', 'async'] as const).map((form) => ({ form, off: [] as number[], on: [] as number[] }));
  try {
    for (const row of rows) {
      // Warm-up (JIT, worker start-up), not counted.
      await crew.round(row.form, false);
      await crew.round(row.form, true);
    }
    for (let run = 0; run < RUNS; run++) {
      for (const row of rows) {
        const first = run % 2 === 0;
        const a = await crew.round(row.form, first);
        const b = await crew.round(row.form, !first);
        (first ? row.on : row.off).push(a);
        (first ? row.off : row.on).push(b);
      }
    }
  } finally {
    await crew.close();
  }
  return rows;
}

async function main(): Promise<void> {
  printHeading('Run-time lock validator: off vs on', 'One thread takes and releases locks nobody else uses, with @lockstep/primitives/validate off and on.');
  const pairs = [
    pair('Lock.acquire() + release()', () => loops.lockBlocking(new Lock())),
    pair('Lock.acquireAsync() + release()', () => loops.lockAsync(new Lock())),
    pair('Lock inner acquire() + release(), outer held', () => loops.nested(new Lock(), new Lock())),
    pair('Lock inner acquireAsync() + release(), outer held', () => loops.nestedAsync(new Lock(), new Lock())),
    pair('RLock.acquire() + release()', () => loops.rlock(new RLock())),
    pair('Semaphore(1).acquire() + release()', () => loops.semaphore(new Semaphore(1))),
  ];
  // Instrumented once, before any row runs: `raw` is the other instance.
  setMode(true);
  disableLockValidation();
  const trios = [
    trio('async-mutex Mutex.runExclusive(fn)', (m) => loops.asyncMutexRunExclusive(new m.Mutex())),
    trio('async-mutex Mutex.acquire() + releaser()', (m) => loops.asyncMutexAcquire(new m.Mutex())),
    trio('async-mutex Semaphore(2).acquire() + release()', (m) => loops.asyncMutexSemaphore(new m.Semaphore(2))),
  ];
  await measure([...pairs.flat(), ...trios.flat()]);
  if (lockValidationReports().length > 0) throw new Error('the validator reported something in a benchmark that takes locks in one order');

  const perSecond = (row: Row): number => median(row.samples);
  const targets: TargetCheck[] = pairs.slice(0, 2).map(([off, on]) => ({
    what: `${off.name.replace('  [off]', '')}: cost on ÷ off`,
    reached: ratio(perSecond(off), perSecond(on)),
    target: '≤ 3×',
    met: meets(perSecond(off) / perSecond(on), { atMost: 3 }),
  }));
  printTable(
    'Uncontended acquire + release (pairs per second; cost = off ÷ on, how many times slower validation makes it)',
    ['operation', 'off', 'on', 'cost on ÷ off'],
    pairs.map(([off, on]) => [off.name.replace('  [off]', ''), rate(perSecond(off)), rate(perSecond(on)), ratio(perSecond(off), perSecond(on))]),
    {
      targets,
      notes: [
        'on: onReport "throw", so a finding would fail the run; stacks are captured only for the first acquisitions of each lock class',
        'on also installs V8 promise hooks (to tell async contexts apart), which every promise of the process pays while it is on',
      ],
    },
  );
  printTable(
    'async-mutex, instrumented (pairs per second; raw: an instance never patched; off: instrumented, validator switched off)',
    ['operation', 'raw', 'off', 'on', 'off ÷ raw', 'cost on ÷ off'],
    trios.map(([raw, off, on]) => [
      raw.name.replace('  [raw]', ''),
      rate(perSecond(raw)),
      rate(perSecond(off)),
      rate(perSecond(on)),
      ratio(perSecond(raw), perSecond(off)),
      ratio(perSecond(off), perSecond(on)),
    ]),
    {
      targets: trios.slice(0, 2).map(([, off, on]) => ({
        what: `${off.name.replace('  [off]', '')}: cost on ÷ off`,
        reached: ratio(perSecond(off), perSecond(on)),
        target: '≤ 1.5×',
        met: meets(perSecond(off) / perSecond(on), { atMost: 1.5 }),
      })),
      notes: [
        'off ÷ raw: switched off, the validator puts async-mutex’s own methods back, so this is noise',
        'on, Mutex.acquire and runExclusive are the validator’s own (one carried promise where async-mutex awaits two through its generator helper): faster than async-mutex’s, which hides the validator’s cost in those two rows',
        'the Semaphore row shows that cost: every acquisition is recorded and its promise carries the context',
      ],
    },
  );
  const contended = await measureContended();
  printTable(
    `Contended: ${CONTENDED_WORKERS} workers incrementing one shared counter under one Lock (increments per second over both; no target)`,
    ['operation', 'off', 'on', 'cost on ÷ off'],
    contended.map((row) => [
      row.form === 'blocking' ? 'Lock.acquire() + counter++ + release()' : 'await Lock.acquireAsync() + counter++ + release()',
      rate(median(row.off)),
      rate(median(row.on)),
      ratio(median(row.off), median(row.on)),
    ]),
    {
      notes: [
        `${ROUND_MS} ms rounds, off and on in turns; the counter is checked against the increments counted`,
        'on: each worker validates its own acquisitions, shares the order graph with the other, and publishes each blocking wait in the wait-for table',
      ],
    },
  );
}

await main();
