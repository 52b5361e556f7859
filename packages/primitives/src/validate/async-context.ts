/**
 * Which context the running code is in, carried along promises with V8's promise hooks (Node's
 * `v8.promiseHooks`, installed only while the validator is on).
 *
 * Why not `AsyncLocalStorage.enterWith`: an async function runs synchronously, in its caller's async
 * resource, until its first `await`, so a lock recorded there would also be "held" by the caller's
 * remaining code and by every task it starts next (`Promise.all([a(), b()])`), and a test that starts a
 * holder and then waits for the lock itself would be told it deadlocks with itself. Instead the
 * context that holds an async acquisition is handed to the promise the acquisition returns
 * ({@link carry}): V8 makes the parent of an `await`'s continuation the awaited promise, so exactly
 * the code that awaited the acquisition (and what it then awaits and starts) inherits the context.
 * Every other promise inherits the context of the code that created it, as `AsyncLocalStorage` does.
 * Callbacks of timers and I/O run in the thread's synchronous context.
 */
import { nodeBuiltin } from '../internal/runtime.js';
import { isOfThisRun, startContextRun, type HeldContext } from './held-contexts.js';

interface PromiseHooks {
  onInit(hook: (promise: Promise<unknown>, parent: Promise<unknown> | undefined) => void): () => void;
  onBefore(hook: (promise: Promise<unknown>) => void): () => void;
  onAfter(hook: (promise: Promise<unknown>) => void): () => void;
}

const CONTEXT = Symbol('lockstep:validation-context');
const CARRIED = Symbol('lockstep:validation-carried');

interface Tagged {
  [CONTEXT]?: HeldContext;
  [CARRIED]?: HeldContext;
}

let current: HeldContext | undefined;
/** The contexts of the code that each running promise reaction interrupted (reactions do not nest, but be safe). */
const interrupted: (HeldContext | undefined)[] = [];
let stops: (() => void)[] = [];

/** The context of the running code; `undefined` when it holds nothing it took while validated. */
export function currentContext(): HeldContext | undefined {
  return current;
}

/** Makes `context` the running code's, until the promise reaction running now ends. */
export function enterContext(context: HeldContext | undefined): void {
  current = context;
}

/** Whether a promise reaction (an `await` continuation, a `then` callback) is running now. */
export function inPromiseReaction(): boolean {
  return interrupted.length > 0;
}

/** Makes whoever awaits or chains on `promise` run in `context`. */
export function carry(promise: Promise<unknown>, context: HeldContext): void {
  context.shared = true;
  (promise as Tagged)[CARRIED] = context;
}

/**
 * A promise resolved with `true` that carries `context`, for an acquisition taken at once. It is
 * made outside the running context, so that only the carried one is tagged on it: its own tag would
 * never be read (its reactions run in the promises they make, which take the carried one), and a
 * second property added to a promise costs a second map transition.
 */
export function resolvedCarrying(context: HeldContext): Promise<boolean> {
  const running = current;
  current = undefined;
  const promise = Promise.resolve(true);
  current = running;
  carry(promise, context);
  return promise;
}

/** Starts carrying contexts along promises; `false` where the runtime has no promise hooks. */
export function startCarrying(): boolean {
  const hooks = nodeBuiltin<{ promiseHooks?: PromiseHooks }>('node:v8')?.promiseHooks;
  if (hooks === undefined) return false;
  startContextRun();
  stops = [hooks.onInit(onInit), hooks.onBefore(onBefore), hooks.onAfter(onAfter)];
  return true;
}

export function stopCarrying(): void {
  for (const stop of stops) stop();
  stops = [];
  current = undefined;
  interrupted.length = 0;
}

function onInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  const context = (parent as Tagged | undefined)?.[CARRIED] ?? current;
  if (context === undefined) return;
  context.shared = true;
  (promise as Tagged)[CONTEXT] = context;
}

function onBefore(promise: Promise<unknown>): void {
  interrupted.push(current);
  const context = (promise as Tagged)[CONTEXT];
  // A promise of an earlier validator run (switched off and on again) carries nothing any more.
  current = context !== undefined && isOfThisRun(context) ? context : undefined;
}

function onAfter(): void {
  // Switched on inside a reaction: its end returns to the thread's synchronous context, holding nothing.
  current = interrupted.length > 0 ? interrupted.pop() : undefined;
}
