import { releaseEventLoop, retainEventLoop } from './keep-alive.js';
import { startLongTimeout, type LongTimeout } from './long-timeout.js';
import { remaining, type Deadline } from './options.js';

/**
 * The wait of `Thread.join()` and `WebThread.join()`: `true` once `ended` settles, `false` when the
 * deadline passes first. An unbounded join keeps this thread's event loop alive, since a daemon
 * thread's worker is unref'd and would not.
 */
export async function waitForEnd(ended: Promise<unknown>, deadline: Deadline): Promise<boolean> {
  if (deadline === Infinity) {
    retainEventLoop();
    try {
      await ended;
    } finally {
      releaseEventLoop();
    }
    return true;
  }
  let timer: LongTimeout | undefined;
  const timedOut = new Promise<false>((resolve) => {
    // A timeout past what setTimeout keeps (2^31 - 1 ms) would otherwise end the join after 1 ms.
    timer = startLongTimeout(() => resolve(false), remaining(deadline));
  });
  const result = await Promise.race([ended.then(() => true as const), timedOut]);
  timer?.cancel();
  return result;
}
