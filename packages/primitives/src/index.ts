/**
 * `@lockstep/primitives`: Python's `threading` and `queue` primitives for JavaScript threads, over
 * `SharedArrayBuffer` and `Atomics`. Every primitive works across `worker_threads` (pass its `.handle`,
 * rebuild with `X.from(handle)`), with blocking calls for workers and `…Async` calls for any thread.
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
export { OWNER_CHECK_INTERVAL_MS, registerWorker } from './internal/thread-registry.js';
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
export { BoundedSemaphore, Semaphore, type BoundedSemaphoreHandle, type SemaphoreHandle, type SemaphoreOptions } from './semaphore.js';
export { currentThread, Thread, Timer, type ThreadOptions } from './thread.js';
