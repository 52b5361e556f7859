import { Worker, type ResourceLimits } from 'node:worker_threads';
import type * as Lockstep from '@lockstep/primitives';

export type Lib = typeof Lockstep;

/** What a worker function threw, rebuilt on the test's side with the original class name. */
export class WorkerError extends Error {
  constructor(readonly errorName: string, message: string, readonly workerStack: string | undefined) {
    super(`${errorName}: ${message}`);
    this.name = errorName;
  }
}

interface Outcome {
  ok: boolean;
  result?: unknown;
  error?: { name: string; message: string; stack?: string };
}

const evalWorkerUrl = new URL('./eval-worker.mjs', import.meta.url);

/** A started worker running `fn`; await `result` for what `fn` returned (or threw). */
export interface RunningWorker<R> {
  readonly worker: Worker;
  readonly result: Promise<R>;
}

/**
 * Starts `fn` in a new worker thread. `fn` must be self-contained (it is sent as source text): it gets
 * the package's exports as `lib` and `data` (structured-cloned) and may not use anything from the test's
 * scope. Every worker is terminated by `terminateAll()` so a failing test never leaves one hanging.
 */
export function startWorker<D, R>(
  fn: (lib: Lib, data: D) => R | Promise<R>,
  data?: D,
  options: { name?: string; resourceLimits?: ResourceLimits } = {},
): RunningWorker<Awaited<R>> {
  const worker = new Worker(evalWorkerUrl, {
    workerData: { source: fn.toString(), data },
    ...(options.name === undefined ? {} : { name: options.name }),
    ...(options.resourceLimits === undefined ? {} : { resourceLimits: options.resourceLimits }),
  });
  live.add(worker);
  const result = new Promise<Awaited<R>>((resolve, reject) => {
    let settled = false;
    worker.once('message', (outcome: Outcome) => {
      settled = true;
      if (outcome.ok) resolve(outcome.result as Awaited<R>);
      else reject(new WorkerError(outcome.error!.name, outcome.error!.message, outcome.error!.stack));
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      live.delete(worker);
      if (!settled) reject(new Error(`worker exited with code ${code} before reporting`));
    });
  });
  return { worker, result };
}

export function runInWorker<D, R>(fn: (lib: Lib, data: D) => R | Promise<R>, data?: D): Promise<Awaited<R>> {
  return startWorker(fn, data).result;
}

const live = new Set<Worker>();

/** For `afterEach`: no worker outlives its test. */
export async function terminateAll(): Promise<void> {
  await Promise.all([...live].map((worker) => worker.terminate()));
  live.clear();
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
