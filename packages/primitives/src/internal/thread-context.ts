import { getEnvironmentData, isMainThread, threadId } from 'node:worker_threads';

/** Key under which `Thread` passes a worker its name (environment data is copied at spawn time). */
export const THREAD_NAME_KEY = 'lockstep:thread-name';

let cachedName: string | undefined;

/** The name of the thread running this code: the `Thread` name, `MainThread`, or `Thread-<id>`. */
export function currentThreadName(): string {
  if (cachedName === undefined) {
    const given = isMainThread ? undefined : getEnvironmentData(THREAD_NAME_KEY);
    cachedName = typeof given === 'string' ? given : isMainThread ? 'MainThread' : `Thread-${threadId}`;
  }
  return cachedName;
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
