import { ItemDecodeError, QueueEmpty, QueueFull, QueueShutDown } from '../errors.js';
import { constructAdopting, takeAdopted } from '../internal/adopt.js';
import { guardedWaitAsync, guardedWaitBlocking, withInternalLock } from '../internal/guarded-wait.js';
import { InternalLock, internalStateLocked, lockInternalBlocking } from '../internal/internal-lock.js';
import { MUTEX_CELLS } from '../internal/mutex-cells.js';
import { deadlineFrom, NO_WAIT, signalFrom, throwIfAborted, type AsyncWaitOptions, type Deadline, type WaitOptions } from '../internal/options.js';
import { SEQUENCE_CELLS, SequenceCells } from '../internal/sequence-cells.js';
import { allocateCells, cellsFromHandle } from '../internal/shared-cells.js';
import { selectAsync, selectBlocking, type Selected, type SelectPort } from './queue-select.js';
import { boardFromBuffer, registerSelector, SELECT_CELLS, selectorBucket, threadBoard, unregisterSelector, wakeSelectors } from './select-board.js';
import { releaseEncodedBatch, takeEncodedBatch, type EncodedBatch } from './encoded-batch.js';
import { decodeItem } from './item-codec.js';
import { naturalOrder } from './natural-order.js';
import { queueWaitAsync, queueWaitBlocking } from './queue-wait.js';
import { assertNotComparing } from './reentry-guard.js';
import { Journal, JOURNAL_CELLS } from './step-journal.js';
import { releaseTakenBatch, takeTakenBatch, type TakenBatch } from './taken-batch.js';
import {
  allocateStoreBuffers,
  DEFAULT_MAX_ARENA_BYTES,
  initStoreCells,
  Order,
  MAX_ARENA_BYTES,
  RecordStore,
  StorageLimitError,
  storeBuffersProblem,
  STORE_CELLS,
  type StoreBuffers,
  type StoreCells,
  type TakenRecord,
} from './record-store.js';

export type QueueKind = 'Queue' | 'LifoQueue' | 'PriorityQueue';

/** Structured-clonable reference to a queue of any kind; rebuild it with the class's `from`. */
export interface QueueHandle<K extends QueueKind = QueueKind> {
  readonly kind: K;
  readonly buffer: SharedArrayBuffer;
  readonly byteOffset: number;
  readonly index: SharedArrayBuffer;
  readonly arena: SharedArrayBuffer;
  /** The wake-up words of `Queue.select` (see select-board.ts). */
  readonly selectBoard: SharedArrayBuffer;
}

/** Options of `new Queue()` and its kin. */
export interface QueueOptions {
  /** Most items the queue holds; `put` waits while it is full. `0` (the default) means unbounded. */
  readonly maxSize?: number | undefined;
  /**
   * Most bytes of shared memory the queue's items may take (address space is reserved up front and
   * committed as it fills). Default 256 MiB.
   */
  readonly maxBytes?: number | undefined;
}

// The control block: Python's Queue (a mutex, three conditions over it, two counters) in cells, with
// a FIFO's lock split in two (see `RecordStore`): the put lock guards the cells of the put side, the
// take lock HEAD; a LIFO or priority queue takes the put lock for everything. Steps read the cells
// their lock guards plainly (each Atomics call costs tens of ns), and the other side's with Atomics.
// The layout is about cache lines, since a producer and a consumer on two cores pass every line
// either writes back and forth. Each lock word has a line of its own (a spinning getter reads the put
// side's state, and must not take the line from under the putter's lock and unlock); the put side's
// state another; TAIL another, alone (a put writes it once, last, and never reads it: see
// `RecordStore.tail`), so that a getter watching it takes the line from the putter once per put;
// HEAD another; the journal, which only putters touch, its own. The waiter counts, which the other
// side reads on every call to skip a notify nobody needs, the layout's change count and the
// shut-down flag, which both sides read on every call, have lines written only when someone waits,
// the storage grows or the queue is shut down, so reading them costs no miss.
const PUT_MUTEX = 0;
const UNFINISHED = lineAfter(PUT_MUTEX + MUTEX_CELLS);
const STORE = UNFINISHED + 1;
const MAX_SIZE = STORE + STORE_CELLS;
const TAIL = lineAfter(MAX_SIZE + 1);
/** The undo journal of the put side's step in progress: see `Journal`. */
const JOURNAL = lineAfter(TAIL + 1);
const ALL_TASKS_DONE = JOURNAL + JOURNAL_CELLS;
/** Selectors waiting on this queue (`Queue.select`), counted per bucket of the select board. */
const SELECT = ALL_TASKS_DONE + SEQUENCE_CELLS;
const NOT_FULL = lineAfter(SELECT + SELECT_CELLS);
const NOT_EMPTY = lineAfter(NOT_FULL + SEQUENCE_CELLS);
const GROWTHS = lineAfter(NOT_EMPTY + SEQUENCE_CELLS);
const SHUT_DOWN = GROWTHS + 1;
const TAKE_MUTEX = lineAfter(SHUT_DOWN + 1);
const HEAD = lineAfter(TAKE_MUTEX + MUTEX_CELLS);
const QUEUE_CELLS = lineAfter(HEAD + 1);
/** Where a queue's two lock words and counters are, for tests that hold a lock or start the counters near their wrap (not public API). */
export const QUEUE_CELLS_FOR_TESTS = { putLock: PUT_MUTEX, takeLock: TAKE_MUTEX, tail: TAIL, head: HEAD } as const;
const STORE_CELL_INDICES: StoreCells = { base: STORE, tail: TAIL, head: HEAD, growths: GROWTHS };
/** What a step of the put side saves in the journal, in `Journal`'s order. */
const JOURNAL_SAVES = [UNFINISHED, SHUT_DOWN, TAIL, ...Array.from({ length: STORE_CELLS }, (_, i) => STORE + i)];

/** The first cell of the next 64-byte line, and one more line between (the hardware fetches lines in pairs). */
function lineAfter(cell: number): number {
  return (Math.ceil(cell / 16) + 1) * 16;
}

// SHUT_DOWN values: `immediate` is remembered so an item put back after a failed decode is dropped.
const OPEN = 0;
const SHUT = 1;
const SHUT_IMMEDIATELY = 2;

interface QueueParts {
  readonly cells: Int32Array;
  readonly buffers: StoreBuffers;
  readonly board: Int32Array;
}

/**
 * A multi-producer, multi-consumer FIFO queue shared by every thread that holds its handle: Python's
 * `queue.Queue`. Items are copied into shared memory (numbers and `Uint8Array`s directly, strings as
 * UTF-8, anything else structured-clonable through V8's serializer) and come out as copies, as with
 * `postMessage`. `put` waits while a bounded queue is full, `get` while it is empty; `putMany` and
 * `getMany` move many items under one hold of the lock; `taskDone()` and `join()` track work to
 * completion; `shutdown()` ends it as Python 3.13 does.
 *
 * Puts and gets have an internal lock each (a `LifoQueue` or `PriorityQueue` one for both), so
 * producers and consumers never wait for each other's. A lock is only ever held for the few
 * instructions that move an item, never while a call waits, so blocking and async calls mix freely,
 * on one thread too.
 *
 * @example
 * ```ts
 * const jobs = new Queue<{ url: string }>({ maxSize: 100 });
 * // three consumer workers, each rebuilding it with Queue.from(handle):
 * for (;;) {
 *   const job = jobs.get();
 *   try { fetchAndStore(job.url); } finally { jobs.taskDone(); }
 * }
 * // the producer, on the main thread
 * for (const url of urls) await jobs.putAsync({ url });
 * await jobs.joinAsync();          // every job fetched and marked done
 * ```
 */
export class Queue<T = unknown> {
  readonly #cells: Int32Array;
  readonly #store: RecordStore;
  /** Held by puts, and everything but a FIFO's gets (see the control block's layout). */
  readonly #putMutex: InternalLock;
  /** Held by gets and selects: a FIFO's own take lock, the put lock itself for the others. */
  readonly #takeMutex: InternalLock;
  /** Whether this thread's step holds a FIFO's take lock besides the put lock (see `#exclusive`). */
  #takeHeldToo = false;
  // The call whose step may need the take lock too (see `#exclusive`): how long it may wait for it.
  #stepDeadline: Deadline = NO_WAIT;
  #stepMethod = '';
  #stepBatch: EncodedBatch | undefined;
  readonly #journal: Journal;
  readonly #notEmpty: SequenceCells;
  readonly #notFull: SequenceCells;
  readonly #allTasksDone: SequenceCells;
  readonly #board: Int32Array;
  readonly #sorted: boolean;
  /** A FIFO: two locks, the ring of `RecordStore`. */
  readonly #ring: boolean;
  /** `maxSize`, read once: it never changes, and its cell shares the putters' line. */
  readonly #maxSize: number;
  /** How many free slots wake a putter waiting on a full queue (see `#roomWatched`). */
  readonly #roomWorthWaking: number;
  readonly #names: MethodNames;
  #selectPort: SelectPort<T> | undefined;

  /** @throws RangeError when `maxSize` is not a non-negative integer. */
  constructor(options: QueueOptions = {}) {
    const parts = takeAdopted<QueueParts>() ?? Queue.#allocate(options, this.kind);
    const cells = parts.cells;
    this.#cells = cells;
    const ring = (this.#ring = this.order === Order.Fifo);
    this.#maxSize = Atomics.load(cells, MAX_SIZE);
    this.#putMutex = new InternalLock(cells, PUT_MUTEX, this.#recover);
    this.#takeMutex = ring ? new InternalLock(cells, TAKE_MUTEX, this.#recoverTake) : this.#putMutex;
    this.#journal = new Journal(cells, JOURNAL, JOURNAL_SAVES, ring);
    // With one lock, a woken waiter lets its notifier release it first (see SequenceOptions.lock);
    // with two, the notifier holds the other one, and the waiter looks once more after registering.
    const lock = ring ? undefined : this.#putMutex.mutex;
    this.#notEmpty = new SequenceCells(cells, NOT_EMPTY, { lock, ready: this.#gettable });
    // A putter that waited for room comes back once a few gets made some, not for every one.
    this.#roomWorthWaking = Math.max(1, Math.min(64, this.#maxSize >> 4));
    this.#notFull = new SequenceCells(cells, NOT_FULL, { lock, ready: this.#puttable, moves: this.#roomWorthWaking });
    this.#allTasksDone = new SequenceCells(cells, ALL_TASKS_DONE);
    this.#board = parts.board;
    this.#sorted = this.order === Order.Priority;
    this.#names = methodNames(this.kind);
    this.#store = new RecordStore(cells, STORE_CELL_INDICES, this.order, parts.buffers);
    this.#store.setJournal(this.#journal);
    if (ring) this.#store.setExclusive(this.#exclusive);
  }

  static #allocate(options: QueueOptions, kind: string): QueueParts {
    if (typeof options !== 'object' || options === null) throw new TypeError(`new ${kind}(): options must be an object`);
    const { maxSize = 0, maxBytes = DEFAULT_MAX_ARENA_BYTES } = options;
    if (typeof maxSize !== 'number' || !Number.isInteger(maxSize) || maxSize < 0 || maxSize > 0x7fff_ffff) {
      throw new RangeError(`new ${kind}(): maxSize must be a non-negative integer (0 = unbounded), got ${String(maxSize)}`);
    }
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1024 || maxBytes > MAX_ARENA_BYTES) {
      throw new RangeError(`new ${kind}(): maxBytes must be an integer from 1024 to ${MAX_ARENA_BYTES} (just under 2 GiB), got ${String(maxBytes)}`);
    }
    const cells = allocateCells(QUEUE_CELLS);
    cells[MAX_SIZE] = maxSize;
    initStoreCells(cells, STORE);
    return { cells, buffers: allocateStoreBuffers(maxBytes), board: threadBoard };
  }

  /**
   * Rebuilds, in this thread, the queue a handle refers to. The handle's kind decides the class: a
   * `LifoQueue`'s handle gives back a `LifoQueue`, a `PriorityQueue`'s a `PriorityQueue` (pass its
   * `compare` here too).
   */
  static from<T = unknown>(handle: QueueHandle, options: Pick<PriorityQueueOptions<T>, 'compare'> = {}): Queue<T> {
    const kind = (handle as Partial<QueueHandle> | null)?.kind;
    if (kind === 'LifoQueue') return LifoQueue.from<T>(handle);
    if (kind === 'PriorityQueue') return PriorityQueue.from<T>(handle, options);
    return constructAdopting(partsFromHandle(handle, 'Queue'), () => new Queue<T>());
  }

  /**
   * Waits until any of `queues` can give an item, and takes exactly one, from exactly one of them:
   * Go's `select` over receives. Any mix of `Queue`, `LifoQueue` and `PriorityQueue`, shared with
   * other threads, each taken from as its `get()` would. Each call looks first at the queue this
   * thread's selects took from least recently, so busy queues take turns and none is starved. A queue
   * that is shut down and empty is passed over.
   * @returns the queue the item came from, its index in `queues`, and the item.
   * @throws QueueEmpty when `timeout` runs out (at once with `timeout: 0` if all are empty);
   * QueueShutDown when every queue is shut down and empty; ItemDecodeError as `get()` does (the item
   * stays in its queue); TypeError when `queues` is not a non-empty array of queues.
   * @example
   * ```ts
   * const { index, item } = Queue.select([urgent, normal], { timeout: 1_000 });
   * ```
   */
  static select<const Q extends readonly Queue<unknown>[]>(queues: Q, options?: WaitOptions): Selected<Q> {
    const method = 'Queue.select()';
    return selectBlocking(Queue.#portsOf(queues, method), options, method) as Selected<Q>;
  }

  /** Async twin of {@link select}; usable on any thread. An aborted `signal` rejects with its reason, nothing taken. */
  static async selectAsync<const Q extends readonly Queue<unknown>[]>(queues: Q, options?: AsyncWaitOptions): Promise<Selected<Q>> {
    const method = 'Queue.selectAsync()';
    return (await selectAsync(Queue.#portsOf(queues, method), options, method)) as Selected<Q>;
  }

  get handle(): QueueHandle {
    return {
      kind: this.kind,
      buffer: this.#cells.buffer as SharedArrayBuffer,
      byteOffset: this.#cells.byteOffset,
      index: this.#store.buffers.index,
      arena: this.#store.buffers.arena,
      selectBoard: this.#board.buffer as SharedArrayBuffer,
    };
  }

  /** The bound given at construction; 0 for unbounded. */
  get maxSize(): number {
    return this.#maxSize;
  }

  /** Approximate number of items: other threads may change it right after you read it. */
  get size(): number {
    return this.#store.count;
  }

  get empty(): boolean {
    return this.#store.count === 0;
  }

  get full(): boolean {
    const maxSize = this.maxSize;
    return maxSize > 0 && this.#store.count >= maxSize;
  }

  /** Whether `shutdown()` has been called. */
  get isShutDown(): boolean {
    return Atomics.load(this.#cells, SHUT_DOWN) !== OPEN;
  }

  /**
   * Adds an item, waiting while a bounded queue is full.
   * @throws QueueFull when `timeout` runs out; QueueShutDown after `shutdown()`.
   */
  put(item: T, options?: WaitOptions): void {
    const method = this.#names.put;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    const batch = takeEncodedBatch();
    try {
      addItem(batch, item, method);
      if (this.#ring && this.#putOne(batch)) return;
      queueWaitBlocking(this.#putMutex, deadline, method, (timeLeft) => this.#putStep(batch, timeLeft, method, deadline), putTimedOut, this.#roomWatched);
    } finally {
      releaseEncodedBatch(batch);
    }
  }

  /** Async twin of {@link put}; usable on any thread. */
  async putAsync(item: T, options?: AsyncWaitOptions): Promise<void> {
    const method = this.#names.putAsync;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    const batch = takeEncodedBatch();
    try {
      addItem(batch, item, method);
      if (this.#ring && this.#putOne(batch)) return;
      await queueWaitAsync(this.#putMutex, deadline, method, signal, (timeLeft) => this.#putStep(batch, timeLeft, method, deadline), putTimedOut);
    } finally {
      releaseEncodedBatch(batch);
    }
  }

  /** Adds an item only if there is room now. @throws QueueFull, QueueShutDown */
  putNowait(item: T): void {
    this.put(item, { timeout: 0 });
  }

  /**
   * Adds every item of `items`, in order, as a loop of {@link put} calls sharing one timeout would,
   * but under one acquisition of the queue's lock and with one wake-up of the getters for as many as
   * there is room for: much cheaper per item. The items are all read and encoded first, so an item
   * that cannot be queued (`TypeError`, as `put` throws) fails the call with nothing put.
   *
   * A bounded queue takes as many as fit, then the call waits for room for the rest, and the getters
   * take the first ones meanwhile. So the batch may go in in parts, and a call that gives up (its
   * timeout runs out, the queue is shut down) leaves the items already in where they are: the error
   * says how many in `itemsPut` (always the first ones). Never splitting a batch would make one larger
   * than `maxSize` wait forever. An empty `items` returns at once.
   * @throws QueueFull when `timeout` runs out before every item is in (`itemsPut` of them are);
   * QueueShutDown after `shutdown()` (idem); TypeError when `items` is not iterable. As `put`, a
   * `PriorityQueue` comparator's error, or RangeError for storage full, after the items before it.
   * @example
   * ```ts
   * const results = new Queue<number>();
   * results.putMany(chunk.map(score));          // one lock, one wake-up for the whole chunk
   * ```
   */
  putMany(items: Iterable<T>, options?: WaitOptions): void {
    const method = this.#names.putMany;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    const batch = encodeAll(items, method);
    try {
      if (batch.count === 0) return;
      queueWaitBlocking(this.#putMutex, deadline, method, (timeLeft) => this.#putStep(batch, timeLeft, method, deadline), batchTimedOut(batch), this.#roomWatched);
    } finally {
      releaseEncodedBatch(batch);
    }
  }

  /**
   * Async twin of {@link putMany}; usable on any thread. An aborted `signal` rejects with its reason;
   * items already in (a bounded queue that waited for room) stay in.
   * @example
   * ```ts
   * await uploads.putManyAsync(files, { timeout: 10_000, signal: controller.signal });
   * ```
   */
  async putManyAsync(items: Iterable<T>, options?: AsyncWaitOptions): Promise<void> {
    const method = this.#names.putManyAsync;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    const batch = encodeAll(items, method);
    try {
      if (batch.count === 0) return;
      await queueWaitAsync(this.#putMutex, deadline, method, signal, (timeLeft) => this.#putStep(batch, timeLeft, method, deadline), batchTimedOut(batch));
    } finally {
      releaseEncodedBatch(batch);
    }
  }

  /**
   * Adds as many of `items` as there is room for now, in order.
   * @throws QueueFull when not all fit (`itemsPut` went in); QueueShutDown; as {@link putMany}.
   * @example
   * ```ts
   * try {
   *   events.putManyNowait(batch);
   * } catch (error) {
   *   if (!(error instanceof QueueFull)) throw error;
   *   dropped += batch.length - error.itemsPut;   // shed what did not fit
   * }
   * ```
   */
  putManyNowait(items: Iterable<T>): void {
    this.putMany(items, { timeout: 0 });
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty.
   * @throws QueueEmpty when `timeout` runs out; QueueShutDown once shut down and drained.
   */
  get(options?: WaitOptions): T {
    const method = this.#names.get;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    if (this.#sorted) return this.#decode(queueWaitBlocking(this.#takeMutex, deadline, method, (timeLeft) => this.#getStep(timeLeft, method), getTimedOut), method);
    const taken = takeTakenBatch();
    try {
      queueWaitBlocking(this.#takeMutex, deadline, method, (timeLeft) => this.#takeStep(taken, 1, timeLeft, method), getTimedOut, this.#gettable);
      return this.#rebuildOne(taken, method);
    } finally {
      releaseTakenBatch(taken);
    }
  }

  /** Async twin of {@link get}; usable on any thread. */
  async getAsync(options?: AsyncWaitOptions): Promise<T> {
    const method = this.#names.getAsync;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    if (this.#sorted) {
      const record = await queueWaitAsync(this.#takeMutex, deadline, method, signal, (timeLeft) => this.#getStep(timeLeft, method), getTimedOut);
      return this.#decode(record, method);
    }
    const taken = takeTakenBatch();
    try {
      await queueWaitAsync(this.#takeMutex, deadline, method, signal, (timeLeft) => this.#takeStep(taken, 1, timeLeft, method), getTimedOut);
      return this.#rebuildOne(taken, method);
    } finally {
      releaseTakenBatch(taken);
    }
  }

  /** Removes and returns an item only if one is there now. @throws QueueEmpty, QueueShutDown */
  getNowait(): T {
    return this.get({ timeout: 0 });
  }

  /**
   * Waits, as {@link get} does, until there is an item, then removes and returns up to `max` of the
   * items there (in the order `get` would return them), without waiting for more: one acquisition of
   * the queue's lock and one wake-up of the putters for the lot. Each item counts for
   * {@link taskDone} as one `get`.
   *
   * An item this thread cannot rebuild ends the batch: the items before it are returned, and it and
   * the rest stay queued, in their places (if it is the first, the call throws `ItemDecodeError`, as
   * `get` would). A `PriorityQueue` comparator that throws ends it the same way.
   * @throws QueueEmpty when `timeout` runs out (nothing taken); QueueShutDown once shut down and
   * drained; TypeError/RangeError when `max` is not a positive integer.
   * @example
   * ```ts
   * for (;;) {
   *   const lines = logQueue.getMany(512);     // whatever is there, up to 512, at least 1
   *   file.write(lines.join('\n') + '\n');
   *   logQueue.taskDone(lines.length);
   * }
   * ```
   */
  getMany(max: number, options?: WaitOptions): T[] {
    const method = this.#names.getMany;
    checkMax(max, method);
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    if (this.#sorted) return queueWaitBlocking(this.#takeMutex, deadline, method, (timeLeft) => this.#takeSortedStep(max, timeLeft, method), getTimedOut);
    const taken = takeTakenBatch();
    try {
      queueWaitBlocking(this.#takeMutex, deadline, method, (timeLeft) => this.#takeStep(taken, max, timeLeft, method), getTimedOut, this.#gettable);
      return this.#rebuild(taken, method);
    } finally {
      releaseTakenBatch(taken);
    }
  }

  /**
   * Async twin of {@link getMany}; usable on any thread. An aborted `signal` rejects with its reason, nothing taken.
   * @example
   * ```ts
   * const rows = await results.getManyAsync(1_000, { timeout: 5_000 });
   * ```
   */
  async getManyAsync(max: number, options?: AsyncWaitOptions): Promise<T[]> {
    const method = this.#names.getManyAsync;
    checkMax(max, method);
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    if (this.#sorted) return queueWaitAsync(this.#takeMutex, deadline, method, signal, (timeLeft) => this.#takeSortedStep(max, timeLeft, method), getTimedOut);
    const taken = takeTakenBatch();
    try {
      await queueWaitAsync(this.#takeMutex, deadline, method, signal, (timeLeft) => this.#takeStep(taken, max, timeLeft, method), getTimedOut);
      return this.#rebuild(taken, method);
    } finally {
      releaseTakenBatch(taken);
    }
  }

  /**
   * Removes and returns up to `max` of the items there now.
   * @throws QueueEmpty when there are none; QueueShutDown once shut down and drained.
   * @example
   * ```ts
   * const pending = queue.empty ? [] : queue.getManyNowait(Number.MAX_SAFE_INTEGER); // drain
   * ```
   */
  getManyNowait(max: number): T[] {
    return this.getMany(max, { timeout: 0 });
  }

  /**
   * Marks `count` items (default 1) taken with `get` as processed; `join()` returns once every item
   * put has been. After a `getMany`, `taskDone(items.length)` marks the batch at once.
   * @throws RangeError when that is more than the items put and not yet marked (nothing is marked
   * then), or `count` is not a positive integer.
   * @example
   * ```ts
   * const batch = jobs.getMany(64);
   * try { batch.forEach(run); } finally { jobs.taskDone(batch.length); }
   * ```
   */
  taskDone(count = 1): void {
    const method = `${this.kind}.taskDone()`;
    if (count !== 1 && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) {
      throw new RangeError(`${method}: count must be a positive integer, got ${String(count)}`);
    }
    assertNotComparing(this.#cells, method);
    withInternalLock(this.#putMutex, method, () => {
      const unfinished = this.#cells[UNFINISHED]! - count;
      if (unfinished < 0) {
        throw new RangeError(
          count === 1
            ? `${this.kind}.taskDone() called more times than items were put`
            : `${this.kind}.taskDone(${count}): only ${this.#cells[UNFINISHED]!} items are put and not yet marked done`,
        );
      }
      this.#cells[UNFINISHED] = unfinished;
      if (unfinished === 0) this.#allTasksDone.notify(Infinity);
    });
  }

  /**
   * Waits until every item put has been marked done with `taskDone()`.
   * @returns `false` if `timeout` ran out first.
   */
  join(options?: WaitOptions): boolean {
    const method = `${this.kind}.join()`;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    return guardedWaitBlocking(this.#putMutex, deadline, method, (timeLeft) => this.#joinStep(timeLeft), joinTimedOut);
  }

  /** Async twin of {@link join}; usable on any thread. */
  async joinAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const method = `${this.kind}.joinAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    return guardedWaitAsync(this.#putMutex, deadline, method, signal, (timeLeft) => this.#joinStep(timeLeft), joinTimedOut);
  }

  /**
   * Shuts the queue down, as Python 3.13's `Queue.shutdown`: later `put`s throw {@link QueueShutDown};
   * `get`s drain what is left, then throw it. With `immediate`, the items left are dropped (counted as
   * done, so `join()` returns) and every blocked `get` throws at once.
   * @throws TypeError when `options` is not an object or `immediate` not a boolean (`shutdown(true)`,
   * Python's positional form, is refused rather than taken for a plain shutdown).
   */
  shutdown(options: { readonly immediate?: boolean } = {}): void {
    const method = `${this.kind}.shutdown()`;
    if (typeof options !== 'object' || options === null) {
      throw new TypeError(`${method}: options must be an object like { immediate: true }, got ${options === null ? 'null' : typeof options}`);
    }
    if (options.immediate !== undefined && typeof options.immediate !== 'boolean') {
      throw new TypeError(`${method}: immediate must be true or false, got ${String(options.immediate)}`);
    }
    assertNotComparing(this.#cells, method);
    this.#withBothLocks(method, () => {
      this.#journal.begin(this.#store.tail);
      const immediate = options.immediate === true;
      // Once immediate, always immediate: a later plain shutdown() must not let a put-back item survive.
      if (immediate || Atomics.load(this.#cells, SHUT_DOWN) === OPEN) Atomics.store(this.#cells, SHUT_DOWN, immediate ? SHUT_IMMEDIATELY : SHUT);
      if (immediate) {
        // Dropped wholesale: taking them one by one would run a PriorityQueue's comparator, which may
        // throw. Counted done first: a FIFO's clear() ends with the store that drops them.
        this.#cells[UNFINISHED] = Math.max(0, this.#cells[UNFINISHED]! - this.#store.countForPut);
        this.#store.clear();
        this.#allTasksDone.notify(Infinity);
      }
      this.#journal.end();
      this.#notEmpty.notify(Infinity);
      this.#notFull.notify(Infinity);
      wakeSelectors(this.#cells, SELECT, this.#board);
    });
  }

  protected get kind(): QueueKind {
    return 'Queue';
  }

  protected get order(): Order {
    return Order.Fifo;
  }

  /** For subclasses that order items. */
  protected get store(): RecordStore {
    return this.#store;
  }

  /**
   * A FIFO's `put` of one item as one short step (see `RecordStore.pushOne`), when the put lock is
   * free and nothing stands in the way: `false`, having changed nothing, otherwise (the queue full or
   * shut down, the storage to grow, …), and the general step follows. The getters are woken after the
   * lock is let go: they look again after registering (see SequenceOptions.ready), so no wake-up is lost.
   */
  #putOne(batch: EncodedBatch): boolean {
    const mutex = this.#putMutex;
    if (!mutex.tryLock()) return false;
    let put = false;
    try {
      const store = this.#store;
      const maxSize = this.#maxSize;
      if (this.#cells[SHUT_DOWN] === OPEN && (maxSize === 0 || store.roomBelow(maxSize, 1) > 0)) {
        put = store.pushOne(batch, this.#journal, UNFINISHED);
      }
    } finally {
      mutex.unlock();
    }
    if (put) {
      this.#notEmpty.notify(1);
      wakeSelectors(this.#cells, SELECT, this.#board);
    }
    return put;
  }

  /**
   * Under the lock: puts as many of the batch's items still out as there is room for; returns
   * `undefined` once all are in, else the condition to wait on for room.
   */
  #putStep(batch: EncodedBatch, timeLeft: number, method: string, deadline: Deadline): undefined | SequenceCells {
    this.#stepDeadline = deadline;
    this.#stepMethod = method;
    this.#stepBatch = batch;
    if (this.#cells[SHUT_DOWN] !== OPEN) throw new QueueShutDown(`${method} on a queue that was shut down${partMessage(batch)}`, { itemsPut: batch.done });
    const maxSize = this.maxSize;
    const left = batch.count - batch.done;
    const room = maxSize === 0 ? left : Math.min(left, this.#store.roomBelow(maxSize, left));
    if (room > 0) {
      try {
        this.#putItems(batch, batch.done, batch.done + room);
      } catch (error) {
        if (error instanceof StorageLimitError) throw storageLimit(error, method, batch);
        throw error;
      }
      if (batch.done === batch.count) return undefined;
    }
    if (timeLeft === 0) throw new QueueFull(`${method}: the queue is full (maxSize ${maxSize})${partMessage(batch)}`, { itemsPut: batch.done });
    return this.#notFull;
  }

  /**
   * Under the lock: puts items `[from, to)` of `batch`, in journal steps (see `Journal`): a ring or a
   * stack takes a run in one step (a new one after the index grows), a heap one item per step (its
   * moves fill the journal's log). Counts them in `batch.done` and wakes that many getters, also when
   * an item fails to go in (a comparator that throws, storage full) and the error goes on.
   */
  #putItems(batch: EncodedBatch, from: number, to: number): void {
    const store = this.#store;
    const journal = this.#journal;
    const cells = this.#cells;
    const before = store.tail;
    try {
      for (let i = from; i < to; ) {
        const at = store.tail;
        journal.begin(at);
        const unfinished = cells[UNFINISHED]!;
        try {
          if (store.growIndexFor(this.#sorted ? 1 : to - i)) {
            journal.end();
            journal.begin(this.#store.tail);
          }
          if (this.#sorted) {
            cells[UNFINISHED] = unfinished + 1;
            store.pushSorted(batch, i);
          } else {
            const n = Math.min(to - i, store.indexRoom);
            // Counted before the run is published, which a getter may be watching: writing the cell
            // after it would cost the line a second trip between the cores.
            cells[UNFINISHED] = unfinished + n;
            store.pushRun(batch, i, i + n);
          }
        } finally {
          // What went in is counted inside the step; an item that failed undid itself.
          const pushed = (store.tail - at) | 0;
          if (cells[UNFINISHED] !== unfinished + pushed) cells[UNFINISHED] = unfinished + pushed;
          i += pushed;
          journal.end();
        }
      }
    } finally {
      const put = (store.tail - before) | 0;
      batch.done += put;
      if (put > 0) {
        this.#notEmpty.notify(put);
        wakeSelectors(cells, SELECT, this.#board);
      }
    }
  }

  /** A `PriorityQueue`'s `get`: the top item, decoded under the lock (see `RecordStore.take`). */
  #getStep(timeLeft: number, method: string): TakenRecord | SequenceCells {
    if (this.#store.countForTake(1) === 0) return this.#emptyStep(timeLeft, method);
    return this.#take();
  }

  // Looked at without the lock, by a blocking call about to wait (see queueWaitBlocking): whether
  // trying again could succeed or end the call.
  readonly #gettable = (): boolean => this.#store.count > 0 || Atomics.load(this.#cells, SHUT_DOWN) !== OPEN;
  readonly #puttable = (): boolean => this.#store.count < this.#maxSize || Atomics.load(this.#cells, SHUT_DOWN) !== OPEN;
  /**
   * A putter's look while it watches a full queue before registering: room for a few items, as a
   * registered putter waits for (`#notFull`'s `moves`). Going back for each slot a get frees would
   * keep the putter reading HEAD's line as the getter writes it, slowing both; the registered wait
   * that follows a watch that saw nothing uses the exact {@link puttable}, so nothing waits on a
   * free slot for long.
   */
  readonly #roomWatched = (): boolean =>
    this.#store.count <= this.#maxSize - this.#roomWorthWaking || Atomics.load(this.#cells, SHUT_DOWN) !== OPEN;

  /** Under the lock, on an empty queue: throws when the call must not (or need not) wait, else what to wait on. */
  #emptyStep(timeLeft: number, method: string): SequenceCells {
    if (this.#cells[SHUT_DOWN] !== OPEN) throw new QueueShutDown(`${method}: the queue was shut down and is empty`);
    if (timeLeft === 0) throw new QueueEmpty(`${method}: the queue is empty`);
    return this.#notEmpty;
  }

  /** A FIFO or LIFO queue's `get`/`getMany`: up to `max` items into `taken`, rebuilt once the lock is released. */
  #takeStep(taken: TakenBatch, max: number, timeLeft: number, method: string): TakenBatch | SequenceCells {
    const count = this.#store.countForTake(max);
    if (count === 0) return this.#emptyStep(timeLeft, method);
    const n = Math.min(max, count);
    if (this.#ring) {
      // No journal: the journal is the put side's (a FIFO's get publishes nothing before its last write).
      this.#store.takeRun(taken, n);
    } else {
      this.#journal.begin(this.#store.tail);
      try {
        this.#store.takeRun(taken, n);
      } finally {
        this.#journal.end();
      }
    }
    if (this.#maxSize !== 0) this.#notFull.notify(n);
    return taken;
  }

  /**
   * A `PriorityQueue`'s `getMany`: the smallest items, up to `max`, one journal step each. An item that
   * cannot be taken (its comparator or decoding throws; the heap is left as it was) ends the batch,
   * or fails the call if it is the first.
   */
  #takeSortedStep(max: number, timeLeft: number, method: string): T[] | SequenceCells {
    const count = this.#store.countForTake(max);
    if (count === 0) return this.#emptyStep(timeLeft, method);
    const n = Math.min(max, count);
    const items: T[] = [];
    try {
      for (let i = 0; i < n; i++) {
        this.#journal.begin(this.#store.tail);
        try {
          items.push(this.#store.take().item as T);
        } finally {
          this.#journal.end();
        }
      }
    } catch (error) {
      if (items.length === 0) throw error;
    }
    if (this.#maxSize !== 0) this.#notFull.notify(items.length);
    return items;
  }

  /** Under the lock, with an item there: takes the next one. */
  #take(): TakenRecord {
    let record;
    if (this.#ring) {
      record = this.#store.take(); // without the put side's journal, as in #takeStep
    } else {
      this.#journal.begin(this.#store.tail);
      try {
        record = this.#store.take();
      } finally {
        this.#journal.end();
      }
    }
    if (this.#maxSize !== 0) this.#notFull.notify(1);
    return record;
  }

  /**
   * `Queue.select`'s look at this queue, under the lock: the next item if there is one; otherwise
   * whether it is shut down, or else (with a `bucket`, for a select about to sleep) the selector's
   * registration, so that the next put here wakes it.
   */
  #selectStep(bucket: number): TakenRecord | 'empty' | 'shut-down' {
    if (this.#store.countForTake(1) !== 0) return this.#take();
    if (this.#cells[SHUT_DOWN] !== OPEN) return 'shut-down';
    if (bucket < 0) return 'empty';
    // Registered before the last look: a put made meanwhile, under the put lock, wakes it or is seen.
    registerSelector(this.#cells, SELECT, bucket);
    if (this.#store.countForTake(1) === 0) return 'empty';
    unregisterSelector(this.#cells, SELECT, bucket);
    return this.#take();
  }

  /** What queue-select.ts needs of this queue; made on first use. */
  get #port(): SelectPort<T> {
    const bucket = selectorBucket();
    return (this.#selectPort ??= {
      queue: this,
      mutex: this.#takeMutex,
      control: this.#cells,
      selectBase: SELECT,
      board: this.#board,
      waitingStep: () => this.#selectStep(bucket),
      peekStep: () => this.#selectStep(-1),
      decode: (record, method) => this.#decode(record, method),
      lastServed: 0,
    });
  }

  static #portsOf<Q extends readonly Queue<unknown>[]>(queues: Q, method: string): SelectPort<unknown>[] {
    if (!Array.isArray(queues) || queues.length === 0) {
      throw new TypeError(`${method}: expected a non-empty array of queues, got ${Array.isArray(queues) ? 'an empty array' : typeof queues}`);
    }
    return queues.map((queue: unknown, index) => {
      if (!(queue instanceof Queue)) throw new TypeError(`${method}: queues[${index}] is not a Queue, LifoQueue or PriorityQueue`);
      return (queue as Queue<unknown>).#port;
    });
  }

  /**
   * Rebuilds the item a select or a `PriorityQueue`'s `get` took, once the lock is released (a
   * priority item is rebuilt already). An item this thread cannot rebuild goes back where it was, its
   * task still counted, and the call throws {@link ItemDecodeError}.
   */
  #decode(record: TakenRecord, method: string): T {
    if (record.decoded) return record.item as T;
    try {
      return decodeItem(record.tag, record.payload, record.number) as T;
    } catch (error) {
      throw this.#putBack([record], method, error);
    }
  }

  /** `get`'s item of `taken`, rebuilt as {@link decode} does. */
  #rebuildOne(taken: TakenBatch, method: string): T {
    try {
      return taken.item(0) as T;
    } catch (error) {
      throw this.#putBack([taken.record(0)], method, error);
    }
  }

  /**
   * `getMany`'s items of `taken`, rebuilt; the first that cannot be goes back with the rest after it,
   * in their places, and the call returns those before it (throws, if there are none).
   */
  #rebuild(taken: TakenBatch, method: string): T[] {
    const count = taken.count;
    const items: T[] = [];
    for (let i = 0; i < count; i++) {
      try {
        items.push(taken.item(i) as T);
      } catch (error) {
        // Put back last first: each goes in front of (FIFO) or on top of (LIFO) the one after it.
        const records: TakenRecord[] = [];
        for (let j = count - 1; j >= i; j--) records.push(taken.record(j));
        const failure = this.#putBack(records, method, error);
        if (i === 0) throw failure;
        break;
      }
    }
    return items;
  }

  /**
   * Puts taken records back where they came from (the head of a ring, the top of a stack), in the
   * order given, for an item this thread could not rebuild (`error`, the last record's); returns the
   * error to throw for it.
   */
  #putBack(records: readonly TakenRecord[], method: string, error: unknown): unknown {
    let outcome = records.length === 1 ? 'it was put back where it was' : `it was put back where it was, with the ${records.length - 1} taken after it`;
    try {
      this.#withBothLocks(method, () => {
        if (Atomics.load(this.#cells, SHUT_DOWN) === SHUT_IMMEDIATELY) {
          outcome = 'the queue was shut down immediately meanwhile, so it was dropped as done';
          for (let i = 0; i < records.length; i++) this.#forgetTask();
          return;
        }
        let restored = 0;
        for (const record of records) {
          this.#journal.begin(this.#store.tail);
          try {
            if (this.#store.growIndexFor(1)) {
              this.#journal.end();
              this.#journal.begin(this.#store.tail);
            }
            this.#store.restore(record);
            restored++;
          } catch {
            outcome = "the queue's storage filled up meanwhile, so it was dropped as done";
            this.#forgetTask();
          } finally {
            this.#journal.end();
          }
        }
        if (restored > 0) {
          this.#notEmpty.notify(restored);
          wakeSelectors(this.#cells, SELECT, this.#board);
        }
      });
    } catch (lockError) {
      outcome = `it could not be put back (${(lockError as Error).message})`;
    }
    if (!(error instanceof ItemDecodeError)) return error;
    const cause = error.cause as Error;
    return new ItemDecodeError(`${method}: the item cannot be rebuilt on this thread (${cause.message}); ${outcome}`, { cause });
  }

  /** An item leaves without a taskDone() to come: count it as done. Under the lock. */
  #forgetTask(): void {
    const unfinished = Math.max(0, this.#cells[UNFINISHED]! - 1);
    this.#cells[UNFINISHED] = unfinished;
    if (unfinished === 0) this.#allTasksDone.notify(Infinity);
  }

  /**
   * A registered thread died holding the internal lock: roll its half-done step back (a `put` not made,
   * a `get` not taken: the item stays queued), then wake every waiter to look again. Under the lock.
   */
  readonly #recover = (): void => {
    this.#journal.undo(this.#store);
    this.#wakeEveryone();
  };

  /**
   * A registered thread died holding a FIFO's take lock: a get's step publishes nothing before its
   * last write (see `RecordStore`), so there is nothing to roll back; every waiter looks again.
   */
  readonly #recoverTake = (): void => {
    this.#wakeEveryone();
  };

  #wakeEveryone(): void {
    this.#notEmpty.notify(Infinity);
    this.#notFull.notify(Infinity);
    this.#allTasksDone.notify(Infinity);
    wakeSelectors(this.#cells, SELECT, this.#board);
  }

  /**
   * The store's way to the take lock, for a FIFO's put step that must move what getters read (see
   * `RecordStore.setExclusive`): taken after the put lock, never the other way round, and never
   * waited for by anyone holding it, so no deadlock. A no-op when this step holds it already.
   */
  readonly #exclusive = <R>(fn: () => R): R => {
    if (this.#takeHeldToo) return fn();
    const deadline = this.#stepDeadline;
    const method = this.#stepMethod;
    // A step that began by its deadline gets a moment for the take lock, held for microseconds at a time.
    if (!lockInternalBlocking(this.#takeMutex, deadline === NO_WAIT ? NO_WAIT : Math.max(deadline, performance.now() + 1), method)) {
      // As if the put lock itself had stayed held (see guarded-wait.ts's giveUp).
      const cause = internalStateLocked(method, deadline);
      const batch = this.#stepBatch;
      if (deadline === NO_WAIT || batch === undefined) throw cause;
      batchTimedOut(batch)(method, cause);
    }
    this.#takeHeldToo = true;
    try {
      return fn();
    } finally {
      this.#takeHeldToo = false;
      this.#takeMutex.unlock();
    }
  };

  /** Runs `fn` holding the put lock and, for a FIFO, the take lock: for what changes both sides. */
  #withBothLocks<R>(method: string, fn: () => R): R {
    return withInternalLock(this.#putMutex, method, () => {
      if (this.#takeMutex === this.#putMutex) return fn();
      this.#stepDeadline = NO_WAIT;
      this.#stepMethod = method;
      this.#stepBatch = undefined;
      return this.#exclusive(fn);
    });
  }

  #joinStep(timeLeft: number): boolean | SequenceCells {
    if (this.#cells[UNFINISHED]! === 0) return true;
    return timeLeft === 0 ? false : this.#allTasksDone;
  }
}

// What a call with a timeout gives when the queue's internal lock stayed held until its deadline.
function putTimedOut(method: string, cause: Error): never {
  throw new QueueFull(`${method}: timed out waiting for the queue's internal lock`, { cause });
}

/** The names of the hot calls, for their errors: made once per kind, not per call. */
type MethodNames = Readonly<Record<'put' | 'putAsync' | 'putMany' | 'putManyAsync' | 'get' | 'getAsync' | 'getMany' | 'getManyAsync', string>>;
const namesByKind = new Map<QueueKind, MethodNames>();

function methodNames(kind: QueueKind): MethodNames {
  let names = namesByKind.get(kind);
  if (names === undefined) {
    const of = (call: string): string => `${kind}.${call}()`;
    names = {
      put: of('put'),
      putAsync: of('putAsync'),
      putMany: of('putMany'),
      putManyAsync: of('putManyAsync'),
      get: of('get'),
      getAsync: of('getAsync'),
      getMany: of('getMany'),
      getManyAsync: of('getManyAsync'),
    };
    namesByKind.set(kind, names);
  }
  return names;
}

/** A batch's `putTimedOut`: the items already in are counted. */
function batchTimedOut(batch: EncodedBatch): (method: string, cause: Error) => never {
  return (method, cause) => {
    throw new QueueFull(`${method}: timed out waiting for the queue's internal lock${partMessage(batch)}`, { cause, itemsPut: batch.done });
  };
}

/** For the errors of a batch put that gave up: how far it got. */
function partMessage(batch: EncodedBatch): string {
  return batch.count === 1 ? '' : `; ${batch.done} of the ${batch.count} items were put`;
}

/** Encodes `item` into `batch`; an item that cannot be queued is refused in the name of `method`. */
function addItem(batch: EncodedBatch, item: unknown, method: string): void {
  try {
    batch.add(item);
  } catch (error) {
    // The codec's refusals name the plain put; the call may be a LifoQueue's putMany.
    if (error instanceof TypeError && error.message.startsWith(CODEC_PREFIX) && method !== 'Queue.put()') {
      error.message = `${method}: ${error.message.slice(CODEC_PREFIX.length)}`;
    }
    throw error;
  }
}

const CODEC_PREFIX = 'Queue.put(): ';

/** Reads and encodes every item of a batch put, before anything goes in. */
function encodeAll(items: Iterable<unknown>, method: string): EncodedBatch {
  if (items === null || items === undefined || typeof (items as Partial<Iterable<unknown>>)[Symbol.iterator] !== 'function') {
    throw new TypeError(`${method}: items must be iterable (an array, a Set, a generator…), got ${items === null ? 'null' : typeof items}`);
  }
  const batch = takeEncodedBatch();
  try {
    for (const item of items) addItem(batch, item, method);
  } catch (error) {
    releaseEncodedBatch(batch);
    throw error;
  }
  return batch;
}

function checkMax(max: number, method: string): void {
  if (typeof max !== 'number') throw new TypeError(`${method}: max must be a number, got ${typeof max}`);
  if (!Number.isInteger(max) || max < 1) throw new RangeError(`${method}: max must be a positive integer, got ${max}`);
}

/**
 * The storage-limit error of a put, named for its call (`LifoQueue.putMany()`) and, like `QueueFull`,
 * saying how many of a batch's items went in before it (`itemsPut`; they stay in the queue).
 */
function storageLimit(error: StorageLimitError, method: string, batch: EncodedBatch): StorageLimitError {
  error.message = `${method}: ${error.message}${partMessage(batch)}`;
  (error as StorageLimitError & { itemsPut?: number }).itemsPut = batch.done;
  return error;
}

function getTimedOut(method: string, cause: Error): never {
  throw new QueueEmpty(`${method}: timed out waiting for the queue's internal lock`, { cause });
}

function joinTimedOut(): boolean {
  return false;
}

/** Rebuilds the parts of a queue from its handle, for `from` of each queue class. */
function partsFromHandle(handle: QueueHandle, kind: QueueKind): QueueParts {
  const cells = cellsFromHandle(handle, kind, QUEUE_CELLS);
  if (!(handle.index instanceof SharedArrayBuffer) || !(handle.arena instanceof SharedArrayBuffer)) {
    throw new TypeError(`${kind}.from(handle): handle.index and handle.arena must be SharedArrayBuffers`);
  }
  const buffers = { index: handle.index, arena: handle.arena };
  const problem = storeBuffersProblem(cells, STORE, buffers);
  if (problem !== undefined) throw new TypeError(`${kind}.from(handle): not the handle of a queue: ${problem}`);
  return { cells, buffers, board: boardFromBuffer(handle.selectBoard, `${kind}.from(handle)`) };
}

/**
 * A last-in, first-out queue: Python's `queue.LifoQueue`. Same API as {@link Queue}.
 *
 * @example
 * ```ts
 * const stack = new LifoQueue<number>();
 * stack.put(1); stack.put(2);
 * stack.get(); // 2
 * ```
 */
export class LifoQueue<T = unknown> extends Queue<T> {
  static override from<T = unknown>(handle: QueueHandle): LifoQueue<T> {
    return constructAdopting(partsFromHandle(handle, 'LifoQueue'), () => new LifoQueue<T>());
  }

  protected override get kind(): QueueKind {
    return 'LifoQueue';
  }

  protected override get order(): Order {
    return Order.Lifo;
  }
}

/** Options of `new PriorityQueue()`. */
export interface PriorityQueueOptions<T> extends QueueOptions {
  /**
   * Orders items, smallest first, like `Array.prototype.sort`'s comparator. Default: numbers, bigints
   * and strings by value, arrays (Python's `(priority, item)` tuples) element by element. Functions do
   * not cross threads: give the same comparator to `from` in every thread.
   */
  readonly compare?: ((a: T, b: T) => number) | undefined;
}

/**
 * A queue that returns the smallest item first: Python's `queue.PriorityQueue`. Put `[priority, data]`
 * pairs as Python's tuples, or give a `compare` function.
 *
 * @example
 * ```ts
 * const tasks = new PriorityQueue<[number, string]>();
 * tasks.put([2, 'write docs']);
 * tasks.put([1, 'fix the build']);
 * tasks.get(); // [1, 'fix the build']
 * ```
 */
export class PriorityQueue<T = unknown> extends Queue<T> {
  constructor(options: PriorityQueueOptions<T> = {}) {
    super(options);
    const compare = options.compare;
    if (compare !== undefined && typeof compare !== 'function') throw new TypeError('new PriorityQueue(): compare must be a function');
    this.store.setComparator((compare ?? naturalOrder) as (a: unknown, b: unknown) => number);
  }

  static override from<T = unknown>(handle: QueueHandle, options: Pick<PriorityQueueOptions<T>, 'compare'> = {}): PriorityQueue<T> {
    return constructAdopting(partsFromHandle(handle, 'PriorityQueue'), () => new PriorityQueue<T>(options));
  }

  protected override get kind(): QueueKind {
    return 'PriorityQueue';
  }

  protected override get order(): Order {
    return Order.Priority;
  }
}
