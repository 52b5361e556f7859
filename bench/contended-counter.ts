/**
 * Contended lock: 2, 4 and 8 workers (on this machine's cores, and oversubscribed) increment one shared
 * counter, each increment under the lock, for a fixed time. Ours (blocking `Lock.acquire`) against a C
 * program doing the same with `pthread_mutex` (compiled here with gcc -O2 -pthread), a naive JS spin
 * lock, and the `multithreading` package's Mutex; a fair Lock (`{ fair: true }`, strict FIFO hand-off)
 * beside ours for information, to show what strict fairness costs. Reports throughput, the ratios, and how evenly the
 * workers shared the lock (so a starved worker shows), and checks the counter equals the ops counted.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Lock } from '@lockstep/primitives';
import { BENCH_DIR, BUILD_DIR } from './lib/paths.js';
import { multithreadingNote } from './lib/peers.js';
import { count, median, meets, percent, printHeading, printTable, QUICK, rate, ratio, RUNS, type TargetCheck } from './lib/report.js';
import { newStartLine, runRound } from './lib/start-line.js';
import { BenchWorker } from './lib/threads.js';
import type { CounterVariant } from './workers/counter-protocol.js';

const WORKER_COUNTS = [2, 4, 8];
const ROUND_MS = QUICK ? 150 : 400;
/** A worker with less than this fraction of an even share of the increments counts as starved. */
const STARVED_BELOW = 0.1;

interface Sample {
  readonly opsPerSecond: number;
  readonly perWorker: readonly number[];
  readonly counterOk: boolean;
}

type Implementation = CounterVariant | 'pthread' | 'fair';

const LABELS: Record<Implementation, string> = {
  pthread: 'C pthread_mutex (gcc -O2)',
  lockstep: 'Lock.acquire() + release()  [ours]',
  fair: 'Lock({ fair: true }) acquire() + release()  [ours]',
  spin: 'naive JS spin lock (CAS loop)',
  multithreading: 'multithreading Mutex.blockingLock()',
};

function sample(elapsedMs: number, perWorker: readonly number[], counter: number): Sample {
  const total = perWorker.reduce((a, b) => a + b, 0);
  return { opsPerSecond: (total / elapsedMs) * 1000, perWorker, counterOk: counter === total };
}

/** Builds the C reference; returns its path, or why it could not be built. */
function buildPthreadCounter(): { path: string } | { reason: string } {
  const source = resolve(BENCH_DIR, 'native/pthread-counter.c');
  const binary = resolve(BUILD_DIR, 'pthread-counter');
  mkdirSync(BUILD_DIR, { recursive: true });
  try {
    execFileSync('gcc', ['-O2', '-pthread', '-o', binary, source], { stdio: ['ignore', 'ignore', 'pipe'] });
    return { path: binary };
  } catch (error) {
    return { reason: `could not build with gcc: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}` };
  }
}

function runPthread(binary: string, threads: number, ms: number): Sample {
  const output = execFileSync(binary, [String(threads), String(ms)], { encoding: 'utf8' });
  const parsed = JSON.parse(output) as { seconds: number; ops: number; counter: number; perThread: number[] };
  return sample(parsed.seconds * 1000, parsed.perThread, parsed.counter);
}

class Crew {
  readonly #workers: BenchWorker[];
  readonly #control = newStartLine();
  readonly #counter = new Int32Array(new SharedArrayBuffer(4));

  /** `fair`: the workers' Lock (their 'lockstep' loop) is `new Lock({ fair: true })`. */
  constructor(size: number, fair = false) {
    const data = {
      control: this.#control,
      counter: this.#counter,
      lock: new Lock({ fair }).handle,
      spin: new Int32Array(new SharedArrayBuffer(4)),
      mutexBuffer: new SharedArrayBuffer(4),
    };
    this.#workers = Array.from({ length: size }, () => new BenchWorker('counter-worker.js', data));
  }

  async round(variant: CounterVariant, ms: number): Promise<Sample> {
    this.#counter[0] = 0;
    const { elapsedMs, results } = await runRound<number>(this.#control, this.#workers, (generation) => ({ variant, generation }), ms);
    return sample(elapsedMs, results, Atomics.load(this.#counter, 0));
  }

  async close(): Promise<void> {
    await Promise.all(this.#workers.map((w) => w.terminate()));
  }
}

interface Result {
  readonly workers: number;
  readonly implementation: Implementation;
  readonly samples: Sample[];
  readonly unavailable?: string;
}

const opsPerSecond = (r: Result | undefined): number => (r === undefined || r.unavailable !== undefined ? NaN : median(r.samples.map((s) => s.opsPerSecond)));

/** Of the runs, the one with the median throughput: its per-worker split is the one shown. */
function medianSample(r: Result): Sample | undefined {
  const sorted = [...r.samples].sort((a, b) => a.opsPerSecond - b.opsPerSecond);
  return sorted[(sorted.length - 1) >> 1];
}

/** Smallest share any worker got, as a fraction of an even split, over all runs. */
function worstShare(r: Result): number {
  let worst = Infinity;
  for (const s of r.samples) {
    const total = s.perWorker.reduce((a, b) => a + b, 0);
    if (total > 0) worst = Math.min(worst, Math.min(...s.perWorker) / (total / s.perWorker.length));
  }
  return worst;
}

async function main(): Promise<void> {
  printHeading(
    'Contended lock: workers incrementing one shared counter',
    `Each worker loops { lock; counter++; unlock } for ${ROUND_MS} ms; ops/s over all workers. ${availableParallelism()} cores here, so 4 and 8 workers are oversubscribed.`,
  );
  const pthread = buildPthreadCounter();
  const variants: CounterVariant[] = ['lockstep', 'spin', 'multithreading'];
  const results: Result[] = [];

  for (const size of WORKER_COUNTS) {
    const crew = new Crew(size);
    // Its own workers, which only ever see a fair lock (as the others only a default one).
    const fairCrew = new Crew(size, true);
    const js = variants.map((implementation): Result => ({ workers: size, implementation, samples: [] }));
    const fair: Result = { workers: size, implementation: 'fair', samples: [] };
    const native: Result =
      'path' in pthread ? { workers: size, implementation: 'pthread', samples: [] } : { workers: size, implementation: 'pthread', samples: [], unavailable: pthread.reason };
    // Warm-up rounds per variant (JIT, worker start-up), not counted.
    for (let i = 0; i < (QUICK ? 1 : 2); i++) {
      for (const v of variants) await crew.round(v, QUICK ? ROUND_MS / 2 : ROUND_MS);
      await fairCrew.round('lockstep', QUICK ? ROUND_MS / 2 : ROUND_MS);
    }
    for (let run = 0; run < RUNS; run++) {
      // Ours right next to pthread in every run (the ratio that matters is measured close in time),
      // which of the two goes first alternating; the other rows after them, in alternating order.
      const order: Result[] = run % 2 === 0 ? [native, js[0]!, fair, js[1]!, js[2]!] : [js[0]!, native, fair, js[2]!, js[1]!];
      for (const r of order) {
        if (r.implementation === 'pthread') {
          if ('path' in pthread) r.samples.push(runPthread(pthread.path, size, ROUND_MS));
        } else if (r.implementation === 'fair') {
          r.samples.push(await fairCrew.round('lockstep', ROUND_MS));
        } else {
          r.samples.push(await crew.round(r.implementation, ROUND_MS));
        }
      }
    }
    await crew.close();
    await fairCrew.close();
    results.push(native, js[0]!, fair, ...js.slice(1));
  }

  const find = (workers: number, implementation: Implementation): Result | undefined =>
    results.find((r) => r.workers === workers && r.implementation === implementation);

  const rows = results.map((r) => {
    if (r.unavailable !== undefined) return [String(r.workers), LABELS[r.implementation], `unavailable (${r.unavailable})`, '', '', '', '', ''];
    const ops = opsPerSecond(r);
    const mid = medianSample(r)!;
    const counterOk = r.samples.every((s) => s.counterOk);
    return [
      String(r.workers),
      LABELS[r.implementation],
      rate(ops),
      ratio(ops, opsPerSecond(find(r.workers, 'pthread'))),
      ratio(opsPerSecond(find(r.workers, 'lockstep')), ops),
      `${count(Math.min(...mid.perWorker))} – ${count(Math.max(...mid.perWorker))}`,
      percent(worstShare(r)),
      counterOk ? 'exact' : 'LOST UPDATES',
    ];
  });

  const targets: TargetCheck[] = [];
  for (const workers of [2, 4]) {
    const r = opsPerSecond(find(workers, 'lockstep')) / opsPerSecond(find(workers, 'pthread'));
    targets.push({ what: `${workers} workers, ours vs C pthread_mutex`, reached: ratio(r, 1), target: '≥ 0.8×', met: meets(r, { atLeast: 0.8 }) });
  }
  for (const workers of WORKER_COUNTS.filter((w) => w > availableParallelism())) {
    const r = opsPerSecond(find(workers, 'lockstep')) / opsPerSecond(find(workers, 'spin'));
    targets.push({
      what: `${workers} workers on ${availableParallelism()} cores, ours vs naive spin lock`,
      reached: ratio(r, 1),
      target: "≥ 2× (our reading of DESIGN.md's 'far ahead')",
      met: meets(r, { atLeast: 2 }),
    });
  }
  for (const workers of WORKER_COUNTS) {
    const r = find(workers, 'lockstep');
    const share = r === undefined ? NaN : worstShare(r);
    targets.push({
      what: `${workers} workers, no worker of ours starved (smallest share of an even split, any run)`,
      reached: percent(share),
      target: `≥ ${percent(STARVED_BELOW)}`,
      met: meets(share, { atLeast: STARVED_BELOW }),
    });
  }

  const note = multithreadingNote();
  printTable(
    'Shared counter under a lock (ops/s over all workers)',
    ['workers', 'implementation', 'ops/s', 'row ÷ pthread', 'ours ÷ row', 'per-worker ops, min – max (median run)', 'smallest share of even split', 'counter'],
    rows,
    {
      align: ['l', 'l'],
      targets,
      notes: [
        'the C program runs the same loop with threads of one process; the JS rows run worker_threads, each its own V8 isolate',
        'the fair Lock hands the lock to the longest waiter at every release, so each increment waits for a sleeping thread to wake: the cost of strict FIFO',
        "'counter exact' = the shared counter equals the sum of the workers' increments in every run (mutual exclusion held)",
        ...(note === undefined ? [] : [note]),
      ],
    },
  );
}

await main();
