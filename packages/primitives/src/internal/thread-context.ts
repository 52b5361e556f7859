import { globalSlots, GLOBAL_IDENTITY, GLOBAL_INHERITED, inWebWorkerScope, nodeBuiltin } from './runtime.js';

/**
 * Who the running thread is, on every runtime, without importing a Node built-in:
 *
 * - a thread started by `WebThread` (browsers, Deno, Bun): the id and name its parent gave it, set by
 *   the Web Worker bootstrap before anything of the package loads in it;
 * - Node, Bun, and Deno outside its Web Workers: `node:worker_threads`' `threadId` (0 on the main
 *   thread), and the name a `Thread` passed in environment data;
 * - a browser's main thread (no `WorkerGlobalScope`): id 0, `MainThread`;
 * - any other Web Worker (a plain `new Worker()`, Deno's `Worker`): an id drawn at random from
 *   [2^24, 2^28), unique with high probability only, and its `self.name` or `Worker-<id>`. Start such
 *   workers with `WebThread` for ids that are unique for sure.
 *
 * Ids fit the owner fields of the primitives (below 2^29).
 */

/** Key under which `Thread` passes a worker its name (environment data is copied at spawn time). */
export const THREAD_NAME_KEY = 'lockstep:thread-name';

interface WorkerThreadsLike {
  readonly isMainThread: boolean;
  readonly threadId: number;
  getEnvironmentData(key: string): unknown;
  setEnvironmentData(key: string, value: unknown): void;
}

const webWorker = inWebWorkerScope();
const workerThreads = nodeBuiltin<WorkerThreadsLike>('node:worker_threads');
/** `node:worker_threads` where it describes this thread (not in Deno's Web Workers, where it claims to be the main thread). */
const nodeThreads = workerThreads !== undefined && !(webWorker && workerThreads.isMainThread) ? workerThreads : undefined;

/** Whether the runtime has `node:worker_threads` (Node, Bun, Deno), so that its own thread ids are in use. */
export const runtimeHasNodeThreads = workerThreads !== undefined;

const RANDOM_IDENT_BASE = 1 << 24;
const RANDOM_IDENT_SPAN = (1 << 28) - RANDOM_IDENT_BASE;

/** An id from [2^24, 2^28) drawn at random: for threads that no one numbered. */
export function drawRandomIdent(): number {
  const draw = new Uint32Array(1);
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(draw);
  else draw[0] = Math.floor(Math.random() * 0x1_0000_0000);
  return RANDOM_IDENT_BASE + (draw[0]! % RANDOM_IDENT_SPAN);
}

function identify(): { readonly ident: number; readonly name: string } {
  const given = globalSlots[GLOBAL_IDENTITY];
  if (given !== undefined) return given;
  if (nodeThreads !== undefined) {
    const { isMainThread, threadId } = nodeThreads;
    /**
     * Read once, when this module loads, and then removed from this thread's environment data: a
     * plain `new Worker()` started from here copies that data, and must not report this thread's name
     * as its own.
     */
    const givenName: unknown = isMainThread ? undefined : nodeThreads.getEnvironmentData(THREAD_NAME_KEY);
    if (givenName !== undefined) nodeThreads.setEnvironmentData(THREAD_NAME_KEY, undefined);
    const name = typeof givenName === 'string' ? givenName : isMainThread ? 'MainThread' : `Thread-${threadId}`;
    return { ident: threadId, name };
  }
  if (!webWorker) return { ident: 0, name: 'MainThread' };
  const ident = drawRandomIdent();
  const selfName = (globalThis as { readonly name?: unknown }).name;
  return { ident, name: typeof selfName === 'string' && selfName !== '' ? selfName : `Worker-${ident}` };
}

const identity = identify();

/** The name of the thread running this code: the `Thread` name, `MainThread`, or `Thread-<id>`. */
export function currentThreadName(): string {
  return identity.name;
}

/** The id of the thread running this code (0 on the main thread). */
export function currentThreadIdent(): number {
  return identity.ident;
}

/** The thread running this code: Python's `threading.current_thread()`, as `{ ident, name }`. */
export function currentThread(): { readonly ident: number; readonly name: string } {
  return { ident: currentThreadIdent(), name: currentThreadName() };
}

export function describeCurrentThread(): { ident: number; name: string } {
  return { ident: identity.ident, name: identity.name };
}

/**
 * Values that every thread started from this one inherits, and their threads in turn: Node's
 * environment data on Node, Bun and Deno (copied into each `worker_threads` worker at its start), and
 * the values a `WebThread` sends its Web Worker at its start. A value must be structured-clonable. A
 * thread reads what it inherited; what it sets reaches the threads it starts afterwards.
 */
export function getInheritedValue(key: string): unknown {
  const inherited = globalSlots[GLOBAL_INHERITED];
  if (inherited?.has(key) === true) return inherited.get(key);
  return nodeThreads?.getEnvironmentData(key);
}

export function setInheritedValue(key: string, value: unknown): void {
  (globalSlots[GLOBAL_INHERITED] ??= new Map()).set(key, value);
  nodeThreads?.setEnvironmentData(key, value);
}

/** What a `WebThread` sends its worker: every inherited value this thread knows of. */
export function inheritedValues(): Map<string, unknown> {
  return new Map(globalSlots[GLOBAL_INHERITED]);
}

let blockingAllowed: boolean | undefined;

/**
 * Whether `Atomics.wait` may suspend this thread. Browsers forbid it on their main thread; asking with a
 * value that does not match returns at once where it is allowed and throws where it is not, so the
 * probe never blocks.
 */
export function canBlock(): boolean {
  if (blockingAllowed === undefined) {
    try {
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 1, 0);
      blockingAllowed = true;
    } catch {
      blockingAllowed = false;
    }
  }
  return blockingAllowed;
}
