import { ThreadStateError } from './errors.js';
import { releaseEventLoop, retainEventLoop } from './internal/keep-alive.js';
import { waitForEnd } from './internal/join-wait.js';
import { deadlineFrom, type WaitOptions } from './internal/options.js';
import { GLOBAL_WORKER_DATA, globalSlots } from './internal/runtime.js';
import { markThreadDead, watchThread } from './internal/thread-registry.js';
import {
  currentThreadIdent,
  drawRandomIdent,
  getInheritedValue,
  inheritedValues,
  runtimeHasNodeThreads,
  setInheritedValue,
} from './internal/thread-context.js';
import { isTagged, MESSAGE_TAG, type EndMessage, type StartMessage } from './internal/web-thread-protocol.js';

/** The parts of a Web `Worker` that `WebThread` uses and exposes (no DOM types needed to compile against it). */
export interface WebWorkerLike {
  postMessage(message: unknown, transfer?: readonly object[]): void;
  addEventListener(type: string, listener: (event: never) => void): void;
  removeEventListener(type: string, listener: (event: never) => void): void;
  terminate(): void;
}

interface WebWorkerConstructor {
  new (url: URL | string, options: Readonly<Record<string, unknown>>): WebWorkerLike;
}

interface MessageEventLike {
  readonly data: unknown;
  stopImmediatePropagation(): void;
}

interface ErrorEventLike {
  readonly error?: unknown;
  readonly message?: string;
  preventDefault(): void;
}

// The global Web Worker constructor (browsers, Deno, Bun), referred to by name, as bundlers expect
// `new Worker(new URL('./file.js', import.meta.url), { type: 'module' })` in order to emit the file.
declare const Worker: WebWorkerConstructor | undefined;

/** Options of `new WebThread()`. */
export interface WebThreadOptions {
  /** Shown in errors, by `currentThread()` inside the thread, and as the worker's name in dev tools. Default `Thread-<n>`. */
  readonly name?: string | undefined;
  /**
   * Given to the thread's module as `workerData()` (structured clone; primitives travel as their
   * `.handle`), before the module loads.
   */
  readonly workerData?: unknown;
  /** A daemon thread does not keep Deno or Bun running; no effect in browsers, where nothing keeps a page open. */
  readonly daemon?: boolean | undefined;
  /** Any other option of `new Worker()`, e.g. `credentials`; `type` is always `'module'`. */
  readonly workerOptions?: Readonly<Record<string, unknown>> | undefined;
}

const ID_COUNTER_KEY = 'lockstep:web-thread-ids';
let threadCounter = 0;

/**
 * The id for a new thread, from one counter in shared memory that every `WebThread` of this page (or
 * process) draws from: the main thread creates it, and each `WebThread` passes it on to its worker. Ids
 * start at 1 where the runtime has no other thread ids, and at 65 536 on Bun and Deno, whose
 * `worker_threads` threads are numbered from 1. A worker that was not started by a `WebThread` has no
 * counter to draw from: its threads get random ids (unique with high probability only).
 */
function nextIdent(): number {
  let counter = getInheritedValue(ID_COUNTER_KEY);
  if (!(counter instanceof SharedArrayBuffer)) {
    if (currentThreadIdent() !== 0) return drawRandomIdent();
    counter = new SharedArrayBuffer(4);
    new Int32Array(counter as SharedArrayBuffer)[0] = runtimeHasNodeThreads ? 1 << 16 : 1;
    setInheritedValue(ID_COUNTER_KEY, counter);
  }
  return Atomics.add(new Int32Array(counter as SharedArrayBuffer), 0, 1);
}

function absoluteUrl(moduleUrl: URL | string): string {
  if (moduleUrl instanceof URL) return moduleUrl.href;
  const base = (globalThis as { readonly location?: { readonly href?: string } }).location?.href;
  try {
    return new URL(moduleUrl, base).href;
  } catch {
    throw new TypeError(`new WebThread(moduleUrl): "${moduleUrl}" is not a URL; pass new URL('./file.js', import.meta.url)`);
  }
}

/**
 * `Thread` for Web Workers (browsers, Deno, Bun): runs a module in a new module Web Worker with a name,
 * and `join()` waits for it. The thread ends when its module has finished: its top-level code, top-level
 * `await` included (await what the thread must do before it ends); the worker is then closed. As in
 * Python, an error thrown by the module is reported (on the console) and kept in
 * {@link WebThread.error}; `join()` still resolves.
 *
 * Inside the thread, the package's `currentThread()` gives the thread's id and name, and
 * `workerData()` what the parent passed, both ready before the module's first line runs. The
 * underlying worker is {@link WebThread.worker}, for messages of your own.
 *
 * @example
 * ```ts
 * import { Lock, WebThread } from '@lockstep/primitives/web';
 * const lock = new Lock();
 * const thread = new WebThread(new URL('./count.js', import.meta.url), { name: 'counter', workerData: { lock: lock.handle } });
 * thread.start();
 * await lock.acquireAsync();   // the main thread of a page may not block: use the …Async forms
 * lock.release();
 * await thread.join();
 * ```
 */
export class WebThread {
  readonly name: string;
  readonly daemon: boolean;
  readonly #url: string;
  readonly #options: WebThreadOptions;
  #worker: WebWorkerLike | undefined;
  #ident: number | undefined;
  #alive = false;
  #ended: Promise<void> | undefined;
  #resolveEnded: (() => void) | undefined;
  #error: unknown;

  constructor(moduleUrl: URL | string, options: WebThreadOptions = {}) {
    if (!(moduleUrl instanceof URL) && typeof moduleUrl !== 'string') {
      throw new TypeError('new WebThread(moduleUrl): moduleUrl must be a URL or a URL string');
    }
    if (options.name !== undefined && typeof options.name !== 'string') throw new TypeError('new WebThread(): name must be a string');
    this.#url = absoluteUrl(moduleUrl);
    threadCounter += 1;
    this.name = options.name ?? `Thread-${threadCounter}`;
    this.daemon = options.daemon ?? false;
    this.#options = options;
  }

  /** The thread's id (`currentThread().ident` inside it) once started; `undefined` before. */
  get ident(): number | undefined {
    return this.#ident;
  }

  /** Whether the thread has started and not yet ended. */
  get isAlive(): boolean {
    return this.#alive;
  }

  /** What the thread threw, if its module failed or an error went uncaught in it. */
  get error(): unknown {
    return this.#error;
  }

  /** The Web Worker running the thread, once started: `postMessage` and `message` events of your own go through it. */
  get worker(): WebWorkerLike | undefined {
    return this.#worker;
  }

  /**
   * Starts the thread.
   * @throws ThreadStateError when called twice; TypeError where the runtime has no Web Workers (Node:
   * use `Thread`); `workerData` that cannot be cloned throws as `postMessage` does, and nothing starts.
   */
  start(): void {
    if (this.#worker !== undefined) throw new ThreadStateError(`WebThread "${this.name}" can only be started once`);
    if (typeof Worker !== 'function') {
      throw new TypeError('WebThread needs Web Workers (a global Worker: browsers, Deno, Bun); on Node, use Thread');
    }
    const ident = nextIdent();
    const worker = new Worker(new URL('./web-thread-worker.js', import.meta.url), {
      ...this.#options.workerOptions,
      type: 'module',
      name: this.name,
    });
    const start: StartMessage = {
      [MESSAGE_TAG]: 'start',
      url: this.#url,
      ident,
      name: this.name,
      workerData: this.#options.workerData,
      inherited: inheritedValues(),
    };
    try {
      worker.postMessage(start);
    } catch (error) {
      worker.terminate();
      throw error;
    }
    // Known to the primitives: marked dead once it ends, so what it dies holding is reported or recovered.
    watchThread(ident);
    this.#worker = worker;
    this.#ident = ident;
    this.#alive = true;
    this.#ended = new Promise((resolve) => {
      this.#resolveEnded = resolve;
    });
    worker.addEventListener('message', this.#onMessage);
    worker.addEventListener('error', this.#onError);
    if (!this.daemon) retainEventLoop();
  }

  /**
   * Waits for the thread to end.
   * @returns `true` once it has ended, `false` if `timeout` ran out first.
   * @throws ThreadStateError if the thread was never started.
   */
  async join(options?: WaitOptions): Promise<boolean> {
    const deadline = deadlineFrom(options, 'WebThread.join()');
    if (this.#ended === undefined) throw new ThreadStateError(`cannot join WebThread "${this.name}" before it is started`);
    if (!this.#alive) return true;
    return waitForEnd(this.#ended, deadline);
  }

  /**
   * Stops the thread at once (`worker.terminate()`). What it held is not released; it is marked dead,
   * as a `Thread` is, so that the next acquirer of an `RLock` (or robust `Lock`/`Semaphore`) it held
   * gets `OwnerDiedError` (see "When a thread dies" in the guide).
   */
  terminate(): Promise<void> {
    this.#worker?.terminate();
    this.#end();
    return Promise.resolve();
  }

  readonly #onMessage = (event: MessageEventLike): void => {
    if (!isTagged(event.data, 'end')) return;
    event.stopImmediatePropagation();
    const end = event.data as EndMessage;
    if (end.failed) this.#report(end.error);
    this.#end();
  };

  readonly #onError = (event: ErrorEventLike): void => {
    // Reported here, as Python's excepthook would; not again as the page's (or Deno's) uncaught error.
    event.preventDefault();
    this.#report(event.error ?? new Error(event.message ?? 'uncaught error in the worker'));
    this.#worker?.terminate();
    this.#end();
  };

  #report(error: unknown): void {
    this.#error = error;
    const text = error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
    console.error(`Exception in thread ${this.name}:\n${text}`);
  }

  #end(): void {
    if (!this.#alive) return;
    this.#alive = false;
    if (this.#ident !== undefined) markThreadDead(this.#ident);
    this.#worker?.removeEventListener('message', this.#onMessage);
    this.#worker?.removeEventListener('error', this.#onError);
    if (!this.daemon) releaseEventLoop();
    this.#resolveEnded?.();
  }
}

/** One function for both entries. */
export { currentThread } from './internal/thread-context.js';

/**
 * In a thread started by a `WebThread`, the `workerData` its parent passed (a structured clone,
 * primitives as handles); `undefined` anywhere else.
 */
export function workerData<T = unknown>(): T {
  return globalSlots[GLOBAL_WORKER_DATA] as T;
}
