import { ItemDecodeError, QueueEmpty, QueueFull, QueueShutDown } from '../errors.js';
import { constructAdopting, takeAdopted } from '../internal/adopt.js';
import { guardedWaitAsync, guardedWaitBlocking, withInternalLock } from '../internal/guarded-wait.js';
import { InternalLock } from '../internal/internal-lock.js';
import { MUTEX_CELLS } from '../internal/mutex-cells.js';
import { deadlineFrom, signalFrom, throwIfAborted, type AsyncWaitOptions, type WaitOptions } from '../internal/options.js';
import { SEQUENCE_CELLS, SequenceCells } from '../internal/sequence-cells.js';
import { allocateCells, cellsFromHandle } from '../internal/shared-cells.js';
import { selectAsync, selectBlocking, type Selected, type SelectPort } from './queue-select.js';
import { boardFromBuffer, registerSelector, SELECT_CELLS, selectorBucket, threadBoard, wakeSelectors } from './select-board.js';
import { decodeItem, encodeItem, type EncodedItem } from './item-codec.js';
import { naturalOrder } from './natural-order.js';
import { assertNotComparing } from './reentry-guard.js';
import {
  allocateStoreBuffers,
  DEFAULT_MAX_ARENA_BYTES,
  initStoreCells,
  Journal,
  JOURNAL_CELLS,
  JOURNAL_SAVED,
  Order,
  RecordStore,
  STORE_CELLS,
  type StoreBuffers,
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

// The control block: Python's Queue (one mutex, three conditions over it, two counters) in cells.
const MUTEX = 0;
const NOT_EMPTY = MUTEX + MUTEX_CELLS;
const NOT_FULL = NOT_EMPTY + SEQUENCE_CELLS;
const ALL_TASKS_DONE = NOT_FULL + SEQUENCE_CELLS;
const MAX_SIZE = ALL_TASKS_DONE + SEQUENCE_CELLS;
const UNFINISHED = MAX_SIZE + 1;
const SHUT_DOWN = UNFINISHED + 1;
const STORE = SHUT_DOWN + 1;
/** The undo journal of the step in progress: see `Journal`. It saves UNFINISHED … the store's cells. */
const JOURNAL = STORE + STORE_CELLS;
/** Selectors waiting on this queue (`Queue.select`), counted per bucket of the select board. */
const SELECT = JOURNAL + JOURNAL_CELLS;
const QUEUE_CELLS = SELECT + SELECT_CELLS;
if (JOURNAL_SAVED !== JOURNAL - UNFINISHED) throw new Error('queue layout: the journal must save UNFINISHED through the store cells');

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
 * `postMessage`. `put` waits while a bounded queue is full, `get` while it is empty; `taskDone()` and
 * `join()` track work to completion; `shutdown()` ends it as Python 3.13 does.
 *
 * The internal lock is only ever held for the few instructions that move an item, never while a call
 * waits, so blocking and async calls mix freely, on one thread too.
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
  readonly #mutex: InternalLock;
  readonly #journal: Journal;
  readonly #notEmpty: SequenceCells;
  readonly #notFull: SequenceCells;
  readonly #allTasksDone: SequenceCells;
  readonly #board: Int32Array;
  #selectPort: SelectPort<T> | undefined;

  /** @throws RangeError when `maxSize` is not a non-negative integer. */
  constructor(options: QueueOptions = {}) {
    const parts = takeAdopted<QueueParts>() ?? Queue.#allocate(options, this.kind);
    const cells = parts.cells;
    this.#cells = cells;
    this.#mutex = new InternalLock(cells, MUTEX, this.#recover);
    this.#journal = new Journal(cells, JOURNAL, UNFINISHED);
    this.#notEmpty = new SequenceCells(cells, NOT_EMPTY);
    this.#notFull = new SequenceCells(cells, NOT_FULL);
    this.#allTasksDone = new SequenceCells(cells, ALL_TASKS_DONE);
    this.#board = parts.board;
    this.#store = new RecordStore(cells, STORE, this.order, parts.buffers);
    this.#store.setJournal(this.#journal);
  }

  static #allocate(options: QueueOptions, kind: string): QueueParts {
    if (typeof options !== 'object' || options === null) throw new TypeError(`new ${kind}(): options must be an object`);
    const { maxSize = 0, maxBytes = DEFAULT_MAX_ARENA_BYTES } = options;
    if (typeof maxSize !== 'number' || !Number.isInteger(maxSize) || maxSize < 0 || maxSize > 0x7fff_ffff) {
      throw new RangeError(`new ${kind}(): maxSize must be a non-negative integer (0 = unbounded), got ${String(maxSize)}`);
    }
    if (typeof maxBytes !== 'number' || !Number.isInteger(maxBytes) || maxBytes < 1024) {
      throw new RangeError(`new ${kind}(): maxBytes must be an integer >= 1024, got ${String(maxBytes)}`);
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
    return this.#cells[MAX_SIZE]!;
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
    const method = `${this.kind}.put()`;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    const encoded = encodeItem(item);
    guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#putStep(encoded, timeLeft, method), putTimedOut);
  }

  /** Async twin of {@link put}; usable on any thread. */
  async putAsync(item: T, options?: AsyncWaitOptions): Promise<void> {
    const method = `${this.kind}.putAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    const encoded = encodeItem(item);
    await guardedWaitAsync(
      this.#mutex,
      deadline,
      method,
      signal,
      (timeLeft) => this.#putStep(encoded, timeLeft, method),
      putTimedOut,
    );
  }

  /** Adds an item only if there is room now. @throws QueueFull, QueueShutDown */
  putNowait(item: T): void {
    this.put(item, { timeout: 0 });
  }

  /**
   * Removes and returns the next item, waiting while the queue is empty.
   * @throws QueueEmpty when `timeout` runs out; QueueShutDown once shut down and drained.
   */
  get(options?: WaitOptions): T {
    const method = `${this.kind}.get()`;
    const deadline = deadlineFrom(options, method);
    assertNotComparing(this.#cells, method);
    const record = guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#getStep(timeLeft, method), getTimedOut);
    return this.#decode(record, method);
  }

  /** Async twin of {@link get}; usable on any thread. */
  async getAsync(options?: AsyncWaitOptions): Promise<T> {
    const method = `${this.kind}.getAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    const record = await guardedWaitAsync(
      this.#mutex,
      deadline,
      method,
      signal,
      (timeLeft) => this.#getStep(timeLeft, method),
      getTimedOut,
    );
    return this.#decode(record, method);
  }

  /** Removes and returns an item only if one is there now. @throws QueueEmpty, QueueShutDown */
  getNowait(): T {
    return this.get({ timeout: 0 });
  }

  /**
   * Marks one item taken with `get` as processed; `join()` returns once every item put has been.
   * @throws RangeError when called more times than items were put.
   */
  taskDone(): void {
    const method = `${this.kind}.taskDone()`;
    assertNotComparing(this.#cells, method);
    withInternalLock(this.#mutex, method, () => {
      const unfinished = this.#cells[UNFINISHED]! - 1;
      if (unfinished < 0) throw new RangeError(`${this.kind}.taskDone() called more times than items were put`);
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
    return guardedWaitBlocking(this.#mutex, deadline, method, (timeLeft) => this.#joinStep(timeLeft), joinTimedOut);
  }

  /** Async twin of {@link join}; usable on any thread. */
  async joinAsync(options?: AsyncWaitOptions): Promise<boolean> {
    const method = `${this.kind}.joinAsync()`;
    const deadline = deadlineFrom(options, method);
    const signal = signalFrom(options, method);
    throwIfAborted(signal);
    assertNotComparing(this.#cells, method);
    return guardedWaitAsync(this.#mutex, deadline, method, signal, (timeLeft) => this.#joinStep(timeLeft), joinTimedOut);
  }

  /**
   * Shuts the queue down, as Python 3.13's `Queue.shutdown`: later `put`s throw {@link QueueShutDown};
   * `get`s drain what is left, then throw it. With `immediate`, the items left are dropped (counted as
   * done, so `join()` returns) and every blocked `get` throws at once.
   */
  shutdown(options: { readonly immediate?: boolean } = {}): void {
    const method = `${this.kind}.shutdown()`;
    assertNotComparing(this.#cells, method);
    withInternalLock(this.#mutex, method, () => {
      this.#journal.begin();
      const immediate = options.immediate === true;
      // Once immediate, always immediate: a later plain shutdown() must not let a put-back item survive.
      if (immediate || Atomics.load(this.#cells, SHUT_DOWN) === OPEN) Atomics.store(this.#cells, SHUT_DOWN, immediate ? SHUT_IMMEDIATELY : SHUT);
      if (immediate) {
        // Dropped wholesale: taking them one by one would run a PriorityQueue's comparator, which may throw.
        const dropped = this.#store.clear();
        this.#cells[UNFINISHED] = Math.max(0, this.#cells[UNFINISHED]! - dropped);
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

  #putStep(encoded: EncodedItem, timeLeft: number, method: string): undefined | SequenceCells {
    if (this.isShutDown) throw new QueueShutDown(`${method} on a queue that was shut down`);
    if (this.full) {
      if (timeLeft === 0) throw new QueueFull(`${method}: the queue is full (maxSize ${this.maxSize})`);
      return this.#notFull;
    }
    this.#journal.begin();
    try {
      this.#store.push(encoded);
      this.#cells[UNFINISHED] = this.#cells[UNFINISHED]! + 1;
    } finally {
      // push() undoes itself before it throws: nothing to roll back then either.
      this.#journal.end();
    }
    this.#notEmpty.notify(1);
    wakeSelectors(this.#cells, SELECT, this.#board);
    return undefined;
  }

  #getStep(timeLeft: number, method: string): TakenRecord | SequenceCells {
    if (this.#store.count === 0) {
      if (this.isShutDown) throw new QueueShutDown(`${method}: the queue was shut down and is empty`);
      if (timeLeft === 0) throw new QueueEmpty(`${method}: the queue is empty`);
      return this.#notEmpty;
    }
    return this.#take();
  }

  /** Under the lock, with an item there: takes the next one. */
  #take(): TakenRecord {
    this.#journal.begin();
    let record;
    try {
      record = this.#store.take();
    } finally {
      this.#journal.end();
    }
    this.#notFull.notify(1);
    return record;
  }

  /**
   * `Queue.select`'s look at this queue, under the lock: the next item if there is one; otherwise
   * whether it is shut down, or else (with a `bucket`, for a select about to sleep) the selector's
   * registration, so that the next put here wakes it.
   */
  #selectStep(bucket: number): TakenRecord | 'empty' | 'shut-down' {
    if (this.#store.count !== 0) return this.#take();
    if (this.isShutDown) return 'shut-down';
    if (bucket >= 0) registerSelector(this.#cells, SELECT, bucket);
    return 'empty';
  }

  /** What queue-select.ts needs of this queue; made on first use. */
  get #port(): SelectPort<T> {
    const bucket = selectorBucket();
    return (this.#selectPort ??= {
      queue: this,
      mutex: this.#mutex,
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
   * Rebuilds the item taken, once the lock is released. An item this thread cannot rebuild goes back
   * where it was, its task still counted, and the call throws {@link ItemDecodeError}.
   */
  #decode(record: TakenRecord, method: string): T {
    if (record.decoded) return record.item as T;
    try {
      return decodeItem(record.tag, record.payload, record.number) as T;
    } catch (error) {
      if (!(error instanceof ItemDecodeError)) throw error;
      throw this.#putBack(record, method, error);
    }
  }

  #putBack(record: TakenRecord, method: string, error: ItemDecodeError): ItemDecodeError {
    let outcome = 'it was put back where it was';
    try {
      withInternalLock(this.#mutex, method, () => {
        if (Atomics.load(this.#cells, SHUT_DOWN) === SHUT_IMMEDIATELY) {
          outcome = 'the queue was shut down immediately meanwhile, so it was dropped as done';
          this.#forgetTask();
          return;
        }
        this.#journal.begin();
        try {
          this.#store.restore(record);
        } catch {
          this.#journal.end();
          outcome = "the queue's storage filled up meanwhile, so it was dropped as done";
          this.#forgetTask();
          return;
        }
        this.#journal.end();
        this.#notEmpty.notify(1);
        wakeSelectors(this.#cells, SELECT, this.#board);
      });
    } catch (lockError) {
      outcome = `it could not be put back (${(lockError as Error).message})`;
    }
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
    this.#notEmpty.notify(Infinity);
    this.#notFull.notify(Infinity);
    this.#allTasksDone.notify(Infinity);
    wakeSelectors(this.#cells, SELECT, this.#board);
  };

  #joinStep(timeLeft: number): boolean | SequenceCells {
    if (this.#cells[UNFINISHED]! === 0) return true;
    return timeLeft === 0 ? false : this.#allTasksDone;
  }
}

// What a call with a timeout gives when the queue's internal lock stayed held until its deadline.
function putTimedOut(method: string, cause: Error): never {
  throw new QueueFull(`${method}: timed out waiting for the queue's internal lock`, { cause });
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
  return { cells, buffers: { index: handle.index, arena: handle.arena }, board: boardFromBuffer(handle.selectBoard, `${kind}.from(handle)`) };
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
