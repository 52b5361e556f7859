/**
 * The async half of the read-heavy comparison: Web Locks' shared mode (`navigator.locks.request(name,
 * { mode: 'shared' }, fn)`, callback only, so async) against our `ReadWriteLock`'s async holds
 * (`acquireReadAsync` / `acquireWriteAsync`), same table, same nine reads per write as
 * bench/contended-read-heavy.ts. It needs a runtime with `navigator.locks` (Node 24, not 20), so
 * contended-read-heavy.ts runs it with the Node 24 of scripts/install-runtimes.mjs and prints its
 * table; run alone (`node24 bench/.build/js/web-locks-read-heavy.js`) it prints its samples as JSON.
 */
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { ReadWriteLock, type ReadWriteLockHandle } from '@lockstep/primitives';
import { newStartLine, STOP, timedRound, waitAtStartLineAsync } from './lib/start-line.js';
import { readTable, TABLE_CELLS, WRITE_EVERY, writeTable } from './workers/rw-protocol.js';

export type AsyncRwVariant = 'lockstep-rw-async' | 'web-locks-shared';

/** What the script prints: per worker count and variant, the operations/s of each run and torn reads. */
export interface AsyncRwSamples {
  readonly runtime: string;
  readonly samples: readonly { readonly workers: number; readonly variant: AsyncRwVariant; readonly opsPerSecond: number; readonly torn: number }[];
  /** Rounds that never ended (a worker waited for a grant that never came), per worker count and variant. */
  readonly stalled: readonly { readonly workers: number; readonly variant: AsyncRwVariant }[];
}

interface Data {
  readonly control: Int32Array;
  /** One table per variant: a late grant of one variant's lock must not write into another's round. */
  readonly tables: Readonly<Record<AsyncRwVariant, Int32Array>>;
  readonly rw: ReadWriteLockHandle;
}

interface LockManager {
  request(name: string, options: { mode: 'shared' | 'exclusive' }, callback: () => unknown): Promise<unknown>;
}

const LOCK_NAME = 'lockstep-bench-table';

async function workerLoop(): Promise<void> {
  const { control, tables, rw: handle } = workerData as Data;
  const rw = ReadWriteLock.from(handle);
  const locks = (globalThis as unknown as { navigator: { locks: LockManager } }).navigator.locks;
  parentPort!.on('message', (message: { variant: AsyncRwVariant; generation: number }) => {
    void (async () => {
      await waitAtStartLineAsync(control, message.generation);
      let ops = 0;
      let torn = 0;
      const table = tables[message.variant];
      while (Atomics.load(control, STOP) === 0) {
        const write = ops % WRITE_EVERY === 0;
        if (message.variant === 'web-locks-shared') {
          await locks.request(LOCK_NAME, { mode: write ? 'exclusive' : 'shared' }, () => {
            if (write) writeTable(table);
            else if (!readTable(table)) torn++;
          });
        } else if (write) {
          await rw.acquireWriteAsync();
          writeTable(table);
          rw.releaseWrite();
        } else {
          await rw.acquireReadAsync();
          if (!readTable(table)) torn++;
          rw.releaseRead();
        }
        ops++;
      }
      parentPort!.postMessage([ops, torn]);
    })();
  });
}

async function measure(workerCounts: readonly number[], roundMs: number, runs: number): Promise<AsyncRwSamples> {
  const samples: { workers: number; variant: AsyncRwVariant; opsPerSecond: number; torn: number }[] = [];
  const stalled: { workers: number; variant: AsyncRwVariant }[] = [];
  const variants: AsyncRwVariant[] = ['lockstep-rw-async', 'web-locks-shared'];
  for (const size of workerCounts) {
    const control = newStartLine();
    const table = (): Int32Array => new Int32Array(new SharedArrayBuffer(TABLE_CELLS * 4));
    const data: Data = { control, tables: { 'lockstep-rw-async': table(), 'web-locks-shared': table() }, rw: new ReadWriteLock().handle };
    const workers = Array.from({ length: size }, () => new Worker(new URL(import.meta.url), { workerData: data }));
    const round = async (variant: AsyncRwVariant): Promise<{ opsPerSecond: number; torn: number } | undefined> => {
      const send = (generation: number): Promise<[number, number]>[] =>
        workers.map((worker) => {
          const reply = new Promise<[number, number]>((resolve) => worker.once('message', resolve));
          worker.postMessage({ variant, generation });
          return reply;
        });
      const { elapsedMs: elapsed, replies } = await timedRound(control, send, roundMs);
      // A worker whose request is never granted never reports: the round is given up after 10 s.
      const results = await Promise.race([Promise.all(replies), new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 10_000).unref())]);
      if (results === undefined) return undefined;
      return { opsPerSecond: (results.reduce((sum, [ops]) => sum + ops, 0) / elapsed) * 1000, torn: results.reduce((sum, [, torn]) => sum + torn, 0) };
    };
    // Ours first, then Web Locks: a stalled Web Locks round leaves its workers waiting, so it ends the crew.
    measuring: for (const variant of variants) {
      if ((await round(variant)) === undefined) {
        stalled.push({ workers: size, variant });
        continue; // warm-up
      }
      for (let run = 0; run < runs; run++) {
        const sample = await round(variant);
        if (sample === undefined) {
          stalled.push({ workers: size, variant });
          break measuring;
        }
        samples.push({ workers: size, variant, ...sample });
      }
    }
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
  return { runtime: `Node ${process.versions.node}`, samples, stalled };
}

if (!isMainThread) {
  await workerLoop();
} else if (process.argv[1] !== undefined && new URL(import.meta.url).pathname === process.argv[1]) {
  const [counts = '2,4', roundMs = '400', runs = '5'] = process.argv.slice(2);
  if ((globalThis as { navigator?: { locks?: unknown } }).navigator?.locks === undefined) {
    console.error(`web-locks-read-heavy: Node ${process.versions.node} has no navigator.locks (Node 24 has)`);
    process.exit(2);
  }
  console.log(JSON.stringify(await measure(counts.split(',').map(Number), Number(roundMs), Number(runs))));
}
