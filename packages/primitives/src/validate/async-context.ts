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
 *
 * A context that re-takes, in a loop, the one lock it has just released is re-armed in place
 * ({@link rearm}) instead of being replaced by a new one, which is most of what an uncontended async
 * acquisition costs the validator. That is sound only for the awaiters of the new acquisition: the
 * code that made it runs on in the same context until its promise reaction ends
 * (`const p = lock.acquireAsync(); other(); await p`), and must not seem to hold the lock. So until
 * then the re-arm is provisional, and the first sign that this code uses its context (it asks for it,
 * or tags a promise with it) forks it off into a context of its own, holding the lock released, as
 * the ordinary path would have left it.
 *
 * Nothing here keeps a reference to a promise: a context lives long, and storing each new (young)
 * promise into an old object would cost every acquisition a write barrier (about 20 ns of 150).
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
/** Which re-arm of its carried context a promise carries (`HeldContext.arms` when it was carried). */
const ARM = Symbol('lockstep:validation-arm');

interface Tagged {
  [CONTEXT]?: HeldContext | undefined;
  [CARRIED]?: HeldContext;
  [ARM]?: number;
}

let current: HeldContext | undefined;
/** The context of the running promise reaction as it began; `undefined` outside reactions. */
let entered: HeldContext | undefined;
/** The context the running reaction re-armed, until the reaction ends (see {@link rearm}). */
let rearmed: HeldContext | undefined;
/** What the re-armed context counted before, for a fork. */
let savedTags = 0;
let savedCarriers = 0;
/**
 * The validator's half of a fork, and of a promise that carried a context before it was re-armed: a
 * new context, holding a copy of the re-armed context's entry released and linked on to it (as the
 * ordinary path leaves the context of an acquisition whose lock was re-taken).
 */
let releasedCopy: ((context: HeldContext, forking: boolean) => HeldContext) | undefined;
/**
 * The context of the code the running promise reaction interrupted, and how many reactions run
 * (reactions do not nest, but be safe: the contexts the inner ones interrupted are kept in `deeper`;
 * one variable, not an array, because a push and a pop per reaction are a measurable part of it).
 */
let interrupted: HeldContext | undefined;
let reactions = 0;
const deeper: (HeldContext | undefined)[] = [];
let stops: (() => void)[] = [];

/** The context of the running code; `undefined` when it holds nothing it took while validated. */
export function currentContext(): HeldContext | undefined {
  if (rearmed !== undefined && current === rearmed) forkRearmed();
  return current;
}

/** The context the running promise reaction began in; `undefined` outside promise reactions. */
export function enteredContext(): HeldContext | undefined {
  return entered;
}

/** Makes `context` the running code's, until the promise reaction running now ends. */
export function enterContext(context: HeldContext | undefined): void {
  current = context;
}

/** Whether a promise reaction (an `await` continuation, a `then` callback) is running now. */
export function inPromiseReaction(): boolean {
  return reactions > 0;
}

/** Makes whoever awaits or chains on `promise` run in `context`. */
export function carry(promise: Promise<unknown>, context: HeldContext): void {
  context.shared = true;
  context.carriers += 1;
  const tagged = promise as Tagged;
  // Always the same three properties in the same order: promises of three shapes in all (none, a
  // context, a carrier), so the hooks' reads of them stay polymorphic, not megamorphic in a process
  // mixing kinds of locks (bench/validator.ts's async row: 3.0–3.1× before, 2.75–2.8× after).
  if (tagged[CONTEXT] === undefined) tagged[CONTEXT] = undefined;
  tagged[CARRIED] = context;
  tagged[ARM] = context.arms;
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

/**
 * Hands on `context`, whose only lock the running reaction has just re-taken in place, with a new
 * promise, as {@link resolvedCarrying} hands on a new context. The promises that carried it before
 * hand on, from now on, what the ordinary path would have left them: a context holding the lock
 * released (made by `copy` when first needed), not one that holds it anew.
 */
export function rearm(context: HeldContext, copy: (context: HeldContext, forking: boolean) => HeldContext): Promise<boolean> {
  savedTags = context.tags;
  savedCarriers = context.carriers;
  context.tags = 0;
  context.carriers = 0;
  context.arms += 1;
  rearmed = context;
  releasedCopy = copy;
  return resolvedCarrying(context);
}

/**
 * The code that re-armed its context uses it: it goes on in a context of its own, which holds the
 * re-taken lock released (linked on to the re-taken entry, as the ordinary path links it), and the
 * re-armed context is left to the acquisition's awaiters. Returns the new context.
 */
function forkRearmed(): HeldContext {
  const context = rearmed!;
  rearmed = undefined;
  const forked = releasedCopy!(context, true);
  forked.shared = true;
  forked.tags = savedTags;
  forked.carriers = savedCarriers;
  if (current === context) current = forked;
  if (entered === context) entered = forked;
  return forked;
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
  entered = undefined;
  rearmed = undefined;
  releasedCopy = undefined;
  interrupted = undefined;
  reactions = 0;
  deeper.length = 0;
}

function onInit(promise: Promise<unknown>, parent: Promise<unknown> | undefined): void {
  const carried = (parent as Tagged | undefined)?.[CARRIED];
  let context = carried === undefined ? current : carried.arms === 0 || (parent as Tagged)[ARM] === carried.arms ? carried : retired(parent as Tagged, carried);
  if (context === undefined) return;
  // Made by the code that re-armed its context, not chained on the acquisition: that code forks off.
  if (context === rearmed && context !== carried) context = forkRearmed();
  context.shared = true;
  context.tags += 1;
  (promise as Tagged)[CONTEXT] = context;
}

/** What `carrier`, which carried `context` before it was re-armed, hands on now (and from now on). */
function retired(carrier: Tagged, context: HeldContext): HeldContext {
  // Of an earlier validator run: tagged as it is, and ignored when it runs.
  if (!isOfThisRun(context) || releasedCopy === undefined) return context;
  const copy = releasedCopy(context, false);
  copy.shared = true;
  copy.carriers = 1;
  carrier[CARRIED] = copy;
  return copy;
}

function onBefore(promise: Promise<unknown>): void {
  // A reaction run inside the one that re-armed its context (a nested microtask checkpoint): the
  // re-arm ends with the inner reaction, so the outer one's code goes on in a context of its own.
  if (rearmed !== undefined) forkRearmed();
  if (reactions++ === 0) interrupted = current;
  else deeper.push(current);
  const context = (promise as Tagged)[CONTEXT];
  // A promise of an earlier validator run (switched off and on again) carries nothing any more.
  current = context !== undefined && isOfThisRun(context) ? context : undefined;
  entered = current;
}

function onAfter(): void {
  // The reaction that re-armed its context ends without having used it: the re-arm stands. (Ending an
  // inner reaction, the outer one's `entered` is not restored: it can re-arm no more, which is safe.)
  rearmed = undefined;
  entered = undefined;
  // Switched on inside a reaction: its end returns to the thread's synchronous context, holding nothing.
  if (reactions === 0) current = undefined;
  else if (--reactions === 0) {
    current = interrupted;
    interrupted = undefined;
  } else current = deeper.pop();
}
