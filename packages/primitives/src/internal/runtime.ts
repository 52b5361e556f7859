/**
 * What the JavaScript runtime running this thread offers, found at run time: the core of the package
 * imports no Node built-in, so it loads unchanged in browsers (unbundled or through any bundler), in
 * Node, Bun and Deno.
 *
 * Node's built-ins are reached through `process.getBuiltinModule()` (Node 20.16+, Bun, Deno), a plain
 * function call that no bundler follows, never through an `import` of a `node:` module.
 */

interface ProcessLike {
  readonly versions?: { readonly node?: string } | undefined;
  getBuiltinModule?(id: string): unknown;
}

const processObject = (globalThis as { readonly process?: ProcessLike }).process;

/** Node's built-in module `id` (e.g. `'node:worker_threads'`) where the runtime has it; `undefined` elsewhere. */
export function nodeBuiltin<T>(id: string): T | undefined {
  if (typeof processObject?.getBuiltinModule !== 'function') {
    if (typeof processObject?.versions?.node === 'string') {
      throw new Error(
        `@lockstep/primitives needs Node.js 20.16 or later (process.getBuiltinModule), this is ${processObject.versions.node}`,
      );
    }
    return undefined;
  }
  return processObject.getBuiltinModule(id) as T | undefined;
}

interface WorkerScopeConstructor {
  readonly prototype: object;
}

/**
 * Whether this code runs in a Web Worker (`WorkerGlobalScope`): in a browser, and in Deno's `Worker`,
 * whose `node:worker_threads` says `isMainThread` and `threadId` 0 there. Bun's web `Worker` is a
 * `worker_threads` thread and has no `WorkerGlobalScope`.
 */
export function inWebWorkerScope(): boolean {
  const scope = (globalThis as { readonly WorkerGlobalScope?: WorkerScopeConstructor }).WorkerGlobalScope;
  return typeof scope === 'function' && globalThis instanceof (scope as unknown as new () => object);
}

/**
 * Keys on `globalThis` shared by every copy of the package loaded in one thread (a bundle can hold
 * more than one), and set by the Web Worker bootstrap of `WebThread` before the thread's module loads.
 */
export const GLOBAL_IDENTITY = Symbol.for('@lockstep/primitives:thread-identity');
export const GLOBAL_INHERITED = Symbol.for('@lockstep/primitives:inherited');
export const GLOBAL_WORKER_DATA = Symbol.for('@lockstep/primitives:worker-data');

export type GlobalSlots = {
  [GLOBAL_IDENTITY]?: { readonly ident: number; readonly name: string };
  [GLOBAL_INHERITED]?: Map<string, unknown>;
  [GLOBAL_WORKER_DATA]?: unknown;
};

export const globalSlots = globalThis as GlobalSlots;
