/**
 * What the Node entry (`index.ts`) and the Web entry (`web.ts`) both export: every primitive and error.
 * The entries differ only in how a thread is started (`Thread` and `registerWorker`, or `WebThread`),
 * so they add those and re-export the rest from here, and cannot drift apart.
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
  WaitCancelledError,
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
export {
  BoundedSemaphore,
  Semaphore,
  type BoundedSemaphoreHandle,
  type SemaphoreAsyncWaitOptions,
  type SemaphoreHandle,
  type SemaphoreOptions,
  type SemaphoreWaitOptions,
} from './semaphore.js';
export { Timer } from './timer.js';
