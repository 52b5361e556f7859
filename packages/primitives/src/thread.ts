import { setEnvironmentData, getEnvironmentData, Worker, type WorkerOptions } from 'node:worker_threads';
import { ThreadStateError } from './errors.js';
import { waitForEnd } from './internal/join-wait.js';
import { deadlineFrom, type WaitOptions } from './internal/options.js';
import { THREAD_NAME_KEY } from './internal/thread-context.js';
import { registerWorker } from './internal/thread-registry.js';

/** Options of `new Thread()`. */
export interface ThreadOptions {
  /** Shown in errors and by `currentThread()` inside the thread. Default `Thread-<n>`. */
  readonly name?: string | undefined;
  /** Passed to the worker as `workerData` (structured clone; primitives travel as their `.handle`). */
  readonly workerData?: unknown;
  /** A daemon thread does not keep the process alive, as in Python. */
  readonly daemon?: boolean | undefined;
  /** Any other `worker_threads` option, e.g. `resourceLimits` or `execArgv`. */
  readonly workerOptions?: Omit<WorkerOptions, 'workerData'> | undefined;
}

let threadCounter = 0;

/**
 * A thin `Thread` over `worker_threads`, shaped like Python's `threading.Thread`: it runs a module (the
 * JS form of `target`) in a new thread with a name, and `join()` waits for it. As Python prints an
 * uncaught exception through `threading.excepthook` and lets `join()` return, an error thrown by the
 * thread is reported on stderr and kept in {@link Thread.error}; `join()` still resolves.
 *
 * @example
 * ```ts
 * const counter = new Lock();
 * const threads = [1, 2, 3].map((n) =>
 *   new Thread(new URL('./count.js', import.meta.url), { name: `counter-${n}`, workerData: { lock: counter.handle } }),
 * );
 * threads.forEach((t) => t.start());
 * for (const t of threads) await t.join();
 * ```
 */
export class Thread {
  readonly name: string;
  readonly daemon: boolean;
  readonly #url: URL | string;
  readonly #options: ThreadOptions;
  #worker: Worker | undefined;
  #ident: number | undefined;
  #alive = false;
  #exit: Promise<void> | undefined;
  #exitCode: number | undefined;
  #error: unknown;

  constructor(moduleUrl: URL | string, options: ThreadOptions = {}) {
    if (!(moduleUrl instanceof URL) && typeof moduleUrl !== 'string') {
      throw new TypeError('new Thread(moduleUrl): moduleUrl must be a URL or a path string');
    }
    if (options.name !== undefined && typeof options.name !== 'string') throw new TypeError('new Thread(): name must be a string');
    threadCounter += 1;
    this.name = options.name ?? `Thread-${threadCounter}`;
    this.daemon = options.daemon ?? false;
    this.#url = moduleUrl;
    this.#options = options;
  }

  /** The thread's id (`threadId` inside it) once started; `undefined` before. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /** Whether the thread has started and not yet ended. */
  get isAlive(): boolean {
    return this.#alive;
  }

  /** The worker's exit code once it has ended. */
  get exitCode(): number | undefined {
    return this.#exitCode;
  }

  /** What the thread threw, if it ended with an uncaught error. */
  get error(): unknown {
    return this.#error;
  }

  /** Starts the thread. @throws ThreadStateError when called twice. */
  start(): void {
    if (this.#worker !== undefined) throw new ThreadStateError(`Thread "${this.name}" can only be started once`);
    const previous: unknown = getEnvironmentData(THREAD_NAME_KEY);
    // Environment data is copied into the worker when it is created: set the name just for this spawn.
    setEnvironmentData(THREAD_NAME_KEY, this.name);
    try {
      this.#worker = new Worker(this.#url, { ...this.#options.workerOptions, workerData: this.#options.workerData });
    } finally {
      setEnvironmentData(THREAD_NAME_KEY, previous as string);
    }
    const worker = this.#worker;
    // Known to the primitives: marked dead when it exits, before join() returns.
    registerWorker(worker);
    this.#ident = worker.threadId;
    this.#alive = true;
    if (this.daemon) worker.unref();
    worker.on('error', (error) => {
      this.#error = error;
      process.stderr.write(`Exception in thread ${this.name}:\n${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    });
    this.#exit = new Promise((resolve) => {
      worker.once('exit', (code) => {
        this.#alive = false;
        this.#exitCode = code;
        resolve();
      });
    });
  }

  /**
   * Waits for the thread to end.
   * @returns `true` once it has ended, `false` if `timeout` ran out first.
   * @throws ThreadStateError if the thread was never started.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'Thread.join()');
    if (this.#exit === undefined) throw new ThreadStateError(`cannot join Thread "${this.name}" before it is started`);
    if (!this.#alive) return true;
    return waitForEnd(this.#exit, deadline);
  }

  /**
   * Stops the thread at once (`worker.terminate()`). What it held is not released: the next acquirer
   * of an `RLock` (or robust `Lock`/`Semaphore`) it held gets `OwnerDiedError`, and queues and
   * barriers it was inside recover (see "When a thread dies" in the guide).
   */
  async terminate(): Promise<void> {
    await this.#worker?.terminate();
  }
}

/** One function for both entries. */
export { currentThread } from './internal/thread-context.js';

/** `Timer` lives in its own module, so the browser entry can load it without this one. */
export { Timer } from './timer.js';
