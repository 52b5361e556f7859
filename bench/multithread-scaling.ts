/**
 * The seeds' recipe "evaluating the performance of multithread applications", in JS: for an empty
 * function, a CPU-bound Fibonacci and file I/O, N calls made one after another on one thread against
 * N workers making one call each (N = 1, 2, 4, 8), so both sides do the same total work.
 *
 * Two ways to run the workers: already started (a pool; the time is the dispatch and the work), and
 * started for the occasion with our `Thread` (start + run + join, as the Python recipe does with
 * `threading.Thread`). Where python3 is on the machine, the same recipe runs in CPython too, so the
 * GIL's effect shows in the same run.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Thread } from '@lockstep/primitives';
import { BENCH_DIR } from './lib/paths.js';
import { duration, median, nowMs, printHeading, printTable, QUICK, ratio, RUNS, type Cell } from './lib/report.js';
import { BenchWorker } from './lib/threads.js';
import { FIB_N, FILE_BYTES, runTask, type RecipeTask } from './workers/recipe-tasks.js';

const COUNTS = [1, 2, 4, 8];
const TASKS: { task: RecipeTask; title: string }[] = [
  { task: 'empty', title: 'empty function' },
  { task: 'fibonacci', title: `CPU-bound: recursive Fibonacci fib(${FIB_N}) per call` },
  { task: 'file-io', title: `file I/O: write ${FILE_BYTES / 1024 / 1024} MiB to a temp file in 1 KiB writes, read it back in 1 KiB reads, per call` },
];
const PYTHON_FIB_N = 27;

interface Times {
  sequential: number[];
  pool: number[];
  threads: number[];
}

function sequential(task: RecipeTask, dir: string, count: number): number {
  const start = nowMs();
  for (let i = 0; i < count; i++) runTask(task, dir, `seq-${i}`);
  return nowMs() - start;
}

async function pooled(pool: readonly BenchWorker[], task: RecipeTask, dir: string, count: number): Promise<number> {
  const start = nowMs();
  await Promise.all(pool.slice(0, count).map((w, i) => w.call({ task, dir, name: `pool-${i}` })));
  return nowMs() - start;
}

async function threads(task: RecipeTask, dir: string, count: number): Promise<number> {
  const url = new URL('./workers/recipe-thread.js', import.meta.url);
  const start = nowMs();
  const started = Array.from({ length: count }, (_, i) => new Thread(url, { name: `recipe-${i}`, workerData: { task, dir, name: `thread-${i}` } }));
  for (const t of started) t.start();
  for (const t of started) await t.join();
  const elapsed = nowMs() - start;
  for (const t of started) if (t.error !== undefined || t.exitCode !== 0) throw new Error(`recipe thread ${t.name} failed: ${String(t.error)}`);
  return elapsed;
}

interface PythonResult {
  python: string;
  sequential: Record<string, number>;
  threads: Record<string, number>;
}

function runPython(): PythonResult | string {
  try {
    const output = execFileSync(
      'python3',
      [resolve(BENCH_DIR, 'python/threads-recipe.py'), String(PYTHON_FIB_N), String(RUNS), ...COUNTS.map(String)],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return JSON.parse(output) as PythonResult;
  } catch (error) {
    return `python3 not run: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
  }
}

async function main(): Promise<void> {
  printHeading(
    "The seeds' recipe: evaluating the performance of multithread applications",
    `N calls one after another on the main thread vs N workers making one call each (same total work). ${availableParallelism()} cores here: at most ${availableParallelism()}× is possible.`,
  );
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-bench-'));
  const pool = Array.from({ length: Math.max(...COUNTS) }, () => new BenchWorker('recipe-worker.js', null));
  const results = new Map<RecipeTask, Map<number, Times>>();
  try {
    // Warm-up: every pool worker runs every task once (start-up, JIT), the main thread too.
    for (const { task } of TASKS) {
      sequential(task, dir, 2);
      await pooled(pool, task, dir, pool.length);
      await threads(task, dir, 1);
      results.set(task, new Map(COUNTS.map((c) => [c, { sequential: [], pool: [], threads: [] }])));
    }
    for (let run = 0; run < RUNS; run++) {
      for (const { task } of TASKS) {
        for (const count of COUNTS) {
          const times = results.get(task)!.get(count)!;
          times.sequential.push(sequential(task, dir, count));
          times.pool.push(await pooled(pool, task, dir, count));
          times.threads.push(await threads(task, dir, count));
        }
      }
    }
  } finally {
    await Promise.all(pool.map((w) => w.terminate()));
    rmSync(dir, { recursive: true, force: true });
  }

  for (const { task, title } of TASKS) {
    const rows: Cell[][] = [];
    for (const count of COUNTS) {
      const t = results.get(task)!.get(count)!;
      const seq = median(t.sequential);
      const pooledMs = median(t.pool);
      const threadMs = median(t.threads);
      rows.push([String(count), duration(seq), duration(pooledMs), ratio(seq, pooledMs), duration(threadMs), ratio(seq, threadMs)]);
    }
    printTable(
      `Recipe, ${title}`,
      ['N', 'sequential (N calls)', 'N pre-started workers', 'speed-up', 'N new Threads (start+run+join)', 'speed-up'],
      rows,
      {
        notes:
          task === 'empty'
            ? ['no work to share: the worker columns are the cost of dispatching to a worker, or of starting one (~ms), as the recipe shows for Python threads']
            : task === 'fibonacci'
              ? [`CPU-bound work scales with workers up to the ${availableParallelism()} cores; past that the cores are shared`]
              : ['file I/O goes through the page cache (no fsync): mostly system-call and copy time, which also runs in parallel across workers'],
      },
    );
  }

  const python = QUICK ? 'skipped in quick mode' : runPython();
  if (typeof python === 'string') {
    console.log(`\n  note: CPython comparison ${python}`);
    return;
  }
  const fibJs = results.get('fibonacci')!;
  printTable(
    `For comparison: the same recipe in CPython ${python.python} (recursive fib(${PYTHON_FIB_N}) per call, threading.Thread)`,
    ['N', 'CPython sequential', 'CPython N threads', 'CPython speed-up', 'JS speed-up, pre-started workers (above)', 'JS speed-up, new Threads (above)'],
    COUNTS.map((count) => {
      const seq = python.sequential[String(count)]!;
      const thr = python.threads[String(count)]!;
      const js = fibJs.get(count)!;
      return [String(count), duration(seq), duration(thr), ratio(seq, thr), ratio(median(js.sequential), median(js.pool)), ratio(median(js.sequential), median(js.threads))];
    }),
    { notes: ["CPython's GIL lets one thread run Python code at a time: its threads do not speed up CPU-bound work; worker_threads (one V8 isolate each) do"] },
  );
}

await main();
