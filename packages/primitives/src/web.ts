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
export * from './core-exports.js';
export { currentThread, WebThread, workerData, type WebThreadOptions, type WebWorkerLike } from './web-thread.js';
