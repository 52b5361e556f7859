import { QueueReentryError } from '../errors.js';

/**
 * The control blocks of the queues whose comparator is running on this thread right now (usually none,
 * at most a few when comparators use other queues). A comparator runs with its queue's internal lock
 * held; a call back into that queue would wait for this very thread, so it is refused instead.
 */
const comparing: Int32Array[] = [];

/** Runs `fn` (which calls the comparator) marked as inside the comparator of the queue at `control`. */
export function whileComparing<R>(control: Int32Array, fn: () => R): R {
  comparing.push(control);
  try {
    return fn();
  } finally {
    comparing.pop();
  }
}

/** Throws {@link QueueReentryError} when called from the comparator of the queue at `control`. */
export function assertNotComparing(control: Int32Array, method: string): void {
  if (comparing.length === 0) return;
  for (const active of comparing) {
    if (active.buffer === control.buffer && active.byteOffset === control.byteOffset) {
      throw new QueueReentryError(`${method} called from the queue's own comparator, which runs while the queue is locked; a comparator must only compare`);
    }
  }
}
