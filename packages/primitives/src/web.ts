/**
 * `@lockstep/primitives/web`: the package for Web Workers: browsers (on cross-origin-isolated pages),
 * Deno and Bun. The same primitives as the Node entry, with {@link WebThread} in place of `Thread` (and
 * its `registerWorker`, for `worker_threads` workers). No Node built-in is imported, statically or
 * otherwise, on a browser.
 *
 * On a browser's main thread, which may not block, use the `…Async` forms: the blocking ones throw
 * {@link BlockingNotAllowedError}. In Web Workers both work.
 *
 * @packageDocumentation
 */
export { Acquirable } from './acquirable.js';
export { Barrier, type BarrierHandle, type BarrierOptions } from './barrier.js';
export { Condition, type ConditionHandle } from './condition.js';
export { CountDownLatch, WaitGroup, type CountDownLatchHandle, type WaitGroupHandle } from './count-down-latch.js';
export {
  BlockingNotAllowedError,
  BrokenBarrierError,
  CountBelowZeroError,
  InternalStateLockedError,
  ItemDecodeError,
  LockNotRecoverableError,
  LockStateError,
  LockstepError,
  LockTimeoutError,
  OwnerDiedError,
  QueueEmpty,
  QueueFull,
  QueueReentryError,
  QueueShutDown,
  ThreadStateError,
} from './errors.js';
export { Event, type EventHandle } from './event.js';
export { INTERNAL_LOCK_PATIENCE_MS } from './internal/internal-lock.js';
export type { AsyncWaitOptions, WaitOptions } from './internal/options.js';
export { OWNER_CHECK_INTERVAL_MS } from './internal/thread-registry.js';
export { Lock, type LockHandle, type LockOptions } from './lock.js';
export {
  LifoQueue,
  PriorityQueue,
  Queue,
  type PriorityQueueOptions,
  type QueueHandle,
  type QueueKind,
  type QueueOptions,
} from './queue/queue.js';
export type { Selected, SelectedItem } from './queue/queue-select.js';
export { ReadWriteLock, WriteHold, type ReadWriteLockHandle } from './read-write-lock.js';
export { RLock, type RLockHandle } from './rlock.js';
export { BoundedSemaphore, Semaphore, type BoundedSemaphoreHandle, type SemaphoreHandle } from './semaphore.js';
export { Timer } from './timer.js';
export { currentThread, WebThread, workerData, type WebThreadOptions, type WebWorkerLike } from './web-thread.js';
