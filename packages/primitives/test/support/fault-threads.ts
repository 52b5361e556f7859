import { Worker } from 'node:worker_threads';

/** The worker module of the worker-death tests: victims (by role) and the prober. */
const faultWorkerUrl = new URL('./fault-worker.mjs', import.meta.url);

const live = new Set<Worker>();

/** Starts a victim thread running `role` from fault-worker.mjs. */
export function startVictim(role: string, data: Record<string, unknown>): Worker {
  const worker = new Worker(faultWorkerUrl, { workerData: { role, ...data } });
  live.add(worker);
  worker.on('error', () => {}); // a victim dies by terminate(); nothing it says matters after that
  worker.once('exit', () => live.delete(worker));
  return worker;
}

/** For `afterEach`/`afterAll`: no thread of these tests outlives them. */
export async function terminateFaultThreads(): Promise<void> {
  await Promise.all([...live].map((worker) => worker.terminate()));
  live.clear();
}

/**
 * Busy-waits on this thread until `cells[0] >= target`, so the caller acts within microseconds of the
 * victim's progress (an event-loop poll would land milliseconds later, past the point aimed at).
 * Bounded, so a victim that stalls fails the test instead of hanging it.
 */
export function spinUntil(cells: Int32Array, target: number, what: string, limitMs = 20_000): void {
  const deadline = performance.now() + limitMs;
  while (Atomics.load(cells, 0) < target) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
  }
}

/** Spins about `n` iterations: a random extra delay below a microsecond's granularity. */
export function spin(n: number): void {
  let x = 0;
  for (let i = 0; i < n; i++) x += i;
  if (x < 0) throw new Error('unreachable');
}

interface PendingProbe {
  readonly resolve: (result: unknown) => void;
  readonly reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
  last: string;
}

/**
 * A thread that runs the probes of fault-worker.mjs, one job at a time. Probes are run there, not on
 * the test's thread, because a blocking call that hung would stop this thread's timers too; here a
 * kill timer per job fails the test, naming the call that did not return, and the prober is ended.
 */
export class Prober {
  readonly #worker: Worker;
  readonly #pending = new Map<number, PendingProbe>();
  #next = 0;
  #dead: Error | undefined;

  constructor(readonly killAfterMs = 30_000) {
    this.#worker = new Worker(faultWorkerUrl, { workerData: { role: 'prober' } });
    live.add(this.#worker);
    this.#worker.on('message', (message: { type: string; job: number; call?: string; result?: unknown }) => {
      const pending = this.#pending.get(message.job);
      if (pending === undefined) return;
      if (message.type === 'probing') {
        // The job has started (earlier ones are done): its kill timer counts from here.
        pending.last = message.call!;
        clearTimeout(pending.timer);
        pending.timer = this.#armTimer(message.job);
      } else {
        clearTimeout(pending.timer);
        this.#pending.delete(message.job);
        pending.resolve(message.result);
      }
    });
    this.#worker.on('error', (error) => this.#fail(error));
    this.#worker.once('exit', (code) => this.#fail(new Error(`the prober exited (code ${code})`)));
  }

  probe<R>(job: Record<string, unknown>): Promise<R> {
    if (this.#dead !== undefined) return Promise.reject(this.#dead);
    const id = this.#next++;
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (result: unknown) => void, reject, timer: this.#armTimer(id), last: 'not started' });
      this.#worker.postMessage({ ...job, id });
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }

  #armTimer(id: number): ReturnType<typeof setTimeout> {
    return setTimeout(() => {
      const last = this.#pending.get(id)?.last ?? '?';
      this.#fail(new Error(`probe job ${id} did not return within ${this.killAfterMs} ms (last call started: ${last})`));
      void this.#worker.terminate();
    }, this.killAfterMs);
  }

  #fail(error: Error): void {
    this.#dead ??= error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(error);
    }
    this.#pending.clear();
  }
}
