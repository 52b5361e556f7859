/**
 * Worker plumbing for the benchmarks: start a worker from `bench/workers/`, send it commands and await
 * its replies (main side); serve commands (worker side). Timing never relies on these messages: workers
 * time themselves on the shared monotonic clock (`nowMs`) and report the timestamps.
 */
import { parentPort, Worker, type TransferListItem } from 'node:worker_threads';

interface Reply {
  readonly id: number;
  readonly result?: unknown;
  readonly error?: string;
}

/** A worker that answers commands, one reply per command. */
export class BenchWorker {
  readonly #worker: Worker;
  readonly #pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  #nextId = 0;
  #failure: Error | undefined;

  /** @param file a module in bench/workers/, by its compiled name (`counter-worker.js`). */
  constructor(file: string, workerData: unknown) {
    this.#worker = new Worker(new URL(`../workers/${file}`, import.meta.url), { workerData });
    this.#worker.on('message', (reply: Reply) => {
      const pending = this.#pending.get(reply.id);
      if (pending === undefined) return;
      this.#pending.delete(reply.id);
      if (reply.error !== undefined) pending.reject(new Error(reply.error));
      else pending.resolve(reply.result);
    });
    const fail = (error: Error): void => {
      this.#failure = error;
      for (const pending of this.#pending.values()) pending.reject(error);
      this.#pending.clear();
    };
    this.#worker.on('error', fail);
    this.#worker.on('exit', (code) => fail(new Error(`worker ${file} exited with code ${code}`)));
  }

  /** Sends a command; resolves with the worker's result. */
  call<R>(command: object, transfer: readonly TransferListItem[] = []): Promise<R> {
    if (this.#failure !== undefined) return Promise.reject(this.#failure);
    const id = this.#nextId++;
    return new Promise<R>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#worker.postMessage({ ...command, id }, [...transfer]);
    });
  }

  async terminate(): Promise<void> {
    this.#worker.removeAllListeners('exit');
    await this.#worker.terminate();
  }
}

/** Worker side: runs `handler` for each command (blocking loops welcome) and replies with its result. */
export function serve(handler: (command: Record<string, unknown>) => unknown): void {
  const port = parentPort;
  if (port === null) throw new Error('serve() must run in a worker');
  port.on('message', (command: Record<string, unknown>) => {
    const id = command.id as number;
    Promise.resolve()
      .then(() => handler(command))
      .then(
        (result) => port.postMessage({ id, result }),
        (error: unknown) => port.postMessage({ id, error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
      );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits (without blocking the main thread) until `cells[index]` reaches `value`. */
export async function waitUntilAtLeast(cells: Int32Array, index: number, value: number): Promise<void> {
  while (Atomics.load(cells, index) < value) await sleep(1);
}
