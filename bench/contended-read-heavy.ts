/**
 * Read-heavy locking: 2 and 4 workers share a small table; nine operations in ten read it (sum the
 * cells under a read hold), one in ten writes it (bump every cell under a write hold). Ours
 * (`ReadWriteLock`, blocking holds) against the `multithreading` package's `RwLock` (its blocking read
 * and write guards) and, for what shared holds buy, our exclusive `Lock` taken for every operation.
 * Web Locks' shared mode, whose API is async only, is compared with our async holds in a second table,
 * measured by bench/web-locks-read-heavy.ts on a runtime that has `navigator.locks` (this one, or the
 * Node 24 of scripts/install-runtimes.mjs, installed if missing). Reports total operations per second
 * and checks that no read saw a write half done.
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Lock, ReadWriteLock } from '@lockstep/primitives';
import { loadMultithreading, multithreadingNote } from './lib/peers.js';
import { median, meets, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import { BENCH_DIR, BUILD_DIR } from './lib/paths.js';
import { newStartLine, runRound } from './lib/start-line.js';
import { BenchWorker } from './lib/threads.js';
import type { AsyncRwSamples, AsyncRwVariant } from './web-locks-read-heavy.js';
import { TABLE_CELLS, WRITE_EVERY, type RwVariant } from './workers/rw-protocol.js';

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
  readonly #control = newStartLine();

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
    const { elapsedMs: elapsed, results } = await runRound<readonly [number, number]>(this.#control, this.#workers, (generation) => ({ variant, generation }), ms);
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
      ...(multithreading.ok ? [] : [`multithreading unavailable: ${multithreading.reason}`]),
      ...(note === undefined ? [] : [note]),
    ],
  });
  await asyncTable();
}

/** A runtime with `navigator.locks`: this one, or Node 24 of the runtime matrix. */
async function webLocksRuntime(): Promise<{ readonly command: string } | { readonly reason: string }> {
  if ((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks !== undefined) return { command: process.execPath };
  try {
    const script = pathToFileURL(resolve(BENCH_DIR, '../scripts/install-runtimes.mjs')).href;
    const { ensureRuntimes } = (await import(script)) as { ensureRuntimes: (options?: { log?: (line: string) => void }) => Promise<{ name: string; command: string }[]> };
    const node24 = (await ensureRuntimes({ log: (line) => console.log(`  (${line})`) })).find((runtime) => runtime.name === 'node24');
    return node24 === undefined ? { reason: 'the runtime matrix has no Node 24' } : { command: node24.command };
  } catch (error) {
    return { reason: error instanceof Error ? error.message : String(error) };
  }
}

const ASYNC_LABELS: Record<AsyncRwVariant, string> = {
  'lockstep-rw-async': 'ReadWriteLock acquireRead/WriteAsync  [ours]',
  'web-locks-shared': "Web Locks request(mode 'shared' / 'exclusive')",
};

async function asyncTable(): Promise<void> {
  const runtime = await webLocksRuntime();
  if ('reason' in runtime) {
    printTable('Read-heavy table, async holds (operations/s over all workers)', ['workers', 'implementation', 'ops/s'], [], {
      notes: [`Web Locks need a runtime with navigator.locks (Node 24), which could not be had: ${runtime.reason}; the table is left out`],
    });
    return;
  }
  const output = execFileSync(runtime.command, [resolve(BUILD_DIR, 'js/web-locks-read-heavy.js'), WORKER_COUNTS.join(','), String(QUICK ? ROUND_MS / 2 : ROUND_MS), String(RUNS)], { encoding: 'utf8', timeout: 600_000 });
  const measured = JSON.parse(output) as AsyncRwSamples;
  const of = (workers: number, variant: AsyncRwVariant): AsyncRwSamples['samples'] => measured.samples.filter((sample) => sample.workers === workers && sample.variant === variant);
  const ops = (workers: number, variant: AsyncRwVariant): number => median(of(workers, variant).map((sample) => sample.opsPerSecond));
  const rows = WORKER_COUNTS.flatMap((workers) =>
    (['lockstep-rw-async', 'web-locks-shared'] as const).map((variant) => {
      const stalled = measured.stalled.some((entry) => entry.workers === workers && entry.variant === variant);
      const torn = of(workers, variant).reduce((sum, sample) => sum + sample.torn, 0);
      return [
        String(workers),
        ASYNC_LABELS[variant],
        of(workers, variant).length === 0 ? 'n/a' : rate(ops(workers, variant)),
        of(workers, variant).length === 0 ? 'n/a' : ratio(ops(workers, 'lockstep-rw-async'), ops(workers, variant)),
        `${torn === 0 ? 'none' : `${torn} TORN`}${stalled ? ', a round STALLED' : ''}`,
      ];
    }),
  );
  printTable(`Read-heavy table, async holds, on ${measured.runtime} (operations/s over all workers)`, ['workers', 'implementation', 'ops/s', 'ours ÷ row', 'torn reads'], rows, {
    align: ['l', 'l'],
    notes: [
      "Web Locks' API is callback only, so this table compares async holds: each operation awaits its grant, in the same worker loop as the first table",
      "a TORN count on the Web Locks row means a read under mode 'shared' saw a write under 'exclusive' half done in another worker: the runtime's Web Locks did not exclude them (seen with Node 24.22's); 'STALLED': a worker's request was never granted, and the round was given up",
    ],
  });
}

await main();
