import { getEnvironmentData, isMainThread, setEnvironmentData, threadId } from 'node:worker_threads';

/** Key under which `Thread` passes a worker its name (environment data is copied at spawn time). */
export const THREAD_NAME_KEY = 'lockstep:thread-name';

/**
 * Read once, when this module loads, and then removed from this thread's environment data: a plain
 * `new Worker()` started from here copies that data, and must not report this thread's name as its own.
 */
const givenName: unknown = isMainThread ? undefined : getEnvironmentData(THREAD_NAME_KEY);
if (givenName !== undefined) setEnvironmentData(THREAD_NAME_KEY, undefined);
const threadName = typeof givenName === 'string' ? givenName : isMainThread ? 'MainThread' : `Thread-${threadId}`;

/** The name of the thread running this code: the `Thread` name, `MainThread`, or `Thread-<id>`. */
export function currentThreadName(): string {
  return threadName;
}

/** The id of the thread running this code: Node's `threadId` (0 on the main thread). */
export function currentThreadIdent(): number {
  return threadId;
}

export function describeCurrentThread(): { ident: number; name: string } {
  return { ident: currentThreadIdent(), name: currentThreadName() };
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
