import { QueueEmpty, QueueShutDown } from '../errors.js';
import { waitBlocking, waitNonBlocking } from '../internal/futex.js';
import { guardedWaitAsync, guardedWaitBlocking } from '../internal/guarded-wait.js';
import type { InternalLock } from '../internal/internal-lock.js';
import { deadlineFrom, NO_WAIT, remaining, signalFrom, throwIfAborted, type AsyncWaitOptions, type Deadline, type WaitOptions } from '../internal/options.js';
import type { Queue } from './queue.js';
import type { TakenRecord } from './record-store.js';
import { assertNotComparing } from './reentry-guard.js';
import { bucketWord, sameBoard, selectorBucket, unregisterSelector } from './select-board.js';

/**
 * `Queue.select`: take one item from whichever of several queues has one first.
 *
 * One scan looks at each queue in turn, under that queue's own internal lock (never two at once, so no
 * lock order to get wrong): a queue with an item gives it, exactly as its `get()` would, and the scan
 * ends; an empty one registers the selector (see select-board.ts), so a put there from then on bumps
 * the selector's wake-up word. The word is read before the scan, so a put made anywhere after the
 * selector looked at that queue makes the sleep return at once. After each sleep the selector
 * unregisters and scans again. Items are only ever taken under their queue's lock, by one thread, so
 * none is lost or given twice, whoever else takes from the same queues.
 */

/** How often a select looks again when its queues were made on threads with different select boards. */
export const MIXED_BOARDS_POLL_MS = 10;

/** What `Queue.select` gives: the queue the item came from, its index in the array given, and the item. */
export interface SelectedItem<Q, T, I extends number = number> {
  readonly queue: Q;
  readonly index: I;
  readonly item: T;
}

type ItemOf<Q> = Q extends Queue<infer T> ? T : never;
type IndexOf<K> = K extends `${infer N extends number}` ? N : number;

/**
 * The result of `Queue.select(queues)`: for a tuple of queues, one case per position (so checking
 * `index` narrows `queue` and `item`); for an array, any of its queues and items.
 */
export type Selected<Q extends readonly Queue<unknown>[]> = number extends Q['length']
  ? SelectedItem<Q[number], ItemOf<Q[number]>>
  : { [K in keyof Q]: SelectedItem<Q[K], ItemOf<Q[K]>, IndexOf<K>> }[number];

/** What a select needs of one queue (made by queue.ts, which keeps the rest of the queue private). */
export interface SelectPort<T> {
  readonly queue: Queue<T>;
  readonly mutex: InternalLock;
  readonly control: Int32Array;
  readonly selectBase: number;
  readonly board: Int32Array;
  /** Under the lock: the next item; else `'shut-down'`, or `'empty'` (registered on `bucket` when it is >= 0). */
  step(bucket: number): TakenRecord | 'empty' | 'shut-down';
  decode(record: TakenRecord, method: string): T;
  /** When a select of this thread last took from this queue (a tick of this thread's selects; 0: never). */
  lastServed: number;
}

/** Counts this thread's selects that took an item, to stamp `lastServed`. */
let tick = 0;

interface Plan {
  readonly ports: readonly SelectPort<unknown>[];
  /** Indices of `ports` in the order to look at them: least recently served by this thread first. */
  readonly order: readonly number[];
  readonly bucket: number;
  /** The board and word the selector sleeps on: the first queue's. */
  readonly board: Int32Array;
  readonly word: number;
  /** Longest sleep: for ever, unless a queue's puts bump another board than the one slept on. */
  readonly sleepLimit: number;
}

function plan(ports: readonly SelectPort<unknown>[], method: string): Plan {
  for (const port of ports) assertNotComparing(port.control, method);
  // Least recently served first: with every queue busy, one list of queues is served in turn; with
  // several lists sharing queues, a busy queue waits at most as many selects as its list is long.
  const order = ports.map((_, index) => index).sort((a, b) => ports[a]!.lastServed - ports[b]!.lastServed || a - b);
  const board = ports[0]!.board;
  const mixed = ports.some((port) => !sameBoard(port.board, board));
  const bucket = selectorBucket();
  return { ports, order, bucket, board, word: bucketWord(bucket), sleepLimit: mixed ? MIXED_BOARDS_POLL_MS : Infinity };
}

/** One scan's outcome so far: the queues registered on (to unregister) and how many are finished. */
interface Scan {
  readonly registered: SelectPort<unknown>[];
  shutDown: number;
}

function selected(port: SelectPort<unknown>, index: number, record: TakenRecord, method: string): SelectedItem<Queue<unknown>, unknown> {
  tick += 1;
  port.lastServed = tick;
  return { queue: port.queue, index, item: port.decode(record, method) };
}

/** After a scan that found nothing: throws when there is nothing to wait for. */
function nothingFound(scan: Scan, plan: Plan, deadline: Deadline, method: string): number {
  if (scan.shutDown === plan.ports.length) throw new QueueShutDown(`${method}: every queue was shut down and is empty`);
  const timeLeft = remaining(deadline);
  if (timeLeft === 0) {
    throw new QueueEmpty(deadline === NO_WAIT ? `${method}: every queue is empty` : `${method}: no queue gave an item within the timeout`);
  }
  return Math.min(timeLeft, plan.sleepLimit);
}

function unregister(scan: Scan, plan: Plan): void {
  for (const port of scan.registered) unregisterSelector(port.control, port.selectBase, plan.bucket);
}

function outcomeOf(port: SelectPort<unknown>, outcome: TakenRecord | 'empty' | 'shut-down', scan: Scan): TakenRecord | undefined {
  if (outcome === 'empty') {
    scan.registered.push(port);
    return undefined;
  }
  if (outcome === 'shut-down') {
    scan.shutDown += 1;
    return undefined;
  }
  return outcome;
}

/** Blocking `Queue.select`, for workers. */
export function selectBlocking(
  ports: readonly SelectPort<unknown>[],
  options: WaitOptions | undefined,
  method: string,
): SelectedItem<Queue<unknown>, unknown> {
  const deadline = deadlineFrom(options, method);
  const p = plan(ports, method);
  // A call that may not wait has no one to be woken: it does not register.
  const bucket = deadline === NO_WAIT ? -1 : p.bucket;
  for (;;) {
    const snapshot = Atomics.load(p.board, p.word);
    const scan: Scan = { registered: [], shutDown: 0 };
    try {
      for (let k = 0; k < ports.length; k++) {
        const index = p.order[k]!;
        const port = ports[index]!;
        const outcome = guardedWaitBlocking(port.mutex, deadline, method, () => port.step(bucket), lockTimedOut);
        const record = outcomeOf(port, outcome, scan);
        if (record !== undefined) return selected(port, index, record, method);
      }
      waitBlocking(p.board, p.word, snapshot, nothingFound(scan, p, deadline, method), method);
    } finally {
      unregister(scan, p);
    }
  }
}

/** `Queue.selectAsync`, for any thread. */
export async function selectAsync(
  ports: readonly SelectPort<unknown>[],
  options: AsyncWaitOptions | undefined,
  method: string,
): Promise<SelectedItem<Queue<unknown>, unknown>> {
  const deadline = deadlineFrom(options, method);
  const signal = signalFrom(options, method);
  throwIfAborted(signal);
  const p = plan(ports, method);
  const bucket = deadline === NO_WAIT ? -1 : p.bucket;
  for (;;) {
    throwIfAborted(signal);
    const snapshot = Atomics.load(p.board, p.word);
    const scan: Scan = { registered: [], shutDown: 0 };
    try {
      for (let k = 0; k < ports.length; k++) {
        const index = p.order[k]!;
        const port = ports[index]!;
        const outcome = await guardedWaitAsync(port.mutex, deadline, method, signal, () => port.step(bucket), lockTimedOut);
        const record = outcomeOf(port, outcome, scan);
        if (record !== undefined) return selected(port, index, record, method);
      }
      const sleepMs = nothingFound(scan, p, deadline, method);
      // The scan awaited: the signal may have aborted since, and an aborted signal fires no more events.
      throwIfAborted(signal);
      // Every put wakes every waiter of the word, abandoned ones included: an abandoned wake needs no forwarding.
      await waitNonBlocking(p.board, p.word, snapshot, sleepMs, signal, noop);
    } finally {
      unregister(scan, p);
    }
  }
}

function noop(): void {}

/** What a timed select gives when a queue's internal lock stayed held until its deadline. */
function lockTimedOut(method: string, cause: Error): never {
  throw new QueueEmpty(`${method}: timed out waiting for a queue's internal lock`, { cause });
}
