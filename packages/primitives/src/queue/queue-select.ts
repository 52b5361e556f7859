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
  /**
   * Steps run under the lock: the next item; else `'shut-down'`, or `'empty'`. `waitingStep` also
   * registers the selector on this thread's bucket ({@link selectorBucket}); `peekStep` does not.
   */
  readonly waitingStep: () => TakenRecord | 'empty' | 'shut-down';
  readonly peekStep: () => TakenRecord | 'empty' | 'shut-down';
  decode(record: TakenRecord, method: string): T;
  /** When a select of this thread last took from this queue (a tick of this thread's selects; 0: never). */
  lastServed: number;
}

/** Loads of the wake-up word before a blocking select goes to sleep (as `SequenceCells` does). */
const SPIN_LIMIT = 2000;

/** Counts this thread's selects that took an item, to stamp `lastServed`. */
let tick = 0;

/**
 * The order to look at the queues in: least recently served by this thread first (ties: as given).
 * With every queue busy, one list of queues is served in turn; with several lists sharing queues, a
 * busy queue waits at most as many selects of its list as the list is long. An insertion sort: lists
 * are short.
 */
function lruOrder(ports: readonly SelectPort<unknown>[], method: string): number[] {
  const order = new Array<number>(ports.length);
  for (let i = 0; i < ports.length; i++) {
    const port = ports[i]!;
    assertNotComparing(port.control, method);
    const stamp = port.lastServed;
    let j = i;
    while (j > 0 && ports[order[j - 1]!]!.lastServed > stamp) {
      order[j] = order[j - 1]!;
      j--;
    }
    order[j] = i;
  }
  return order;
}

/** Longest sleep: for ever, unless some queue's puts bump another board than the first queue's, which is slept on. */
function sleepLimit(ports: readonly SelectPort<unknown>[]): number {
  const board = ports[0]!.board;
  return ports.every((port) => sameBoard(port.board, board)) ? Infinity : MIXED_BOARDS_POLL_MS;
}

function selected(port: SelectPort<unknown>, index: number, record: TakenRecord, method: string): SelectedItem<Queue<unknown>, unknown> {
  tick += 1;
  port.lastServed = tick;
  return { queue: port.queue, index, item: port.decode(record, method) };
}

/** After a scan that found nothing: throws when there is nothing to wait for, else says how long to sleep. */
function nothingFound(ports: readonly SelectPort<unknown>[], shutDown: number, deadline: Deadline, method: string): number {
  if (shutDown === ports.length) throw new QueueShutDown(`${method}: every queue was shut down and is empty`);
  const timeLeft = remaining(deadline);
  if (timeLeft === 0) {
    throw new QueueEmpty(deadline === NO_WAIT ? `${method}: every queue is empty` : `${method}: no queue gave an item within the timeout`);
  }
  return Math.min(timeLeft, sleepLimit(ports));
}

function unregister(registered: readonly SelectPort<unknown>[] | undefined, bucket: number): void {
  if (registered === undefined) return;
  for (const port of registered) unregisterSelector(port.control, port.selectBase, bucket);
}

/** Blocking `Queue.select`, for workers. */
export function selectBlocking(
  ports: readonly SelectPort<unknown>[],
  options: WaitOptions | undefined,
  method: string,
): SelectedItem<Queue<unknown>, unknown> {
  const deadline = deadlineFrom(options, method);
  const order = lruOrder(ports, method);
  // A call that may not wait has no one to be woken: it does not register.
  const waits = deadline !== NO_WAIT;
  const bucket = selectorBucket();
  const board = ports[0]!.board;
  const word = bucketWord(bucket);
  for (;;) {
    const snapshot = Atomics.load(board, word);
    let registered: SelectPort<unknown>[] | undefined;
    let shutDown = 0;
    try {
      for (const index of order) {
        const port = ports[index]!;
        const outcome = guardedWaitBlocking(port.mutex, deadline, method, waits ? port.waitingStep : port.peekStep, lockTimedOut);
        if (outcome === 'empty') (registered ??= []).push(port);
        else if (outcome === 'shut-down') shutDown += 1;
        else return selected(port, index, outcome, method);
      }
      const sleepMs = nothingFound(ports, shutDown, deadline, method);
      // As a get does (SequenceCells): a put usually comes within microseconds, and sleeping and
      // being woken costs tens of them, so watch the word briefly first.
      let spins = SPIN_LIMIT;
      while (spins-- > 0 && Atomics.load(board, word) === snapshot);
      if (spins < 0) waitBlocking(board, word, snapshot, sleepMs, method);
    } finally {
      if (waits) unregister(registered, bucket);
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
  const order = lruOrder(ports, method);
  const waits = deadline !== NO_WAIT;
  const bucket = selectorBucket();
  const board = ports[0]!.board;
  const word = bucketWord(bucket);
  for (;;) {
    throwIfAborted(signal);
    const snapshot = Atomics.load(board, word);
    let registered: SelectPort<unknown>[] | undefined;
    let shutDown = 0;
    try {
      for (const index of order) {
        const port = ports[index]!;
        const outcome = await guardedWaitAsync(port.mutex, deadline, method, signal, waits ? port.waitingStep : port.peekStep, lockTimedOut);
        if (outcome === 'empty') (registered ??= []).push(port);
        else if (outcome === 'shut-down') shutDown += 1;
        else return selected(port, index, outcome, method);
      }
      const sleepMs = nothingFound(ports, shutDown, deadline, method);
      // The scan awaited: the signal may have aborted since, and an aborted signal fires no more events.
      throwIfAborted(signal);
      // Every put wakes every waiter of the word, abandoned ones included: an abandoned wake needs no forwarding.
      await waitNonBlocking(board, word, snapshot, sleepMs, signal, noop, true);
    } finally {
      if (waits) unregister(registered, bucket);
    }
  }
}

function noop(): void {}

/** What a timed select gives when a queue's internal lock stayed held until its deadline. */
function lockTimedOut(method: string, cause: Error): never {
  throw new QueueEmpty(`${method}: timed out waiting for a queue's internal lock`, { cause });
}
