import { currentThreadIdent, getInheritedValue, setInheritedValue } from '../internal/thread-context.js';

/**
 * How a put to any of several queues wakes a thread in `Queue.select` (see queue-select.ts).
 *
 * A thread can sleep on one memory word only, and a put can only write to memory its thread holds, so
 * the word a selector sleeps on must be reachable from every queue's putters. That is the **select
 * board**: one `SharedArrayBuffer` of wake-up words ("buckets"), made once per process and shared as the
 * liveness table is (the first thread that loads the primitives creates it and every thread it starts,
 * and theirs in turn, inherits it). Each queue also carries the board of the thread that made it in its
 * handle, so every thread that uses a queue bumps the same board for it, whichever board it inherited.
 *
 * A selector sleeps on its bucket (its thread id modulo {@link BUCKETS}). Each queue's control block
 * counts, per bucket, the selectors registered on it while they wait. A put reads one word, the total;
 * only when someone selects on that queue does it bump and notify the buckets that have registrations.
 * A queue nobody selects on pays that one load and nothing else. Threads whose ids share a bucket wake
 * each other needlessly now and then (they look, and sleep again).
 */
export const BUCKETS = 32;

// Board layout: a random 62-bit id (two words) tells boards apart across threads, where one buffer
// arrives as several JS objects; then one wake-up word per bucket, each on its own 64-byte line.
const ID_WORDS = 2;
const BUCKET_STRIDE = 16;
const FIRST_BUCKET = BUCKET_STRIDE;
const BOARD_WORDS = FIRST_BUCKET + BUCKETS * BUCKET_STRIDE;
const BOARD_KEY = 'lockstep:select-board';

// A queue's select cells: how many selectors are registered on it, then that count per bucket.
const TOTAL = 0;
const PER_BUCKET = 1;
export const SELECT_CELLS = PER_BUCKET + BUCKETS;

function openBoard(): Int32Array {
  const inherited: unknown = getInheritedValue(BOARD_KEY);
  if (inherited instanceof SharedArrayBuffer && inherited.byteLength >= BOARD_WORDS * 4) return new Int32Array(inherited, 0, BOARD_WORDS);
  const board = new Int32Array(new SharedArrayBuffer(BOARD_WORDS * 4));
  const id = new Int32Array(ID_WORDS);
  if (typeof globalThis.crypto?.getRandomValues === 'function') globalThis.crypto.getRandomValues(id);
  else for (let i = 0; i < ID_WORDS; i++) id[i] = Math.floor(Math.random() * 0x1_0000_0000) | 0;
  id[0] = id[0]! | 1; // never all zero
  board.set(id);
  setInheritedValue(BOARD_KEY, board.buffer);
  return board;
}

/** This thread's board, for the queues it makes. Made when this module loads, so that workers started later inherit it. */
export const threadBoard: Int32Array = openBoard();

/** The board a queue's handle carries, checked. */
export function boardFromBuffer(buffer: unknown, where: string): Int32Array {
  if (!(buffer instanceof SharedArrayBuffer) || buffer.byteLength < BOARD_WORDS * 4) {
    throw new TypeError(`${where}: handle.selectBoard must be the SharedArrayBuffer of a queue's handle`);
  }
  return new Int32Array(buffer, 0, BOARD_WORDS);
}

/** Whether two board views are one board (the same buffer, possibly reached through different clones). */
export function sameBoard(a: Int32Array, b: Int32Array): boolean {
  return a.buffer === b.buffer || (Atomics.load(a, 0) === Atomics.load(b, 0) && Atomics.load(a, 1) === Atomics.load(b, 1));
}

/** The bucket the calling thread's selectors sleep on. */
export function selectorBucket(): number {
  return currentThreadIdent() % BUCKETS;
}

/** The index, in a board, of a bucket's wake-up word. */
export function bucketWord(bucket: number): number {
  return FIRST_BUCKET + bucket * BUCKET_STRIDE;
}

/**
 * A selector of `bucket` waits on the queue whose select cells start at `base`. Under the queue's
 * (take) lock, before its last look at the queue: a put, under another lock, publishes its item before
 * it reads the count ({@link wakeSelectors}), so either the put sees this registration or the look
 * sees the item.
 */
export function registerSelector(cells: Int32Array, base: number, bucket: number): void {
  Atomics.add(cells, base + PER_BUCKET + bucket, 1);
  Atomics.add(cells, base + TOTAL, 1);
}

/** Undoes {@link registerSelector}; needs no lock (a put that still sees it only wakes the bucket needlessly). */
export function unregisterSelector(cells: Int32Array, base: number, bucket: number): void {
  Atomics.sub(cells, base + TOTAL, 1);
  Atomics.sub(cells, base + PER_BUCKET + bucket, 1);
}

/**
 * After a change that may let a selector take an item (a put, an item put back, a shutdown, a
 * recovery), made before this call: wakes every selector registered on the queue. One load when
 * nobody selects on the queue (see {@link registerSelector} for why no registration is missed); a
 * selector that unregistered since may still be counted, which costs a needless bump.
 */
export function wakeSelectors(cells: Int32Array, base: number, board: Int32Array): void {
  if (Atomics.load(cells, base + TOTAL) === 0) return;
  for (let bucket = 0; bucket < BUCKETS; bucket++) {
    if (Atomics.load(cells, base + PER_BUCKET + bucket) === 0) continue;
    const word = bucketWord(bucket);
    Atomics.add(board, word, 1);
    Atomics.notify(board, word);
  }
}
