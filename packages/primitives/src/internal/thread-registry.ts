import type { Worker } from 'node:worker_threads';
// Inherited values are Node's environment data on Node, Bun and Deno, and what a WebThread passes its
// worker elsewhere: no Node built-in is imported, so the table works in browsers too.
import { currentThreadIdent, getInheritedValue as getEnvironmentData, setInheritedValue as setEnvironmentData } from './thread-context.js';

/**
 * Which threads of this process can die detectably, and which have: the liveness table.
 *
 * One `SharedArrayBuffer` for the whole process, with a cell per thread id (Node's `threadId`, unique
 * within the process). The first thread that loads the primitives creates it and puts it in its
 * environment data, which Node copies into every worker that thread (and, in turn, each of those
 * workers) starts afterwards: children and grandchildren all see the same table. A thread started
 * before that, by a thread that had not loaded the primitives, makes a table of its own (documented:
 * load `@lockstep/primitives` in the main thread before starting workers).
 *
 * A cell holds `WATCHED` once the parent of that thread registered it (`Thread.start()` does,
 * `registerWorker()` for raw workers), `DEAD` once the parent saw it exit, and the parent's thread id
 * above those bits: a worker dies with its parent worker (Node stops a worker's own workers when it
 * exits), so a watched thread whose parent is dead is dead too, even though its own parent never got
 * to mark it.
 *
 * Cost: nothing on any fast path. Primitives read the table only when they are about to sleep on a
 * lock held by another thread, or on a barrier with other parties waiting.
 */
const TABLE_KEY = 'lockstep:liveness-table';
const INITIAL_BYTES = 4 * 1024;
const MAX_BYTES = 64 * 1024 * 1024;

const WATCHED = 1;
const DEAD = 2;
const PARENT_SHIFT = 2;

/**
 * How often a waiter whose lock is held by a watched thread wakes up to see whether that thread died
 * (ms). The parent marks a dead thread in the table but cannot wake the waiters of whatever it held (it
 * has no handle to those primitives), so waiters look for themselves; between checks they sleep as
 * any waiter does. A waiter on a lock held by an unwatched thread (the main thread, an unregistered
 * worker) sleeps without checking, as before.
 */
export const OWNER_CHECK_INTERVAL_MS = 20;

function openTable(): SharedArrayBuffer {
  const inherited: unknown = getEnvironmentData(TABLE_KEY);
  if (inherited instanceof SharedArrayBuffer) return inherited;
  const created = new SharedArrayBuffer(INITIAL_BYTES, { maxByteLength: MAX_BYTES });
  setEnvironmentData(TABLE_KEY, created);
  return created;
}

const tableBuffer = openTable();
/** Length-tracking: follows the buffer as any thread grows it. */
const table = new Int32Array(tableBuffer);

function cellOf(ident: number): number {
  return ident >= 0 && ident < table.length ? Atomics.load(table, ident) : 0;
}

function ensureRoom(ident: number): void {
  if (ident < table.length) return;
  const wanted = Math.min(MAX_BYTES, Math.max(tableBuffer.byteLength * 2, (ident + 1) * 4));
  if (ident * 4 >= MAX_BYTES) throw new RangeError(`thread id ${ident} is beyond the liveness table's ${MAX_BYTES / 4} entries`);
  try {
    tableBuffer.grow(wanted);
  } catch (error) {
    // Another thread grew it meanwhile, possibly further: fine as long as our cell now exists.
    if (ident >= table.length) throw error;
  }
}

/** Whether thread `ident` is known to have exited (marked by its parent, or its parent worker is gone). */
export function isThreadDead(ident: number): boolean {
  let cell = cellOf(ident);
  // Parent chains are short; the bound only guards against a corrupted table.
  for (let depth = 0; depth < 64; depth++) {
    if ((cell & DEAD) !== 0) return true;
    if ((cell & WATCHED) === 0) return false;
    const parent = cell >>> PARENT_SHIFT;
    if (parent === 0) return false; // started by the main thread, which outlives every worker
    cell = cellOf(parent);
  }
  return false;
}

/** Whether thread `ident` is registered: its death would be detected, so waiters on it check. */
export function isThreadWatched(ident: number): boolean {
  return (cellOf(ident) & WATCHED) !== 0;
}

/** Marks `ident` as watched, started by the calling thread. */
export function watchThread(ident: number): void {
  if (!Number.isInteger(ident) || ident <= 0) return;
  ensureRoom(ident);
  Atomics.store(table, ident, WATCHED | (currentThreadIdent() << PARENT_SHIFT));
}

/** Marks `ident` as dead. Waiters that check see it at their next check. */
export function markThreadDead(ident: number): void {
  if (!Number.isInteger(ident) || ident <= 0) return;
  ensureRoom(ident);
  Atomics.or(table, ident, DEAD | WATCHED);
}

const registered = new WeakSet<Worker>();

/**
 * Makes a raw `worker_threads` `Worker` known to the primitives, so that locks it dies holding are
 * reported to their next acquirer ({@link OwnerDiedError}) and queues and barriers it dies inside
 * recover. Call it in the thread that created the worker, right after `new Worker(…)` and before the
 * worker can take any lock; `Thread` does it for you. When the worker exits (returns, throws, calls
 * `process.exit()`, or is terminated), this thread marks it dead in the process-wide liveness table as
 * soon as its event loop handles the worker's `'exit'` event; a thread stuck in a blocking wait learns
 * of it when the wait returns. Calling it again for the same worker does nothing.
 *
 * @returns the worker, for chaining.
 * @example
 * ```ts
 * import { Worker } from 'node:worker_threads';
 * import { registerWorker, RLock } from '@lockstep/primitives';
 *
 * const rlock = new RLock();
 * const worker = registerWorker(new Worker('./job.js', { workerData: { rlock: rlock.handle } }));
 * ```
 */
export function registerWorker<W extends Worker>(worker: W): W {
  if (registered.has(worker)) return worker;
  const ident = worker.threadId;
  if (!Number.isInteger(ident) || ident <= 0) {
    throw new TypeError('registerWorker(worker): the worker has already exited (its threadId is gone)');
  }
  registered.add(worker);
  watchThread(ident);
  worker.once('exit', () => markThreadDead(ident));
  return worker;
}
