/**
 * The module a `WebThread`'s Web Worker runs first. It waits for the start message, makes the thread's
 * id, name, inherited values and `workerData` known to every copy of the package in this worker (on
 * `globalThis`), then imports the thread's own module, tells the parent how that went, and closes the
 * worker: the thread ends when its module has finished (top-level `await` included), as a Python thread
 * ends when its target returns.
 *
 * It imports nothing that reads the thread's identity, so that the package's modules, loaded by the
 * thread's module afterwards, find it already set.
 */
import { GLOBAL_IDENTITY, GLOBAL_INHERITED, GLOBAL_WORKER_DATA, globalSlots } from './internal/runtime.js';
import { isTagged, MESSAGE_TAG, type EndMessage, type StartMessage } from './internal/web-thread-protocol.js';

interface MessageEventLike {
  readonly data: unknown;
  stopImmediatePropagation(): void;
}

interface WorkerScopeLike {
  addEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEventLike) => void): void;
  postMessage(message: unknown): void;
  close(): void;
}

const scope = globalThis as unknown as WorkerScopeLike;

function onStart(event: MessageEventLike): void {
  if (!isTagged(event.data, 'start')) return;
  // Ours alone: listeners the thread's module adds later never see it.
  event.stopImmediatePropagation();
  scope.removeEventListener('message', onStart);
  const start = event.data as StartMessage;
  globalSlots[GLOBAL_IDENTITY] = { ident: start.ident, name: start.name };
  globalSlots[GLOBAL_INHERITED] = new Map(start.inherited);
  globalSlots[GLOBAL_WORKER_DATA] = start.workerData;
  void run(start.url);
}

async function run(url: string): Promise<void> {
  let end: EndMessage;
  try {
    await import(/* @vite-ignore */ /* webpackIgnore: true */ url);
    end = { [MESSAGE_TAG]: 'end', failed: false };
  } catch (error) {
    end = { [MESSAGE_TAG]: 'end', failed: true, error };
  }
  try {
    scope.postMessage(end);
  } catch {
    // What was thrown cannot be cloned: send its description.
    scope.postMessage({ ...end, error: describe(end.error) });
  }
  scope.close();
}

function describe(error: unknown): string {
  return error instanceof Error ? (error.stack ?? `${error.name}: ${error.message}`) : String(error);
}

scope.addEventListener('message', onStart);
