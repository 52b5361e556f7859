/**
 * Read-heavy locking: 2 and 4 workers share a small table; nine operations in ten read it (sum the
 * cells under a read hold), one in ten writes it (bump every cell under a write hold). Ours
 * (`ReadWriteLock`, blocking holds) against the `multithreading` package's `RwLock` (its blocking read
 * and write guards) and, for what shared holds buy, our exclusive `Lock` taken for every operation.
 * Web Locks' shared mode joins the table where the runtime has `navigator.locks` (not Node 20).
 * Reports total operations per second and checks that no read saw a write half done.
 */
import { availableParallelism } from 'node:os';
import { Lock, ReadWriteLock } from '@lockstep/primitives';
import { loadMultithreading, multithreadingNote } from './lib/peers.js';
import { median, meets, nowMs, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import { BenchWorker, sleep, waitUntilAtLeast } from './lib/threads.js';
import { ARMED, CONTROL_CELLS, GO, STOP, TABLE_CELLS, WRITE_EVERY, type RwVariant } from './workers/rw-protocol.js';

const WORKER_COUNTS = [2, 4];
const ROUND_MS = QUICK ? 150 : 400;

const LABELS: Record<RwVariant, string> = {
  'lockstep-rw': 'ReadWriteLock read/write holds  [ours]',
  'lockstep-lock': 'Lock for every operation  [ours, exclusive]',
  'multithreading-rw': 'multithreading RwLock blockingRead/Write',
};

interface Sample {
  readonly opsPerSecond: number;
  readonly torn: number;
}

class Crew {
  readonly #workers: BenchWorker[];
  readonly #control = new Int32Array(new SharedArrayBuffer(CONTROL_CELLS * 4));

  constructor(size: number) {
    const data = {
      control: this.#control,
      table: new Int32Array(new SharedArrayBuffer(TABLE_CELLS * 4)),
      rw: new ReadWriteLock().handle,
      lock: new Lock().handle,
      mtState: new SharedArrayBuffer(4),
    };
    this.#workers = Array.from({ length: size }, () => new BenchWorker('rw-worker.js', data));
  }

  async round(variant: RwVariant, ms: number): Promise<Sample> {
    const control = this.#control;
    Atomics.store(control, STOP, 0);
    Atomics.store(control, ARMED, 0);
    const generation = Atomics.load(control, GO);
    const replies = this.#workers.map((w) => w.call<readonly [number, number]>({ variant, generation }));
    await waitUntilAtLeast(control, ARMED, this.#workers.length);
    const start = nowMs();
    Atomics.add(control, GO, 1);
    Atomics.notify(control, GO);
    await sleep(ms);
    Atomics.store(control, STOP, 1);
    const elapsed = nowMs() - start;
    const results = await Promise.all(replies);
    const ops = results.reduce((sum, [n]) => sum + n, 0);
    return { opsPerSecond: (ops / elapsed) * 1000, torn: results.reduce((sum, [, torn]) => sum + torn, 0) };
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

async function main(): Promise<void> {
  printHeading(
    'Read-heavy lock: workers reading a shared table, one write in ten',
    `Each worker loops for ${ROUND_MS} ms: ${WRITE_EVERY - 1} reads (sum ${TABLE_CELLS} cells under a read hold) per write (bump them all under a write hold); operations/s over all workers. ${availableParallelism()} cores here.`,
  );
  const multithreading = await loadMultithreading();
  const variants: RwVariant[] = multithreading.ok ? ['lockstep-rw', 'multithreading-rw', 'lockstep-lock'] : ['lockstep-rw', 'lockstep-lock'];
  const results = new Map<string, Sample[]>();
  const key = (workers: number, variant: RwVariant): string => `${workers}:${variant}`;

  for (const size of WORKER_COUNTS) {
    const crew = new Crew(size);
    for (const v of variants) await crew.round(v, QUICK ? ROUND_MS / 2 : ROUND_MS); // warm-up
    for (let run = 0; run < RUNS; run++) {
      // Alternate the order so neither peer always runs on a warmer machine.
      const order = run % 2 === 0 ? variants : [...variants].reverse();
      for (const v of order) {
        const list = results.get(key(size, v)) ?? [];
        list.push(await crew.round(v, ROUND_MS));
        results.set(key(size, v), list);
      }
    }
    await crew.close();
  }

  const ops = (workers: number, variant: RwVariant): number => median((results.get(key(workers, variant)) ?? []).map((s) => s.opsPerSecond));
  const rows = WORKER_COUNTS.flatMap((workers) =>
    variants.map((variant) => {
      const samples = results.get(key(workers, variant)) ?? [];
      const torn = samples.reduce((sum, s) => sum + s.torn, 0);
      return [String(workers), LABELS[variant], rate(ops(workers, variant)), ratio(ops(workers, 'lockstep-rw'), ops(workers, variant)), torn === 0 ? 'none' : `${torn} TORN`];
    }),
  );
  const webLocks = (globalThis as { navigator?: { locks?: unknown } }).navigator?.locks;
  const targets: TargetCheck[] = [];
  if (multithreading.ok) {
    for (const workers of WORKER_COUNTS) {
      const r = ops(workers, 'lockstep-rw') / ops(workers, 'multithreading-rw');
      targets.push({ what: `${workers} workers, ReadWriteLock vs multithreading RwLock`, reached: ratio(r, 1), target: '≥ 1×', met: meets(r, { atLeast: 1 }) });
    }
  }
  const note = multithreadingNote();
  printTable('Read-heavy table (operations/s over all workers)', ['workers', 'implementation', 'ops/s', 'ours (ReadWriteLock) ÷ row', 'torn reads'], rows, {
    align: ['l', 'l'],
    targets,
    notes: [
      "'torn reads' counts reads that saw the table's cells differ, i.e. a write overlapping a read hold: it must be none for every lock",
      webLocks === undefined
        ? `Web Locks (navigator.locks, mode 'shared') are not in Node ${process.versions.node}: that row is left out here`
        : "Web Locks are in this runtime but not measured yet: their callback-only API is async, a row of a different kind",
      ...(multithreading.ok ? [] : [`multithreading unavailable: ${multithreading.reason}`]),
      ...(note === undefined ? [] : [note]),
    ],
  });
}

await main();
