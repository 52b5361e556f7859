/**
 * The `multithreading` package (0.3.x) is written for Node ≥ 22, Deno, Bun and browsers: at import time
 * it reads `navigator.hardwareConcurrency`, and `spawn()` calls `Promise.withResolvers()`. Node 20 has
 * neither (both arrived in Node 21/22). Import this module before `multithreading` to supply the two,
 * with the meaning they have in newer Node; nothing else about the package is changed.
 */
import { availableParallelism } from 'node:os';

/** Which globals this module had to supply (empty on a Node that has them). */
export const shimmedGlobals: string[] = [];

const global = globalThis as Record<string, unknown>;
if (global.navigator === undefined) {
  global.navigator = { hardwareConcurrency: availableParallelism() };
  shimmedGlobals.push('navigator.hardwareConcurrency');
}
if (typeof Promise.withResolvers !== 'function') {
  Object.defineProperty(Promise, 'withResolvers', {
    configurable: true,
    writable: true,
    value: function withResolvers<T>() {
      let resolve!: (value: T | PromiseLike<T>) => void;
      let reject!: (reason?: unknown) => void;
      const promise = new Promise<T>((res, rej) => {
        resolve = res;
        reject = rej;
      });
      return { promise, resolve, reject };
    },
  });
  shimmedGlobals.push('Promise.withResolvers');
}
