/**
 * `@lockstep/primitives`: Python's `threading` and `queue` primitives for JavaScript threads, over
 * `SharedArrayBuffer` and `Atomics`. Every primitive works across `worker_threads` (pass its `.handle`,
 * rebuild with `X.from(handle)`), with blocking calls for workers and `…Async` calls for any thread.
 *
 * @packageDocumentation
 */
export * from './core-exports.js';
export { registerWorker } from './internal/thread-registry.js';
export { currentThread, Thread, type ThreadOptions } from './thread.js';
